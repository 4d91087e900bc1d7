/**
 * What Route53 says production is, for the tests' assertions (pure): every
 * A, AAAA or CNAME name under the shared domains, outside the colours'
 * sub-domains and bascule's own records, with its form (simple or weighted),
 * targets, weights, the share of traffic each colour gets, its TTL and its
 * ExternalDNS registry owner (v0.18+ `<type>-<name>` entries first, then the
 * old same-name one). Names in the decoded form people read (`*.devinfra.local`,
 * `café.devinfra.local`); targets without the final dot, `dualstack.` or case.
 *
 * It reads record sets as Route53 lists them and says nothing about what
 * bascule concludes: the tests compare bascule's `status` with it.
 */
import { decodeName } from './route53-names.mjs';

export type Colour = 'blue' | 'green';
export const COLOURS: readonly Colour[] = ['blue', 'green'];

export interface RecordSet {
  Name?: string | undefined;
  Type?: string | undefined;
  SetIdentifier?: string | undefined;
  Weight?: number | undefined;
  TTL?: number | undefined;
  ResourceRecords?: { Value?: string | undefined }[] | undefined;
  AliasTarget?: { DNSName?: string | undefined } | undefined;
}

export interface Layout {
  /** The shared (production) domains: devinfra.local, devinfra.fr. */
  domains: string[];
  /** Each colour's sub-domains: eks-blue.devinfra.local, eks-blue.devinfra.fr. */
  subdomains: Record<Colour, string[]>;
  /** Each colour's load balancers' DNS names. */
  loadBalancers: Record<Colour, string[]>;
  /** bascule's own names (the API record, the cluster-name TXT): never production. */
  own: string[];
}

export interface NameView {
  /** Decoded: `hello.devinfra.local`, `*.devinfra.local`, `café.devinfra.local`, `devinfra.local` (the apex). */
  name: string;
  /** As Route53 lists it: `\052.devinfra.local.`. */
  listed: string;
  form: 'simple' | 'weighted';
  /** The record types at the name: ['A', 'AAAA'], ['CNAME']. */
  types: string[];
  /** Every target (alias DNS names, CNAME or A values) of every set. */
  targets: string[];
  /** Weighted: set identifier -> weight; simple: {}. */
  weights: Record<string, number>;
  /** Weighted: set identifier -> its targets. */
  setTargets: Record<string, string[]>;
  /** The share (0..100) of the name's traffic each colour's load balancers (or sub-domain names) get; `other` for the rest. */
  traffic: Partial<Record<Colour | 'other', number>>;
  /** The smallest TTL (an alias: undefined). */
  ttl: number | undefined;
  /** The registry owner (new-format entry of A, CNAME, AAAA first, then the old same-name one); undefined: hand-made. */
  owner: string | undefined;
  /** Every owner the name's registry entries name. */
  owners: string[];
}

const bare = (name: string) => decodeName(name).replace(/^dualstack\./, '');
const under = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);
const ownerOf = (value: string | undefined) => /external-dns\/owner=([^,"]+)/.exec(value ?? '')?.[1];

/** Which colour a target belongs to: one of its load balancers, or a name under its sub-domains. */
export function colourOfTarget(layout: Layout, target: string): Colour | 'other' {
  const t = bare(target);
  for (const c of COLOURS) {
    if (layout.loadBalancers[c].some((lb) => bare(lb) === t)) return c;
    if (layout.subdomains[c].some((d) => under(t, d))) return c;
  }
  return 'other';
}

/** The registry entry names of `name` (decoded) for a record type: `a-hello.devinfra.local`, `a-devinfra.local` at an apex. */
const registryName = (type: string, name: string) => {
  const [first, ...rest] = name.split('.');
  return [`${type.toLowerCase()}-${first}`, ...rest].join('.');
};

/** Traffic shares of sets: simple -> its colours split evenly; weighted -> by weight (all 0: evenly, as Route53 does). */
function shares(layout: Layout, sets: RecordSet[]): NameView['traffic'] {
  const weighted = sets.some((s) => s.SetIdentifier !== undefined);
  const groups = new Map<string, { weight: number; targets: string[] }>();
  for (const s of sets) {
    const key = s.SetIdentifier ?? '';
    const group = groups.get(key) ?? { weight: weighted ? (s.Weight ?? 0) : 1, targets: [] };
    group.targets.push(...targetsOf(s));
    groups.set(key, group);
  }
  const total = [...groups.values()].reduce((n, g) => n + g.weight, 0);
  const out: NameView['traffic'] = {};
  for (const g of groups.values()) {
    const share = total === 0 ? 100 / groups.size : (100 * g.weight) / total;
    const colours = [...new Set(g.targets.map((t) => colourOfTarget(layout, t)))];
    for (const c of colours) out[c] = (out[c] ?? 0) + share / colours.length;
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v > 0));
}

function targetsOf(s: RecordSet): string[] {
  if (s.AliasTarget?.DNSName) return [bare(s.AliasTarget.DNSName)];
  return (s.ResourceRecords ?? []).map((r) => (s.Type === 'TXT' ? (r.Value ?? '') : bare(r.Value ?? '')));
}

/**
 * The names under `domains` (A, AAAA, CNAME), leaving out those under `excluded` and bascule's own, as views.
 * @param sets every record set of the zones concerned, as listed
 */
export function namesUnder(layout: Layout, sets: RecordSet[], domains: string[], excluded: string[] = []): Record<string, NameView> {
  const txtByName = new Map<string, string[]>();
  for (const s of sets) if (s.Type === 'TXT') txtByName.set(decodeName(s.Name ?? ''), (s.ResourceRecords ?? []).map((r) => r.Value ?? ''));
  const byName = new Map<string, RecordSet[]>();
  for (const s of sets) {
    if (!['A', 'AAAA', 'CNAME'].includes(s.Type ?? '')) continue;
    const name = decodeName(s.Name ?? '');
    if (!domains.some((d) => under(name, d)) || excluded.some((d) => under(name, d)) || layout.own.includes(name)) continue;
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const out: Record<string, NameView> = {};
  for (const [name, group] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const types = [...new Set(group.map((s) => s.Type as string))].sort();
    const entries = [...['A', 'CNAME', 'AAAA'].filter((t) => types.includes(t)).map((t) => registryName(t, name)), ...(types.includes('A') ? [registryName('CNAME', name)] : []), name];
    const owners = [...new Set(entries.flatMap((e) => (txtByName.get(e) ?? []).map(ownerOf).filter((o): o is string => o !== undefined)))];
    const weighted = group.some((s) => s.SetIdentifier !== undefined);
    const ttls = group.flatMap((s) => (s.TTL === undefined || s.AliasTarget ? [] : [s.TTL]));
    out[name] = {
      name,
      listed: group[0]?.Name as string,
      form: weighted ? 'weighted' : 'simple',
      types,
      targets: [...new Set(group.flatMap(targetsOf))].sort(),
      weights: weighted ? Object.fromEntries(group.map((s) => [s.SetIdentifier as string, s.Weight ?? 0])) : {},
      setTargets: weighted ? Object.fromEntries(group.map((s) => [s.SetIdentifier as string, targetsOf(s)])) : {},
      traffic: shares(layout, group),
      ttl: ttls.length ? Math.min(...ttls) : undefined,
      owner: owners[0],
      owners,
    };
  }
  return out;
}

/** Production: the names under the shared domains, outside both colours' sub-domains and bascule's own records. */
export const productionView = (layout: Layout, sets: RecordSet[]) => namesUnder(layout, sets, layout.domains, [...layout.subdomains.blue, ...layout.subdomains.green]);

/** A colour's own names (what its cluster-scoped ExternalDNS writes under its sub-domains). */
export const colourView = (layout: Layout, sets: RecordSet[], colour: Colour) => namesUnder(layout, sets, layout.subdomains[colour]);
