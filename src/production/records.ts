/**
 * One record set and one change for every reader and writer of Route53
 * (pure): the switch, the weighted shift, status and drain all read and
 * write these, and only the Route53 adapter (src/aws/route53.ts) turns them
 * into the SDK's shapes. Names are in the normal form of names.ts.
 */
import { normTarget } from './names.js';

export interface AliasTarget {
  readonly zoneId: string;
  /** Normal form. */
  readonly dnsName: string;
  readonly evaluateTargetHealth: boolean;
}

export interface RecordSet {
  /** Normal form (names.ts). */
  readonly name: string;
  readonly type: string;
  /** Absent on alias record sets. */
  readonly ttl?: number | undefined;
  /** The values as Route53 holds them (TXT values quoted); absent on alias record sets. */
  readonly values?: readonly string[] | undefined;
  readonly alias?: AliasTarget | undefined;
  readonly setIdentifier?: string | undefined;
  /** Weighted routing (0-255). */
  readonly weight?: number | undefined;
  /** Another routing policy (latency, failover, geolocation...), named for messages: bascule never writes these. */
  readonly routing?: string | undefined;
  readonly healthCheckId?: string | undefined;
}

export type Action = 'CREATE' | 'DELETE' | 'UPSERT';

export interface Change {
  readonly action: Action;
  readonly set: RecordSet;
}

/** A change batch of one hosted zone. */
export interface Batch {
  readonly zoneId: string;
  readonly changes: readonly Change[];
}

/** Alias records to a load balancer resolve with its TTL: 60 seconds. */
export const ALIAS_TTL_SECONDS = 60;

/** The record types that carry traffic: what production names are made of. */
export const TRAFFIC_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME']);

/** How long a resolver may keep an answer of this set. */
export const effectiveTtl = (s: RecordSet): number => (s.alias ? ALIAS_TTL_SECONDS : (s.ttl ?? 0));

/** What a set points at: its alias target or its values (CNAME targets in normal form), sorted, without duplicates. */
export function targetsOf(sets: readonly RecordSet[]): string[] {
  // One alias (most sets): no set, no sort.
  if (sets.length === 1 && sets[0]?.alias) return [normTarget(sets[0].alias.dnsName)];
  const out = new Set<string>();
  for (const s of sets) {
    if (s.alias) out.add(normTarget(s.alias.dnsName));
    else for (const v of s.values ?? []) out.add(s.type === 'CNAME' ? normTarget(v) : v);
  }
  return [...out].sort();
}

/** The identity of a set in its zone: name, type and set identifier. */
export const setKey = (s: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string => `${s.name}\n${s.type}\n${s.setIdentifier ?? ''}`;

/** Two sets hold the same data (what a DELETE must match exactly). */
export function sameSet(a: RecordSet, b: RecordSet): boolean {
  return canonicalSet(a) === canonicalSet(b);
}

/** A set as text, field order fixed, values sorted: for equality, digests and journals. */
export function canonicalSet(s: RecordSet): string {
  return JSON.stringify([
    s.name,
    s.type,
    s.setIdentifier ?? null,
    s.weight ?? null,
    s.routing ?? null,
    s.alias ? null : (s.ttl ?? null),
    s.values ? [...s.values].sort() : null,
    s.alias ? [s.alias.zoneId, normTarget(s.alias.dnsName), s.alias.evaluateTargetHealth] : null,
    s.healthCheckId ?? null,
  ]);
}

/** Route53's limits on one change batch (an UPSERT counts twice). */
export const BATCH_LIMITS = { records: 1000, characters: 32_000 } as const;

export function batchSize(changes: readonly Change[]): { records: number; characters: number } {
  let records = 0;
  let characters = 0;
  for (const c of changes) {
    const values = c.set.values ?? [c.set.alias?.dnsName ?? ''];
    const factor = c.action === 'UPSERT' ? 2 : 1;
    records += values.length * factor;
    characters += values.reduce((n, v) => n + v.length, 0) * factor;
  }
  return { records, characters };
}

/** Why a batch cannot be sent whole, or undefined when it fits Route53's limits. */
export function oversize(batch: Batch): string | undefined {
  const size = batchSize(batch.changes);
  if (size.records <= BATCH_LIMITS.records && size.characters <= BATCH_LIMITS.characters) return undefined;
  return `zone ${batch.zoneId}: ${batch.changes.length} changes (${size.records} records, ${size.characters} characters) do not fit one Route53 batch (${BATCH_LIMITS.records} records, ${BATCH_LIMITS.characters} characters)`;
}

/** Changes grouped by zone, in first-seen order. */
export function byZone<T extends { zoneId: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const list = out.get(i.zoneId);
    if (list) list.push(i);
    else out.set(i.zoneId, [i]);
  }
  return out;
}

/** A set for messages: "www.devinfra.fr CNAME k8s-blue.elb... (TTL 300)", "hello A alias k8s... [green 100]". */
export function describeSet(s: RecordSet): string {
  const what = s.alias ? `alias ${s.alias.dnsName}` : `${(s.values ?? []).join(' ')} (TTL ${s.ttl ?? 0})`;
  const routed = s.setIdentifier !== undefined ? ` [${s.setIdentifier}${s.weight !== undefined ? ` ${s.weight}` : ''}${s.routing ? ` ${s.routing}` : ''}]` : '';
  return `${s.name} ${s.type} ${what}${routed}`;
}
