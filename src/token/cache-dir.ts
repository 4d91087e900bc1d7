/**
 * Where the token cache lives and what may be used there: the directory
 * (a real directory, the user's, 0700) and each file in it (a regular file,
 * the user's, 0600, opened without following a link and without blocking).
 * Anything else is a reason, never an exception.
 *
 * The binary asks libc first (src/libc.ts): it answers only when all is well,
 * and node:fs gives every other answer, with its reason.
 */
import type { Stats } from 'node:fs';
import { libc } from '../libc.js';
import { homeDirectory, joinPath, nodeFs } from '../runtime.js';
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
  const quick = libc()?.lstat(dir);
  if (quick?.kind === 'directory' && checkOwnership(quick, dir, '0700', uid).ok) return { ok: true };
  try {
    const stat = nodeFs().lstatSync(dir);
    if (stat.isSymbolicLink()) return { ok: false, why: `${dir} is a symlink` };
    if (!stat.isDirectory()) return { ok: false, why: `${dir} is not a directory` };
    return checkOwnership(stat, dir, '0700', uid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return { ok: false, why: `${dir}: ${systemProblem(error)}` };
  }
}

/** O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW: a new file, never through a link. */
export const O_WRITE_NEW = (): number => {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = nodeFs().constants;
  return O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
};

/**
 * Opens an entry or a lock (or the Node bundle's code cache) for reading without ever blocking or following a
 * link: O_NOFOLLOW (a symlink fails with ELOOP), O_NONBLOCK (a FIFO opens at
 * once instead of waiting for a writer); then fstat on what was opened. Only
 * a regular file comes back; anything else is a reason.
 */
export function openRegular(file: string): { fd: number; stat: Stats } | { why: string; missing?: boolean } {
  const fs = nodeFs();
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { why: `${file} does not exist`, missing: true };
    return { why: code === 'ELOOP' ? `${file} is a symbolic link` : `${file}: ${systemProblem(error)}` };
  }
  const stat = fs.fstatSync(fd);
  if (stat.isFile()) return { fd, stat };
  fs.closeSync(fd);
  return { why: `${file} is not a regular file` };
}

/** Far above an entry (~700 bytes) or a lock line. */
const ENTRY_MAX = 64 * 1024;

/**
 * An entry or a lock, read whole as `openRegular` opens it: its text and
 * owner, which reader read it (for --verbose), or why it cannot be used.
 */
export function readRegular(file: string): { text: string; stat: { uid: number; mode: number }; via: 'libc' | 'node:fs' } | { why: string; missing?: boolean } {
  const quick = libc()?.readRegular(file, { followLinks: false, maxBytes: ENTRY_MAX });
  if (quick) return { text: quick.text, stat: quick, via: 'libc' };
  const opened = openRegular(file);
  if (!('fd' in opened)) return opened;
  const fs = nodeFs();
  try {
    return { text: fs.readFileSync(opened.fd, 'utf8'), stat: opened.stat, via: 'node:fs' };
  } catch (error) {
    return { why: `${file}: ${systemProblem(error)}` };
  } finally {
    fs.closeSync(opened.fd);
  }
}
