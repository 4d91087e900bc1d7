/**
 * Does production still name the colour? (pure) Over the one inventory of
 * production (src/production/inventory.ts): every name under the shared
 * domains, the apex included, whoever owns it.
 *
 * A production name *sends traffic* to the colour when some of its answers go
 * there: the inventory's traffic share for the colour, or a record set whose
 * target is one of the colour's own targets (its load balancers, what its
 * records point at) or a name under its sub-domains, even when the colour's
 * cluster-scoped ExternalDNS does not own its record (stale, hand-made). Any
 * TTL, any owner: while one does, the colour is not drained.
 *
 * A production name *names* the colour when it sends traffic there, when a
 * set targets the colour at weight 0 (Route53 answers it only when every
 * other weight of its group is 0 too), or when the colour serves it (its own
 * record exists, owned by its cluster-scoped ExternalDNS: before a switch,
 * production pointed there). Resolvers may still hold an answer of such a
 * name for its TTL, so the quiet window counts the longest TTL of them all.
 */
import type { Colour } from '../platform/model.js';
import type { Form, Owner, Production, ProductionName } from '../production/inventory.js';
import { under } from '../production/names.js';
import { targetsOf, type RecordSet } from '../production/records.js';

export interface NamingName {
  readonly name: string;
  readonly zoneId: string;
  readonly types: readonly string[];
  readonly form: Form;
  readonly owner: Owner;
  /** What it points at now, sorted. */
  readonly targets: readonly string[];
  readonly ttl: number;
  /** The percentage of its answers that go to the colour (simple and routed names: 100 when any set does). */
  readonly share: number;
  /** Some of its answers go to the colour. */
  readonly sends: boolean;
  /** The colour serves it (its own record, owned by its cluster-scoped ExternalDNS). */
  readonly served: boolean;
}

export interface ProductionView {
  /** The shared domains read (devinfra.local, devinfra.fr); empty when production was not read. */
  readonly domains: readonly string[];
  /** Why production, or part of it, was not read (no zone id, ExternalDNS disabled). */
  readonly notRead: readonly string[];
  /** How many production names were read. */
  readonly read: number;
  /** The production names that name the colour, sorted by name. */
  readonly names: readonly NamingName[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The share of a name's answers given by the sets that `hit` (weighted: per type, the largest). */
export function shareOf(n: Pick<ProductionName, 'form' | 'sets' | 'types'>, hit: (s: RecordSet) => boolean): number {
  if (n.form !== 'weighted') return n.sets.some(hit) ? 100 : 0;
  let best = 0;
  for (const type of n.types) {
    const group = n.sets.filter((s) => s.type === type);
    const total = group.reduce((sum, s) => sum + (s.weight ?? 0), 0);
    // Route53 splits equally when every weight of the group is 0.
    const share = group.filter(hit).reduce((sum, s) => sum + (total === 0 ? 100 / group.length : ((s.weight ?? 0) * 100) / total), 0);
    best = Math.max(best, round(share));
  }
  return best;
}

export function productionView(
  production: Production,
  input: {
    readonly colour: Colour;
    /** The colour's sub-domains (eks-blue.devinfra.local, eks-blue.devinfra.fr), normal form. */
    readonly domains: readonly string[];
    /** What the colour's own records point at (ColourTargets.targets). */
    readonly targets: readonly string[];
    readonly notRead: readonly string[];
  },
): ProductionView {
  const names: NamingName[] = [];
  for (const n of production.names) {
    const own = new Set([...input.targets, ...(n.colours[input.colour]?.targets ?? [])]);
    const hit = (s: RecordSet) => targetsOf([s]).some((t) => own.has(t) || input.domains.some((d) => under(t, d)));
    const share = Math.max(n.traffic[input.colour], shareOf(n, hit));
    const served = n.colours[input.colour] !== undefined;
    if (share === 0 && !served && !n.sets.some(hit)) continue;
    names.push({ name: n.name, zoneId: n.zoneId, types: n.types, form: n.form, owner: n.owner, targets: n.targets, ttl: n.ttl, share, sends: share > 0, served });
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { domains: production.zones.map((z) => z.domain), notRead: input.notRead, read: production.names.length, names };
}

/** The names that still send traffic to the colour. */
export const sending = (view: ProductionView): readonly NamingName[] => view.names.filter((n) => n.sends);

/** The longest TTL among the names that name the colour, and the first name with it. */
export function longestTtl(view: ProductionView): { seconds: number; name: string | undefined } {
  let best: { seconds: number; name: string | undefined } = { seconds: 0, name: undefined };
  for (const n of view.names) if (n.ttl > best.seconds) best = { seconds: n.ttl, name: n.name };
  return best;
}
