/**
 * `bascule status`'s one observation (the adapters' side): DNS through the
 * resolver (the TXT and API records), each cluster's API and live
 * ExternalDNS Deployments, production through the one observer
 * (src/production/observe.ts, with the live Deployments' registry affixes),
 * both journals of this machine, and the cut-over lock record (one targeted
 * read, never a zone listing). Each part is bounded and fails on its own: a
 * failure is that part's error, never a crash. Judging is evaluate.ts's.
 */
import type { Colour } from '../platform/model.js';
import { clusterNameFromTxt } from '../dns/cluster-name.js';
import type { DnsPort } from '../cutover/dns.js';
import { describeOperation, isUnfinishedOperation, type OperationKind, type Operations } from '../cutover/journals.js';
import { heldLock } from '../cutover/lock.js';
import type { ColourTarget } from '../cutover/spec.js';
import type { KubePort } from '../kube/client.js';
import type { Production, ProductionLayout, ZoneKind } from '../production/inventory.js';
import { withLiveAffixes } from '../production/layout.js';
import { observeProduction } from '../production/observe.js';
import type { Route53Port } from '../aws/route53.js';
import { affixesFromArgs, type RegistryAffixes } from '../production/registry.js';
import { formatMs } from '../vocabulary.js';

/** One part of the observation: read, failed (its error), or not read (why). */
export type Part<T> =
  | { readonly state: 'read'; readonly value: T }
  | { readonly state: 'failed'; readonly error: string }
  | { readonly state: 'skipped'; readonly reason: string };

export interface DeploymentObservation {
  readonly name: string;
  readonly desired?: number;
  readonly ready?: number;
  readonly error?: string;
}

export interface ClusterObservation {
  readonly name: string;
  readonly endpoint: string;
  readonly api: { readonly version?: string; readonly error?: string };
  readonly externalDns: readonly DeploymentObservation[];
}

/** One journal of this machine: what it says, or why it cannot be read. */
export interface JournalObservation {
  readonly kind: OperationKind;
  readonly path: string;
  readonly description: string;
  readonly unfinished: boolean;
  /** The lock record value the journal says it holds (null: none). */
  readonly lock: string | null;
  /** Set when the journal cannot be read (description holds the same). */
  readonly unreadable?: true;
}

/** The cut-over lock record: where it is, and the values it holds (none: free). */
export interface LockObservation {
  readonly name: string;
  readonly zoneId: string;
  readonly values: readonly string[];
}

export interface StatusObservation {
  readonly platform: string;
  readonly file: string;
  readonly liveInFile: Colour;
  readonly resolver: string;
  readonly txt: { readonly name: string; readonly values?: readonly string[]; readonly clusterName?: string; readonly error?: string };
  readonly api: { readonly name: string; readonly target?: string; readonly error?: string };
  readonly namespace: string;
  readonly clusters: Readonly<Record<Colour, ClusterObservation>>;
  /** Production under the shared domains (the one inventory). */
  readonly production: Part<Production>;
  /** Both journals of this machine (those that exist). */
  readonly operations: readonly JournalObservation[];
  readonly lock: Part<LockObservation>;
}

/** A live ExternalDNS Deployment and the zone kind it writes. */
export interface LiveDeployment {
  readonly name: string;
  readonly kind: ZoneKind;
}

export interface ObserveOptions {
  readonly platform: string;
  readonly file: string;
  readonly liveInFile: Colour;
  readonly txtName: string;
  readonly apiName: string;
  readonly namespace: string;
  readonly deployments: readonly LiveDeployment[];
  readonly clusters: Readonly<Record<Colour, Pick<ColourTarget, 'clusterName' | 'endpoint'>>>;
  readonly dns: DnsPort;
  readonly kube: Readonly<Record<Colour, KubePort>>;
  /** Where production lives, or why it is not read. */
  readonly production: ProductionLayout | { readonly skipped: string };
  /** The lock record, or why it is not read. */
  readonly lock: { readonly name: string; readonly zoneId: string } | { readonly skipped: string };
  /** Route53 (made only when production or the lock is read). */
  readonly route53: Route53Port | undefined;
  readonly operations: () => Operations;
  /** The bound of each part. */
  readonly boundMs: number;
}

export const errorText = (error: unknown): string => (error instanceof Error ? (error.message.split('\n')[0] as string) : String(error));

/** Runs one part within `ms`: its value, or its error (a late answer is one). */
export async function bounded<T>(ms: number, work: () => Promise<T>): Promise<Part<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${formatMs(ms)}`)), ms);
  });
  try {
    return { state: 'read', value: await Promise.race([work(), late]) };
  } catch (error) {
    return { state: 'failed', error: errorText(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function observeTxt(dns: DnsPort, name: string): Promise<StatusObservation['txt']> {
  try {
    const answer = await dns.txt(name);
    const values = answer.kind === 'records' ? answer.records.map((chunks) => chunks.join('')) : [];
    try {
      return { name, values, clusterName: clusterNameFromTxt(name, answer).clusterName };
    } catch (error) {
      return { name, values, error: errorText(error) };
    }
  } catch (error) {
    return { name, error: errorText(error) };
  }
}

async function observeApi(dns: DnsPort, name: string): Promise<StatusObservation['api']> {
  try {
    const answer = await dns.cname(name);
    return answer.kind === 'cname' ? { name, target: answer.target } : { name, error: `no CNAME (${answer.reason})` };
  } catch (error) {
    return { name, error: errorText(error) };
  }
}

interface ClusterRead {
  readonly observation: ClusterObservation;
  /** The registry affixes each live Deployment runs with, per zone kind. */
  readonly affixes: Partial<Record<ZoneKind, RegistryAffixes>>;
}

async function observeCluster(o: ObserveOptions, colour: Colour): Promise<ClusterRead> {
  const kube = o.kube[colour];
  const base = { name: o.clusters[colour].clusterName, endpoint: o.clusters[colour].endpoint };
  const unreachable = (error: string): ClusterRead => ({
    observation: { ...base, api: { error }, externalDns: o.deployments.map((d) => ({ name: d.name, error: 'API unreachable' })) },
    affixes: {},
  });
  const read = await bounded(o.boundMs, async (): Promise<ClusterRead> => {
    let version: string;
    try {
      version = await kube.version();
    } catch (error) {
      return unreachable(errorText(error));
    }
    const affixes: Partial<Record<ZoneKind, RegistryAffixes>> = {};
    const externalDns = await Promise.all(
      o.deployments.map(async ({ name, kind }): Promise<DeploymentObservation> => {
        try {
          const d = await kube.deployment(o.namespace, name);
          if (d?.container) affixes[kind] = affixesFromArgs(d.container.args);
          return d ? { name, desired: d.desired, ready: d.ready } : { name, error: 'no such Deployment' };
        } catch (error) {
          return { name, error: errorText(error) };
        }
      }),
    );
    return { observation: { ...base, api: { version }, externalDns }, affixes };
  });
  return read.state === 'read' ? read.value : unreachable(read.state === 'failed' ? read.error : read.reason);
}

/** The journals as status shows them (each kind found, or why it cannot be read). */
export function journalsOf(ops: Operations): JournalObservation[] {
  const found = ops.found.map((f): JournalObservation => ({
    kind: f.kind,
    path: f.path,
    description: describeOperation(f),
    unfinished: isUnfinishedOperation(f),
    lock: f.journal.lock?.value ?? null,
  }));
  const unreadable = ops.unreadable.map((u): JournalObservation => ({ kind: u.kind, path: u.path, description: u.message, unfinished: true, lock: null, unreadable: true }));
  return [...unreadable, ...found];
}

function journalsPart(o: ObserveOptions): JournalObservation[] {
  try {
    return journalsOf(o.operations());
  } catch (error) {
    return [{ kind: 'switch', path: '(state directory)', description: `cannot read the journals: ${errorText(error)}`, unfinished: true, lock: null, unreadable: true }];
  }
}

function observeLock(o: ObserveOptions): Promise<Part<LockObservation>> {
  const where = o.lock;
  if ('skipped' in where) return Promise.resolve({ state: 'skipped', reason: where.skipped });
  const route53 = o.route53;
  if (!route53) return Promise.resolve({ state: 'skipped', reason: 'Route53 is not read' });
  return bounded(o.boundMs, async () => ({ name: where.name, zoneId: where.zoneId, values: await heldLock(route53, where.zoneId, where.name) }));
}

/**
 * Each cluster, then production, read with the registry affixes the live
 * Deployments run with (the file's live colour first; none when no cluster
 * answered, as `bascule manifests` generates them).
 */
function clustersAndProduction(o: ObserveOptions): [Promise<ClusterRead>, Promise<ClusterRead>, Promise<Part<Production>>] {
  const blue = observeCluster(o, 'blue');
  const green = observeCluster(o, 'green');
  const production = Promise.all([blue, green]).then(async ([b, g]): Promise<Part<Production>> => {
    const layout = o.production;
    if ('skipped' in layout) return { state: 'skipped', reason: layout.skipped };
    const route53 = o.route53;
    if (!route53) return { state: 'skipped', reason: 'Route53 is not read' };
    const [first, second] = o.liveInFile === 'blue' ? [b, g] : [g, b];
    const affixes: Partial<Record<ZoneKind, RegistryAffixes>> = { ...second.affixes, ...first.affixes };
    const read = await bounded(o.boundMs, () => observeProduction(route53, withLiveAffixes(layout, affixes)));
    return read.state === 'read' ? { state: 'read', value: { zones: read.value.zones, names: read.value.names } } : read;
  });
  return [blue, green, production];
}

/** Observes everything `status` judges; never throws for one part. */
export async function observeStatus(o: ObserveOptions): Promise<StatusObservation> {
  const [txt, api, blue, green, production, lock] = await Promise.all([
    observeTxt(o.dns, o.txtName),
    observeApi(o.dns, o.apiName),
    ...clustersAndProduction(o),
    observeLock(o),
  ]);
  return {
    platform: o.platform,
    file: o.file,
    liveInFile: o.liveInFile,
    resolver: o.dns.where,
    txt,
    api,
    namespace: o.namespace,
    clusters: { blue: blue.observation, green: green.observation },
    production,
    operations: journalsPart(o),
    lock,
  };
}
