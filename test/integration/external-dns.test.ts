/**
 * The stand-in ExternalDNS against moto behind the validating Route53 proxy:
 * its policies, both registry formats, TXT prefix/suffix, owners (foreign,
 * migrated, shared by two running instances), weighted records, args read from
 * its Deployment (the ones `bascule manifests` generates included), and that it
 * only runs while its Deployment has a running pod.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { buildExternalDns } from '../../src/manifests/external-dns.js';
import { manifestsChecks } from '../../src/manifests/checks.js';
import { loadPlatform } from '../../src/platform/load.js';
import { deploymentStore } from '../support/deployments.mjs';
import { parseArgs, startExternalDns, toEndpointName, toTxtName } from '../support/external-dns.mjs';
import { ingress, loadBalancerService, objectStore } from '../support/kube-objects.mjs';
import { startMoto } from '../support/moto.mjs';
import { startRoute53Proxy } from '../support/route53-proxy.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BLUE_LB = 'k8s-blue-0123456789.eu-west-3.elb.amazonaws.com';
const GREEN_LB = 'k8s-green-9876543210.eu-west-3.elb.amazonaws.com';
const ELB_ZONE = 'Z3Q77PNBQS71R4';
const registry = (owner: string, resource = 'service/default/hello') => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${resource}"`;

let moto: Awaited<ReturnType<typeof startMoto>>;
let proxy: Awaited<ReturnType<typeof startRoute53Proxy>>;
let direct: Route53Client;
let zone = '';
let count = 0;
type Cluster = { deployments: ReturnType<typeof deploymentStore>; objects: ReturnType<typeof objectStore>; edns: ReturnType<typeof startExternalDns> };
const clusters: Cluster[] = [];

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRoute53Proxy(moto.endpoint, { pendingPolls: 0 });
  direct = new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
});
afterAll(async () => {
  direct?.destroy();
  await proxy?.close();
  await moto?.stop();
});
beforeEach(async () => {
  zone = await createZone('devinfra.local');
  proxy.clearFaults();
});
afterEach(async () => {
  for (const c of clusters.splice(0)) {
    await c.edns.stop();
    c.deployments.close();
  }
});

/** A hosted zone (private ones associated with a VPC, as Route53 requires). */
async function createZone(name: string, priv = false): Promise<string> {
  const made = await direct.send(
    new CreateHostedZoneCommand({
      Name: name,
      CallerReference: `${name}-${++count}-${Date.now()}`,
      ...(priv ? { VPC: { VPCRegion: 'eu-west-3', VPCId: 'vpc-0a1b2c3d' }, HostedZoneConfig: { PrivateZone: true } } : {}),
    }),
  );
  return (made.HostedZone?.Id ?? '').replace('/hostedzone/', '');
}

/** A cluster: its Deployments, Services/Ingresses and the ExternalDNS stand-in looping every 60 ms. */
function cluster(): Cluster {
  const c = { deployments: deploymentStore({ deployments: {}, delayMs: 20 }), objects: objectStore() } as Cluster;
  c.edns = startExternalDns({ deployments: c.deployments, objects: c.objects, endpoint: proxy.endpoint, intervalMs: 60 });
  clusters.push(c);
  return c;
}
const deployment = (name: string, args: string[], replicas = 1) => ({
  metadata: { name, labels: { 'app.kubernetes.io/name': 'external-dns', 'app.kubernetes.io/instance': name } },
  spec: {
    replicas,
    selector: { matchLabels: { 'app.kubernetes.io/instance': name } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/instance': name } },
      spec: { containers: [{ name: 'external-dns', image: 'registry.k8s.io/external-dns/external-dns:v0.22.0', args }] },
    },
  },
});
const args = (owner: string, policy = 'upsert-only', extra: string[] = []) => [
  '--source=service',
  '--source=ingress',
  '--provider=aws',
  `--zone-id-filter=${zone}`,
  '--domain-filter=devinfra.local',
  `--policy=${policy}`,
  '--registry=txt',
  `--txt-owner-id=${owner}`,
  ...extra,
];
const hello = (lb = BLUE_LB, annotations: Record<string, string> = {}) =>
  loadBalancerService({ name: 'hello', hostname: lb, annotations: { 'external-dns.kubernetes.io/hostname': 'hello.devinfra.local', ...annotations } });

/** The zone as Route53 holds it: "name type [id/weight] values", NS and SOA left out. */
async function held(zoneId = zone): Promise<string[]> {
  const sets: ResourceRecordSet[] = [];
  let from = {};
  for (;;) {
    const page = await direct.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...from }));
    sets.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) break;
    from = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
  }
  return sets
    .filter((r) => r.Type !== 'NS' && r.Type !== 'SOA')
    .map(
      (r) =>
        `${r.Name} ${r.Type}${r.SetIdentifier ? ` ${r.SetIdentifier}/${r.Weight}` : ''} ${
          r.AliasTarget ? `ALIAS ${r.AliasTarget.HostedZoneId} ${r.AliasTarget.DNSName} ${r.AliasTarget.EvaluateTargetHealth}` : `${r.TTL} ${(r.ResourceRecords ?? []).map((v) => v.Value).join(',')}`
        }`,
    )
    .sort();
}
const seed = (...sets: ResourceRecordSet[]) =>
  direct.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: sets.map((ResourceRecordSet) => ({ Action: 'CREATE', ResourceRecordSet })) } }));
const txt = (name: string, value: string): ResourceRecordSet => ({ Name: name, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: value }] });
const a = (name: string, ip: string): ResourceRecordSet => ({ Name: name, Type: 'A', TTL: 300, ResourceRecords: [{ Value: ip }] });
/** Waits (bounded) until `check` holds after a full loop. */
async function until(c: Cluster, check: () => Promise<boolean> | boolean, loops = 30): Promise<void> {
  for (let i = 0; i < loops; i++) {
    await c.edns.loops(1);
    if (await check()) return;
  }
  throw new Error(`not reached within ${loops} loops: ${JSON.stringify(await held())}`);
}

const helloBlue = [
  `a-hello.devinfra.local. TXT 300 ${registry('blue')}`,
  `aaaa-hello.devinfra.local. TXT 300 ${registry('blue')}`,
  `hello.devinfra.local. A ALIAS ${ELB_ZONE} ${BLUE_LB}. true`,
  `hello.devinfra.local. AAAA ALIAS ${ELB_ZONE} ${BLUE_LB}. true`,
];

describe('policies', () => {
  it('upsert-only creates alias A and AAAA with v0.22 registry records, updates what it owns, never deletes', async () => {
    const c = cluster();
    c.objects.put(hello());
    c.deployments.apply(deployment('edns', args('blue')));
    await until(c, async () => (await held()).length === 4);
    expect(await held()).toEqual(helloBlue);
    c.objects.put(hello(GREEN_LB));
    await until(c, async () => (await held()).some((r) => r.includes(GREEN_LB)));
    expect(await held()).toEqual(helloBlue.map((r) => r.replace(BLUE_LB, GREEN_LB)));
    c.objects.remove('Service', 'hello');
    await c.edns.loops(3);
    expect(await held()).toHaveLength(4);
    expect(c.edns.status('edns')).toMatchObject({ running: true, changes: { delete: [] } });
    expect(c.edns.status('edns').error).toBeUndefined();
  });
  it('sync also deletes what it owns and no longer wants, with its registry records', async () => {
    const c = cluster();
    c.objects.put(hello());
    c.objects.put(loadBalancerService({ name: 'world', hostname: BLUE_LB, annotations: { 'external-dns.kubernetes.io/hostname': 'world.devinfra.local' } }));
    c.deployments.apply(deployment('edns', args('blue', 'sync')));
    await until(c, async () => (await held()).length === 8);
    c.objects.remove('Service', 'world');
    await until(c, async () => (await held()).length === 4);
    expect(await held()).toEqual(helloBlue);
  });
  it('create-only creates, and then neither updates nor deletes', async () => {
    const c = cluster();
    c.objects.put(hello());
    c.deployments.apply(deployment('edns', args('blue', 'create-only')));
    await until(c, async () => (await held()).length === 4);
    c.objects.put(hello(GREEN_LB));
    await c.edns.loops(3);
    expect(await held()).toEqual(helloBlue);
    c.objects.remove('Service', 'hello');
    await c.edns.loops(2);
    expect(await held()).toEqual(helloBlue);
  });
});

describe('filters', () => {
  it('--domain-filter matches sub-domains, --exclude-domains wins, names outside the zone are ignored; other hostnames become CNAMEs', async () => {
    await seed(a('x.eks-green.devinfra.local', '10.0.0.7'), txt('a-x.eks-green.devinfra.local', registry('blue', 'service/default/gone')));
    const c = cluster();
    const svc = (name: string, host: string, lb = BLUE_LB) => loadBalancerService({ name, hostname: lb, annotations: { 'external-dns.kubernetes.io/hostname': host } });
    c.objects.put(svc('hello', 'hello.devinfra.local'));
    c.objects.put(svc('deep', 'deep.team.devinfra.local'));
    c.objects.put(svc('blue', 'x.eks-blue.devinfra.local'));
    c.objects.put(svc('api', 'api.devinfra.local'));
    c.objects.put(svc('other', 'other.example.org'));
    c.objects.put(svc('world', 'world.devinfra.local', 'lb.example.org'));
    const excludes = ['--exclude-domains=eks-blue.devinfra.local', '--exclude-domains=eks-green.devinfra.local', '--exclude-domains=api.devinfra.local'];
    c.deployments.apply(deployment('edns', args('blue', 'sync', excludes)));
    await until(c, async () => (await held()).length === 12);
    await c.edns.loops(2);
    expect(await held()).toEqual([
      `a-deep.team.devinfra.local. TXT 300 ${registry('blue', 'service/default/deep')}`,
      ...helloBlue.slice(0, 1),
      `a-x.eks-green.devinfra.local. TXT 300 ${registry('blue', 'service/default/gone')}`,
      `aaaa-deep.team.devinfra.local. TXT 300 ${registry('blue', 'service/default/deep')}`,
      ...helloBlue.slice(1, 2),
      `cname-world.devinfra.local. TXT 300 ${registry('blue', 'service/default/world')}`,
      `deep.team.devinfra.local. A ALIAS ${ELB_ZONE} ${BLUE_LB}. true`,
      `deep.team.devinfra.local. AAAA ALIAS ${ELB_ZONE} ${BLUE_LB}. true`,
      ...helloBlue.slice(2),
      'world.devinfra.local. CNAME 300 lb.example.org',
      // Owned, unwanted, but excluded: even sync leaves it.
      'x.eks-green.devinfra.local. A 300 10.0.0.7',
    ]);
  });
  it('--zone-id-filter and --aws-zone-type pick the zone among zones of the same name', async () => {
    const privateZone = await createZone('devinfra.local', true);
    const c = cluster();
    c.objects.put(hello());
    c.deployments.apply(deployment('edns', [...args('blue').filter((x) => !x.startsWith('--zone-id-filter')), '--aws-zone-type=private']));
    await until(c, async () => (await held(privateZone)).length === 4);
    await c.edns.loops(1);
    expect(await held(privateZone)).toEqual(helloBlue);
    expect(await held()).toEqual([]);
  });
});

describe('registry', () => {
  it('reads the old same-name format: takes over its own record and adds the new-format TXT', async () => {
    await seed(a('hello.devinfra.local', '10.0.0.1'), txt('hello.devinfra.local', registry('blue')));
    const c = cluster();
    c.objects.put(loadBalancerService({ name: 'hello', ip: '10.0.0.2', annotations: { 'external-dns.kubernetes.io/hostname': 'hello.devinfra.local' } }));
    c.deployments.apply(deployment('edns', args('blue')));
    await until(c, async () => (await held()).some((r) => r.includes('10.0.0.2')));
    expect(await held()).toEqual([
      `a-hello.devinfra.local. TXT 300 ${registry('blue')}`,
      'hello.devinfra.local. A 300 10.0.0.2',
      `hello.devinfra.local. TXT 300 ${registry('blue')}`,
    ]);
    // Settled: no more writes once both formats are there.
    const writes = proxy.history.length;
    await c.edns.loops(3);
    expect(proxy.history.length).toBe(writes);
  });
  it('reads the new format, and leaves a foreign owner and a hand-made record alone, even under sync', async () => {
    await seed(
      a('hello.devinfra.local', '10.0.0.1'),
      txt('a-hello.devinfra.local', registry('someone-else')),
      a('world.devinfra.local', '10.0.0.9'),
      { Name: 'mine.devinfra.local', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.0.5' }] },
      txt('a-mine.devinfra.local', registry('blue', 'service/default/mine')),
    );
    const before = await held();
    const c = cluster();
    for (const name of ['hello', 'world'])
      c.objects.put(loadBalancerService({ name, ip: '10.0.0.2', annotations: { 'external-dns.kubernetes.io/hostname': `${name}.devinfra.local` } }));
    c.deployments.apply(deployment('edns', args('blue', 'sync')));
    // Its own record (mine) is deleted: it no longer wants it. The others stay as they were.
    await until(c, async () => !(await held()).some((r) => r.startsWith('mine.')));
    await c.edns.loops(2);
    expect(await held()).toEqual(before.filter((r) => !r.includes('mine.')));
    expect(c.edns.status('edns').changes).toMatchObject({ create: [], updateNew: [] });
  });
  it.each([
    ['--txt-prefix=reg-', ['reg-a-hello.devinfra.local.', 'reg-aaaa-hello.devinfra.local.']],
    ['--txt-prefix=txt.', ['txt.a-hello.devinfra.local.', 'txt.aaaa-hello.devinfra.local.']],
    ['--txt-suffix=-reg', ['a-hello-reg.devinfra.local.', 'aaaa-hello-reg.devinfra.local.']],
    ['--txt-prefix=%{record_type}-reg-', ['a-reg-hello.devinfra.local.', 'aaaa-reg-hello.devinfra.local.']],
  ])('places the registry TXT as %s says, reads it back, and is then quiet', async (flag, names) => {
    const c = cluster();
    c.objects.put(hello());
    c.deployments.apply(deployment('edns', args('blue', 'upsert-only', [flag])));
    await until(c, async () => (await held()).length === 4);
    expect((await held()).filter((r) => r.includes(' TXT ')).map((r) => r.split(' ')[0])).toEqual(names);
    const writes = proxy.history.length;
    await c.edns.loops(3);
    expect(proxy.history.length).toBe(writes);
  });
  it('maps names both ways as ExternalDNS\'s mapper does', () => {
    const cfg = (extra: string[]) => parseArgs(['--provider=aws', '--policy=sync', ...extra]);
    expect(toTxtName(cfg([]), 'hello.devinfra.local', 'CNAME')).toBe('cname-hello.devinfra.local');
    expect(toEndpointName(cfg([]), 'cname-hello.devinfra.local')).toEqual(['hello.devinfra.local', 'CNAME']);
    expect(toEndpointName(cfg([]), 'hello.devinfra.local')).toEqual(['hello.devinfra.local', '']);
    expect(toEndpointName(cfg(['--txt-suffix=-reg']), 'a-hello-reg.devinfra.local')).toEqual(['hello.devinfra.local', 'A']);
    expect(toEndpointName(cfg(['--txt-prefix=txt.']), 'txt.hello.devinfra.local')).toEqual(['hello.devinfra.local', '']);
    expect(toEndpointName(cfg(['--txt-prefix=txt.']), 'other.devinfra.local')).toEqual(['', '']);
  });
});

describe('owners', () => {
  it('--migrate-from-txt-owner takes over the old owner\'s records, and rewrites owned records every loop', async () => {
    const blue = cluster();
    blue.objects.put(hello());
    blue.deployments.apply(deployment('edns', args('blue')));
    await until(blue, async () => (await held()).length === 4);
    blue.deployments.scale('edns', 0);
    const green = cluster();
    green.objects.put(hello(GREEN_LB));
    // Without the migration flag, green cannot touch blue's records.
    green.deployments.apply(deployment('edns', args('green')));
    await green.edns.loops(3);
    expect(await held()).toEqual(helloBlue);
    green.deployments.setArgs('edns', args('green', 'upsert-only', ['--migrate-from-txt-owner=blue']));
    await until(green, async () => (await held()).some((r) => r.includes(GREEN_LB)));
    expect(await held()).toEqual(helloBlue.map((r) => r.replace(BLUE_LB, GREEN_LB).replace('owner=blue', 'owner=green')));
    const writes = proxy.history.length;
    await green.edns.loops(2);
    expect(proxy.history.length).toBeGreaterThanOrEqual(writes + 2);
  });
  it('two running instances sharing an owner id flap: production moves back and forth', async () => {
    const blue = cluster();
    const green = cluster();
    blue.objects.put(hello());
    green.objects.put(hello(GREEN_LB));
    blue.deployments.apply(deployment('live', args('live')));
    green.deployments.apply(deployment('live', args('live')));
    // Each instance finds the other's target on its loop and writes its own back.
    const start = proxy.history.length;
    const targets = () =>
      proxy.history
        .slice(start)
        .flatMap((h) => h.changes)
        .filter((ch) => ch.ResourceRecordSet.Name.startsWith('hello.') && ch.ResourceRecordSet.Type === 'A')
        .map((ch) => (ch.ResourceRecordSet.AliasTarget?.DNSName?.startsWith('k8s-blue') ? 'blue' : 'green'));
    const flips = () => targets().filter((t, i, all) => i > 0 && t !== all[i - 1]).length;
    await until(blue, () => flips() >= 3);
    expect(new Set(targets())).toEqual(new Set(['blue', 'green']));
  });
  it('weighted records: two owners, one name, a SetIdentifier and a weight each', async () => {
    const blue = cluster();
    const green = cluster();
    const w = (id: string, weight: string) => ({ 'external-dns.kubernetes.io/set-identifier': id, 'external-dns.kubernetes.io/aws-weight': weight });
    blue.objects.put(hello(BLUE_LB, w('blue', '100')));
    green.objects.put(hello(GREEN_LB, w('green', '0')));
    blue.deployments.apply(deployment('edns', args('blue')));
    green.deployments.apply(deployment('edns', args('green')));
    await until(blue, async () => (await held()).length === 8);
    expect(await held()).toEqual([
      `a-hello.devinfra.local. TXT blue/100 300 ${registry('blue')}`,
      `a-hello.devinfra.local. TXT green/0 300 ${registry('green')}`,
      `aaaa-hello.devinfra.local. TXT blue/100 300 ${registry('blue')}`,
      `aaaa-hello.devinfra.local. TXT green/0 300 ${registry('green')}`,
      `hello.devinfra.local. A blue/100 ALIAS ${ELB_ZONE} ${BLUE_LB}. true`,
      `hello.devinfra.local. A green/0 ALIAS ${ELB_ZONE} ${GREEN_LB}. true`,
      `hello.devinfra.local. AAAA blue/100 ALIAS ${ELB_ZONE} ${BLUE_LB}. true`,
      `hello.devinfra.local. AAAA green/0 ALIAS ${ELB_ZONE} ${GREEN_LB}. true`,
    ]);
    // Shifting weight: green's annotation changes, only green's sets change.
    green.objects.put(hello(GREEN_LB, w('green', '50')));
    await until(green, async () => (await held()).filter((r) => r.includes('green/50')).length === 4);
    expect((await held()).filter((r) => r.includes('blue/100'))).toHaveLength(4);
  });
});

describe('runs only while its Deployment has a running pod, with the pod\'s args', () => {
  it('stops at replicas 0 and starts again at 1', async () => {
    const c = cluster();
    c.deployments.apply(deployment('edns', args('blue')));
    await c.edns.loops(2);
    c.deployments.scale('edns', 0);
    await until(c, () => !c.edns.status('edns').running);
    const loops = c.edns.status('edns').loops;
    c.objects.put(hello());
    await c.edns.loops(4);
    expect(c.edns.status('edns').loops).toBe(loops);
    expect(await held()).toEqual([]);
    c.deployments.scale('edns', 1);
    await until(c, async () => (await held()).length === 4);
  });
  it('uses new args from the next pod on (a rollout), and refuses bad ones like ExternalDNS', async () => {
    const c = cluster();
    c.objects.put(hello());
    c.deployments.apply(deployment('edns', [...args('blue'), '--no-such-flag']));
    await until(c, () => c.edns.status('edns').error !== undefined);
    expect(c.edns.status('edns').error).toBe("error: unknown long flag '--no-such-flag'");
    expect(await held()).toEqual([]);
    c.deployments.setArgs('edns', args('blue').filter((x) => !x.startsWith('--policy')));
    await until(c, () => c.edns.status('edns').error === 'error: required flag --policy not provided');
    c.deployments.setArgs('edns', args('blue'));
    await until(c, async () => (await held()).length === 4);
    expect(c.edns.status('edns').error).toBeUndefined();
  });
  it('loops every --interval of its args, the first at once when its pod starts', async () => {
    const c = cluster();
    c.deployments.apply(deployment('slow', [...args('blue'), '--interval=1m']));
    c.deployments.apply(deployment('fast', args('green')));
    for (let i = 0; i < 200 && !(c.edns.status('slow').loops >= 1 && c.edns.status('fast').loops >= 1); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const [slow, fast] = [c.edns.status('slow').loops, c.edns.status('fast').loops];
    expect(slow).toBe(1);
    for (let i = 0; i < 200 && c.edns.status('fast').loops < fast + 3; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(c.edns.status('fast').loops).toBeGreaterThanOrEqual(fast + 3);
    expect(c.edns.status('slow').loops).toBe(slow);
    expect(() => parseArgs([...args('blue'), '--interval=soon'])).toThrow('error: --interval: time: invalid duration "soon"');
    // What the stand-in cannot do is refused, never ignored.
    expect(() => parseArgs([...args('blue'), '--txt-encrypt-enabled'])).toThrow('error: the stand-in does not emulate --txt-encrypt-enabled');
    expect(() => parseArgs([...args('blue'), '--policy=upsert'])).toThrow("error: enum value must be one of sync,upsert-only,create-only, got 'upsert'");
  });
  it('writes nothing when its credentials may not (the proxy refuses its key), and says why', async () => {
    const c = cluster();
    c.objects.put(hello());
    c.deployments.apply(deployment('edns', args('blue')));
    proxy.fail({ method: 'POST', path: /\/rrset\/?$/, accessKeyId: c.edns.accessKeyId('edns'), status: 403, code: 'AccessDenied', message: 'not authorized to perform: route53:ChangeResourceRecordSets' });
    await until(c, () => /AccessDenied/.test(c.edns.status('edns').error ?? ''));
    expect(await held()).toEqual([]);
  });
});

describe('the Deployments bascule manifests generates', () => {
  it('the four instances of the live colour write the cluster and shared names with their owner ids', async () => {
    const root = new URL('../..', import.meta.url).pathname;
    const privateZone = await createZone('devinfra.local', true);
    const publicZone = await createZone('devinfra.fr');
    const platform = loadPlatform(readFileSync(join(root, 'examples/platform.yaml'), 'utf8'), { source: 'examples/platform.yaml', baseDir: join(root, 'examples') }, manifestsChecks);
    const c = cluster();
    // The generated Deployments, with moto's zone ids in place of the example's.
    for (const o of buildExternalDns(platform, 'blue'))
      if (o.kind === 'Deployment') c.deployments.apply(JSON.parse(JSON.stringify(o).replaceAll('Z0DEVINFRALOCAL01', privateZone).replaceAll('Z0DEVINFRAFR02', publicZone)));
    c.objects.put(ingress({ name: 'hello', annotations: { PrivateDNSName: 'hello', PublicDNSName: 'hello' }, hosts: ['ignored.devinfra.local'], hostname: BLUE_LB }));
    c.objects.put(loadBalancerService({ name: 'plain', hostname: BLUE_LB })); // no annotation: filtered out
    await until(c, async () => (await held(privateZone)).length === 8 && (await held(publicZone)).length === 8);
    const names = async (z: string) => [...new Set((await held(z)).map((r) => r.split(' ')[0]))];
    expect(await names(privateZone)).toEqual([
      'a-hello.devinfra.local.',
      'a-hello.eks-blue.devinfra.local.',
      'aaaa-hello.devinfra.local.',
      'aaaa-hello.eks-blue.devinfra.local.',
      'hello.devinfra.local.',
      'hello.eks-blue.devinfra.local.',
    ]);
    const owners = (await held(privateZone)).filter((r) => r.includes(' TXT ')).map((r) => `${r.split(' ')[0]} ${/owner=([^,]+)/.exec(r)?.[1]}`);
    expect(owners).toEqual([
      'a-hello.devinfra.local. live-eks-blue.devinfra.local',
      'a-hello.eks-blue.devinfra.local. ingress-eks-blue.devinfra.local',
      'aaaa-hello.devinfra.local. live-eks-blue.devinfra.local',
      'aaaa-hello.eks-blue.devinfra.local. ingress-eks-blue.devinfra.local',
    ]);
    expect((await held(publicZone)).filter((r) => r.includes(' TXT ')).map((r) => /resource=([^"]+)/.exec(r)?.[1])).toEqual(Array(4).fill('ingress/default/hello'));
    for (const name of c.deployments.names()) expect(c.edns.status(name).error).toBeUndefined();
  });
});

describe('the Deployments API the switch uses', () => {
  /** The store's route on a plain loopback server (the token check is apiserver.mjs's business). */
  async function serve(store: ReturnType<typeof deploymentStore>) {
    const server = http.createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const ctx = {
        url,
        identity: {} as never,
        body: () =>
          new Promise<any>((resolve) => {
            const chunks: Buffer[] = [];
            req.on('data', (ch) => chunks.push(ch));
            req.on('end', () => resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined));
          }),
        json: (code: number, value: unknown) => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        },
      };
      if (!(await store.route(req, res, ctx))) ctx.json(404, {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/apis/apps/v1/namespaces/kube-system/deployments`;
    return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
  const patch = (url: string, type: string, body: unknown) => fetch(url, { method: 'PATCH', headers: { 'content-type': type }, body: JSON.stringify(body) });

  it('patches args (strategic, merge, json patch), rolls the pods out, scales, and refuses what the API refuses', async () => {
    const store = deploymentStore({ deployments: { live: deployment('live', args('blue')) }, delayMs: 10 });
    const api = await serve(store);
    try {
      const newArgs = args('green');
      let res = await patch(`${api.base}/live`, 'application/strategic-merge-patch+json', { spec: { template: { spec: { containers: [{ name: 'external-dns', args: newArgs }] } } } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).spec.template.spec.containers[0]).toMatchObject({ image: 'registry.k8s.io/external-dns/external-dns:v0.22.0', args: newArgs });
      expect(store.get('live')?.generation).toBe(2);
      await new Promise((r) => setTimeout(r, 100));
      expect(store.running('live').map((p) => p.template.spec.containers[0].args)).toEqual([newArgs]);

      res = await patch(`${api.base}/live`, 'application/json-patch+json', [{ op: 'replace', path: '/spec/template/spec/containers/0/args/7', value: '--txt-owner-id=other' }]);
      expect(store.args('live')?.[7]).toBe('--txt-owner-id=other');
      // test + replace, as the switch writes args: a stale `test` is refused and changes nothing.
      const withMigration = [...store.args('live')!, '--migrate-from-txt-owner=blue'];
      const guarded = (old: string[]) => [
        { op: 'test', path: '/spec/template/spec/containers/0/args', value: old },
        { op: 'replace', path: '/spec/template/spec/containers/0/args', value: withMigration },
      ];
      res = await patch(`${api.base}/live`, 'application/json-patch+json', guarded(newArgs));
      expect(res.status).toBe(422);
      expect(store.args('live')?.[7]).toBe('--txt-owner-id=other');
      res = await patch(`${api.base}/live`, 'application/json-patch+json', guarded(store.args('live')!));
      expect(res.status).toBe(200);
      expect(store.args('live')).toEqual(withMigration);
      expect(store.deployment('live')?.metadata.generation).toBe(4);
      res = await patch(`${api.base}/live`, 'application/merge-patch+json', { spec: { replicas: 0 } });
      expect(((await res.json()) as any).spec.replicas).toBe(0);

      res = await patch(`${api.base}/live`, 'application/merge-patch+json', { spec: { selector: { matchLabels: { x: 'y' } } } });
      expect(res.status).toBe(422);
      expect(((await res.json()) as any).message).toMatch(/field is immutable/);
      res = await patch(`${api.base}/live`, 'application/apply-patch+yaml', {});
      expect(res.status).toBe(415);
      const current = (await (await fetch(`${api.base}/live`)).json()) as any;
      res = await fetch(`${api.base}/live`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...current, metadata: { ...current.metadata, resourceVersion: '1' } }) });
      expect(res.status).toBe(409);
      const list = (await (await fetch(`${api.base}?labelSelector=app.kubernetes.io/name=external-dns`)).json()) as any;
      expect(list.items.map((d: any) => d.metadata.name)).toEqual(['live']);
    } finally {
      store.close();
      await api.close();
    }
  });
});
