/**
 * The journals of both cut-overs on this machine, read and written in one
 * place: where each lives, its validation on read, atomic writes, and which
 * operation is the platform's last (the one `--resume` and `--rollback` act
 * on, whichever its kind, without `--journal`).
 *
 *   ${XDG_STATE_HOME:-~/.local/state}/bascule/switch-<platform>.json   the plain switch
 *   ${XDG_STATE_HOME:-~/.local/state}/bascule/shift-<platform>.json    the weighted shift
 */
import { resolve } from 'node:path';
import { BasculeError } from '../errors.js';
import { readExisting, writeAtomic } from '../files.js';
import { describeShift, shiftJournalProblem, shiftUnfinished, type ShiftJournal } from './shift-journal.js';
import { stateFile } from './state.js';
import { describeJournal, isUnfinished, journalProblem, type Journal } from './switch-journal.js';

export type OperationKind = 'switch' | 'shift';

const LABEL: Record<OperationKind, string> = { switch: 'switch', shift: 'weighted shift' };

export function journalPath(env: NodeJS.ProcessEnv, kind: OperationKind, platformName: string): string {
  return stateFile(env, `${kind}-${platformName}.json`);
}

type Problem = string | { readonly problem: string; readonly hint: string } | undefined;

function readJson(path: string, kind: OperationKind, problemOf: (value: unknown) => Problem): unknown {
  let existing;
  try {
    existing = readExisting(path);
  } catch (error) {
    throw new BasculeError('io', `cannot read the ${LABEL[kind]} journal ${path}: ${(error as Error).message}`, { hint: 'check its permissions; nothing was changed' });
  }
  if (!existing) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(existing.text);
  } catch {
    value = undefined;
  }
  const problem = value === undefined ? 'it is not JSON' : problemOf(value);
  if (problem) {
    const text = typeof problem === 'string' ? problem : problem.problem;
    throw new BasculeError('io', `the ${LABEL[kind]} journal ${path} is unusable: ${text}`, {
      hint: typeof problem === 'string' ? `if no ${LABEL[kind]} is under way, move the file aside; otherwise restore it (nothing was changed)` : problem.hint,
    });
  }
  return value;
}

export const readSwitchJournal = (path: string): Journal | undefined => readJson(path, 'switch', journalProblem) as Journal | undefined;
export const readShiftJournal = (path: string): ShiftJournal | undefined => readJson(path, 'shift', shiftJournalProblem) as ShiftJournal | undefined;

export function writeJournalFile(path: string, journal: Journal | ShiftJournal): void {
  writeAtomic(path, `${JSON.stringify(journal, null, 2)}\n`, { newMode: 0o600, backup: false });
}

export type Found =
  | { readonly kind: 'switch'; readonly path: string; readonly journal: Journal }
  | { readonly kind: 'shift'; readonly path: string; readonly journal: ShiftJournal };

/** What this machine knows of a platform's operations: each journal, or why it could not be read. */
export interface Operations {
  readonly found: readonly Found[];
  readonly unreadable: readonly { readonly kind: OperationKind; readonly path: string; readonly message: string }[];
}

/** Reads both journals of a platform (or the one `--journal` names, of whichever kind it is). */
export function observeOperations(env: NodeJS.ProcessEnv, platformName: string, options: { journal?: string; cwd?: string } = {}): Operations {
  const found: Found[] = [];
  const unreadable: { kind: OperationKind; path: string; message: string }[] = [];
  const candidates: { kind: OperationKind; path: string }[] = options.journal
    ? (['switch', 'shift'] as const).map((kind) => ({ kind, path: resolve(options.cwd ?? '.', options.journal as string) }))
    : (['switch', 'shift'] as const).map((kind) => ({ kind, path: journalPath(env, kind, platformName) }));
  for (const { kind, path } of candidates) {
    try {
      if (kind === 'switch') {
        const journal = options.journal ? readIfKind(path, 'bascule-switch-journal', readSwitchJournal) : readSwitchJournal(path);
        if (journal) found.push({ kind, path, journal });
      } else {
        const journal = options.journal ? readIfKind(path, 'weighted-shift', readShiftJournal) : readShiftJournal(path);
        if (journal) found.push({ kind, path, journal });
      }
    } catch (error) {
      unreadable.push({ kind, path, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { found, unreadable };
}

/** With --journal the file may be of either kind: read it as this kind only when it says so. */
function readIfKind<T>(path: string, kind: string, read: (path: string) => T | undefined): T | undefined {
  try {
    const existing = readExisting(path);
    if (!existing) return undefined;
    if ((JSON.parse(existing.text) as { kind?: unknown })?.kind !== kind) return undefined;
  } catch {
    // Not JSON: the reader says so.
  }
  return read(path);
}

export const isUnfinishedOperation = (f: Found): boolean => (f.kind === 'switch' ? isUnfinished(f.journal) : shiftUnfinished(f.journal));

export const describeOperation = (f: Found): string => (f.kind === 'switch' ? describeJournal(f.journal) : describeShift(f.journal));

/** When the operation last wrote its journal. */
export function updatedAt(f: Found): string {
  return f.journal.updatedAt;
}

/**
 * The operation `--resume` and `--rollback` act on: the unfinished one, else
 * the one written last. (Each kind refuses to start while the other is
 * unfinished, so at most one is.)
 */
export function lastOperation(ops: Operations): Found | undefined {
  const unfinished = ops.found.filter(isUnfinishedOperation);
  if (unfinished.length > 0) return unfinished.sort((a, b) => updatedAt(b).localeCompare(updatedAt(a)))[0];
  return [...ops.found].sort((a, b) => updatedAt(b).localeCompare(updatedAt(a)))[0];
}
