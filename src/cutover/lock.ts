/**
 * One operator across machines: a lock record in Route53, beside the record
 * naming the live cluster.
 *
 *   _bascule-lock.<cluster-name record>  TXT  "bascule-lock platform=devinfra switch=blue->green by=alice@laptop pid=4242 since=2026-11-30T20:00:00.000Z id=3f9c..."
 *
 * Taken with a CREATE change, which Route53 refuses (InvalidChangeBatch) when
 * the record exists, and read back (a stand-in that accepts the CREATE anyway
 * still shows two values); released with a DELETE of its exact value, which
 * Route53 refuses if someone replaced it. It stays while an operation is
 * unfinished (a failure keeps it: the journal that can resume holds its
 * value), so another machine cannot start a second switch meanwhile.
 * `--break-lock` deletes the held value (exactly as read) and takes it.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { BasculeError } from '../errors.js';
import type { LockRecord } from '../switch/journal.js';
import type { Route53Port } from '../switch/route53.js';
import { normName } from '../switch/inventory.js';
import { unquoteTxt } from './spec.js';

export const LOCK_TTL = 60;

export const lockName = (txtRecord: string) => `_bascule-lock.${normName(txtRecord)}`;

function who(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry
  }
  return `${user}@${hostname()}`.replace(/[\s"\\]/g, '_');
}

/** The lock's value (one quoted TXT string), for this process. */
export function lockValue(platform: string, operation: string, now: Date): string {
  return `"bascule-lock platform=${platform} ${operation} by=${who()} pid=${process.pid} since=${now.toISOString()} id=${randomBytes(6).toString('hex')}"`;
}

/** "alice@laptop (pid 4242), since 2026-11-30T20:00:00.000Z, for switch=blue->green" from a held value. */
export function describeHolder(values: readonly string[]): string {
  const text = values.map(unquoteTxt).join(' | ');
  const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S+)`).exec(text)?.[1];
  const by = field('by');
  if (!by) return `an unknown holder (${JSON.stringify(text.slice(0, 120))})`;
  const op = /(?:^|\s)((?:switch|rollback|resume)=\S+)/.exec(text)?.[1];
  return `${by} (pid ${field('pid') ?? '?'}), since ${field('since') ?? '?'}${op ? `, for ${op}` : ''}`;
}

async function held(route53: Route53Port, zoneId: string, name: string): Promise<string[]> {
  const sets = await route53.recordSets(zoneId);
  return sets.filter((s) => s.name === normName(name) && s.type === 'TXT').flatMap((s) => s.values);
}

export interface LockOptions {
  readonly zoneId: string;
  readonly txtRecord: string;
  readonly platform: string;
  /** "switch=blue->green", "rollback=blue->green"... */
  readonly operation: string;
  readonly now: Date;
  /** The lock this journal already holds (a resume or rollback of its own operation). */
  readonly mine: LockRecord | null;
  readonly breakLock: boolean;
  /** Says what --break-lock broke. */
  readonly note: (line: string) => void;
}

export async function acquireLock(route53: Route53Port, o: LockOptions): Promise<LockRecord> {
  const name = lockName(o.txtRecord);
  const current = await held(route53, o.zoneId, name);
  if (o.mine && current.length === 1 && current[0] === o.mine.value) return o.mine;
  if (current.length > 0) {
    if (!o.breakLock) {
      throw new BasculeError('refused', `another bascule holds the switch lock of ${o.platform}: ${describeHolder(current)} (TXT ${name} in zone ${o.zoneId})`, {
        hint: `wait until it finishes; if that operation is dead (its machine lost, its journal gone), take the lock over with --break-lock; nothing was changed`,
      });
    }
    for (const value of current) {
      const gone = await route53.exact(o.zoneId, 'DELETE', name, LOCK_TTL, [value], `bascule: --break-lock by ${who()}`);
      if (gone === 'conflict') throw new BasculeError('refused', `the switch lock ${name} changed while breaking it; look at it, then retry`);
    }
    o.note(`broke the switch lock held by ${describeHolder(current)}`);
  }
  const value = lockValue(o.platform, o.operation, o.now);
  const made = await route53.exact(o.zoneId, 'CREATE', name, LOCK_TTL, [value], `bascule ${o.operation}: lock`);
  const after = await held(route53, o.zoneId, name);
  if (made === 'conflict' || after.length !== 1 || after[0] !== value) {
    // Someone else got there first; take back ours if it was written beside theirs.
    if (made !== 'conflict' && after.includes(value)) await route53.exact(o.zoneId, 'DELETE', name, LOCK_TTL, [value], `bascule ${o.operation}: lost the lock`);
    const others = after.filter((v) => v !== value);
    throw new BasculeError('refused', `another bascule took the switch lock of ${o.platform} first: ${describeHolder(others)} (TXT ${name} in zone ${o.zoneId})`, {
      hint: 'wait until it finishes; nothing was changed',
    });
  }
  return { zoneId: o.zoneId, name, value };
}

/** Deletes the lock with its exact value; says so when someone replaced it. */
export async function releaseLock(route53: Route53Port, lock: LockRecord, operation: string): Promise<string | undefined> {
  const gone = await route53.exact(lock.zoneId, 'DELETE', lock.name, LOCK_TTL, [lock.value], `bascule ${operation}: unlock`);
  if (gone === 'conflict') return `the switch lock ${lock.name} was no longer ours (someone used --break-lock?): left as it is`;
  return undefined;
}
