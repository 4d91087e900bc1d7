/**
 * What the weighted shift writes, and what it may find (pure, over the one
 * production model's types).
 *
 * During a shift a production name (www.devinfra.fr) is a weighted pair: one
 * set per colour (set identifiers `blue` and `green`), each pointing at the
 * colour's own name (www.eks-blue.devinfra.fr: a CNAME, or an alias A/AAAA to
 * it in the same zone), which the colour's cluster-scoped ExternalDNS keeps
 * pointing at its load balancers. The pair has no registry entry: no live
 * ExternalDNS owns it while the weights move.
 *
 *   conversion  one batch per zone: each simple record and its registry
 *               entries deleted, the pair created (old 100, new 0)
 *   stage       one batch per zone per colour: that colour's weight (UPSERT)
 *   settle      one batch per zone: each pair replaced by the simple records
 *               the new colour's live ExternalDNS would write (a copy of the
 *               new colour's own record) and their registry entries (its live
 *               owner id)
 *   restore     one batch per zone: each name back to its exact records and
 *               registry entries of before the shift
 *
 * Route53 applies a batch whole or not at all, so every name resolves before,
 * during and after each write. A guard (stateOf) tells what the journal says
 * the shift may have left at a name from what Route53 shows there: a rollback
 * writes only over one of those states.
 */
import type { Colour } from '../platform/model.js';
import type { ProductionName, ZoneIndex } from '../production/inventory.js';
import { byZone, canonicalSet, describeSet, oversize, setKey, TRAFFIC_TYPES, type Batch, type Change, type RecordSet } from '../production/records.js';
import { registryName, registryValue, type RegistryAffixes } from '../production/registry.js';
import type { SettledName, ShiftedName, ShiftJournal } from '../cutover/shift-journal.js';

export interface Weights {
  readonly to: number;
  readonly from: number;
}

export type ZoneChange = { readonly zoneId: string; readonly change: Change };

const strip = (s: RecordSet): RecordSet => {
  const { setIdentifier: _id, weight: _w, ...rest } = s;
  return rest;
};

/**
 * The weighted pair a conversion writes for a simple name served by both
 * colours (old 100, new 0); a string says why it cannot be converted.
 */
export function pairFor(n: ProductionName, from: Colour, to: Colour): RecordSet[] | string {
  const out: RecordSet[] = [];
  for (const [colour, weight] of [
    [from, 100],
    [to, 0],
  ] as const) {
    const own = n.colours[colour];
    if (!own) return `${colour} does not serve it (${n.unserved[colour]})`;
    for (const s of n.sets) {
      const base = { name: n.name, type: s.type, setIdentifier: colour, weight };
      if (s.type === 'CNAME') {
        out.push({ ...base, ttl: s.ttl ?? 300, values: [own.name] });
        continue;
      }
      const mine = own.sets.find((o) => o.type === s.type);
      if (!mine) return `${colour}'s own record ${own.name} has no ${s.type} set to weigh against`;
      if (own.zoneId === n.zoneId) {
        // An alias to the colour's own name, in the same zone: its load balancers follow its cluster-scoped ExternalDNS.
        out.push({ ...base, alias: { zoneId: n.zoneId, dnsName: own.name, evaluateTargetHealth: s.alias?.evaluateTargetHealth ?? true } });
      } else {
        // Another zone: an alias cannot reach it; the colour's own set itself, weighted.
        out.push({ ...strip(mine), ...base });
      }
    }
  }
  return out;
}

/** The pair with these weights (per set identifier). */
export function pairAt(pair: readonly RecordSet[], from: Colour, w: Weights): RecordSet[] {
  return pair.map((s) => ({ ...s, weight: s.setIdentifier === from ? w.from : w.to }));
}

/** The registry keys a shifted name's state covers: its old entries and the settled ones. */
function registryKeys(n: ShiftedName, settled: SettledName | undefined): Set<string> {
  return new Set([...n.registry, ...(settled?.registry ?? [])].map(setKey));
}

/** What Route53 holds at a shifted name: its traffic sets and the sets at its registry keys (old and settled). */
export function viewOf(index: ZoneIndex | undefined, n: ShiftedName, settled: SettledName | undefined): RecordSet[] {
  const keys = registryKeys(n, settled);
  const names = new Set([...n.registry, ...(settled?.registry ?? [])].map((s) => s.name));
  const traffic = (index?.byName.get(n.name) ?? []).filter((s) => TRAFFIC_TYPES.has(s.type));
  const registry = [...names].flatMap((name) => (index?.byName.get(name) ?? []).filter((s) => keys.has(setKey(s))));
  return [...traffic, ...registry];
}

const canonical = (sets: readonly RecordSet[]) => sets.map(canonicalSet).sort().join('\n');
export const sameSets = (a: readonly RecordSet[], b: readonly RecordSet[]): boolean => canonical(a) === canonical(b);

/** The weights of a pair held in `view` (undefined: not the journal's pair, weights aside). */
export function pairWeights(view: readonly RecordSet[], pair: readonly RecordSet[], from: Colour): Weights | undefined {
  if (view.length !== pair.length || !sameSets(view.map((s) => ({ ...s, weight: 0 })), pair.map((s) => ({ ...s, weight: 0 })))) return undefined;
  const weight = (id: boolean) => [...new Set(view.filter((s) => (s.setIdentifier === from) === id).map((s) => s.weight ?? 0))];
  const f = weight(true);
  const t = weight(false);
  return f.length === 1 && t.length === 1 ? { from: f[0] as number, to: t[0] as number } : undefined;
}

export type NameState = { readonly kind: 'before' } | { readonly kind: 'pair'; readonly weights: Weights } | { readonly kind: 'settled' } | { readonly kind: 'other' };

/** The weights of a pair as found (its `before`, for a name that was already weighted). */
function foundWeights(n: ShiftedName, from: Colour): Weights | undefined {
  return n.action === 'shifts' ? pairWeights(n.sets, n.pair, from) : undefined;
}

/**
 * The weights the journal says the shift may have left at a name: its share,
 * the share it was moving to (a stage's two possible states, a revert, a
 * gradual rollback), and the pair as found.
 */
export function allowedWeights(j: Pick<ShiftJournal, 'share' | 'moving' | 'stage' | 'from'>, n: ShiftedName): Weights[] {
  const shares = [j.share, ...(j.moving === null ? [] : [j.moving]), ...(j.stage === null ? [] : [j.stage.target])];
  const found = foundWeights(n, j.from);
  const tos = new Set([...shares, ...(found ? [found.to] : [])]);
  const froms = new Set([...shares.map((s) => 100 - s), ...(found ? [found.from] : [])]);
  const out: Weights[] = [];
  for (const to of tos) for (const from of froms) if (to !== 0 || from !== 0) out.push({ to, from });
  return out;
}

/** What Route53 shows at a shifted name, as one of the states the journal says the shift may have left. */
export function stateOf(j: Pick<ShiftJournal, 'share' | 'moving' | 'stage' | 'from' | 'settle'>, n: ShiftedName, view: readonly RecordSet[]): NameState {
  if (sameSets(view, [...n.sets, ...n.registry])) return { kind: 'before' };
  const settled = j.settle?.find((s) => s.name === n.name);
  if (settled && sameSets(view, [...settled.sets, ...settled.registry])) return { kind: 'settled' };
  const w = pairWeights(view, n.pair, j.from);
  if (w && allowedWeights(j, n).some((a) => a.to === w.to && a.from === w.from)) return { kind: 'pair', weights: w };
  return { kind: 'other' };
}

/** The states a name may be in, for messages. */
export function describeAllowed(j: Pick<ShiftJournal, 'share' | 'moving' | 'stage' | 'from' | 'to' | 'settle'>, n: ShiftedName): string {
  const pairs = allowedWeights(j, n).map((w) => `${j.to} ${w.to} / ${j.from} ${w.from}`);
  const settled = j.settle?.some((s) => s.name === n.name) ? [`the settled ${j.to} records`] : [];
  return [`its records of before the shift`, `the weighted pair at ${pairs.join(' or ')}`, ...settled].join(', ');
}

/** The changes that turn `current` into `target` at one name: DELETEs (exact), then UPSERTs, then CREATEs. */
export function diffChanges(current: readonly RecordSet[], target: readonly RecordSet[]): Change[] {
  const now = new Map(current.map((s) => [setKey(s), s]));
  const want = new Map(target.map((s) => [setKey(s), s]));
  const deletes: Change[] = [];
  const upserts: Change[] = [];
  const creates: Change[] = [];
  for (const [k, s] of now) if (!want.has(k)) deletes.push({ action: 'DELETE', set: s });
  for (const [k, s] of want) {
    const held = now.get(k);
    if (!held) creates.push({ action: 'CREATE', set: s });
    else if (canonicalSet(held) !== canonicalSet(s)) upserts.push({ action: 'UPSERT', set: s });
  }
  return [...deletes, ...upserts, ...creates];
}

/** Changes of several names as batches, one per zone (first-seen order). */
export function toBatches(changes: readonly ZoneChange[]): Batch[] {
  return [...byZone(changes)].map(([zoneId, list]) => ({ zoneId, changes: list.map((c) => c.change) }));
}

const inZone = (zoneId: string, changes: readonly Change[]): ZoneChange[] => changes.map((change) => ({ zoneId, change }));

/** The conversion of the names that are still simple: their records and registry entries to the pair (old 100, new 0). */
export function conversionChanges(names: readonly ShiftedName[], from: Colour): ZoneChange[] {
  return names.filter((n) => n.action === 'converts').flatMap((n) => inZone(n.zoneId, diffChanges([...n.sets, ...n.registry], pairAt(n.pair, from, { from: 100, to: 0 }))));
}

/** One colour's weight on every shifted name (UPSERT of the journal's pair set). */
export function weightChanges(names: readonly ShiftedName[], colour: Colour, weight: number): ZoneChange[] {
  return names.flatMap((n) => inZone(n.zoneId, n.pair.filter((s) => s.setIdentifier === colour).map((s) => ({ action: 'UPSERT' as const, set: { ...s, weight } }))));
}

/**
 * A move's writes in order, never 0/0 on the way: when the new colour gains,
 * its weight is raised first and the old colour's lowered second; when it
 * loses (a revert, a gradual rollback), the old colour's is raised first.
 */
export function moveWrites(from: Colour, to: Colour, target: Weights, current: Weights): { colour: Colour; weight: number }[] {
  return target.to >= current.to
    ? [
        { colour: to, weight: target.to },
        { colour: from, weight: target.from },
      ]
    : [
        { colour: from, weight: target.from },
        { colour: to, weight: target.to },
      ];
}

/**
 * What the settle writes at a name: a copy of the new colour's own record at
 * the production name, and the registry entries its live ExternalDNS writes
 * for it (its live owner id, the resource label of the colour's own entry), at
 * the names ExternalDNS v0.22 gives them. A string says why it cannot be.
 */
export function settledFor(n: ProductionName, to: Colour, liveOwner: string, affixes: RegistryAffixes): SettledName | string {
  const own = n.colours[to];
  if (!own) return `${to} does not serve it (${n.unserved[to]})`;
  const sets = own.sets.map((s) => ({ ...strip(s), name: n.name }));
  const resource = own.registry.find((e) => e.resource !== undefined);
  const ttl = resource?.set.ttl ?? own.registry[0]?.set.ttl ?? 300;
  const labels: Record<string, string> = { owner: liveOwner, ...(resource?.resource ? { resource: resource.resource } : {}) };
  const registry = [...new Set(sets.map((s) => s.type))].map((type) => ({ name: registryName(n.name, type, affixes), type: 'TXT', ttl, values: [registryValue(labels)] }));
  return { name: n.name, zoneId: n.zoneId, sets, registry };
}

/** Oversized batches among these, each named (Route53 takes at most one batch per zone whole). */
export function oversized(what: string, batches: readonly Batch[]): string[] {
  return batches.map((b) => oversize(b)).filter((o): o is string => o !== undefined).map((o) => `${what}: ${o}`);
}

/** A set list for messages. */
export const describeSets = (sets: readonly RecordSet[]): string => (sets.length === 0 ? 'nothing' : sets.map(describeSet).join('; '));
