/**
 * bascule's own records (the API CNAME, the cluster-name TXT) and change
 * batches: the hosted zones checked, one batch per zone waited INSYNC, the
 * API and TXT records read and repointed. Shared by both cut-overs.
 */
import type { HostedZone } from '../../aws/route53.js';
import { BasculeError } from '../../errors.js';
import type { Colour } from '../../platform/model.js';
import { under } from '../../production/names.js';
import { byZone, sameSet, type Change, type RecordSet } from '../../production/records.js';
import { txtValuesFor, type CutoverSpec, type RecordSpec } from '../spec.js';
import type { ActionPorts } from './ports.js';
import { problemOf, waitUntil } from './wait.js';

/** Submits the changes, one batch per zone (each applied whole), and waits until each is INSYNC. */
export async function applyBatches(spec: Pick<CutoverSpec, 'waits'>, ports: ActionPorts, changes: readonly { zoneId: string; change: Change }[], comment: string): Promise<void> {
  const ids: string[] = [];
  for (const [zoneId, list] of byZone(changes)) {
    const batch = list.map((c) => c.change);
    const id = await ports.route53.change(zoneId, batch, comment);
    ids.push(id);
    ports.emit({ kind: 'batch', zoneId, changeId: id, changes: batch });
  }
  await waitUntil(ports, { ...spec.waits, step: 'Route53' }, async () => {
    const pending: string[] = [];
    for (const id of ids) {
      const status = await ports.route53.changeStatus(id);
      if (status !== 'INSYNC') pending.push(`${id} ${status}`);
    }
    return { done: pending.length === 0, state: `Route53 change ${pending.join(', ')}` };
  });
  ports.emit({ kind: 'insync' });
}

/** Every zone the cut-over touches exists, holds its record, and (private) is seen by both colours' VPCs. */
export async function checkZones(spec: CutoverSpec, ports: ActionPorts, problems: string[]): Promise<void> {
  const records: [string, RecordSpec][] = [
    ['api.zoneId', spec.apiRecord],
    ['clusterNameRecord.zoneId', spec.txtRecord],
    ...spec.production.map((z): [string, RecordSpec] => [`domains.${z.kind}.zoneId`, { name: z.domain, zoneId: z.zoneId, ttl: 0 }]),
  ];
  const seen = new Map<string, HostedZone | undefined | null>();
  for (const [key, record] of records) {
    if (!seen.has(record.zoneId)) {
      try {
        const zone = await ports.route53.zone(record.zoneId);
        seen.set(record.zoneId, zone);
        // A private zone answers only inside its VPCs: once the old colour is stopped, the new one must still see it.
        for (const colour of [spec.from, spec.to]) {
          const vpc = spec.vpcs[colour];
          if (!zone?.private) continue;
          if (vpc === undefined) problems.push(`the hosted zone ${record.zoneId} (${zone.name}) is private, and clusters.${colour}.vpcId is not set: bascule cannot check that ${colour}'s VPC sees it; set it`);
          else if (!zone.vpcs.includes(vpc)) {
            problems.push(`the private hosted zone ${record.zoneId} (${zone.name}) is not associated with ${colour}'s VPC ${vpc}: ${colour} would not resolve it (aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${record.zoneId} --vpc VPCRegion=...,VPCId=${vpc})`);
          }
        }
      } catch (error) {
        problems.push(problemOf(error));
        seen.set(record.zoneId, null);
      }
    }
    const zone = seen.get(record.zoneId);
    if (zone === undefined) problems.push(`the Route53 hosted zone ${record.zoneId} (${key}) does not exist`);
    else if (zone !== null && !under(record.name, zone.name)) problems.push(`${record.name} is not in the hosted zone ${record.zoneId} (${zone.name}) that ${key} names`);
    else if (zone !== null && key === 'api.zoneId' && record.name === zone.name) {
      problems.push(`${record.name} is the apex of the hosted zone ${record.zoneId}: Route53 refuses a CNAME there; give api.record a name below it (api.${zone.name})`);
    }
  }
}

/** A simple record as a switch journal keeps it: values and TTL. */
export interface RecordValue {
  readonly values: readonly string[];
  readonly ttl: number;
}

/**
 * The simple record at a name and type, or null; refuses a weighted, routed or
 * alias record there (the cut-over writes one simple record), and reports
 * other types beside a CNAME (Route53 refuses a CNAME beside them).
 */
export async function simpleRecord(ports: ActionPorts, record: RecordSpec, type: 'CNAME' | 'TXT'): Promise<RecordValue | null> {
  const sets = await ports.route53.at(record.zoneId, record.name, type);
  if (sets.some((s) => s.setIdentifier !== undefined || s.alias !== undefined)) {
    throw new BasculeError('aws', `Route53 zone ${record.zoneId} holds a weighted, routed or alias ${type} record at ${record.name}; the cut-over writes one simple record there`, {
      hint: 'replace it by a simple record (one value) or remove it, then retry',
    });
  }
  const set = sets[0];
  return set ? { values: [...(set.values ?? [])], ttl: set.ttl ?? 0 } : null;
}

const setOf = (record: RecordSpec, type: 'CNAME' | 'TXT', value: RecordValue): RecordSet => ({ name: record.name, type, ttl: value.ttl, values: [...value.values] });

/** The API and TXT records naming a colour: what a cut-over writes (UPSERT). */
export function repointChanges(spec: CutoverSpec, colour: Colour): { zoneId: string; change: Change }[] {
  const c = spec.clusters[colour];
  return [
    { zoneId: spec.apiRecord.zoneId, change: { action: 'UPSERT', set: setOf(spec.apiRecord, 'CNAME', { values: [c.endpointHost], ttl: spec.apiRecord.ttl }) } },
    { zoneId: spec.txtRecord.zoneId, change: { action: 'UPSERT', set: setOf(spec.txtRecord, 'TXT', { values: txtValuesFor(c.clusterName), ttl: spec.txtRecord.ttl }) } },
  ];
}

/** The API and TXT records back to what they were (UPSERT of a value, DELETE of what was written where there was none). */
export async function restoreChanges(spec: CutoverSpec, ports: ActionPorts, before: { api: RecordValue | null; txt: RecordValue | null }): Promise<{ zoneId: string; change: Change }[]> {
  const out: { zoneId: string; change: Change }[] = [];
  for (const [record, type, value] of [
    [spec.apiRecord, 'CNAME', before.api],
    [spec.txtRecord, 'TXT', before.txt],
  ] as const) {
    if (value) out.push({ zoneId: record.zoneId, change: { action: 'UPSERT', set: setOf(record, type, value) } });
    else {
      const now = await simpleRecord(ports, record, type);
      if (now) out.push({ zoneId: record.zoneId, change: { action: 'DELETE', set: setOf(record, type, now) } });
    }
  }
  return out;
}

/** After a batch: Route53 holds what was written (someone else writing the record is named). */
export async function readBack(ports: ActionPorts, changes: readonly { zoneId: string; change: Change }[]): Promise<void> {
  for (const { zoneId, change } of changes) {
    const now = (await ports.route53.at(zoneId, change.set.name, change.set.type)).find((s) => s.setIdentifier === change.set.setIdentifier);
    const ok = change.action === 'DELETE' ? now === undefined : now !== undefined && sameSet(now, change.set);
    if (!ok) {
      throw new BasculeError('check', `after the change, Route53 holds ${now ? (now.values ?? []).join(' ') || now.alias?.dnsName : 'nothing'} at ${change.set.name} ${change.set.type}, not what was written`, {
        hint: 'someone or something else may be writing this record (another cut-over, ExternalDNS); look at the zone',
      });
    }
  }
}
