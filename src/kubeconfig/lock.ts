/**
 * kubectl's kubeconfig lock (client-go clientcmd ModifyConfig): before a
 * read-modify-write, every file of the loading precedence is locked, in
 * sorted order (so two writers never deadlock), by creating `<file>.lock`
 * exclusively (O_CREAT|O_EXCL); the parent directory is made first if
 * missing. Unlocking removes the lock file. bascule takes the same locks the
 * same way, so neither it nor kubectl loses the other's entries.
 *
 * kubectl gives up at once on a held lock ("file exists"); bascule waits a
 * little (the holder is usually a kubectl command that takes milliseconds),
 * then fails naming the lock. Neither ever removes a lock it did not take: a
 * lock left by a crash is for the user to remove, as kubectl says.
 */
import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { BasculeError } from '../errors.js';
import { writeCulprit } from '../files.js';
import { systemProblem } from '../system-error.js';

export const lockName = (file: string) => `${file}.lock`;

export interface LockOptions {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const defaultLockOptions: LockOptions = {
  timeoutMs: 10_000,
  pollMs: 20,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

function tryLock(file: string): boolean {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // the open below reports the real problem
  }
  try {
    closeSync(openSync(lockName(file), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new BasculeError('io', `cannot lock ${file}: cannot create ${lockName(file)}: ${writeCulprit(lockName(file)) ?? systemProblem(error)}`, {
      hint: `kubectl and bascule lock a kubeconfig beside it: merge into a file in a directory you can write (--merge FILE, or KUBECONFIG); nothing was written`,
    });
  }
}

/** Locks every file (sorted, as kubectl does); returns the function that unlocks them. */
export async function lockKubeconfigs(files: readonly string[], options: LockOptions = defaultLockOptions): Promise<() => void> {
  const held: string[] = [];
  const release = () => {
    for (const file of held.splice(0).reverse()) rmSync(lockName(file), { force: true });
  };
  try {
    for (const file of [...new Set(files)].sort()) {
      const deadline = options.now() + options.timeoutMs;
      while (!tryLock(file)) {
        if (options.now() >= deadline) {
          throw new BasculeError('io', `${file} is locked: ${lockName(file)} exists (kubectl or bascule is writing it); nothing was written`, {
            hint: `try again; if no kubectl or bascule is running, a crash left the lock behind: remove ${lockName(file)}`,
          });
        }
        await options.sleep(options.pollMs);
      }
      held.push(file);
    }
  } catch (error) {
    release();
    throw error;
  }
  return release;
}
