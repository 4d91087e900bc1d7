/**
 * The operations status sees (pure): both journals of this machine, and the
 * Route53 lock record. An unfinished operation here fails, with the commands
 * that resume or undo it; a held lock that no journal here holds (an
 * operation under way on another machine, or a lost machine's) fails with
 * its holder, kind, from -> to, step and age, and the recovery that works
 * without its journal.
 */
import type { Verb } from '../cutover/hints.js';
import { describeHolder, parseLock, type LockHolder } from '../cutover/lock.js';
import type { Colour } from '../platform/model.js';
import { formatMs } from '../vocabulary.js';
import type { Check } from './checks.js';
import type { JournalObservation, LockObservation, Part } from './observe.js';

/** Builds a `bascule switch ...` command line with the flags of this status run (src/cutover/hints.ts). */
export type CommandFor = (verb: Verb, extra?: readonly string[]) => string;

export interface LockReport {
  readonly name: string;
  readonly zoneId: string;
  readonly values: readonly string[];
  /** What the value says (one bascule lock value), else undefined. */
  readonly holder: LockHolder | undefined;
  /** "alice@laptop (pid 4242), since ..., for the weighted shift blue -> green at step stage-2". */
  readonly description: string;
  /** The journal of this machine that holds it, if one does. */
  readonly journal: JournalObservation | undefined;
}

const LABEL = { switch: 'switch', shift: 'weighted shift' } as const;

/** Does this journal hold the lock as held now? (the same value, or the same holder id moved on to another step) */
export function holdsLock(journalLock: string | null, held: readonly string[]): boolean {
  if (!journalLock || held.length !== 1) return false;
  if (journalLock === held[0]) return true;
  const mine = parseLock(journalLock)?.id;
  return mine !== undefined && mine === parseLock(held[0] as string)?.id;
}

/** The lock as held (null: free, or not read). */
export function lockReport(lock: Part<LockObservation>, journals: readonly JournalObservation[]): LockReport | null {
  if (lock.state !== 'read' || lock.value.values.length === 0) return null;
  const { values } = lock.value;
  return {
    name: lock.value.name,
    zoneId: lock.value.zoneId,
    values,
    holder: values.length === 1 ? parseLock(values[0] as string) : undefined,
    description: describeHolder(values),
    journal: journals.find((j) => holdsLock(j.lock, values)),
  };
}

/** Is an operation unfinished, here or (the lock held) anywhere? */
export function underway(journals: readonly JournalObservation[], lock: LockReport | null): boolean {
  return lock !== null || journals.some((j) => j.unfinished);
}

/** Each journal here that is unreadable or unfinished: a failed check naming it, and how to go on. */
export function operationChecks(journals: readonly JournalObservation[], command: CommandFor): Check[] {
  return journals
    .filter((j) => j.unfinished)
    .map((j): Check =>
      j.unreadable
        ? { name: j.kind, ok: false, message: j.description, hint: `if no ${LABEL[j.kind]} is under way, move ${j.path} aside; otherwise restore it` }
        : { name: j.kind, ok: false, message: `${j.description} (journal ${j.path})`, hint: `resume it: ${command('--resume')}\nor undo it: ${command('--rollback')}` },
    );
}

function age(since: string | undefined, now: Date): string {
  const at = since ? Date.parse(since) : Number.NaN;
  if (Number.isNaN(at)) return '';
  const ms = now.getTime() - at;
  return ms >= 1000 ? ` (${formatMs(Math.floor(ms / 1000) * 1000)} ago)` : '';
}

const isColour = (v: string | undefined): v is Colour => v === 'blue' || v === 'green';

/** The production names served by `from` only that a recovery towards `to` would leave there (it refuses them unless allowed). */
export type OrphansOf = (from: Colour, to: Colour) => readonly string[];

/**
 * How to finish or undo, without the holder's journal, what the lock record
 * names (src/switch/operation.ts's recovery): a plain switch is finished with
 * --resume --break-lock (the names only its source serves allowed by name, as
 * the original switch had to) or undone with --rollback --break-lock; a
 * weighted shift is taken to one colour with --weights 100 --break-lock.
 */
export function recoveryHint(holder: LockHolder | undefined, command: CommandFor, orphansOf: OrphansOf = () => []): string {
  const wait = 'wait for it to finish; if its machine is lost';
  if (holder?.kind === 'shift' && isColour(holder.from) && isColour(holder.to)) {
    const to = (c: Colour) => command(`--to ${c}`, ['--weights', '100', '--break-lock', '--apply']);
    return `${wait}, take production to one colour from here: ${to(holder.to)}\nor back: ${to(holder.from)}`;
  }
  if (holder?.kind === 'switch') {
    const allow = isColour(holder.from) && isColour(holder.to) ? orphansOf(holder.from, holder.to).flatMap((n) => ['--allow-orphan', n]) : [];
    return `${wait}, finish it from here: ${command('--resume', ['--break-lock', ...allow])}\nor undo it: ${command('--rollback', ['--break-lock'])}`;
  }
  return 'it is not a value bascule writes: find what wrote it; the next operation can take it over with --break-lock once you know that holder is gone';
}

/** The lock record: free (ok), held by an unfinished operation here (ok: that one's check fails), else a failure. */
export function lockChecks(lock: Part<LockObservation>, report: LockReport | null, command: CommandFor, now: Date, orphansOf: OrphansOf = () => []): Check[] {
  if (lock.state === 'skipped') return [];
  if (lock.state === 'failed') return [{ name: 'lock', ok: false, message: `cannot read the cut-over lock record: ${lock.error}` }];
  const where = `${lock.value.name} (zone ${lock.value.zoneId})`;
  if (!report) return [{ name: 'lock', ok: true, message: `no cut-over holds the lock: ${where} is free` }];
  const held = `the cut-over lock ${where} is held by ${report.description}${age(report.holder?.since, now)}`;
  const j = report.journal;
  if (j?.unfinished) return [{ name: 'lock', ok: true, message: `${held}: this machine's ${LABEL[j.kind]} (journal ${j.path})` }];
  if (j) {
    return [{ name: 'lock', ok: false, message: `${held}, but the journal here (${j.path}) says that operation is over: its release failed`, hint: 'the next operation takes it over with --break-lock' }];
  }
  return [{ name: 'lock', ok: false, message: `${held}, and no journal here holds it: an operation runs on another machine, or its machine was lost`, hint: recoveryHint(report.holder, command, orphansOf) }];
}
