/**
 * Two platforms named `prod` in two AWS accounts, switched from one machine
 * (one state directory), the built binary against moto 5 behind the
 * validating Route53 proxy. moto separates the accounts by the caller: the
 * default account (123456789012) for the plain keys, 222222222222 for the
 * keys its STS issues for a role of that account (the `acct-b` profile:
 * role_arn, credential_source Environment). Each account has its own
 * devinfra.local and devinfra.info zones (the same names), each platform its
 * own resolver; both reach the same stand-in clusters.
 *
 * A's switch fails at its DNS step (Route53 refuses A's API zone): its
 * journal and its lock stay. B's switch then runs to the end from the same
 * state directory without reading, writing or refusing on A's journal or
 * lock; A resumes afterwards without touching B's. In the previous layout
 * (`switch-prod.json` for both) B would have been refused by A's journal.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ChangeResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetPlatformText } from '../support/fleet-platforms.js';
import { createZone } from '../support/route53-zone.js';
import { cleanEnv, KEYS, runBuilt } from '../support/run.js';
import { resolverFrom } from '../support/switch-platform.js';
import { casPart, clustersPart, composeWorld, dirPart, dnsPart, motoPart, route53ProxyPart } from '../support/world.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ACCOUNT = { a: '123456789012', b: '222222222222' };
const FAST = ['--poll-interval', '50ms', '--timeout', '20s', '--dns-wait', '10s', '--request-timeout', '15s', '--dns-timeout', '5s'];

const startWorld = () =>
  composeWorld(async (parts) => {
    const moto = await motoPart(parts);
    const proxy = await route53ProxyPart(parts, moto.endpoint);
    const sts = new STSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: KEYS });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT.b}:role/bascule`, RoleSessionName: 'world' }));
    sts.destroy();
    const keys = { a: KEYS, b: { accessKeyId: c?.AccessKeyId as string, secretAccessKey: c?.SecretAccessKey as string, sessionToken: c?.SessionToken as string } };
    const client = (k: 'a' | 'b', endpoint: string) => parts.add(new Route53Client({ region: 'us-east-1', endpoint, credentials: keys[k], maxAttempts: 1 }), (x) => x.destroy());
    const direct = { a: client('a', moto.endpoint), b: client('b', moto.endpoint) };
    const viaProxy = { a: client('a', proxy.endpoint), b: client('b', proxy.endpoint) };
    const zones = {
      a: { api: await createZone(direct.a, 'devinfra.local'), txt: await createZone(direct.a, 'devinfra.info') },
      b: { api: await createZone(direct.b, 'devinfra.local'), txt: await createZone(direct.b, 'devinfra.info') },
    };
    const records = (k: 'a' | 'b') => async () => (await Promise.all([zones[k].api, zones[k].txt].map((z) => proxy.records(z, keys[k].accessKeyId)))).flat() as ResourceRecordSet[];
    const dns = { a: await dnsPart(parts, null, { resolve: resolverFrom(records('a')) }), b: await dnsPart(parts, null, { resolve: resolverFrom(records('b')) }) };
    const cas = casPart(parts, 'accounts-');
    const lookupSecret = async (id: string) => (id === KEYS.accessKeyId ? { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn } : await moto.lookupSecret(id));
    const api = await clustersPart(parts, cas, lookupSecret, { blue: { host: '127.0.0.1' }, green: { host: '127.0.0.2' } });
    const dir = dirPart(parts, 'accounts-');
    writeFileSync(join(dir, 'blue-ca.crt'), cas.blue.certPem);
    writeFileSync(join(dir, 'green-ca.crt'), cas.green.certPem);
    for (const k of ['a', 'b'] as const) {
      const set = (Name: string, Type: 'CNAME' | 'TXT', Value: string): ResourceRecordSet => ({ Name, Type, TTL: 5, ResourceRecords: [{ Value }] });
      await viaProxy[k].send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zones[k].api, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set('api.devinfra.local', 'CNAME', api.blue.host) }] } }));
      await viaProxy[k].send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zones[k].txt, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set('eks.devinfra.info', 'TXT', '"eks-blue"') }] } }));
      writeFileSync(
        join(dir, `prod-${k}.yaml`),
        fleetPlatformText({
          name: 'prod',
          account: ACCOUNT[k],
          api: 'api.devinfra.local',
          txt: 'eks.devinfra.info',
          zones: { api: zones[k].api, txt: zones[k].txt },
          clusters: { blue: 'eks-blue', green: 'eks-green' },
          endpoints: { blue: api.blue.url, green: api.green.url },
          ca: { blue: { file: 'blue-ca.crt' }, green: { file: 'green-ca.crt' } },
          tlsServerName: 'kubernetes.default.svc',
          dnsServer: dns[k].address,
          externalDns: false,
        }),
      );
    }
    writeFileSync(join(dir, 'aws-config'), `[profile acct-b]\nrole_arn = arn:aws:iam::${ACCOUNT.b}:role/bascule\ncredential_source = Environment\nregion = eu-west-3\n`);
    const env = cleanEnv({
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_REGION: 'eu-west-3',
      AWS_CONFIG_FILE: join(dir, 'aws-config'),
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_ENDPOINT_URL_ROUTE_53: proxy.endpoint,
      XDG_STATE_HOME: join(dir, 'state'),
    });
    const lockOf = async (k: 'a' | 'b') => (await proxy.records(zones[k].txt, keys[k].accessKeyId)).filter((r) => r.Name?.startsWith('_bascule-lock.')).map((r) => r.ResourceRecords?.[0]?.Value);
    return { proxy, zones, dir, env, lockOf };
  });

let world: Awaited<ReturnType<typeof startWorld>>;
beforeAll(async () => {
  world = await startWorld();
}, 240_000);
afterAll(async () => {
  if (world) await world.stop().catch(() => undefined);
});

const sw = (k: 'a' | 'b', ...args: string[]) =>
  runBuilt(['switch', '--config', `prod-${k}.yaml`, ...(k === 'b' ? ['--profile', 'acct-b'] : []), '--yes', ...FAST, ...args], { env: world.env, cwd: world.dir, timeoutMs: 120_000 });
const journal = (account: string) => join(world.dir, 'state', 'bascule', account, 'switch-prod.json');
const live = (k: 'a' | 'b') => /^live: (\w+)/m.exec(readFileSync(join(world.dir, `prod-${k}.yaml`), 'utf8'))?.[1];

describe("two accounts' prod from one state directory", () => {
  it("A's unfinished switch and B's switch never touch each other's journal or lock", async () => {
    // A stops at its DNS step: Route53 refuses A's API zone.
    world.proxy.fail({ method: 'POST', path: new RegExp(`/hostedzone/${world.zones.a.api}/rrset`), status: 403, code: 'AccessDenied', message: 'injected: not allowed' });
    const a = await sw('a', '--to', 'green', '--apply');
    expect(a.code, a.stderr).not.toBe(0);
    const aJournal = readFileSync(journal(ACCOUNT.a), 'utf8');
    expect(JSON.parse(aJournal)).toMatchObject({ version: 3, platform: 'prod', account: ACCOUNT.a, state: 'failed' });
    const aLock = await world.lockOf('a');
    expect(aLock).toEqual([expect.stringMatching(new RegExp(`^"bascule-lock v=3 platform=prod account=${ACCOUNT.a} kind=switch op=switch from=blue to=green step=dns `))]);
    world.proxy.clearFaults();

    // B: the same name, the same state directory, its own account: runs to the end.
    const b = await sw('b', '--to', 'green', '--apply');
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain(`Journal: ${journal(ACCOUNT.b)} (complete)`);
    expect(JSON.parse(readFileSync(journal(ACCOUNT.b), 'utf8'))).toMatchObject({ account: ACCOUNT.b, state: 'completed', lock: null });
    expect(await world.lockOf('b')).toEqual([]);
    expect(live('b')).toBe('green');
    // A's journal, its journal lock and its Route53 lock: as A left them.
    expect(readFileSync(journal(ACCOUNT.a), 'utf8')).toBe(aJournal);
    expect(existsSync(`${journal(ACCOUNT.a)}.lock`)).toBe(false);
    expect(await world.lockOf('a')).toEqual(aLock);
    expect(live('a')).toBe('blue');
    // Nothing in the previous layout's place.
    expect(existsSync(join(world.dir, 'state', 'bascule', 'switch-prod.json'))).toBe(false);

    // A resumes, without touching B's journal.
    const bJournal = readFileSync(journal(ACCOUNT.b), 'utf8');
    const resumed = await sw('a', '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(journal(ACCOUNT.a), 'utf8'))).toMatchObject({ state: 'completed', lock: null });
    expect(await world.lockOf('a')).toEqual([]);
    expect(live('a')).toBe('green');
    expect(readFileSync(journal(ACCOUNT.b), 'utf8')).toBe(bJournal);
  }, 300_000);
});
