/**
 * Where the token cache lives and what may be used there: the directory
 * (a real directory, the user's, 0700) and each file in it (a regular file,
 * the user's, 0600, opened without following a link and without blocking).
 * Anything else is a reason, never an exception.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { homeDirectory, joinPath } from '../runtime.js';
import { systemProblem } from '../system-error.js';

export function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.KUBECACHEDIR || joinPath(homeDirectory(env), '.kube', 'cache');
  return joinPath(base, 'bascule');
}

export type Safety = { ok: true } | { ok: false; why: string };

export function checkOwnership(stat: { uid: number; mode: number }, what: string, wantedMode: string, uid: number | undefined = process.getuid?.()): Safety {
  if (uid !== undefined && stat.uid !== uid) return { ok: false, why: `${what} is owned by another user (uid ${stat.uid})` };
  if ((stat.mode & 0o077) !== 0) {
    return { ok: false, why: `${what} has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, other users can reach it (want ${wantedMode})` };
  }
  return { ok: true };
}

/**
 * The one check of the cache directory, for the token path and `cache
 * clear` alike: a real directory (not a symlink), the user's, 0700.
 * `missing` when it does not exist.
 */
export function checkCacheDir(dir: string, uid: number | undefined): Safety | 'missing' {
  try {
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) return { ok: false, why: `${dir} is a symlink` };
    if (!stat.isDirectory()) return { ok: false, why: `${dir} is not a directory` };
    return checkOwnership(stat, dir, '0700', uid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return { ok: false, why: `${dir}: ${systemProblem(error)}` };
  }
}

/**
 * Opens an entry or a lock for reading without ever blocking or following a
 * link: O_NOFOLLOW (a symlink fails with ELOOP), O_NONBLOCK (a FIFO opens at
 * once instead of waiting for a writer); then fstat on what was opened. Only
 * a regular file comes back; anything else is a reason.
 */
export function openRegular(file: string): { fd: number; stat: Stats } | { why: string; missing?: boolean } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { why: `${file} does not exist`, missing: true };
    return { why: code === 'ELOOP' ? `${file} is a symbolic link` : `${file}: ${systemProblem(error)}` };
  }
  const stat = fstatSync(fd);
  if (stat.isFile()) return { fd, stat };
  closeSync(fd);
  return { why: `${file} is not a regular file` };
}
