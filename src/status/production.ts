/**
 * How production is served, judged against the live colour (pure): per
 * shared domain, where each name's traffic goes (all to the live colour, all
 * to the other one, split, elsewhere), the orphans (owned by a live owner id,
 * served by one colour only: listed, allowed at the switch), the names owned
 * by the fenced id (the other colour's live owner id, on a name the live
 * colour serves), the weighted pairs a shift left, and the names bascule
 * leaves alone (foreign, hand-made, unreadable). A split, a name sent to the
 * other colour though the live one serves it, a fenced owner and a weighted
 * pair are failed checks.
 */
import type { Colour } from '../platform/model.js';
import { describeTraffic, otherColour, type Production, type ProductionName, type Traffic, type ZoneKind } from '../production/inventory.js';
import { notOurs } from '../production/verdicts.js';
import type { Check } from './checks.js';

/** Where a name's traffic goes, seen from the live colour. */
export type TrafficClass = 'live' | 'other' | 'split' | 'elsewhere';

/**
 * What status makes of one name: ok, listed, or a failure (split, other-colour,
 * fenced, weighted; handover: the other colour's live owner id on a name the
 * live colour serves while a cut-over is unfinished, not yet handed over).
 */
export type NameVerdict = 'ok' | 'orphan' | 'elsewhere' | 'left-alone' | 'split' | 'other-colour' | 'fenced' | 'handover' | 'weighted';

export const FAILING: ReadonlySet<NameVerdict> = new Set<NameVerdict>(['split', 'other-colour', 'fenced', 'handover', 'weighted']);

export interface NameReport {
  readonly name: ProductionName;
  readonly traffic: TrafficClass;
  readonly verdict: NameVerdict;
  /** One phrase for people: why. */
  readonly reason: string;
}

export interface DomainCounts {
  readonly names: number;
  /** Names bascule's live owners manage (left-alone ones aside), by where their traffic goes. */
  readonly live: number;
  readonly other: number;
  readonly split: number;
  readonly elsewhere: number;
  readonly leftAlone: number;
  readonly orphans: number;
  readonly fenced: number;
  readonly handover: number;
  readonly weighted: number;
}

export interface DomainReport {
  readonly kind: ZoneKind;
  readonly domain: string;
  readonly zoneId: string;
  readonly counts: DomainCounts;
  readonly names: readonly NameReport[];
}

export function trafficClass(t: Traffic, live: Colour): TrafficClass {
  if (t[live] === 100) return 'live';
  if (t[otherColour(live)] === 100) return 'other';
  if (t.blue === 0 && t.green === 0) return 'elsewhere';
  return 'split';
}

const types = (n: ProductionName) => n.types.join(', ');

/** One name, judged against the live colour (`underway`: a cut-over is unfinished, here or elsewhere). */
export function judgeName(n: ProductionName, live: Colour, underway = false): NameReport {
  const old = otherColour(live);
  const traffic = trafficClass(n.traffic, live);
  const o = n.owner;
  const verdict = (v: NameVerdict, reason: string): NameReport => ({ name: n, traffic, verdict: v, reason });
  const alone = notOurs(o);
  if (alone) return verdict('left-alone', alone);
  const servedBy = (['blue', 'green'] as const).filter((c) => n.colours[c]);
  if (o.kind === 'live' && o.colour === old && n.colours[live] && underway) {
    return verdict('handover', `still owned by ${o.id}, ${old}'s live owner id: the unfinished cut-over has not handed it to ${live} yet; it sends ${describeTraffic(n.traffic)}`);
  }
  if (o.kind === 'live' && o.colour === old && n.colours[live]) {
    const entries = n.registry.map((e) => e.set.name).join(', ');
    return verdict('fenced', `owned by ${o.id}, ${old}'s live owner id, fenced since ${live} is live (registry ${entries || 'entry'}); it sends ${describeTraffic(n.traffic)}`);
  }
  if (traffic === 'split') return verdict('split', `${describeTraffic(n.traffic)}: a weighted shift left half-way`);
  if (o.kind === 'bascule') {
    return verdict('weighted', `a weighted pair (blue ${n.weights?.blue ?? 0} / green ${n.weights?.green ?? 0}) that no ExternalDNS keeps: production at rest is simple records`);
  }
  if (traffic === 'other') {
    if (n.colours[live]) return verdict('other-colour', `sends all its traffic to ${old}, though ${live} is live and serves it`);
    return verdict('orphan', `sends all its traffic to ${old}; ${live} does not serve it (${n.unserved[live]})`);
  }
  if (servedBy.length === 1) {
    const only = servedBy[0] as Colour;
    return verdict('orphan', `served by ${only} only (${n.unserved[otherColour(only)]})`);
  }
  if (traffic === 'elsewhere') return verdict('elsewhere', `targets neither colour's load balancers (${n.targets.join(', ') || 'nothing'})`);
  return verdict('ok', `${describeTraffic(n.traffic)}, owned by ${o.kind === 'live' ? o.id : 'bascule'}`);
}

function countsOf(names: readonly NameReport[]): DomainCounts {
  const managed = names.filter((r) => r.verdict !== 'left-alone');
  const count = (f: (r: NameReport) => boolean) => names.filter(f).length;
  return {
    names: names.length,
    live: managed.filter((r) => r.traffic === 'live').length,
    other: managed.filter((r) => r.traffic === 'other').length,
    split: managed.filter((r) => r.traffic === 'split').length,
    elsewhere: managed.filter((r) => r.traffic === 'elsewhere').length,
    leftAlone: names.length - managed.length,
    orphans: count((r) => r.verdict === 'orphan'),
    fenced: count((r) => r.verdict === 'fenced'),
    handover: count((r) => r.verdict === 'handover'),
    weighted: count((r) => r.verdict === 'weighted'),
  };
}

/** Every shared domain, judged against the live colour. */
export function judgeProduction(p: Production, live: Colour, underway = false): DomainReport[] {
  return p.zones.map((z) => {
    const names = z.names.map((n) => judgeName(n, live, underway));
    return { kind: z.kind, domain: z.domain, zoneId: z.zoneId, counts: countsOf(names), names };
  });
}

/** Names owned by a live owner id that `from` serves and `to` does not: what a switch to `to` leaves on `from`. */
export function orphansTowards(domains: readonly DomainReport[], from: Colour, to: Colour): string[] {
  return domains.flatMap((d) => d.names.filter((r) => r.name.owner.kind === 'live' && r.name.colours[from] && !r.name.colours[to]).map((r) => r.name.name));
}

/** "2 names to blue, 1 split, 1 left alone; 1 orphan" (zero counts left out). */
export function describeCounts(c: DomainCounts, live: Colour): string {
  if (c.names === 0) return 'no production names';
  const parts = [
    `${c.names} name${c.names === 1 ? '' : 's'}: ${c.live} to ${live}`,
    ...(c.other ? [`${c.other} to ${otherColour(live)}`] : []),
    ...(c.split ? [`${c.split} split`] : []),
    ...(c.elsewhere ? [`${c.elsewhere} elsewhere`] : []),
    ...(c.leftAlone ? [`${c.leftAlone} left alone`] : []),
  ];
  const flags = [...(c.orphans ? [`${c.orphans} orphan${c.orphans === 1 ? '' : 's'}`] : []), ...(c.fenced ? [`${c.fenced} fenced`] : []), ...(c.handover ? [`${c.handover} not handed over`] : []), ...(c.weighted ? [`${c.weighted} weighted`] : [])];
  return `${parts.join(', ')}${flags.length > 0 ? `; ${flags.join(', ')}` : ''}`;
}

export interface ProductionContext {
  readonly live: Colour;
  /** The live colour is DNS's (else the file's, DNS being unclear). */
  readonly fromDns: boolean;
  /** An operation is unfinished here, or the lock is held: its check says how to go on. */
  readonly underway: boolean;
  /** The command that takes production to one colour (a lost shift's recovery). */
  readonly toOneColour: string;
}

const list = (names: readonly NameReport[], what: (r: NameReport) => string) => names.map(what).join('; ');

/** The checks production gives: one per kind of disagreement, or one ok. */
export function productionChecks(domains: readonly DomainReport[], c: ProductionContext): Check[] {
  const all = domains.flatMap((d) => d.names);
  const of = (v: NameVerdict) => all.filter((r) => r.verdict === v);
  const { live } = c;
  const old = otherColour(live);
  const againstWhat = c.fromDns ? `${live} is live` : `the file says live: ${live} (DNS is unclear)`;
  const oneColour = c.underway ? 'see the unfinished operation below' : `take production to one colour: ${c.toOneColour}`;
  const checks: Check[] = [];
  const split = of('split');
  if (split.length > 0) {
    checks.push({ name: 'production-split', ok: false, message: `production is split while ${againstWhat}: ${list(split, (r) => `${r.name.name} ${describeTraffic(r.name.traffic)}`)}`, hint: oneColour });
  }
  const weighted = of('weighted');
  if (weighted.length > 0) {
    checks.push({
      name: 'production-weighted',
      ok: false,
      message: `weighted pairs a shift left in production (no ExternalDNS keeps them, and the live ExternalDNS cannot write beside them): ${list(weighted, (r) => `${r.name.name} (blue ${r.name.weights?.blue ?? 0} / green ${r.name.weights?.green ?? 0})`)}`,
      hint: oneColour,
    });
  }
  const other = of('other-colour');
  if (other.length > 0) {
    checks.push({
      name: 'production-colour',
      ok: false,
      message: `production names ${live} serves send their traffic to ${old} while ${againstWhat}: ${list(other, (r) => `${r.name.name} (${types(r.name)}) -> ${r.name.targets.join(', ')}`)}`,
      hint: `${live}'s live ExternalDNS repoint the names they own on their next loop; if these stay, read their logs, and look for a writer of ${old}`,
    });
  }
  const fenced = of('fenced');
  if (fenced.length > 0) {
    const owners = [...new Set(fenced.map((r) => (r.name.owner.kind === 'live' ? r.name.owner.id : '')))].join(', ');
    checks.push({
      name: 'production-fenced',
      ok: false,
      message: `production names owned by ${owners}, ${old}'s fenced live owner id, though ${live} is live and serves them: ${list(fenced, (r) => `${r.name.name} (${types(r.name)}, registry ${r.name.registry.map((e) => e.set.name).join(', ')}) sends ${describeTraffic(r.name.traffic)}`)}`,
      hint: `something writes with ${owners} (${old}'s live ExternalDNS must stay at 0 replicas): stop it; then let ${live}'s live ExternalDNS take the names back (run them once with --migrate-from-txt-owner=${owners}, as the switch's hand-over does, or delete those records and their registry entries so they write them again)`,
    });
  }
  const handover = of('handover');
  if (handover.length > 0) {
    checks.push({
      name: 'production-handover',
      ok: false,
      message: `production names ${live} serves, not yet handed over to it while ${againstWhat} (a cut-over is unfinished): ${list(handover, (r) => `${r.name.name} (owned by ${r.name.owner.kind === 'live' ? r.name.owner.id : '?'}) sends ${describeTraffic(r.name.traffic)}`)}`,
      hint: oneColour,
    });
  }
  if (checks.length === 0) checks.push({ name: 'production', ok: true, message: okMessage(domains, live) });
  return checks;
}

function okMessage(domains: readonly DomainReport[], live: Colour): string {
  const total = domains.reduce((n, d) => n + d.counts.live, 0);
  const per = domains.map((d) => `${d.domain} ${d.counts.live}`).join(', ');
  const orphans = domains.flatMap((d) => d.names.filter((r) => r.verdict === 'orphan').map((r) => r.name.name));
  const alone = domains.reduce((n, d) => n + d.counts.leftAlone, 0);
  const extra = [
    ...(orphans.length > 0 ? [`orphan${orphans.length === 1 ? '' : 's'} (served by one colour only) ${orphans.join(', ')}`] : []),
    ...(alone > 0 ? [`${alone} left alone (foreign, hand-made or unreadable)`] : []),
  ];
  return `production follows ${live}: ${total} name${total === 1 ? '' : 's'} to ${live}${per ? ` (${per})` : ''}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
}
