/**
 * What each cut-over does with each production name (pure): small functions
 * over the one inventory, so the plain switch and the weighted shift can no
 * longer disagree about a name. A name whose owner is not a live ExternalDNS
 * of this platform (another owner id, a hand-made record, an entry bascule
 * cannot read) is never touched by either: it is named and left alone.
 */
import type { Colour } from '../platform/model.js';
import type { Owner, ProductionName } from './inventory.js';

export interface Verdict<A extends string> {
  readonly name: ProductionName;
  readonly action: A;
  /** One phrase for people: why. */
  readonly reason: string;
}

/** Why an owner is not the live instances' business. */
export function notOurs(owner: Owner): string | undefined {
  switch (owner.kind) {
    case 'other':
      return `owned by ${owner.id}: not this platform's live ExternalDNS`;
    case 'none':
      return 'no ExternalDNS registry entry (hand-made)';
    case 'unreadable':
      return 'its registry entry cannot be read (encrypted, or another tool\'s value): owner unknown';
    case 'mixed':
      return `its record sets have different owners (${owner.ids.join(', ')})`;
    default:
      return undefined;
  }
}

export type SwitchAction = 'moves' | 'moved' | 'orphan' | 'weighted' | 'left-alone';

/**
 * The plain switch, from → to: the target's live ExternalDNS takes over
 * (--migrate-from-txt-owner) every name the source's live instances own that
 * the target serves; the rest stays where it is.
 */
export function switchVerdict(n: ProductionName, from: Colour, to: Colour): Verdict<SwitchAction> {
  const o = n.owner;
  if (o.kind === 'bascule') {
    return { name: n, action: 'weighted', reason: `a weighted pair of a shift (blue ${n.weights?.blue ?? 0} / green ${n.weights?.green ?? 0}): the plain switch does not move weights` };
  }
  if (o.kind === 'live' && o.colour === to) return { name: n, action: 'moved', reason: `already owned by ${to}'s live ExternalDNS` };
  if (o.kind === 'live') {
    return n.colours[to]
      ? { name: n, action: 'moves', reason: `${to}'s live ExternalDNS takes it over` }
      : { name: n, action: 'orphan', reason: `served by ${from} only (${n.unserved[to]})` };
  }
  return { name: n, action: 'left-alone', reason: notOurs(o) as string };
}

export type ShiftAction = 'converts' | 'shifts' | 'moved' | 'orphan' | 'left-alone';

/**
 * The weighted shift, from → to: a simple name of the source's live
 * instances, served by both colours, becomes a weighted pair pointing at each
 * colour's own name (converts); a weighted pair moves by its weights (shifts).
 * A pair needs both colours' own records: a name one colour does not serve is
 * an orphan.
 */
export function shiftVerdict(n: ProductionName, from: Colour, to: Colour): Verdict<ShiftAction> {
  const o = n.owner;
  const missing = ([from, to] as const).filter((c) => !n.colours[c]);
  const orphan = (what: string): Verdict<ShiftAction> => ({
    name: n,
    action: 'orphan',
    reason: `${what}: ${missing.map((c) => n.unserved[c]).join('; ')}`,
  });
  if (o.kind === 'bascule') return missing.length > 0 ? orphan(`a weighted pair one colour no longer serves`) : { name: n, action: 'shifts', reason: 'its weights move' };
  if (o.kind === 'live' && o.colour === to) return { name: n, action: 'moved', reason: `already owned by ${to}'s live ExternalDNS` };
  if (o.kind === 'live') {
    if (n.form !== 'simple') return { name: n, action: 'left-alone', reason: `${n.form} records of ${from}'s live ExternalDNS: the shift converts simple records only` };
    return missing.length > 0 ? orphan(`not served by both colours`) : { name: n, action: 'converts', reason: 'becomes a weighted pair, then moves by its weights' };
  }
  return { name: n, action: 'left-alone', reason: notOurs(o) as string };
}

/** Verdicts grouped by action, names sorted. */
export function byAction<A extends string>(verdicts: readonly Verdict<A>[]): Map<A, Verdict<A>[]> {
  const out = new Map<A, Verdict<A>[]>();
  for (const v of verdicts) {
    const list = out.get(v.action);
    if (list) list.push(v);
    else out.set(v.action, [v]);
  }
  return out;
}

/** The orphans not allowed by --allow-orphan, and the names given that are not orphans (both in normal form). */
export function orphansAgainst<A extends string>(verdicts: readonly Verdict<A>[], allowed: readonly string[]): { refused: Verdict<A>[]; unknown: string[] } {
  const orphans = verdicts.filter((v) => v.action === 'orphan');
  const names = new Set(orphans.map((v) => v.name.name));
  return { refused: orphans.filter((v) => !allowed.includes(v.name.name)), unknown: allowed.filter((a) => !names.has(a)) };
}
