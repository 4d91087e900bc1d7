/**
 * Two AWS accounts and Route53's rate limit, at the validating proxy in
 * front of moto 5, and bascule's Route53 adapter against them:
 *
 * - moto separates accounts by the caller: a key AssumeRole issued for a role
 *   of account 222222222222 sees that account's zones only (and the proxy,
 *   which talks to moto as its caller, too); a key the proxy is told the
 *   account of goes with moto's x-moto-account-id header.
 * - above its configured rate the proxy answers as Route53 does (HTTP 400,
 *   Throttling, "Rate exceeded"); bascule's adapter, in its per-account
 *   budget (src/aws/rate.ts), lists a zone of many pages without one
 *   throttled request; with no budget of its own (BASCULE_ROUTE53_RATE=0) it
 *   is throttled, backs off, and still never surfaces it.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, Route53Client, type Change } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { route53Client } from '../../src/aws/route53.js';
import { startMoto } from '../support/moto.mjs';
import { startRoute53Proxy } from '../support/route53-proxy.mjs';
import { createZone } from '../support/route53-zone.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let moto: Awaited<ReturnType<typeof startMoto>>;
let proxy: Awaited<ReturnType<typeof startRoute53Proxy>>;
const A = { accessKeyId: 'AKIDACCOUNTA', secretAccessKey: 'a' };
/** A static key the proxy maps to account 333333333333 (x-moto-account-id). */
const C = { accessKeyId: 'AKIDACCOUNTC', secretAccessKey: 'c' };
let B: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
const clients: Route53Client[] = [];
const via = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
  const c = new Route53Client({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRoute53Proxy(moto.endpoint, { accountOf: (key) => (key === C.accessKeyId ? '333333333333' : undefined) });
  const sts = new STSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: A });
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/bascule', RoleSessionName: 'test' }));
  sts.destroy();
  B = { accessKeyId: Credentials?.AccessKeyId as string, secretAccessKey: Credentials?.SecretAccessKey as string, sessionToken: Credentials?.SessionToken as string };
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  await proxy?.close();
  await moto?.stop();
});

const names = async (c: Route53Client) => ((await c.send(new ListHostedZonesCommand({}))).HostedZones ?? []).map((z) => `${z.Name} ${z.Id?.replace('/hostedzone/', '')}`).sort();
const txt = (name: string, value: string): Change => ({ Action: 'CREATE', ResourceRecordSet: { Name: name, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: `"${value}"` }] } });

describe('two accounts behind the proxy', () => {
  it("each account's zones, seen and written only with its own keys (AssumeRole, or the header the proxy adds)", async () => {
    const a = await createZone(via(moto.endpoint, A), 'devinfra.info');
    const b = await createZone(via(moto.endpoint, B), 'devinfra.info');
    const c = await createZone(via(proxy.endpoint, C), 'devinfra.info');
    expect(await names(via(proxy.endpoint, A))).toEqual([`devinfra.info. ${a}`]);
    expect(await names(via(proxy.endpoint, B))).toEqual([`devinfra.info. ${b}`]);
    expect(await names(via(proxy.endpoint, C))).toEqual([`devinfra.info. ${c}`]);
    // The proxy's own reads and batches (validated, applied whole) go to the caller's account.
    await via(proxy.endpoint, B).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: b, ChangeBatch: { Changes: [txt('eks.devinfra.info', 'eks-b')] } }));
    await via(proxy.endpoint, C).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: c, ChangeBatch: { Changes: [txt('eks.devinfra.info', 'eks-c')] } }));
    expect((await proxy.records(b, B.accessKeyId)).filter((r) => r.Type === 'TXT').map((r) => r.ResourceRecords?.[0]?.Value)).toEqual(['"eks-b"']);
    expect((await proxy.records(c, C.accessKeyId)).filter((r) => r.Type === 'TXT').map((r) => r.ResourceRecords?.[0]?.Value)).toEqual(['"eks-c"']);
    // Account A's key cannot read B's zone.
    await expect(via(proxy.endpoint, A).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: b, ChangeBatch: { Changes: [txt('x.devinfra.info', 'x')] } }))).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
  });
});

describe("Route53's rate limit", () => {
  it('answers as Route53 does above the rate: HTTP 400, Throttling, "Rate exceeded"', async () => {
    proxy.setThrottle({ rate: 1, burst: 1 });
    try {
      const c = via(proxy.endpoint, A);
      const answers = await Promise.allSettled([names(c), names(c), names(c)]);
      const refused = answers.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    } finally {
      proxy.setThrottle(undefined);
    }
  });

  async function bigZone(): Promise<string> {
    const zone = await createZone(via(moto.endpoint, A), 'big.devinfra.local');
    const changes = Array.from({ length: 1500 }, (_, i) => txt(`n${i}.big.devinfra.local`, `v${i}`));
    for (let i = 0; i < changes.length; i += 1000) await via(moto.endpoint, A).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: changes.slice(i, i + 1000) } }));
    return zone;
  }

  /** A zone of 6 pages listed by 3 readers at once, through the throttling proxy (5/s), with bascule's own budget at `rate`. */
  async function listThrice(rate: string, account: string): Promise<{ lengths: number[]; requests: number; throttled: number }> {
    const zone = await bigZone();
    proxy.setThrottle({ rate: 5, burst: 5 });
    const before = proxy.throttled();
    const env = { AWS_ENDPOINT_URL_ROUTE_53: proxy.endpoint, BASCULE_ROUTE53_RATE: rate };
    const port = route53Client({ region: 'eu-west-3', env, profile: undefined, credentials: async () => A, account });
    try {
      const lists = await Promise.all([port.list(zone), port.list(zone), port.list(zone)]);
      return { lengths: lists.map((l) => l.length), requests: port.requests(), throttled: proxy.throttled() - before };
    } finally {
      port.destroy();
      proxy.setThrottle(undefined);
    }
  }

  it("bascule's adapter in its account's budget: a zone of 6 pages, listed by 3 readers at once, not one request throttled", async () => {
    const { lengths, requests, throttled } = await listThrice('4', '444444444444');
    expect(lengths).toEqual([1502, 1502, 1502]);
    expect(requests).toBe(18); // 3 × 6 pages of 300
    expect(throttled).toBe(0);
  }, 60_000);

  it('without a budget of its own it is throttled, backs off, and never surfaces it', async () => {
    const { lengths, throttled } = await listThrice('0', '555555555555');
    expect(lengths).toEqual([1502, 1502, 1502]);
    expect(throttled).toBeGreaterThan(0);
  }, 120_000);
});
