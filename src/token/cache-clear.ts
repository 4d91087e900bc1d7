import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { BasculeError } from '../errors.js';
import type { Io } from '../io.js';
import { joinPath } from '../runtime.js';
import { systemProblem } from '../system-error.js';
import { cacheDir, checkCacheDir } from './cache-dir.js';

const FILE_SUFFIX = '.json';

/**
 * `bascule cache clear`: removes bascule's own files in the cache directory,
 * nothing else; refuses a directory the token path would refuse (a symlink,
 * another user's, one others can reach), so it never deletes through a link.
 */
export function clearTokenCache(io: Pick<Io, 'env'>, uid: number | undefined = process.getuid?.()): number {
  const dir = cacheDir(io.env);
  const state = checkCacheDir(dir, uid);
  if (state === 'missing') return 0;
  if (!state.ok) {
    throw new BasculeError('io', `the token cache is not used, and not cleared: ${state.why}`, {
      hint: `bascule uses only a 0700 directory of yours, never a symlink; check ${dir} and remove it yourself if it should go`,
    });
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new BasculeError('io', `cannot read ${dir}: ${systemProblem(error)}`, { hint: `check the permissions of ${dir} (bascule keeps its tokens there; KUBECACHEDIR moves it)` });
  }
  const ours = names.filter((n) => /^[0-9a-f]{28}(\.json|\.lock|\.\d+\.[0-9a-f]{8}\.tmp)$/.test(n));
  for (const n of ours) {
    const path = joinPath(dir, n);
    try {
      rmSync(path, { force: true });
    } catch {
      rmdirSync(path); // a directory squatting on a lock name: removed if empty, else an error
    }
  }
  return ours.filter((n) => n.endsWith(FILE_SUFFIX)).length;
}
