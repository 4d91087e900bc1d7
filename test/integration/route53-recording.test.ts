/**
 * The recording of Route53 the bench plans against (test/support/route53-recording.mjs):
 * started from a node script with N = 50, listed with the AWS SDK: the names
 * the stand-in ExternalDNS writes for both colours, Route53's paging by 300 and
 * order, the zones, changes accepted or refused, requests counted.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { nameSortKey } from '../support/route53-names.mjs';
import { LOAD_BALANCERS, startRoute53Recording, ZONES } from '../support/route53-recording.mjs';
import { ROOT } from '../support/run.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'secret' };

/** The recording as the bench starts it: a node script, N on its command line, the endpoint on its first line. */
async function startScript(args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'test/support/route53-recording.mjs'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0] as string);
    });
    child.once('exit', (code) => reject(new Error(`the recording exited with ${code} before printing its endpoint: ${stderr}`)));
  });
  return { info: JSON.parse(line) as { endpoint: string; zones: typeof ZONES; recordSets: number }, stop: () => (child.stdin.end(), exited) };
}

async function listAll(client: Route53Client, zone: string) {
  const pages: ListResourceRecordSetsCommandOutput[] = [];
  let from: Partial<Pick<ListResourceRecordSetsCommandOutput, 'NextRecordName' | 'NextRecordType'>> = {};
  for (let i = 0; i < 100; i++) {
    const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: from.NextRecordName, StartRecordType: from.NextRecordType }));
    pages.push(page);
    if (!page.IsTruncated) break;
    from = page;
  }
  return pages;
}

const alias = (set: ResourceRecordSet | undefined) => set?.AliasTarget?.DNSName;
const value = (set: ResourceRecordSet | undefined) => set?.ResourceRecords?.[0]?.Value;

describe('the recording started by a node script with N = 50', () => {
  let script: Awaited<ReturnType<typeof startScript>>;
  let client: Route53Client;
  beforeAll(async () => {
    script = await startScript(['--names', '50']);
    client = new Route53Client({ region: 'us-east-1', endpoint: script.info.endpoint, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    expect(await script?.stop()).toBe(0);
  });

  it('prints its endpoint, the zones of examples/platform.yaml and what it serves', () => {
    expect(script.info).toMatchObject({ endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), zones: { private: 'Z0DEVINFRALOCAL01', public: 'Z0DEVINFRAFR02', txt: 'Z0DEVINFRAINFO03' } });
    // 12 sets a name, NS + SOA at three apexes, the API CNAMEs and the TXT
    expect(script.info.recordSets).toBe(50 * 12 + 6 + 3 + 1);
  });

  it('lists the private zone in pages of 300, in Route53 order, each set once, every name as ExternalDNS writes it', async () => {
    await fetch(`${script.info.endpoint}/__recording/requests`, { method: 'DELETE' });
    const pages = await listAll(client, ZONES.private);
    expect(pages.map((p) => p.ResourceRecordSets?.length)).toEqual([300, 300, 5]);
    expect(pages.map((p) => p.IsTruncated)).toEqual([true, true, false]);
    const sets = pages.flatMap((p) => p.ResourceRecordSets ?? []);
    expect(pages[1]?.ResourceRecordSets?.[0]).toMatchObject({ Name: pages[0]?.NextRecordName, Type: pages[0]?.NextRecordType });
    const keys = sets.map((s) => `${nameSortKey(s.Name as string)} ${s.Type}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(605);
    const at = (name: string, type: string) => sets.find((s) => s.Name === name && s.Type === type);
    for (let i = 1; i <= 50; i++) {
      const label = `hello-${String(i).padStart(4, '0')}`;
      for (const [domain, lb, owner] of [
        ['devinfra.local', LOAD_BALANCERS.blue, 'live-eks-blue.devinfra.local'],
        ['eks-blue.devinfra.local', LOAD_BALANCERS.blue, 'ingress-eks-blue.devinfra.local'],
        ['eks-green.devinfra.local', LOAD_BALANCERS.green, 'ingress-eks-green.devinfra.local'],
      ] as const) {
        expect(alias(at(`${label}.${domain}.`, 'A')), label).toBe(`${lb}.`);
        expect(alias(at(`${label}.${domain}.`, 'AAAA')), label).toBe(`${lb}.`);
        for (const prefix of ['a', 'aaaa']) {
          expect(value(at(`${prefix}-${label}.${domain}.`, 'TXT'))).toBe(`"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=service/default/${label}"`);
        }
      }
    }
    expect(value(at('api.devinfra.local.', 'CNAME'))).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f90.gr7.eu-west-3.eks.amazonaws.com');
    const counted = await (await fetch(`${script.info.endpoint}/__recording/requests`)).json();
    expect(counted).toEqual({ ListResourceRecordSets: 3 });
  });

  it('answers GetHostedZone with the VPCs of a private zone, and an unknown zone as Route53 does', async () => {
    const zone = await client.send(new GetHostedZoneCommand({ Id: ZONES.private }));
    expect(zone.HostedZone).toMatchObject({ Name: 'devinfra.local.', Config: { PrivateZone: true }, ResourceRecordSetCount: 605 });
    expect(zone.VPCs?.map((v) => v.VPCId)).toEqual(['vpc-0a1b2c3d4e5f60718', 'vpc-0f1e2d3c4b5a69788']);
    const txt = await listAll(client, ZONES.txt);
    expect(txt.flatMap((p) => p.ResourceRecordSets ?? []).find((s) => s.Type === 'TXT')).toMatchObject({ Name: 'eks.devinfra.info.', ResourceRecords: [{ Value: '"eks-blue"' }] });
    await expect(client.send(new GetHostedZoneCommand({ Id: 'Z0NOSUCHZONE' }))).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
  });
});

describe('the recording in process', () => {
  it('accepts a change checked as Route53 checks it (INSYNC at once), and counts requests per action', async () => {
    const recording = await startRoute53Recording({ names: 3, live: 'green' });
    const client = new Route53Client({ region: 'us-east-1', endpoint: recording.endpoint, credentials, maxAttempts: 1 });
    try {
      const listed = recording.records(ZONES.private);
      expect(listed.find((s) => s.Name === 'hello-0003.devinfra.local.' && s.Type === 'A')?.AliasTarget?.DNSName).toBe(`${LOAD_BALANCERS.green}.`);
      const set = { Name: '*.devinfra.local', Type: 'CNAME' as const, TTL: 60, ResourceRecords: [{ Value: 'x.example' }] };
      const { ChangeInfo } = await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONES.private, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set }] } }));
      expect(ChangeInfo?.Status).toBe('PENDING');
      expect((await client.send(new GetChangeCommand({ Id: ChangeInfo?.Id }))).ChangeInfo?.Status).toBe('INSYNC');
      expect(recording.records(ZONES.private).some((s) => s.Name === '\\052.devinfra.local.')).toBe(true);
      await expect(
        client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONES.private, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set }] } })),
      ).rejects.toMatchObject({ name: 'InvalidChangeBatch', message: "[Tried to create resource record set [name='\\052.devinfra.local.', type='CNAME'] but it already exists]" });
      expect(recording.requests({ accessKeyId: 'AKIDBENCH' })).toEqual({ ChangeResourceRecordSets: 2, GetChange: 1 });
      recording.resetRequests();
      expect(recording.requests()).toEqual({});
    } finally {
      client.destroy();
      await recording.close();
    }
  });
  it('refuses every change with --changes refuse', async () => {
    const recording = await startRoute53Recording({ names: 1, changes: 'refuse' });
    const client = new Route53Client({ region: 'us-east-1', endpoint: recording.endpoint, credentials, maxAttempts: 1 });
    try {
      const set = { Name: 'x.devinfra.local', Type: 'TXT' as const, TTL: 60, ResourceRecords: [{ Value: '"x"' }] };
      await expect(
        client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONES.private, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: set }] } })),
      ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      expect(recording.history).toEqual([]);
    } finally {
      client.destroy();
      await recording.close();
    }
  });
});
