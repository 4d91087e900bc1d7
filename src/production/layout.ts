/**
 * Where production lives, from the platform (pure): the shared domains and
 * their zones, each colour's sub-domains and zones, the owner ids of the
 * cluster-scoped and live ExternalDNS, and bascule's own records.
 */
import type { Colour, Platform } from '../platform/model.js';
import { normName } from './names.js';
import type { KindLayout, ProductionLayout, ZoneKind } from './inventory.js';
import { NO_AFFIXES, type RegistryAffixes } from './registry.js';

export const ZONE_KINDS: readonly ZoneKind[] = ['private', 'public'];

/** The lock record of a platform: beside the record naming the live cluster. */
export const lockRecordName = (clusterNameRecord: string): string => `_bascule-lock.${normName(clusterNameRecord)}`;

/** The zone ids production needs that the platform file does not set, as `key (what)`. */
export function missingProductionZones(platform: Platform): string[] {
  if (!platform.externalDns.enabled) return [];
  return ZONE_KINDS.filter((k) => !platform.domains[k].zoneId).map((k) => `domains.${k}.zoneId (the zone of ${platform.domains[k].name}, where the live ExternalDNS write production records)`);
}

/**
 * The layout of a platform's production. The registry affixes default to none
 * (what `bascule manifests` generates); a command that read the live
 * Deployments passes theirs.
 */
export function productionLayout(platform: Platform, affixes: Partial<Record<ZoneKind, { live?: RegistryAffixes; cluster?: Readonly<Record<Colour, RegistryAffixes>> }>> = {}): ProductionLayout {
  const kinds: KindLayout[] = [];
  if (platform.externalDns.enabled) {
    for (const kind of ZONE_KINDS) {
      const shared = platform.domains[kind];
      if (!shared.zoneId) continue;
      const live = kind === 'private' ? 'livePrivate' : 'livePublic';
      const colour = (c: Colour) => {
        const d = platform.clusters[c].domains[kind];
        return {
          domain: normName(d.name),
          zoneId: d.zoneId ?? (shared.zoneId as string),
          clusterOwner: platform.clusters[c].externalDns[kind].ownerId,
          clusterAffixes: affixes[kind]?.cluster?.[c] ?? NO_AFFIXES,
          liveOwner: platform.clusters[c].externalDns[live].ownerId,
        };
      };
      kinds.push({ kind, domain: normName(shared.name), zoneId: shared.zoneId, liveAffixes: affixes[kind]?.live ?? NO_AFFIXES, colours: { blue: colour('blue'), green: colour('green') } });
    }
  }
  return { kinds, excluded: [platform.api.record, platform.clusterNameRecord.name, lockRecordName(platform.clusterNameRecord.name)].map(normName) };
}

/** Every zone the inventory reads, once each. */
export function layoutZones(layout: ProductionLayout): string[] {
  return [...new Set(layout.kinds.flatMap((k) => [k.zoneId, k.colours.blue.zoneId, k.colours.green.zoneId]))];
}

/** The layout with the live instances' registry affixes as read from their Deployments (per zone kind). */
export function withLiveAffixes(layout: ProductionLayout, affixes: Partial<Record<ZoneKind, RegistryAffixes>>): ProductionLayout {
  return { ...layout, kinds: layout.kinds.map((k) => ({ ...k, liveAffixes: affixes[k.kind] ?? k.liveAffixes })) };
}
