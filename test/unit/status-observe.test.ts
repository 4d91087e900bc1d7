/**
 * `bascule status`'s observation through its ports (an in-memory Route53,
 * stand-in cluster and DNS ports): production listed once per zone and read
 * with the live Deployments' registry affixes, the lock record read at its
 * name (never a zone listing), and each part failing on its own, bounded.
 */
import { describe, expect, it } from 'vitest';
import type { DnsPort } from '../../src/cutover/dns.js';
import type { Operations } from '../../src/cutover/journals.js';
import type { DeploymentState, KubePort } from '../../src/kube/client.js';
import type { Colour } from '../../src/platform/model.js';
import type { RecordSet } from '../../src/production/records.js';
import { observeStatus, type ObserveOptions } from '../../src/status/observe.js';
import { memoryRoute53 } from '../support/memory-route53.js';
import { BLUE_LIVE, LAYOUT, lock, LOCK, Z } from '../support/status-fixtures.js';

const deployment = (name: string, replicas: number, args: string[]): DeploymentState => ({
  name,
  namespace: 'kube-system',
  desired: replicas,
  generation: 1,
  observedGeneration: 1,
  replicas,
  updated: replicas,
  ready: replicas,
  available: replicas,
  selector: `app=${name}`,
  container: { index: 0, image: 'registry.k8s.io/external-dns/external-dns:v0.22.0', args },
});

function kube(colour: Colour, options: { args?: string[]; version?: () => Promise<string> } = {}): KubePort {
  const fail = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    connection: { label: colour, clusterName: `eks-${colour}`, endpoint: `https://${colour}.example.com`, caPem: '', tlsServerName: undefined },
    version: options.version ?? (async () => 'v1.32.1'),
    deployment: async (_ns, name) => deployment(name, colour === 'blue' ? 1 : 0, options.args ?? []),
    scale: fail,
    pods: fail,
    patchArgs: fail,
  };
}

const dns: DnsPort = {
  where: 'DNS server 10.0.0.2',
  txt: async () => ({ kind: 'records', records: [['eks-blue']] }),
  cname: async () => ({ kind: 'cname', target: 'blue.example.com' }),
};

function route53(records: readonly RecordSet[] = BLUE_LIVE, lockValues: string[] = []) {
  const r = memoryRoute53([
    { id: Z.local, name: 'devinfra.local', private: true },
    { id: Z.fr, name: 'devinfra.fr' },
    { id: Z.info, name: 'devinfra.info' },
  ]);
  r.put(Z.local, ...records);
  r.put(Z.info, { name: 'eks.devinfra.info', type: 'TXT', ttl: 60, values: ['"eks-blue"'] }, ...lockValues.map((v, i) => ({ name: LOCK, type: 'TXT', ttl: 60, values: [v], ...(i ? { setIdentifier: String(i) } : {}) })));
  return r;
}

function options(change: Partial<ObserveOptions> = {}): ObserveOptions {
  return {
    platform: 'devinfra',
    file: 'platform.yaml',
    liveInFile: 'blue',
    txtName: 'eks.devinfra.info',
    apiName: 'api.devinfra.local',
    namespace: 'kube-system',
    deployments: [{ name: 'live-external-dns-private', kind: 'private' }, { name: 'live-external-dns-public', kind: 'public' }],
    clusters: { blue: { clusterName: 'eks-blue', endpoint: 'https://blue.example.com' }, green: { clusterName: 'eks-green', endpoint: 'https://green.example.com' } },
    dns,
    kube: { blue: kube('blue'), green: kube('green') },
    production: LAYOUT,
    lock: { name: LOCK, zoneId: Z.info },
    route53: route53(),
    operations: (): Operations => ({ found: [], unreadable: [] }),
    boundMs: 10_000,
    ...change,
  };
}

const hello = (o: Awaited<ReturnType<typeof observeStatus>>) => (o.production.state === 'read' ? o.production.value.names.find((n) => n.name === 'hello.devinfra.local') : undefined);

describe('observeStatus', () => {
  it('lists each production zone once and reads the lock record at its name (never the lock zone listed)', async () => {
    const r = route53(BLUE_LIVE, [lock({ kind: 'switch', step: 'dns' })]);
    const o = await observeStatus(options({ route53: r }));
    expect(r.calls.sort()).toEqual([`at ${Z.info} ${LOCK} TXT`, `list ${Z.fr}`, `list ${Z.local}`]);
    expect(o.lock).toEqual({ state: 'read', value: { name: LOCK, zoneId: Z.info, values: [lock({ kind: 'switch', step: 'dns' })] } });
    expect(hello(o)?.owner).toEqual({ kind: 'live', colour: 'blue', id: 'live-eks-blue.devinfra.local' });
    expect(o.clusters.green.externalDns).toEqual([{ name: 'live-external-dns-private', desired: 0, ready: 0 }, { name: 'live-external-dns-public', desired: 0, ready: 0 }]);
  });

  it("reads production with the registry affixes the live Deployments run with (--txt-prefix): owners as ExternalDNS sees them", async () => {
    const prefixed = BLUE_LIVE.map((s) => (s.name === 'a-hello.devinfra.local' ? { ...s, name: 'reg-a-hello.devinfra.local' } : s));
    const withPrefix = await observeStatus(options({ route53: route53(prefixed), kube: { blue: kube('blue', { args: ['--txt-prefix=reg-'] }), green: kube('green', { args: ['--txt-prefix=reg-'] }) } }));
    expect(hello(withPrefix)?.owner).toEqual({ kind: 'live', colour: 'blue', id: 'live-eks-blue.devinfra.local' });
    // Read without them (as a status that ignored the Deployments would), the name would look hand-made.
    const without = await observeStatus(options({ route53: route53(prefixed) }));
    expect(hello(without)?.owner).toEqual({ kind: 'none' });
  });

  it('each part fails on its own: production unreadable, the lock read; a cluster that never answers, bounded', async () => {
    const r = route53();
    const broken = { ...r, list: async () => Promise.reject(Object.assign(new Error('Route53 ListResourceRecordSets in zone Z0LOCAL: AccessDenied'), { name: 'AccessDenied' })) };
    const never = () => new Promise<string>(() => undefined);
    const o = await observeStatus(options({ route53: broken, boundMs: 50, kube: { blue: kube('blue'), green: kube('green', { version: never }) } }));
    expect(o.production).toEqual({ state: 'failed', error: 'Route53 ListResourceRecordSets in zone Z0LOCAL: AccessDenied' });
    expect(o.lock).toMatchObject({ state: 'read', value: { values: [] } });
    expect(o.clusters.green.api).toEqual({ error: 'no answer within 50ms' });
    expect(o.clusters.green.externalDns).toEqual([{ name: 'live-external-dns-private', error: 'API unreachable' }, { name: 'live-external-dns-public', error: 'API unreachable' }]);
    expect(o.clusters.blue.api).toEqual({ version: 'v1.32.1' });
    expect(o.txt.clusterName).toBe('eks-blue');
  });

  it('the lock record unreadable, production read; nothing read where the platform file says nothing', async () => {
    const r = route53();
    const o = await observeStatus(options({ route53: { ...r, at: async () => Promise.reject(new Error('Route53 ListResourceRecordSets in zone Z0INFO: Throttling')) } }));
    expect(o.lock).toEqual({ state: 'failed', error: 'Route53 ListResourceRecordSets in zone Z0INFO: Throttling' });
    expect(o.production.state).toBe('read');
    const skipped = await observeStatus(options({ route53: undefined, production: { skipped: 'domains.private.zoneId not set' }, lock: { skipped: 'clusterNameRecord.zoneId not set' } }));
    expect([skipped.production, skipped.lock]).toEqual([
      { state: 'skipped', reason: 'domains.private.zoneId not set' },
      { state: 'skipped', reason: 'clusterNameRecord.zoneId not set' },
    ]);
  });

  it('the journals: each found, unreadable ones first; a state directory that cannot be read is a journal part of its own', async () => {
    const o = await observeStatus(options({
      operations: () => ({ found: [], unreadable: [{ kind: 'shift', path: '/s/shift-devinfra.json', message: 'the weighted shift journal /s/shift-devinfra.json is unusable: it is not JSON' }] }),
    }));
    expect(o.operations).toEqual([{ kind: 'shift', path: '/s/shift-devinfra.json', description: 'the weighted shift journal /s/shift-devinfra.json is unusable: it is not JSON', unfinished: true, lock: null, unreadable: true }]);
    const thrown = await observeStatus(options({ operations: () => { throw new Error('EACCES: permission denied'); } }));
    expect(thrown.operations[0]).toMatchObject({ unfinished: true, unreadable: true, description: 'cannot read the journals: EACCES: permission denied' });
  });
});

