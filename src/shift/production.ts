/**
 * The production layer bascule owns during a weighted shift (pure).
 *
 * A production name (www.devinfra.fr) is served by each colour through its
 * cluster-scoped name (www.eks-blue.devinfra.fr, www.eks-green.devinfra.fr),
 * which the colour's own ExternalDNS keeps pointing at its load balancers.
 * bascule turns each production record into two weighted record sets of the
 * same name and type, set identifiers `blue` and `green`, each pointing at
 * its colour's name (CNAME; alias A/AAAA to the same-zone record where the
 * production record was an alias). It then moves traffic by changing weights
 * only. ExternalDNS's TXT registry entries of the converted names are removed
 * in the same batch: no ExternalDNS owns these names any more, and since
 * Route53 refuses a simple record beside weighted ones, an old colour's live
 * ExternalDNS (upsert-only, never deleting) cannot take a name back.
 *
 * Here: the inventory (which names move, which one colour only serves, what
 * blocks the shift), and the change batches: the one-time conversion (one
 * atomic batch per zone: no moment a name does not resolve), a stage's
 * weights, and the exact restoration of what was there before.
 */
import { under } from '../production/names.js';
import { ALIAS_TTL_SECONDS } from '../production/records.js';
import type { Colour } from '../platform/model.js';
import { normName } from '../production/names.js';
import type { Weights } from './weights.js';

export interface AliasTarget {
  readonly zoneId: string;
  readonly dnsName: string;
  readonly evaluateTargetHealth: boolean;
}

/** A record set as Route53 holds it (names without the trailing dot, lower case). */
export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number | undefined;
  readonly values?: readonly string[] | undefined;
  readonly alias?: AliasTarget | undefined;
  readonly setIdentifier?: string | undefined;
  readonly weight?: number | undefined;
}

export interface Change {
  readonly action: 'CREATE' | 'DELETE' | 'UPSERT';
  readonly set: RecordSet;
}

export type ProductionType = 'CNAME' | 'A' | 'AAAA';

export interface ProductionName {
  readonly zoneId: string;
  readonly name: string;
  readonly type: ProductionType;
  /** The TTL the weighted CNAMEs get (an alias has none: its target's). */
  readonly ttl: number;
  /** Each colour's cluster-scoped name, and the zone that holds it. */
  readonly targets: Readonly<Record<Colour, { readonly name: string; readonly zoneId: string }>>;
  /** What Route53 holds at name/type now. */
  readonly now: { readonly kind: 'simple'; readonly set: RecordSet; readonly registry: readonly RecordSet[] } | { readonly kind: 'weighted'; readonly sets: Readonly<Record<Colour, RecordSet>> };
}

export interface Orphan {
  readonly name: string;
  /** The colour whose cluster-scoped name exists; the other one has none. */
  readonly servedBy: Colour;
  readonly missing: string;
}

export interface Inventory {
  readonly names: readonly ProductionName[];
  readonly orphans: readonly Orphan[];
  /** Reasons the shift cannot start (foreign weighted records, mixed weights). */
  readonly blocked: readonly string[];
  /** The longest TTL a resolver may keep an answer (an alias: 60 s). */
  readonly ttlSeconds: number;
}

export interface Domains {
  /** Shared (production) domain -> its zone. */
  readonly shared: readonly { readonly name: string; readonly zoneId: string }[];
  /** Each colour's domains: the same kinds, in the same order as shared. */
  readonly colours: Readonly<Record<Colour, readonly { readonly name: string; readonly zoneId: string }[]>>;
  /** Names that never move with weights: the API record, the TXT record. */
  readonly exclude: readonly string[];
}

const COLOURS: readonly Colour[] = ['blue', 'green'];
const TYPES: readonly string[] = ['CNAME', 'A', 'AAAA'];
const isRegistry = (s: RecordSet) => s.type === 'TXT' && (s.values ?? []).some((v) => v.replace(/^"/, '').startsWith('heritage=external-dns'));
/** ExternalDNS's registry names for a record: old format (the name), new format (<type>-<name>). */
const registryNames = (name: string, type: string) => [name, `${type.toLowerCase()}-${name}`];

/** Which production names move, from every record set of the zones involved. */
export function inventory(records: readonly (RecordSet & { zoneId: string })[], domains: Domains): Inventory {
  const all = records.map((r) => ({ ...r, name: normName(r.name) }));
  const exclude = new Set(domains.exclude.map(normName));
  const exists = (name: string) => all.some((r) => r.name === name && TYPES.includes(r.type));
  const names: ProductionName[] = [];
  const orphans: Orphan[] = [];
  const blocked: string[] = [];
  let ttl = 0;
  for (const [k, shared] of domains.shared.entries()) {
    const own = Object.fromEntries(COLOURS.map((c) => [c, domains.colours[c][k] as { name: string; zoneId: string }])) as Record<Colour, { name: string; zoneId: string }>;
    const inZone = all.filter((r) => r.zoneId === shared.zoneId && under(r.name, shared.name) && !COLOURS.some((c) => under(r.name, own[c].name)));
    const keys = new Map<string, typeof inZone>();
    for (const r of inZone) {
      if (!TYPES.includes(r.type) || exclude.has(r.name)) continue;
      const key = `${r.name} ${r.type}`;
      keys.set(key, [...(keys.get(key) ?? []), r]);
    }
    for (const sets of keys.values()) {
      const first = sets[0] as RecordSet & { zoneId: string };
      const label = first.name === shared.name ? '' : first.name.slice(0, -(shared.name.length + 1));
      const targets = Object.fromEntries(COLOURS.map((c) => [c, { name: label ? `${label}.${own[c].name}` : own[c].name, zoneId: own[c].zoneId }])) as Record<Colour, { name: string; zoneId: string }>;
      const present = COLOURS.filter((c) => exists(targets[c].name));
      if (present.length < 2) {
        const servedBy = present[0];
        if (servedBy) orphans.push({ name: first.name, servedBy, missing: targets[servedBy === 'blue' ? 'green' : 'blue'].name });
        else blocked.push(`${first.name} (${first.type}): neither ${targets.blue.name} nor ${targets.green.name} exists`);
        continue;
      }
      const weighted = sets.filter((s) => s.setIdentifier !== undefined);
      let now: ProductionName['now'];
      if (weighted.length === 0) {
        if (sets.length !== 1) {
          blocked.push(`${first.name} (${first.type}): ${sets.length} record sets`);
          continue;
        }
        const registry = all.filter((r) => r.zoneId === shared.zoneId && isRegistry(r) && registryNames(first.name, first.type).includes(r.name));
        now = { kind: 'simple', set: strip(first), registry: registry.map(strip) };
      } else {
        const foreign = sets.filter((s) => !COLOURS.includes(s.setIdentifier as Colour) || s.weight === undefined);
        if (foreign.length > 0 || weighted.length !== sets.length || sets.length !== 2) {
          blocked.push(`${first.name} (${first.type}): weighted or routed record sets bascule did not write (set identifiers ${sets.map((s) => JSON.stringify(s.setIdentifier ?? '')).join(', ')})`);
          continue;
        }
        now = { kind: 'weighted', sets: Object.fromEntries(sets.map((s) => [s.setIdentifier, strip(s)])) as Record<Colour, RecordSet> };
      }
      const type = first.type as ProductionType;
      const recordTtl = first.alias ? ALIAS_TTL_SECONDS : (first.ttl ?? ALIAS_TTL_SECONDS);
      ttl = Math.max(ttl, recordTtl);
      names.push({ zoneId: shared.zoneId, name: first.name, type, ttl: recordTtl, targets, now });
    }
  }
  // Every weighted name must hold the same pair: the shift moves them together.
  const pairs = new Set(names.filter((n) => n.now.kind === 'weighted').map((n) => JSON.stringify(heldWeights(n))));
  if (pairs.size > 1) blocked.push(`the weighted production names do not all hold the same weights (${[...pairs].join(' vs ')})`);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { names: names.sort((a, b) => byName(a, b) || a.type.localeCompare(b.type)), orphans: orphans.sort(byName), blocked, ttlSeconds: ttl };
}

function strip(r: RecordSet & { zoneId?: string }): RecordSet {
  return {
    name: r.name,
    type: r.type,
    ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
    ...(r.values !== undefined && r.values.length > 0 ? { values: [...r.values] } : {}),
    ...(r.alias ? { alias: { ...r.alias, dnsName: normName(r.alias.dnsName) } } : {}),
    ...(r.setIdentifier !== undefined ? { setIdentifier: r.setIdentifier } : {}),
    ...(r.weight !== undefined ? { weight: r.weight } : {}),
  };
}

/** The weights a weighted name holds, per colour (undefined: simple). */
export function heldWeights(n: ProductionName): Record<Colour, number> | undefined {
  return n.now.kind === 'weighted' ? { blue: n.now.sets.blue.weight ?? 0, green: n.now.sets.green.weight ?? 0 } : undefined;
}

/** The weighted record set of one colour for a production name. */
export function weightedSet(n: ProductionName, colour: Colour, weight: number): RecordSet {
  const t = n.targets[colour];
  const base = { name: n.name, type: n.type, setIdentifier: colour, weight };
  return n.type === 'CNAME' ? { ...base, ttl: n.ttl, values: [t.name] } : { ...base, alias: { zoneId: t.zoneId, dnsName: t.name, evaluateTargetHealth: true } };
}

export const byZone = <T extends { zoneId: string }>(items: readonly T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(i.zoneId, [...(out.get(i.zoneId) ?? []), i]);
  return out;
};

/** Route53's limits on one change batch. */
export const BATCH_LIMITS = { records: 1000, characters: 32_000 };

function batchSize(changes: readonly Change[]): { records: number; characters: number } {
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

/** The registry entries not yet in this batch (an old-format entry claims every type at its name: A and AAAA share it). */
function onceEach(registry: readonly RecordSet[], seen: Set<string>): RecordSet[] {
  return registry.filter((r) => {
    const key = `${r.name} ${r.type} ${(r.values ?? []).join(' ')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The one-time conversion, one batch per zone: each simple record and its
 * registry entries deleted, the two weighted sets created (the old colour
 * 100, the new one 0), all in one atomic batch, so every name resolves
 * before, during and after. A zone whose conversion does not fit one batch is
 * refused: split batches would leave names half converted.
 */
export function conversionBatches(names: readonly ProductionName[], from: Colour): { zoneId: string; changes: Change[] }[] {
  const to: Colour = from === 'blue' ? 'green' : 'blue';
  const out: { zoneId: string; changes: Change[] }[] = [];
  for (const [zoneId, list] of byZone(names.filter((n) => n.now.kind === 'simple'))) {
    const changes: Change[] = [];
    const seen = new Set<string>();
    for (const n of list) {
      if (n.now.kind !== 'simple') continue;
      changes.push({ action: 'DELETE', set: n.now.set });
      for (const r of onceEach(n.now.registry, seen)) changes.push({ action: 'DELETE', set: r });
      changes.push({ action: 'CREATE', set: weightedSet(n, from, 100) }, { action: 'CREATE', set: weightedSet(n, to, 0) });
    }
    const size = batchSize(changes);
    if (size.records > BATCH_LIMITS.records || size.characters > BATCH_LIMITS.characters) {
      throw new RangeError(
        `converting zone ${zoneId} takes ${changes.length} changes (${size.records} records, ${size.characters} characters): more than one Route53 batch (${BATCH_LIMITS.records} records, ${BATCH_LIMITS.characters} characters)`,
      );
    }
    out.push({ zoneId, changes });
  }
  return out;
}

/** One colour's weight set on every name, one batch per zone. */
export function weightBatches(names: readonly ProductionName[], colour: Colour, weight: number): { zoneId: string; changes: Change[] }[] {
  return [...byZone(names)].map(([zoneId, list]) => ({ zoneId, changes: list.map((n) => ({ action: 'UPSERT' as const, set: weightedSet(n, colour, weight) })) }));
}

/**
 * A stage's writes in order, never 0/0 on the way: when the new colour gains,
 * its weight is raised first and the old colour's lowered second; when it
 * loses (a revert, a gradual rollback), the old colour's weight is raised
 * first. Each step is one batch per zone.
 */
export function stageWrites(names: readonly ProductionName[], from: Colour, to: Colour, target: Weights, current: Weights): { colour: Colour; weight: number; batches: { zoneId: string; changes: Change[] }[] }[] {
  const raiseNew = target.to >= current.to;
  const order: [Colour, number][] = raiseNew
    ? [
        [to, target.to],
        [from, target.from],
      ]
    : [
        [from, target.from],
        [to, target.to],
      ];
  return order.map(([colour, weight]) => ({ colour, weight, batches: weightBatches(names, colour, weight) }));
}

/**
 * What the production names held before the shift, put back exactly, one
 * batch per zone: the weighted sets deleted and the simple records and their
 * registry entries recreated (names that were simple), or the weights set back
 * (names that were already weighted).
 */
export function restoreBatches(before: readonly ProductionName[], current: readonly ProductionName[]): { zoneId: string; changes: Change[] }[] {
  const held = new Map(current.map((n) => [`${n.name} ${n.type}`, n]));
  const out: { zoneId: string; changes: Change[] }[] = [];
  for (const [zoneId, list] of byZone(before)) {
    const changes: Change[] = [];
    const seen = new Set<string>();
    for (const b of list) {
      const now = held.get(`${b.name} ${b.type}`);
      if (b.now.kind === 'simple') {
        if (now?.now.kind === 'weighted') for (const c of COLOURS) changes.push({ action: 'DELETE', set: now.now.sets[c] });
        if (now?.now.kind !== 'simple') {
          changes.push({ action: 'CREATE', set: b.now.set });
          for (const r of onceEach(b.now.registry, seen)) changes.push({ action: 'CREATE', set: r });
        }
      } else {
        for (const c of COLOURS) changes.push({ action: 'UPSERT', set: b.now.sets[c] });
      }
    }
    if (changes.length > 0) out.push({ zoneId, changes });
  }
  return out;
}

/** Do the weighted sets held now carry exactly these weights, on every name? Names that differ, listed. */
export function weightsDiffer(current: readonly ProductionName[], expected: Record<Colour, number>, names: readonly ProductionName[]): string[] {
  const held = new Map(current.map((n) => [`${n.name} ${n.type}`, n]));
  const out: string[] = [];
  for (const n of names) {
    const now = held.get(`${n.name} ${n.type}`);
    const w = now ? heldWeights(now) : undefined;
    if (!w) out.push(`${n.name} ${n.type}: not weighted`);
    else if (w.blue !== expected.blue || w.green !== expected.green) out.push(`${n.name} ${n.type}: blue ${w.blue}, green ${w.green}`);
  }
  return out;
}
