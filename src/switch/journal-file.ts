/**
 * The journal file adapter. Where it lives:
 *
 *   --journal FILE, else ${XDG_STATE_HOME:-~/.local/state}/bascule/switch-<platform name>.json
 *
 * State of an operation run from this machine, not configuration: it stays
 * out of the platform file's directory (usually a git checkout, shared by the
 * team), as the XDG base directory specification puts state. Directory 0700,
 * file 0600; every write is atomic (temporary file, fsync, rename), so an
 * interrupted process leaves the previous journal or the next, never half.
 */
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { BasculeError } from '../errors.js';
import { readExisting, writeAtomic } from '../files.js';
import { journalProblem, type Journal } from './journal.js';

export function defaultJournalPath(env: NodeJS.ProcessEnv, platformName: string): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'bascule', `switch-${platformName}.json`);
}

export function readJournal(path: string): Journal | undefined {
  let existing;
  try {
    existing = readExisting(path);
  } catch (error) {
    throw new BasculeError('io', `cannot read the switch journal ${path}: ${(error as Error).message}`, { hint: 'check its permissions; nothing was changed' });
  }
  if (!existing) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(existing.text);
  } catch {
    value = undefined;
  }
  const problem = value === undefined ? 'it is not JSON' : journalProblem(value);
  if (problem) {
    throw new BasculeError('io', `the switch journal ${path} is unusable: ${problem}`, {
      hint: 'if no switch is under way, move the file aside; otherwise restore it (nothing was changed)',
    });
  }
  return value as Journal;
}

export function writeJournal(path: string, journal: Journal): void {
  writeAtomic(path, `${JSON.stringify(journal, null, 2)}\n`, { newMode: 0o600, backup: false });
}

export function currentOwner(): Journal['owner'] {
  return { pid: process.pid, host: hostname() };
}

/** Is another live process on this machine running the journal's operation? */
export function ownerIsRunning(owner: Journal['owner']): boolean {
  // pid 0 and below name process groups, not a process: never "running".
  if (owner.host !== hostname() || owner.pid === process.pid || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
