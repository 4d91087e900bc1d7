/**
 * One operation at a time across machines: a lock record in Route53, beside
 * the record naming the live cluster, that says who runs what and where it is.
 *
 *   _bascule-lock.<cluster-name record>  TXT
 *     "bascule-lock v=2 platform=devinfra kind=shift op=shift from=blue to=green step=stage-2 by=alice@laptop pid=4242 since=2026-11-30T20:00:00.000Z id=3f9c... sha=9b1e..."
 *
 * Taken with a CREATE (Route53 refuses it, InvalidChangeBatch, when the
 * record exists) and read back; moved on (a new step, new evidence) with one
 * batch that DELETEs the exact value held and CREATEs the next one, which
 * Route53 refuses if someone replaced it: a holder whose lock was broken stops
 * at its next step instead of writing on; released with a DELETE of the exact
 * value. `sha` is a digest of the operation's evidence (its pins and what it
 * saw before changing anything): a journal edited while the operation is
 * unfinished no longer matches the record Route53 holds. `--break-lock`
 * deletes the held value (exactly as read) and takes it; the holder it broke
 * is returned, so recovery can say what was interrupted.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Route53Port } from '../aws/route53.js';
import { BasculeError } from '../errors.js';
import { lockRecordName } from '../production/layout.js';
import type { Change } from '../production/records.js';
import { unquoteTxt } from './spec.js';

export const LOCK_TTL = 60;

/** The lock record an operation holds (its exact value: it is deleted with it). */
export interface LockRecord {
  readonly zoneId: string;
  readonly name: string;
  readonly value: string;
}

/** What a lock value says (fields of older versions read too: `switch=blue->green`). */
export interface LockHolder {
  readonly platform?: string;
  /** The kind of operation: the plain switch or the weighted shift. */
  readonly kind?: 'switch' | 'shift';
  /** switch, shift, rollback, resume, recover. */
  readonly op?: string;
  readonly from?: string;
  readonly to?: string;
  readonly step?: string;
  readonly by?: string;
  readonly pid?: string;
  readonly since?: string;
  readonly id?: string;
  readonly sha?: string;
  /** The value as held, unquoted. */
  readonly raw: string;
}

export interface LockFields {
  readonly platform: string;
  readonly kind: 'switch' | 'shift';
  readonly op: string;
  readonly from: string;
  readonly to: string;
  readonly step: string;
  readonly sha: string;
}

export const lockName = lockRecordName;

function who(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry
  }
  return `${user}@${hostname()}`;
}

const clean = (v: string) => v.replace(/[\s"\\=]/g, '_').slice(0, 120);

/** A lock value (one quoted TXT string) for this process; `keep` carries over who and since from the value it replaces. */
export function lockValue(fields: LockFields, now: Date, keep?: LockHolder): string {
  const parts = [
    'bascule-lock v=2',
    `platform=${clean(fields.platform)}`,
    `kind=${fields.kind}`,
    `op=${clean(fields.op)}`,
    `from=${fields.from}`,
    `to=${fields.to}`,
    `step=${clean(fields.step)}`,
    `by=${clean(keep?.by ?? who())}`,
    `pid=${keep?.pid ?? process.pid}`,
    `since=${keep?.since ?? now.toISOString()}`,
    `id=${keep?.id ?? randomBytes(6).toString('hex')}`,
    `sha=${clean(fields.sha)}`,
  ];
  return `"${parts.join(' ')}"`;
}

/** Reads a held value; undefined when it is not a bascule lock value. */
export function parseLock(value: string): LockHolder | undefined {
  const raw = unquoteTxt(value);
  if (!raw.startsWith('bascule-lock')) return undefined;
  const fields: Record<string, string> = {};
  for (const m of raw.matchAll(/(?:^|\s)([a-z]+)=(\S+)/g)) fields[m[1] as string] = m[2] as string;
  // Version 1: `switch=blue->green` (or rollback=, resume=), no kind, no step.
  const legacy = /(?:^|\s)(switch|rollback|resume)=(blue|green)->(blue|green)/.exec(raw);
  const kind = fields.kind === 'switch' || fields.kind === 'shift' ? fields.kind : legacy ? 'switch' : undefined;
  return {
    raw,
    ...(fields.platform ? { platform: fields.platform } : {}),
    ...(kind ? { kind } : {}),
    ...(fields.op || legacy ? { op: fields.op ?? legacy?.[1] } : {}),
    ...(fields.from || legacy ? { from: fields.from ?? legacy?.[2] } : {}),
    ...(fields.to || legacy ? { to: fields.to ?? legacy?.[3] } : {}),
    ...(fields.step ? { step: fields.step } : {}),
    ...(fields.by ? { by: fields.by } : {}),
    ...(fields.pid ? { pid: fields.pid } : {}),
    ...(fields.since ? { since: fields.since } : {}),
    ...(fields.id ? { id: fields.id } : {}),
    ...(fields.sha ? { sha: fields.sha } : {}),
  };
}

/** "alice@laptop (pid 4242), since 2026-11-30T20:00:00.000Z, for the weighted shift blue -> green at step stage-2" from held values. */
export function describeHolder(values: readonly string[]): string {
  const holders = values.map(parseLock);
  const h = holders[0];
  if (values.length !== 1 || !h?.by) return `an unknown holder (${JSON.stringify(values.map(unquoteTxt).join(' | ').slice(0, 120))})`;
  const what = h.kind === 'shift' ? 'weighted shift' : 'switch';
  const op = h.op && h.op !== h.kind ? `${h.op} of the ${what}` : `the ${what}`;
  return `${h.by} (pid ${h.pid ?? '?'}), since ${h.since ?? '?'}, for ${op} ${h.from ?? '?'} -> ${h.to ?? '?'}${h.step ? ` at step ${h.step}` : ''}`;
}

/** Two lock values of one holder: the same value, or the same id (a value moved on by updateLock keeps its id). */
export function sameHolder(held: string, mine: string): boolean {
  if (held === mine) return true;
  const id = parseLock(held)?.id;
  return id !== undefined && id === parseLock(mine)?.id;
}

const txtSet = (name: string, value: string) => ({ name, type: 'TXT', ttl: LOCK_TTL, values: [value] });
const exact = (action: 'CREATE' | 'DELETE', name: string, value: string): Change => ({ action, set: txtSet(name, value) });

/** The values the lock record holds now (none: free). */
export async function heldLock(route53: Route53Port, zoneId: string, name: string): Promise<string[]> {
  return (await route53.at(zoneId, name, 'TXT')).flatMap((s) => s.values ?? []);
}

export interface AcquireOptions {
  readonly zoneId: string;
  /** The record naming the live cluster: the lock sits beside it. */
  readonly txtRecord: string;
  readonly fields: LockFields;
  readonly now: Date;
  /** The lock this journal already holds (a resume or rollback of its own operation). */
  readonly mine: LockRecord | null;
  readonly breakLock: boolean;
  /** Says what --break-lock broke. */
  readonly note: (line: string) => void;
}

/** Takes the lock (or keeps ours, moved on to these fields); returns it, and the holder a --break-lock broke. */
export async function acquireLock(route53: Route53Port, o: AcquireOptions): Promise<{ lock: LockRecord; broke: LockHolder | undefined }> {
  const name = lockName(o.txtRecord);
  const current = await heldLock(route53, o.zoneId, name);
  // Ours: the value the journal holds, or one a run of ours moved on before it could journal it (same id).
  if (o.mine && current.length === 1 && sameHolder(current[0] as string, o.mine.value)) return { lock: await updateLock(route53, { ...o.mine, value: current[0] as string }, o.fields, o.now), broke: undefined };
  let broke: LockHolder | undefined;
  if (current.length > 0) {
    if (!o.breakLock) {
      throw new BasculeError('refused', `another bascule holds the cut-over lock of ${o.fields.platform}: ${describeHolder(current)} (TXT ${name} in zone ${o.zoneId})`, {
        hint: 'wait until it finishes; if that operation is dead (its machine lost, its journal gone), take the lock over with --break-lock: bascule then plans from what Route53 and the clusters show; nothing was changed',
      });
    }
    for (const value of current) {
      const gone = await route53.change(o.zoneId, [exact('DELETE', name, value)], `bascule: --break-lock by ${who()}`, { conflict: 'return' });
      if (gone === 'conflict') throw new BasculeError('refused', `the cut-over lock ${name} changed while breaking it; look at it (bascule status), then retry`);
    }
    broke = parseLock(current[0] as string) ?? { raw: current.join(' | ') };
    o.note(`broke the cut-over lock held by ${describeHolder(current)}`);
  }
  const value = lockValue(o.fields, o.now);
  const made = await route53.change(o.zoneId, [exact('CREATE', name, value)], `bascule ${o.fields.op}: lock`, { conflict: 'return' });
  const after = await heldLock(route53, o.zoneId, name);
  if (made === 'conflict' || after.length !== 1 || after[0] !== value) {
    // Someone else got there first; take back ours if it was written beside theirs.
    if (made !== 'conflict' && after.includes(value)) await route53.change(o.zoneId, [exact('DELETE', name, value)], `bascule ${o.fields.op}: lost the lock`, { conflict: 'return' });
    throw new BasculeError('refused', `another bascule took the cut-over lock of ${o.fields.platform} first: ${describeHolder(after.filter((v) => v !== value))} (TXT ${name} in zone ${o.zoneId})`, {
      hint: 'wait until it finishes; nothing was changed',
    });
  }
  return { lock: { zoneId: o.zoneId, name, value }, broke };
}

/** Moves the lock on (a new step, new evidence): one batch replacing our exact value, refused if it is no longer ours. */
export async function updateLock(route53: Route53Port, lock: LockRecord, fields: LockFields, now: Date): Promise<LockRecord> {
  const value = lockValue(fields, now, parseLock(lock.value));
  if (value === lock.value) return lock;
  const done = await route53.change(lock.zoneId, [exact('DELETE', lock.name, lock.value), exact('CREATE', lock.name, value)], `bascule ${fields.op}: ${fields.step}`, { conflict: 'return' });
  if (done === 'conflict') {
    const now = await heldLock(route53, lock.zoneId, lock.name);
    throw new BasculeError('refused', `the cut-over lock ${lock.name} is no longer ours: ${now.length > 0 ? `held by ${describeHolder(now)}` : 'it was removed'} (someone used --break-lock?); stopping before ${fields.step}`, {
      hint: 'look at what the other operator does (bascule status) before going on; this journal stays as it is',
    });
  }
  return { ...lock, value };
}

/** Deletes the lock with its exact value; says so when someone replaced it. */
export async function releaseLock(route53: Route53Port, lock: LockRecord, operation: string): Promise<string | undefined> {
  const gone = await route53.change(lock.zoneId, [exact('DELETE', lock.name, lock.value)], `bascule ${operation}: unlock`, { conflict: 'return' });
  if (gone === 'conflict') return `the cut-over lock ${lock.name} was no longer ours (someone used --break-lock?): left as it is`;
  return undefined;
}
