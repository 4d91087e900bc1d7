/**
 * The state the previous layout wrote (one file per platform name, no
 * account), found by name, then moved or refused:
 *
 *   ${XDG_STATE_HOME:-~/.local/state}/bascule/switch-<platform>.json   journal version 2
 *   ${XDG_STATE_HOME:-~/.local/state}/bascule/shift-<platform>.json    journal version 2
 *
 * Such a journal is this platform's when it names this platform and pins
 * this platform's cluster-name record in this platform's zone (every journal
 * pins `cluster-name record: NAME in zone ZONE, TTL n`): zone ids are unique
 * across Route53, so two accounts' `prod` never both claim one. The
 * platform's next switch or shift moves it into the account's directory as
 * version 3, the account written in (created exclusively: a journal already
 * there is never overwritten); `status` reads it where it is meanwhile. A
 * journal of the same file name that pins another record is another
 * account's: left where it is, for its own platform's next command. One that
 * cannot be read, or whose `.lock` a live earlier bascule holds, is refused
 * by name.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { BasculeError } from '../errors.js';
import { readExisting } from '../files.js';
import { normName } from '../production/names.js';
import { shiftJournalProblem, type ShiftJournal } from './shift-journal.js';
import { journalFile, legacyJournalFile, ownerIsRunning } from './state.js';
import { journalProblem, type Journal } from './switch-journal.js';

/** Whose state: the platform's account and name, and the cluster-name record its journals pin. */
export interface StateOwner {
  readonly account: string;
  readonly name: string;
  readonly clusterNameRecord: { readonly name: string; readonly zoneId: string | undefined };
}

type Kind = 'switch' | 'shift';
const KINDS: readonly Kind[] = ['switch', 'shift'];
const FILE_KIND: Record<Kind, string> = { switch: 'bascule-switch-journal', shift: 'weighted-shift' };

/** A journal of the previous layout, with this platform's name: this platform's (read as version 3), another's, or unreadable. */
export type Legacy =
  | { readonly kind: 'switch'; readonly path: string; readonly state: 'ours'; readonly journal: Journal }
  | { readonly kind: 'shift'; readonly path: string; readonly state: 'ours'; readonly journal: ShiftJournal }
  | { readonly kind: Kind; readonly path: string; readonly state: 'foreign'; readonly why: string }
  | { readonly kind: Kind; readonly path: string; readonly state: 'unreadable'; readonly message: string };

/** What to do with a journal of version 2 found anywhere else (--journal). */
export const legacyHint = (kind: Kind): string =>
  `bascule moves a journal of version 2 from where the earlier bascule kept it (\${XDG_STATE_HOME:-~/.local/state}/bascule/${kind}-<platform>.json) into its account's directory on the platform's next switch: put it back there and run that command without --journal (nothing was changed)`;

/** The version 2 journal as version 3 of `account`: the same fields, the account after the platform. */
function upgraded(raw: Record<string, unknown>, account: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    out[key] = key === 'version' ? 3 : value;
    if (key === 'platform') out.account = account;
  }
  return out;
}

/** "eks.devinfra.info in zone Z123" from the journal's pins, if it has them. */
function pinnedRecord(raw: Record<string, unknown>): { name: string; zone: string } | undefined {
  const fact = (raw.pins as { facts?: Record<string, unknown> } | undefined)?.facts?.['cluster-name record'];
  const m = typeof fact === 'string' ? /^(\S+) in zone (\S+?),/.exec(fact) : null;
  return m ? { name: m[1] as string, zone: m[2] as string } : undefined;
}

function classify(kind: Kind, path: string, text: string, owner: StateOwner): Legacy {
  const unreadable = (why: string): Legacy => ({ kind, path, state: 'unreadable', message: `the ${kind === 'switch' ? 'switch' : 'weighted shift'} journal ${path} (the previous layout) is unusable: ${why}` });
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return unreadable('it is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || raw.kind !== FILE_KIND[kind]) return unreadable(`it is not a ${kind} journal`);
  if (raw.platform !== owner.name) return { kind, path, state: 'foreign', why: `it is platform ${String(raw.platform)}'s` };
  const pinned = pinnedRecord(raw);
  if (!pinned) return unreadable('it pins no cluster-name record (it cannot say whose it is)');
  const mine = owner.clusterNameRecord;
  if (normName(pinned.name) !== normName(mine.name) || pinned.zone !== mine.zoneId) {
    return { kind, path, state: 'foreign', why: `it pins ${pinned.name} in zone ${pinned.zone}, not ${mine.name} in zone ${mine.zoneId ?? '(none set)'}: another account's ${owner.name}` };
  }
  if (raw.version === 3 && raw.account !== owner.account) return { kind, path, state: 'foreign', why: `it is account ${String(raw.account)}'s` };
  if (raw.version !== 2 && raw.version !== 3) return unreadable(`its version ${JSON.stringify(raw.version)} is not 2`);
  const journal = raw.version === 2 ? upgraded(raw, owner.account) : raw;
  const problem = kind === 'switch' ? journalProblem(journal) : shiftJournalProblem(journal);
  if (problem) return unreadable(typeof problem === 'string' ? problem : problem.problem);
  return kind === 'switch' ? { kind, path, state: 'ours', journal: journal as unknown as Journal } : { kind, path, state: 'ours', journal: journal as unknown as ShiftJournal };
}

/** The previous layout's journals with this platform's name (read only). */
export function findLegacy(env: NodeJS.ProcessEnv, owner: StateOwner): Legacy[] {
  const found: Legacy[] = [];
  for (const kind of KINDS) {
    const path = legacyJournalFile(env, kind, owner.name);
    let existing;
    try {
      existing = readExisting(path);
    } catch (error) {
      found.push({ kind, path, state: 'unreadable', message: `cannot read ${path} (the previous layout): ${(error as Error).message}` });
      continue;
    }
    if (existing) found.push(classify(kind, path, existing.text, owner));
  }
  return found;
}

/** Refuses while an earlier bascule that is still alive holds the journal's lock. */
function checkLegacyLock(path: string): void {
  const lock = `${path}.lock`;
  let holder: { pid?: unknown; host?: unknown; since?: unknown };
  try {
    holder = JSON.parse(readFileSync(lock, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    holder = {};
  }
  const owner = { pid: Number(holder.pid), host: String(holder.host) };
  if (owner.host !== hostname() || ownerIsRunning(owner)) {
    throw new BasculeError('refused', `an earlier bascule (pid ${owner.pid} on ${owner.host}, since ${String(holder.since ?? '?')}) holds ${lock}: it runs an operation on the previous layout's journal ${path} right now`, {
      hint: `wait for it to finish, then run this again (bascule then moves the journal); if no bascule runs any more, remove ${lock}; nothing was changed`,
    });
  }
}

/** Writes `text` at `target` only if no file is there (link(2) of a complete temporary file); false when one is. */
function createExclusive(target: string, text: string): boolean {
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new BasculeError('io', `cannot move the previous layout's journal to ${target}: ${(error as Error).message}`, { hint: 'check the permissions of the state directory; nothing was changed' });
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Moves this platform's journals of the previous layout into its account's
 * directory (a switch or shift does it first thing); returns what it did, one
 * line each. Refuses an unreadable one, one a live earlier bascule holds, and
 * one whose new place is already taken, naming both files.
 */
export function adoptLegacy(env: NodeJS.ProcessEnv, owner: StateOwner): string[] {
  const notes: string[] = [];
  for (const l of findLegacy(env, owner)) {
    if (l.state === 'foreign') continue;
    if (l.state === 'unreadable') {
      throw new BasculeError('io', l.message, { hint: `if no ${l.kind === 'switch' ? 'switch' : 'weighted shift'} of ${owner.name} is under way, move ${l.path} aside; otherwise restore it (nothing was changed)` });
    }
    checkLegacyLock(l.path);
    const target = journalFile(env, l.kind, owner);
    if (!createExclusive(target, `${JSON.stringify(l.journal, null, 2)}\n`)) {
      throw new BasculeError('refused', `two ${l.kind} journals of ${owner.name} (account ${owner.account}): ${l.path} (the previous layout) and ${target}`, {
        hint: `keep the one of the operation under way (bascule status shows both) and move the other aside; nothing was changed`,
      });
    }
    try {
      unlinkSync(l.path);
      rmSync(`${l.path}.lock`, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    notes.push(`moved the ${l.kind} journal ${l.path} (the previous layout) to ${target}`);
  }
  return notes;
}
