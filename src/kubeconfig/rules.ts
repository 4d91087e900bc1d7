/**
 * The kubeconfig room's face to the other rooms: kubectl's rules for where
 * its kubeconfig is, which the merge writes by and the doctor reads by.
 * Nothing else of kubeconfig/ is for another room.
 */
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { kubeconfigPaths } from './merge.js';

/** kubectl's loading precedence: the explicit file (--merge FILE), else $KUBECONFIG's paths, else ~/.kube/config. */
export function loadingPrecedence(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string[] {
  if (explicit !== undefined) return [resolve(cwd, explicit)];
  const paths = kubeconfigPaths(env.KUBECONFIG, delimiter).map((p) => resolve(cwd, p));
  return paths.length > 0 ? [...new Set(paths)] : [resolve(env.HOME || homedir(), '.kube', 'config')];
}
