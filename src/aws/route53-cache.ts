/**
 * Route53 read once per run: a port whose zone listings are shared by every
 * platform that reads the zone (`status --fleet`: platforms of one account
 * often share their zones), and whose lookups at one name are answered from
 * the zone's listing. A run over N platforms then costs one listing (its
 * pages) per zone, not one per platform, nor one request per record or name.
 *
 * For commands that only read: a listing here is as old as the run; a
 * command that writes reads Route53 itself (src/aws/route53.ts). A failed
 * listing is the answer for the whole run (every platform reading the zone
 * reports it), as a second try would spend the same budget again.
 */
import { normName } from '../production/names.js';
import type { RecordSet } from '../production/records.js';
import type { Route53Port } from './route53.js';

export interface SharedRoute53 extends Route53Port {
  /** How many zones were listed (each once). */
  readonly zonesListed: () => number;
}

/** `port` with its listings shared; destroy() is the owner's (the port underneath is destroyed by whoever made it). */
export function sharedListings(port: Route53Port): SharedRoute53 {
  const zones = new Map<string, Promise<RecordSet[]>>();
  const list = (zoneId: string): Promise<RecordSet[]> => {
    let listing = zones.get(zoneId);
    if (!listing) {
      listing = port.list(zoneId);
      // Every reader awaits it; one that gave up (its bound) must not leave it unhandled.
      listing.catch(() => undefined);
      zones.set(zoneId, listing);
    }
    return listing;
  };
  return {
    zone: (zoneId) => port.zone(zoneId),
    list,
    async at(zoneId, name, type) {
      const want = normName(name);
      return (await list(zoneId)).filter((s) => s.name === want && (type === undefined || s.type === type));
    },
    change: () => Promise.reject(new Error('internal: a shared Route53 listing port does not write')),
    changeStatus: (changeId) => port.changeStatus(changeId),
    requests: () => port.requests(),
    zonesListed: () => zones.size,
    destroy: () => undefined,
  };
}
