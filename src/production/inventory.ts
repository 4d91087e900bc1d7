/**
 * Production, as one inventory (pure): every name under the shared domains
 * (devinfra.local, devinfra.fr), the apex included, outside both clusters'
 * sub-domains and bascule's own records, with
 *
 *   - its record sets (A, AAAA, CNAME) and their form: simple, weighted, or routed
 *     by another policy;
 *   - its owner: a colour's live ExternalDNS, another owner id, nobody (hand-made),
 *     an entry bascule cannot read, bascule itself (the weighted pair of a shift);
 *   - which colours serve it: a colour serves `hello.devinfra.local` when its own
 *     record `hello.eks-green.devinfra.local` exists *and* its cluster-scoped
 *     ExternalDNS owns it (a record nobody keeps up to date is not a colour's);
 *   - where its traffic goes (per colour, in percent), its longest TTL.
 *
 * Every command reads production through this one function: the plain switch
 * and the weighted shift judge the same names the same way (verdicts.ts), and
 * status and drain see what they see. Each zone is indexed once by name, so
 * the inventory is linear in the size of the zones.
 */
import type { Colour } from '../platform/model.js';
import { labelUnder, normName, normTarget, under, withLabel } from './names.js';
import { effectiveTtl, TRAFFIC_TYPES, targetsOf, type RecordSet } from './records.js';
import { NO_AFFIXES, registryIndex, type RegistryAffixes, type RegistryEntry, type RegistryIndex } from './registry.js';

export const COLOURS: readonly Colour[] = ['blue', 'green'];
export const otherColour = (c: Colour): Colour => (c === 'blue' ? 'green' : 'blue');

export type ZoneKind = 'private' | 'public';

/** Where one kind of production lives, and who writes it. */
export interface KindLayout {
  readonly kind: ZoneKind;
  /** The shared domain (devinfra.local) and its zone. */
  readonly domain: string;
  readonly zoneId: string;
  /** The registry affixes of the live instances (both colours run the same args but the owner id). */
  readonly liveAffixes: RegistryAffixes;
  readonly colours: Readonly<Record<Colour, {
    /** The colour's sub-domain of this kind (eks-blue.devinfra.local) and its zone (the shared one when it lives there). */
    readonly domain: string;
    readonly zoneId: string;
    /** The owner id of its cluster-scoped ExternalDNS, and that instance's registry affixes. */
    readonly clusterOwner: string;
    readonly clusterAffixes: RegistryAffixes;
    /** The owner id of its live ExternalDNS (writing production). */
    readonly liveOwner: string;
  }>>;
}

export interface ProductionLayout {
  readonly kinds: readonly KindLayout[];
  /** bascule's own records (the API record, the cluster-name TXT, the lock record): never production. */
  readonly excluded: readonly string[];
}

export type Owner =
  | { readonly kind: 'live'; readonly colour: Colour; readonly id: string }
  | { readonly kind: 'other'; readonly id: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable' }
  | { readonly kind: 'mixed'; readonly ids: readonly string[] }
  /** The weighted pair (set identifiers blue and green) a weighted shift writes: no registry entry. */
  | { readonly kind: 'bascule' };

export type Form = 'simple' | 'weighted' | 'routed';

/** A colour's own record for a production name, owned by its cluster-scoped ExternalDNS. */
export interface ColourRecord {
  readonly name: string;
  readonly zoneId: string;
  readonly sets: readonly RecordSet[];
  /** What it targets (its load balancers), sorted. */
  readonly targets: readonly string[];
  readonly registry: readonly RegistryEntry[];
}

/** Where the traffic of a name goes, in percent (summing to 100). */
export interface Traffic {
  readonly blue: number;
  readonly green: number;
  readonly elsewhere: number;
}

export interface ProductionName {
  readonly name: string;
  readonly kind: ZoneKind;
  readonly zoneId: string;
  readonly types: readonly string[];
  readonly sets: readonly RecordSet[];
  /** The registry entries claiming its sets (deleted with them when bascule rewrites it). */
  readonly registry: readonly RegistryEntry[];
  readonly owner: Owner;
  readonly form: Form;
  /** The weights of the weighted pair, per colour (form weighted, owner bascule). */
  readonly weights: Readonly<Record<Colour, number>> | undefined;
  /** The colour's own record, when the colour serves the name; else why not. */
  readonly colours: Readonly<Record<Colour, ColourRecord | undefined>>;
  readonly unserved: Readonly<Record<Colour, string | undefined>>;
  readonly traffic: Traffic;
  /** What it targets now, sorted. */
  readonly targets: readonly string[];
  /** The longest time a resolver may keep an answer of it (an alias: 60 s). */
  readonly ttl: number;
}

export interface ProductionZone {
  readonly kind: ZoneKind;
  readonly domain: string;
  readonly zoneId: string;
  readonly names: readonly ProductionName[];
}

export interface Production {
  readonly zones: readonly ProductionZone[];
  /** Every name, sorted by zone kind then name. */
  readonly names: readonly ProductionName[];
}

/** One zone's record sets, indexed by name once. */
export class ZoneIndex {
  readonly byName = new Map<string, RecordSet[]>();
  private readonly registries = new Map<string, RegistryIndex>();

  constructor(readonly records: readonly RecordSet[]) {
    for (const r of records) {
      const list = this.byName.get(r.name);
      if (list) list.push(r);
      else this.byName.set(r.name, [r]);
    }
  }

  traffic(name: string): RecordSet[] {
    return (this.byName.get(name) ?? []).filter((s) => TRAFFIC_TYPES.has(s.type));
  }

  registry(affixes: RegistryAffixes): RegistryIndex {
    const k = `${affixes.prefix}\n${affixes.suffix}`;
    let found = this.registries.get(k);
    if (!found) {
      found = registryIndex(this.records, affixes);
      this.registries.set(k, found);
    }
    return found;
  }
}

/** The zones' record sets, each indexed once (a zone may hold several domains). */
export function indexZones(zones: ReadonlyMap<string, readonly RecordSet[]>): Map<string, ZoneIndex> {
  return new Map([...zones].map(([id, records]) => [id, new ZoneIndex(records)]));
}

function ownerOf(sets: readonly RecordSet[], claims: readonly (RegistryEntry | undefined)[], live: Readonly<Record<Colour, string>>): Owner {
  if (sets.length > 0 && sets.every((s) => s.weight !== undefined && (s.setIdentifier === 'blue' || s.setIdentifier === 'green')) && claims.every((c) => c === undefined)) {
    const ids = new Set(sets.map((s) => `${s.type}\n${s.setIdentifier}`));
    const types = new Set(sets.map((s) => s.type));
    if (ids.size === sets.length && ids.size === types.size * 2) return { kind: 'bascule' };
  }
  if (claims.some((c) => c !== undefined && c.owner === undefined)) return { kind: 'unreadable' };
  // A set without an entry beside owned ones (an AAAA next to an old-format entry, which claims every type but
  // AAAA) does not make the name someone else's: the owner is the one id its entries name.
  const ids = [...new Set(claims.flatMap((c) => (c?.owner ? [c.owner] : [])))];
  if (ids.length > 1) return { kind: 'mixed', ids };
  const id = ids[0];
  if (id === undefined) return { kind: 'none' };
  const colour = COLOURS.find((c) => live[c] === id);
  return colour ? { kind: 'live', colour, id } : { kind: 'other', id };
}

function formOf(sets: readonly RecordSet[]): Form {
  if (sets.every((s) => s.setIdentifier === undefined)) return 'simple';
  return sets.every((s) => s.weight !== undefined && s.routing === undefined) ? 'weighted' : 'routed';
}

function colourRecord(index: ZoneIndex | undefined, name: string, zoneId: string, owner: string, affixes: RegistryAffixes): ColourRecord | string {
  const sets = index?.traffic(name) ?? [];
  if (sets.length === 0) return `${name} does not exist`;
  const registry = index?.registry(affixes) as RegistryIndex;
  const claims = sets.map((s) => registry.claim(s));
  const owners = [...new Set(claims.map((c) => (c ? (c.owner ?? '(unreadable)') : '(none)')))];
  if (owners.length !== 1 || owners[0] !== owner) {
    return `${name} exists but is not owned by ${owner} (its cluster-scoped ExternalDNS): owner ${owners.join(', ')}`;
  }
  return { name, zoneId, sets, targets: targetsOf(sets), registry: claims.filter((c): c is RegistryEntry => c !== undefined) };
}

/** Where a name's traffic goes: per colour, the share of what targets that colour's own record or load balancers. */
export function trafficOf(sets: readonly RecordSet[], form: Form, colours: Readonly<Record<Colour, ColourRecord | undefined>>, ownNames: Readonly<Record<Colour, string>>): Traffic {
  const colourOf = (set: RecordSet): Colour | undefined => {
    const targets = targetsOf([set]);
    return COLOURS.find((c) => {
      const own = colours[c];
      if (targets.length === 1 && targets[0] === ownNames[c]) return true;
      return own !== undefined && targets.length > 0 && targets.every((t) => own.targets.includes(t));
    });
  };
  const shares = { blue: 0, green: 0, elsewhere: 0 };
  if (form !== 'weighted') {
    // Simple (or another policy): all of it goes where every set points, if they agree.
    const where = new Set(sets.map(colourOf));
    const only = where.size === 1 ? [...where][0] : undefined;
    shares[only ?? 'elsewhere'] = 100;
    return shares;
  }
  // Weighted: each type answers on its own; take the first type's sets (A before AAAA before CNAME).
  const type = [...new Set(sets.map((s) => s.type))].sort()[0];
  const group = sets.filter((s) => s.type === type);
  const total = group.reduce((n, s) => n + (s.weight ?? 0), 0);
  for (const s of group) {
    // Route53 splits equally when every weight is 0.
    const share = total === 0 ? 100 / group.length : ((s.weight ?? 0) * 100) / total;
    shares[colourOf(s) ?? 'elsewhere'] += share;
  }
  return { blue: round(shares.blue), green: round(shares.green), elsewhere: round(shares.elsewhere) };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The inventory of production (pure, linear): every name of every shared domain. */
export function takeInventory(layout: ProductionLayout, zones: ReadonlyMap<string, ZoneIndex>): Production {
  const excluded = new Set(layout.excluded.map(normName));
  const out: ProductionZone[] = [];
  for (const k of layout.kinds) {
    const shared = zones.get(k.zoneId);
    if (!shared) throw new Error(`inventory: zone ${k.zoneId} was not read`);
    const live = { blue: k.colours.blue.liveOwner, green: k.colours.green.liveOwner };
    const registry = shared.registry(k.liveAffixes);
    const names: ProductionName[] = [];
    for (const [name, all] of shared.byName) {
      if (!under(name, k.domain) || excluded.has(name)) continue;
      if (COLOURS.some((c) => under(name, k.colours[c].domain))) continue;
      const sets = all.filter((s) => TRAFFIC_TYPES.has(s.type));
      if (sets.length === 0) continue;
      names.push(productionName(k, name, sets, shared, zones, registry, live));
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push({ kind: k.kind, domain: k.domain, zoneId: k.zoneId, names });
  }
  return { zones: out, names: out.flatMap((z) => z.names) };
}

function productionName(k: KindLayout, name: string, sets: readonly RecordSet[], shared: ZoneIndex, zones: ReadonlyMap<string, ZoneIndex>, registry: RegistryIndex, live: Record<Colour, string>): ProductionName {
  const label = labelUnder(name, k.domain);
  const ownNames = { blue: withLabel(label, k.colours.blue.domain), green: withLabel(label, k.colours.green.domain) };
  const colours = {} as Record<Colour, ColourRecord | undefined>;
  const unserved = {} as Record<Colour, string | undefined>;
  for (const c of COLOURS) {
    const l = k.colours[c];
    const index = l.zoneId === k.zoneId ? shared : zones.get(l.zoneId);
    const found = colourRecord(index, ownNames[c], l.zoneId, l.clusterOwner, l.clusterAffixes ?? NO_AFFIXES);
    colours[c] = typeof found === 'string' ? undefined : found;
    unserved[c] = typeof found === 'string' ? found : undefined;
  }
  const claims = sets.map((s) => registry.claim(s));
  const owner = ownerOf(sets, claims, live);
  const form = formOf(sets);
  const weights =
    owner.kind === 'bascule'
      ? { blue: sets.find((s) => s.setIdentifier === 'blue')?.weight ?? 0, green: sets.find((s) => s.setIdentifier === 'green')?.weight ?? 0 }
      : undefined;
  return {
    name,
    kind: k.kind,
    zoneId: k.zoneId,
    types: [...new Set(sets.map((s) => s.type))].sort(),
    sets,
    registry: [...new Map(claims.filter((c): c is RegistryEntry => c !== undefined).map((c) => [`${c.set.name}\n${c.set.setIdentifier ?? ''}`, c])).values()],
    owner,
    form,
    weights,
    colours,
    unserved,
    traffic: trafficOf(sets, form, colours, ownNames),
    targets: targetsOf(sets),
    ttl: Math.max(...sets.map(effectiveTtl)),
  };
}

/** The share of a name's traffic on one colour, for messages: "green 100%", "blue 50% / green 50%". */
export function describeTraffic(t: Traffic): string {
  const parts = (['blue', 'green', 'elsewhere'] as const).filter((c) => t[c] > 0).map((c) => `${c} ${t[c]}%`);
  return parts.join(' / ') || 'nowhere';
}

/** The colour all of a name's traffic goes to, if one. */
export const trafficColour = (t: Traffic): Colour | undefined => (t.blue === 100 ? 'blue' : t.green === 100 ? 'green' : undefined);

export { normTarget };
