/**
 * The inventory of production records (pure): what the live ExternalDNS own
 * in the shared zones, and what becomes of each name when production moves.
 *
 * A production name is an A, AAAA or CNAME record under a shared domain
 * (devinfra.local, devinfra.fr), outside both clusters' sub-domains, other
 * than the switch's own API record. Its owner is what its registry TXT says
 * (both formats, the instance's --txt-prefix/--txt-suffix honoured):
 *
 *   moves      a live owner id, and the target colour serves the same name in
 *              its own sub-domain (hello.eks-green.devinfra.local, written by
 *              its cluster-scoped ExternalDNS from the same annotation): the
 *              target's live ExternalDNS takes it over; the post-check waits
 *              until it targets what that sub-domain record targets.
 *   orphan     a live owner id, but only the source colour serves it: nothing
 *              will update it (upsert-only never deletes); it keeps sending
 *              traffic to the source's load balancers.
 *   foreign    another owner id: not the live instances' business.
 *   hand-made  no registry entry: nobody's ExternalDNS touches it.
 */
import { under } from '../drain/targets.js';
import type { Colour } from '../platform/model.js';
import { NO_AFFIXES, registryLabels, registryTarget, type RegistryAffixes } from './registry.js';

export type ZoneKind = 'private' | 'public';

/** One Route53 record set, as the adapter reads it. */
export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl: number | undefined;
  /** Values (quoted for TXT), or the alias target's DNS name. */
  readonly values: readonly string[];
  readonly alias: boolean;
  readonly setIdentifier: string | undefined;
}

export interface InventoryZone {
  readonly kind: ZoneKind;
  readonly zoneId: string;
  /** The shared domain (devinfra.local). */
  readonly domain: string;
  /** Each colour's sub-domain of this kind (eks-blue.devinfra.local). */
  readonly clusterDomains: Readonly<Record<Colour, string>>;
  /** The live instances' owner ids (both colours'; one when they share it). */
  readonly liveOwners: readonly string[];
  /** Each colour's cluster-scoped owner id of this kind. */
  readonly clusterOwners: Readonly<Record<Colour, string>>;
  readonly affixes: RegistryAffixes;
  /** Names the switch itself writes (the API record), left out. */
  readonly excluded: readonly string[];
  readonly records: readonly RecordSet[];
  /** Record sets of the cluster sub-domains when they live in their own zones. */
  readonly clusterRecords: Readonly<Record<Colour, readonly RecordSet[]>>;
}

export type Verdict = 'moves' | 'orphan' | 'foreign' | 'hand-made';

export interface InventoryRow {
  readonly name: string;
  readonly kind: ZoneKind;
  readonly zoneId: string;
  readonly types: readonly string[];
  readonly owner: string | undefined;
  readonly verdict: Verdict;
  /** What the name targets now (alias DNS names or values), sorted. */
  readonly targets: readonly string[];
  /** What each colour's own record for it targets (its load balancers); empty: none. */
  readonly colours: Readonly<Record<Colour, readonly string[]>>;
}

const MANAGED = new Set(['A', 'AAAA', 'CNAME']);
/** A DNS name as bascule compares it: no surrounding spaces, no trailing dot, lower case. */
export const normName = (name: string) => name.trim().replace(/\.$/, '').toLowerCase();

function targetsOf(sets: readonly RecordSet[]): string[] {
  return [...new Set(sets.flatMap((s) => s.values.map(normName)))].sort();
}

/** Owner of each (name, type) by the registry entries among `records`; type '' for an old-format entry. */
function owners(records: readonly RecordSet[], affixes: RegistryAffixes): Map<string, string> {
  const found = new Map<string, string>();
  for (const r of records) {
    if (r.type !== 'TXT') continue;
    for (const value of r.values) {
      const labels = registryLabels(value);
      if (!labels?.owner) continue;
      const target = registryTarget(r.name, affixes);
      if (target) found.set(`${target.name}\n${target.type}`, labels.owner);
    }
  }
  return found;
}

function ownerOf(table: Map<string, string>, name: string, types: readonly string[]): string | undefined {
  for (const type of types) {
    const owner = table.get(`${name}\n${type}`);
    if (owner) return owner;
  }
  return table.get(`${name}\n`);
}

/** The record sets at `name` of the managed types. */
function managedAt(records: readonly RecordSet[], name: string): RecordSet[] {
  return records.filter((r) => normName(r.name) === name && MANAGED.has(r.type));
}

/** Classifies every production name of one zone, for a switch from `from` to `to`. */
export function inventoryZone(zone: InventoryZone, from: Colour, to: Colour): InventoryRow[] {
  const table = owners(zone.records, zone.affixes);
  const all = (colour: Colour) => [...zone.records, ...zone.clusterRecords[colour]];
  const clusterTable = { blue: owners(all('blue'), NO_AFFIXES), green: owners(all('green'), NO_AFFIXES) };
  const names = new Map<string, RecordSet[]>();
  for (const r of zone.records) {
    const name = normName(r.name);
    if (!MANAGED.has(r.type) || !under(name, zone.domain) || name === zone.domain) continue;
    if (under(name, zone.clusterDomains.blue) || under(name, zone.clusterDomains.green)) continue;
    if (zone.excluded.map(normName).includes(name)) continue;
    names.set(name, [...(names.get(name) ?? []), r]);
  }
  const rows: InventoryRow[] = [];
  for (const [name, sets] of [...names].sort(([a], [b]) => a.localeCompare(b))) {
    const types = sets.map((s) => s.type).sort();
    const owner = ownerOf(table, name, types);
    const label = name.slice(0, name.length - zone.domain.length - 1);
    const colours = {} as Record<Colour, string[]>;
    for (const colour of [from, to]) {
      const own = `${label}.${zone.clusterDomains[colour]}`;
      const served = managedAt(all(colour), own);
      // Only what that colour's cluster-scoped ExternalDNS wrote counts as that colour serving it.
      const by = ownerOf(clusterTable[colour], own, served.map((s) => s.type));
      colours[colour] = served.length > 0 && by === zone.clusterOwners[colour] ? targetsOf(served) : [];
    }
    let verdict: Verdict;
    if (owner === undefined) verdict = 'hand-made';
    else if (!zone.liveOwners.includes(owner)) verdict = 'foreign';
    else verdict = colours[to].length > 0 ? 'moves' : 'orphan';
    rows.push({ name, kind: zone.kind, zoneId: zone.zoneId, types, owner, verdict, targets: targetsOf(sets), colours });
  }
  return rows;
}

export interface Inventory {
  readonly from: Colour;
  readonly to: Colour;
  readonly rows: readonly InventoryRow[];
}

export function takeInventory(zones: readonly InventoryZone[], from: Colour, to: Colour): Inventory {
  return { from, to, rows: zones.flatMap((z) => inventoryZone(z, from, to)) };
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Where a moving name points now: 'to' once it targets what the target colour's own record targets. */
export function positionOf(row: InventoryRow, from: Colour, to: Colour): Colour | 'elsewhere' {
  if (row.colours[to].length > 0 && same(row.targets, row.colours[to])) return to;
  if (row.colours[from].length > 0 && same(row.targets, row.colours[from])) return from;
  return 'elsewhere';
}

/** The orphans not named by --allow-orphan; and names given that are not orphans. */
export function unallowedOrphans(inventory: Inventory, allowed: readonly string[]): { missing: string[]; unknown: string[] } {
  const orphans = inventory.rows.filter((r) => r.verdict === 'orphan').map((r) => r.name);
  const given = allowed.map(normName);
  return { missing: orphans.filter((n) => !given.includes(n)), unknown: given.filter((n) => !orphans.includes(n)) };
}

/** The inventory as a table (the plan prints it). */
export function formatInventory(inventory: Inventory): string {
  const { from, to } = inventory;
  if (inventory.rows.length === 0) return 'Production records: none under the shared domains (nothing for the live ExternalDNS to move)\n';
  const what: Record<Verdict, (r: InventoryRow) => string> = {
    moves: () => `moves to ${to}: ${to}'s live ExternalDNS takes it over, the post-check waits until it targets ${to}`,
    orphan: () => `served by ${from} only: stays on ${from}'s load balancers (needs --allow-orphan)`,
    foreign: (r) => `owned by ${r.owner}: left alone`,
    'hand-made': () => 'no ExternalDNS registry entry: left alone',
  };
  const header = ['NAME', 'TYPE', 'OWNER', 'VERDICT', 'WHAT HAPPENS'];
  const body = inventory.rows.map((r) => [r.name, r.types.join(','), r.owner ?? '-', r.verdict, what[r.verdict](r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd();
  return `Production records (${inventory.rows.length}):\n${[line(header), ...body.map(line)].join('\n')}\n`;
}

/** The inventory for scripts (--output json). */
export function inventoryJson(inventory: Inventory) {
  return inventory.rows.map((r) => ({ name: r.name, zoneId: r.zoneId, kind: r.kind, types: r.types, owner: r.owner ?? null, verdict: r.verdict, targets: r.targets, [inventory.from]: r.colours[inventory.from], [inventory.to]: r.colours[inventory.to] }));
}
