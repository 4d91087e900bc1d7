/**
 * An in-memory Route53 behind the one Route53 port (src/aws/route53.ts), for
 * unit tests: zones of record sets, change batches applied whole or not at
 * all with Route53's refusals (CREATE of a set that exists, DELETE of a set
 * that is not there or whose data differ: InvalidChangeBatch), every call
 * recorded.
 */
import type { HostedZone, Route53Port } from '../../src/aws/route53.js';
import { normName } from '../../src/production/names.js';
import { sameSet, setKey, type Change, type RecordSet } from '../../src/production/records.js';

export interface MemoryRoute53 extends Route53Port {
  readonly zones: Map<string, { zone: HostedZone; sets: Map<string, RecordSet> }>;
  readonly calls: string[];
  put(zoneId: string, ...sets: RecordSet[]): void;
  sets(zoneId: string): RecordSet[];
}

class InvalidChangeBatch extends Error {
  override readonly name = 'InvalidChangeBatch';
}

export function memoryRoute53(zones: readonly { id: string; name: string; private?: boolean; vpcs?: string[] }[]): MemoryRoute53 {
  const store = new Map(zones.map((z) => [z.id, { zone: { id: z.id, name: normName(z.name), private: z.private ?? false, vpcs: z.vpcs ?? [] }, sets: new Map<string, RecordSet>() }]));
  const calls: string[] = [];
  let requests = 0;
  let changes = 0;
  const of = (zoneId: string) => {
    const z = store.get(zoneId);
    if (!z) throw Object.assign(new Error(`No hosted zone found with ID: ${zoneId}`), { name: 'NoSuchHostedZone' });
    return z;
  };
  const sorted = (zoneId: string) => [...of(zoneId).sets.values()].sort((a, b) => setKey(a).localeCompare(setKey(b)));
  return {
    zones: store,
    calls,
    put(zoneId, ...sets) {
      for (const s of sets) of(zoneId).sets.set(setKey(s), s);
    },
    sets: (zoneId) => sorted(zoneId),
    async zone(zoneId) {
      requests++;
      calls.push(`zone ${zoneId}`);
      return store.get(zoneId)?.zone;
    },
    async list(zoneId) {
      requests++;
      calls.push(`list ${zoneId}`);
      return sorted(zoneId);
    },
    async at(zoneId, name, type) {
      requests++;
      calls.push(`at ${zoneId} ${name}${type ? ` ${type}` : ''}`);
      return sorted(zoneId).filter((s) => s.name === normName(name) && (type === undefined || s.type === type));
    },
    async change(zoneId, batch: readonly Change[], _comment, options = {}) {
      requests++;
      calls.push(`change ${zoneId} ${batch.map((c) => `${c.action} ${c.set.name} ${c.set.type}${c.set.setIdentifier !== undefined ? ` [${c.set.setIdentifier}]` : ''}`).join('; ')}`);
      const next = new Map(of(zoneId).sets);
      try {
        for (const c of batch) {
          const k = setKey(c.set);
          const held = next.get(k);
          if (c.action === 'CREATE' && held) throw new InvalidChangeBatch(`Tried to create resource record set ${k} but it already exists`);
          if (c.action === 'DELETE' && (!held || !sameSet(held, c.set))) throw new InvalidChangeBatch(`Tried to delete resource record set ${k} but ${held ? 'the values provided do not match the current values' : 'it was not found'}`);
          if (c.action === 'DELETE') next.delete(k);
          else next.set(k, c.set);
        }
      } catch (error) {
        if (options.conflict === 'return' && error instanceof InvalidChangeBatch) return 'conflict';
        throw error;
      }
      of(zoneId).sets = next;
      return `C${++changes}`;
    },
    async changeStatus() {
      requests++;
      return 'INSYNC';
    },
    requests: () => requests,
    destroy: () => undefined,
  };
}
