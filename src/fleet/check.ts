/**
 * `bascule fleet check`'s rules (pure): what two platforms of one fleet must
 * never share, each problem naming both files and the field.
 *
 *   load                 every platform file loads
 *   name                 a platform name is unique per account (journals and locks are keyed by both)
 *   owner-id             no two platforms' ExternalDNS share a TXT owner id in one zone (they would fight over every record)
 *   domain-filter        no ExternalDNS domain filter of one platform captures another's names
 *   cluster-name-record  no two platforms share the TXT record naming their live cluster
 *
 * Two names are in one zone when both zone ids are set and equal (zone ids
 * are unique across Route53); when one is not set, when both platforms are of
 * one account (they may be).
 */
import { instanceDomain } from '../platform/external-dns.js';
import type { Colour, Platform } from '../platform/model.js';
import { COLOURS, EXTERNAL_DNS_INSTANCES, type ExternalDnsInstance } from '../platform/schema.js';
import { normName } from '../production/names.js';
import type { Member } from '../platform/fleet-members.js';

export type ProblemKind = 'load' | 'name' | 'owner-id' | 'domain-filter' | 'cluster-name-record';

export interface FleetProblem {
  readonly kind: ProblemKind;
  /** The files at fault (two for a clash). */
  readonly files: readonly string[];
  /** The field of each file, in the same order. */
  readonly fields: readonly string[];
  readonly message: string;
}

interface Scoped {
  readonly file: string;
  readonly account: string;
  readonly zoneId: string | undefined;
}

/** Where a value lives: "zone Z1", or why two are taken as one zone. */
function sameZone(a: Scoped, b: Scoped): string | undefined {
  if (a.zoneId && b.zoneId) return a.zoneId === b.zoneId ? `zone ${a.zoneId}` : undefined;
  return a.account === b.account ? `account ${a.account}, ${a.zoneId || b.zoneId ? 'one of them without a zone id' : 'no zone id set'}` : undefined;
}

const within = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);

interface Named extends Scoped {
  readonly field: string;
  readonly name: string;
}

/** Every DNS name a platform owns: its domains and bascule's records. */
function namesOf(file: string, p: Platform): Named[] {
  const at = (field: string, name: string, zoneId: string | undefined): Named => ({ file, account: p.aws.accountId, field, name: normName(name), zoneId });
  const names = [
    at('domains.private.name', p.domains.private.name, p.domains.private.zoneId),
    at('domains.public.name', p.domains.public.name, p.domains.public.zoneId),
    at('api.record', p.api.record, p.api.zoneId),
    at('clusterNameRecord.name', p.clusterNameRecord.name, p.clusterNameRecord.zoneId),
  ];
  for (const c of COLOURS) {
    for (const kind of ['private', 'public'] as const) {
      const d = p.clusters[c].domains[kind];
      names.push(at(`clusters.${c}.domains.${kind}.name`, d.name, d.zoneId ?? p.domains[kind].zoneId));
    }
    names.push(at(`clusters.${c}.apiRecord`, p.clusters[c].apiRecord, undefined));
  }
  return names;
}

interface Instance extends Named {
  readonly ownerId: string;
  readonly ownerField: string;
  readonly label: string;
}

/** Every ExternalDNS a platform runs: its domain filter, owner id and zone. */
function instancesOf(file: string, p: Platform): Instance[] {
  if (!p.externalDns.enabled) return [];
  return COLOURS.flatMap((c: Colour) =>
    EXTERNAL_DNS_INSTANCES.map((i: ExternalDnsInstance): Instance => {
      const live = i === 'livePrivate' || i === 'livePublic';
      const kind = i === 'private' || i === 'livePrivate' ? 'private' : 'public';
      const d = instanceDomain(p, c, i);
      return {
        file,
        account: p.aws.accountId,
        field: live ? `domains.${kind}.name` : `clusters.${c}.domains.${kind}.name`,
        name: normName(d.name),
        zoneId: d.zoneId ?? p.domains[kind].zoneId,
        ownerId: p.clusters[c].externalDns[i].ownerId,
        ownerField: `clusters.${c}.externalDns.${i}.ownerId`,
        label: `${c}'s ${live ? 'live ' : ''}${kind} ExternalDNS`,
      };
    }),
  );
}

type Loaded = { readonly file: string; readonly platform: Platform };

function nameClashes(all: readonly Loaded[]): FleetProblem[] {
  const problems: FleetProblem[] = [];
  all.forEach((a, i) => {
    for (const b of all.slice(i + 1)) {
      if (a.platform.name !== b.platform.name || a.platform.aws.accountId !== b.platform.aws.accountId) continue;
      problems.push({
        kind: 'name',
        files: [a.file, b.file],
        fields: ['name', 'name'],
        message: `${a.file} name and ${b.file} name: both are platform ${a.platform.name} of account ${a.platform.aws.accountId} (their journals and cut-over locks would be one): give each its own name`,
      });
    }
  });
  return problems;
}

function ownerClashes(all: readonly Loaded[]): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const seen = new Set<string>();
  const instances = all.map((m) => instancesOf(m.file, m.platform));
  instances.forEach((mine, i) => {
    for (const theirs of instances.slice(i + 1)) {
      for (const a of mine) {
        for (const b of theirs) {
          const zone = a.ownerId === b.ownerId ? sameZone(a, b) : undefined;
          const key = `${a.file}\n${b.file}\n${a.ownerId}`;
          if (!zone || seen.has(key)) continue;
          seen.add(key);
          problems.push({
            kind: 'owner-id',
            files: [a.file, b.file],
            fields: [a.ownerField, b.ownerField],
            message: `${a.file} ${a.ownerField} and ${b.file} ${b.ownerField}: both are ${a.ownerId} (${zone}): ${a.label} and ${b.label} would fight over every record the id owns; give each platform its own owner ids`,
          });
        }
      }
    }
  });
  return problems;
}

function filterClashes(all: readonly Loaded[]): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const seen = new Set<string>();
  for (const a of all) {
    for (const filter of instancesOf(a.file, a.platform)) {
      for (const b of all) {
        if (b === a) continue;
        const captured = namesOf(b.file, b.platform).filter((n) => within(n.name, filter.name) && sameZone(filter, n));
        if (captured.length === 0) continue;
        const key = `${a.file}\n${filter.field}\n${b.file}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const zone = sameZone(filter, captured[0] as Named) as string;
        problems.push({
          kind: 'domain-filter',
          files: [a.file, b.file],
          fields: [filter.field, (captured[0] as Named).field],
          message: `${a.file} ${filter.field}: the domain filter ${filter.name} (${filter.label}, ${zone}) captures ${b.file}'s ${captured.map((n) => `${n.field} (${n.name})`).join(', ')}: give each platform domains of its own`,
        });
      }
    }
  }
  return problems;
}

function recordClashes(all: readonly Loaded[]): FleetProblem[] {
  const problems: FleetProblem[] = [];
  all.forEach((a, i) => {
    for (const b of all.slice(i + 1)) {
      const [x, y] = [a, b].map((m): Scoped & { name: string } => ({ file: m.file, account: m.platform.aws.accountId, zoneId: m.platform.clusterNameRecord.zoneId, name: normName(m.platform.clusterNameRecord.name) })) as [Scoped & { name: string }, Scoped & { name: string }];
      const zone = x.name === y.name ? sameZone(x, y) : undefined;
      if (!zone) continue;
      problems.push({
        kind: 'cluster-name-record',
        files: [a.file, b.file],
        fields: ['clusterNameRecord.name', 'clusterNameRecord.name'],
        message: `${a.file} clusterNameRecord.name and ${b.file} clusterNameRecord.name: both are ${x.name} (${zone}): one TXT record cannot name two live clusters (and the cut-over lock sits beside it); give each platform its own`,
      });
    }
  });
  return problems;
}

/** Every problem of a loaded fleet, in a stable order: loads, names, owner ids, domain filters, cluster-name records. */
export function checkFleet(members: readonly Member[]): FleetProblem[] {
  const loads = members.flatMap((m): FleetProblem[] =>
    'error' in m ? [{ kind: 'load', files: [m.entry.file], fields: ['(file)'], message: m.error.message }] : [],
  );
  const all = members.flatMap((m) => ('platform' in m ? [{ file: m.entry.file, platform: m.platform }] : []));
  return [...loads, ...nameClashes(all), ...ownerClashes(all), ...filterClashes(all), ...recordClashes(all)];
}
