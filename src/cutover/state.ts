/**
 * bascule's state on this machine: where journals live, who runs an
 * operation, and the per-machine lock that lets exactly one process run it.
 *
 *   ${XDG_STATE_HOME:-~/.local/state}/bascule/<file>
 *
 * State of an operation run from this machine, not configuration: it stays
 * out of the platform file's directory (usually a git checkout, shared by the
 * team), as the XDG base directory specification puts state. Directory 0700,
 * files 0600; every write is atomic (temporary file, fsync, rename), so an
 * interrupted process leaves the previous file or the next, never half.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BasculeError } from '../errors.js';

/** A file of bascule's state directory, ${XDG_STATE_HOME:-~/.local/state}/bascule. */
export function stateFile(env: NodeJS.ProcessEnv, name: string): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'bascule', name);
}

/** The process running an operation: a second one is refused while it lives. */
export interface Owner {
  readonly pid: number;
  readonly host: string;
}

export function currentOwner(): Owner {
  return { pid: process.pid, host: hostname() };
}

/** Is another live process on this machine running the journal's operation? */
export function ownerIsRunning(owner: Owner): boolean {
  // pid 0 and below name process groups, not a process: never "running".
  if (owner.host !== hostname() || owner.pid === process.pid || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One operator per journal on this machine: `<journal>.lock`, created
 * exclusively (link(2) of a complete temporary file, which fails if the lock
 * exists), holding the owner's pid, host and start time, removed when the
 * operation ends. A lock left by a process that died on this host is taken
 * over; one from another host (a shared home directory) is reported.
 */
export function lockJournal(journal: string, now: Date): { release(): void } {
  const lock = `${journal}.lock`;
  mkdirSync(dirname(lock), { recursive: true, mode: 0o700 });
  const mine = { pid: process.pid, host: hostname(), since: now.toISOString() };
  const temp = `${lock}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, `${JSON.stringify(mine)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(temp, lock);
        const ino = statSync(lock).ino;
        return {
          release() {
            try {
              if (statSync(lock).ino === ino) unlinkSync(lock);
            } catch {
              // already gone
            }
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new BasculeError('io', `cannot create the journal lock ${lock}: ${(error as Error).message}`);
      }
      let holder: { pid?: number; host?: string; since?: string } = {};
      let ino: number | undefined;
      try {
        ino = statSync(lock).ino;
        holder = JSON.parse(readFileSync(lock, 'utf8'));
      } catch {
        // vanished or half-read: try again
        continue;
      }
      const owner = { pid: Number(holder.pid), host: String(holder.host) };
      if (owner.host === hostname() && !ownerIsRunning(owner) && owner.pid !== process.pid) {
        // Its process died: take it over, unless someone else did in the meantime.
        try {
          if (statSync(lock).ino === ino) unlinkSync(lock);
        } catch {
          // gone
        }
        continue;
      }
      throw new BasculeError('refused', `another bascule (pid ${owner.pid} on ${owner.host}, since ${holder.since ?? 'an unknown time'}) is running an operation on this platform right now (lock ${lock})`, {
        hint: `wait for it to finish; if no bascule runs any more (a crash on another machine sharing this directory), remove ${lock}; nothing was changed`,
      });
    }
    throw new BasculeError('refused', `cannot take the journal lock ${lock}: it keeps changing (another bascule is starting)`, { hint: 'retry in a moment; nothing was changed' });
  } finally {
    rmSync(temp, { force: true });
  }
}
