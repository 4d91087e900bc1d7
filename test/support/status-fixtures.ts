/**
 * Fixed observations for `bascule status`'s unit tests (pure): the article's
 * platform (devinfra.local private, devinfra.fr public, the colours'
 * sub-domains in the shared zones), production as the live ExternalDNS
 * write it, and an observation builder tests change row by row.
 */
import { parseCommon } from '../../src/cutover/options.js';
import { commandLine } from '../../src/cutover/hints.js';
import { lockValue } from '../../src/cutover/lock.js';
import type { Colour } from '../../src/platform/model.js';
import { indexZones, takeInventory, type KindLayout, type Production, type ProductionLayout } from '../../src/production/inventory.js';
import type { RecordSet } from '../../src/production/records.js';
import { NO_AFFIXES, registryValue } from '../../src/production/registry.js';
import type { StatusContext } from '../../src/status/evaluate.js';
import type { JournalObservation, StatusObservation } from '../../src/status/observe.js';

export const Z = { local: 'Z0LOCAL', fr: 'Z0FR', info: 'Z0INFO' };
export const LB = { blue: 'k8s-blue-1.eu-west-3.elb.amazonaws.com', green: 'k8s-green-2.eu-west-3.elb.amazonaws.com' };
export const LIVE_OWNER = { blue: 'live-eks-blue.devinfra.local', green: 'live-eks-green.devinfra.local' };
const CLUSTER_OWNER = { blue: 'eks-blue.devinfra.local', green: 'eks-green.devinfra.local' };
export const LOCK = '_bascule-lock.eks.devinfra.info';
export const NOW = new Date('2026-11-30T21:00:00.000Z');

const kind = (k: 'private' | 'public'): KindLayout => {
  const tld = k === 'private' ? 'local' : 'fr';
  const zoneId = k === 'private' ? Z.local : Z.fr;
  const colour = (c: Colour) => ({ domain: `eks-${c}.devinfra.${tld}`, zoneId, clusterOwner: CLUSTER_OWNER[c], clusterAffixes: NO_AFFIXES, liveOwner: LIVE_OWNER[c] });
  return { kind: k, domain: `devinfra.${tld}`, zoneId, liveAffixes: NO_AFFIXES, colours: { blue: colour('blue'), green: colour('green') } };
};
export const LAYOUT: ProductionLayout = { kinds: [kind('private'), kind('public')], excluded: ['api.devinfra.local', 'eks.devinfra.info', LOCK] };

export const reg = (owner: string) => registryValue({ owner, resource: 'service/default/web' });
export const txt = (name: string, value: string): RecordSet => ({ name, type: 'TXT', ttl: 300, values: [value] });
export const aliasA = (name: string, lb: string, type = 'A'): RecordSet => ({ name, type, alias: { zoneId: 'Z3Q77PNBQS71R4', dnsName: lb, evaluateTargetHealth: true } });

/** A colour serves `label`: its own alias A, owned by its cluster-scoped ExternalDNS. */
export const own = (label: string, c: Colour): RecordSet[] => [aliasA(`${label}.eks-${c}.devinfra.local`, LB[c]), txt(`a-${label}.eks-${c}.devinfra.local`, reg(CLUSTER_OWNER[c]))];
/** A production name as a live ExternalDNS (or another writer) writes it. */
export const prod = (label: string, lb: string, owner: string | undefined): RecordSet[] => [
  aliasA(`${label}.devinfra.local`, lb),
  ...(owner ? [txt(`a-${label}.devinfra.local`, reg(owner))] : []),
];
/** The weighted pair a shift writes: alias A to each colour's own name, set identifiers blue and green. */
export const weighted = (label: string, w: Readonly<Record<Colour, number>>): RecordSet[] =>
  (['blue', 'green'] as const).map((c) => ({ name: `${label}.devinfra.local`, type: 'A', setIdentifier: c, weight: w[c], alias: { zoneId: Z.local, dnsName: `${label}.eks-${c}.devinfra.local`, evaluateTargetHealth: true } }));

/** hello and world served by both colours, blog by blue only, mail foreign: all on blue, blue live. */
export const BLUE_LIVE: RecordSet[] = [
  ...own('hello', 'blue'), ...own('hello', 'green'), ...prod('hello', LB.blue, LIVE_OWNER.blue),
  ...own('world', 'blue'), ...own('world', 'green'), ...prod('world', LB.blue, LIVE_OWNER.blue),
  ...own('blog', 'blue'), ...prod('blog', LB.blue, LIVE_OWNER.blue),
  ...own('mail', 'blue'), ...own('mail', 'green'), ...prod('mail', LB.blue, 'other-team'),
];

/** The inventory of these record sets (all in the private zone). */
export function inventory(records: readonly RecordSet[]): Production {
  return takeInventory(LAYOUT, indexZones(new Map([[Z.local, [...records]], [Z.fr, []]])));
}

/** Records with the named labels' production replaced. */
export const replacing = (records: readonly RecordSet[], labels: readonly string[], by: readonly RecordSet[]): RecordSet[] => [
  ...records.filter((r) => !labels.some((l) => r.name === `${l}.devinfra.local` || r.name === `a-${l}.devinfra.local`)),
  ...by,
];

export const LIVE_DEPLOYMENTS = ['live-external-dns-private', 'live-external-dns-public'];
export const eds = (desired: number, ready = desired) => LIVE_DEPLOYMENTS.map((name) => ({ name, desired, ready }));

export type Mutable = { -readonly [K in keyof StatusObservation]: any };

export function observation(change: (o: Mutable) => void = () => undefined): StatusObservation {
  const o: Mutable = {
    platform: 'devinfra',
    file: 'platform.yaml',
    liveInFile: 'blue',
    resolver: 'DNS server 10.0.0.2',
    txt: { name: 'eks.devinfra.info', values: ['eks-blue'], clusterName: 'eks-blue' },
    api: { name: 'api.devinfra.local', target: 'blue.eks.example.com' },
    namespace: 'kube-system',
    clusters: {
      blue: { name: 'eks-blue', endpoint: 'https://blue.eks.example.com', api: { version: 'v1.32.1' }, externalDns: eds(1) },
      green: { name: 'eks-green', endpoint: 'https://green.eks.example.com', api: { version: 'v1.33.0' }, externalDns: eds(0) },
    },
    production: { state: 'read', value: inventory(BLUE_LIVE) },
    operations: [],
    lock: { state: 'read', value: { name: LOCK, zoneId: Z.info, values: [] } },
  };
  change(o);
  return o as StatusObservation;
}

/** Green live after a switch: DNS, the file, the live ExternalDNS and production (blog left on blue, an orphan). */
export function greenLive(o: Mutable, records: RecordSet[] = replacing(BLUE_LIVE, ['hello', 'world'], [...prod('hello', LB.green, LIVE_OWNER.green), ...prod('world', LB.green, LIVE_OWNER.green)])): void {
  o.liveInFile = 'green';
  o.txt = { ...o.txt, values: ['eks-green'], clusterName: 'eks-green' };
  o.api = { ...o.api, target: 'api.eks-green.devinfra.local' };
  o.clusters.blue.externalDns = eds(0);
  o.clusters.green.externalDns = eds(1);
  o.production = { state: 'read', value: inventory(records) };
}

export const targets = {
  blue: { clusterName: 'eks-blue', endpointHost: 'blue.eks.example.com', apiRecord: 'api.eks-blue.devinfra.local' },
  green: { clusterName: 'eks-green', endpointHost: 'green.eks.example.com', apiRecord: 'api.eks-green.devinfra.local' },
};

export const context: StatusContext = {
  targets,
  command: (verb, extra = []) => commandLine(parseCommon({ config: 'platform.yaml', access: 'admin' }), verb, extra),
  now: NOW,
};

/** A lock value as a holder writes it (its id fixed). */
export function lock(fields: { kind: 'switch' | 'shift'; op?: string; from?: Colour; to?: Colour; step: string }, keep: { by?: string; pid?: string; since?: string; id?: string } = {}): string {
  const from = fields.from ?? 'blue';
  return lockValue(
    { platform: 'devinfra', kind: fields.kind, op: fields.op ?? fields.kind, from, to: fields.to ?? (from === 'blue' ? 'green' : 'blue'), step: fields.step, sha: '9b1e' },
    NOW,
    { raw: '', by: keep.by ?? 'bob@lost-laptop', pid: keep.pid ?? '4242', since: keep.since ?? '2026-11-30T20:00:00.000Z', id: keep.id ?? '3f9c00aa11bb' },
  );
}

export const journal = (j: Partial<JournalObservation> & Pick<JournalObservation, 'kind'>): JournalObservation => ({
  path: `/state/bascule/${j.kind}-devinfra.json`,
  description: j.kind === 'switch' ? 'switch blue -> green stopped at step dns (failed)' : 'weighted shift blue -> green paused: green at 50%, next stage 100%',
  unfinished: true,
  lock: null,
  ...j,
});
