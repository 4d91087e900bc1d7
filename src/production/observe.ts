/**
 * Observing production: every zone of the layout listed once (all pages), in
 * parallel, then the one inventory. Commands read production only through
 * this, and judge it with the pure verdicts.
 */
import type { RecordSet } from './records.js';
import { indexZones, takeInventory, type Production, type ProductionLayout, type ZoneIndex } from './inventory.js';
import { layoutZones } from './layout.js';

export interface ZoneLister {
  /** Every record set of a hosted zone (all pages), names in normal form. */
  list(zoneId: string): Promise<RecordSet[]>;
}

export interface Observed extends Production {
  readonly layout: ProductionLayout;
  /** The zones read, indexed: a command may look up other names in them without listing again. */
  readonly indexes: ReadonlyMap<string, ZoneIndex>;
}

export async function observeProduction(route53: ZoneLister, layout: ProductionLayout, extraZones: readonly string[] = []): Promise<Observed> {
  const ids = [...new Set([...layoutZones(layout), ...extraZones])];
  const lists = await Promise.all(ids.map(async (id) => [id, await route53.list(id)] as const));
  const indexes = indexZones(new Map(lists));
  return { ...takeInventory(layout, indexes), layout, indexes };
}
