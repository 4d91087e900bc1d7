/**
 * Which platform file a command reads when --config is not given, in order:
 *   1. --config FILE
 *   2. $BASCULE_CONFIG (relative to the working directory)
 *   3. platform.yaml in the working directory or the nearest parent, as git
 *      finds .git: the search stops at $HOME (included) when the working
 *      directory is inside it, else at the filesystem root. A platform file
 *      above the home directory (/home/platform.yaml, /platform.yaml) belongs
 *      to no one in particular: it is never picked up from inside a home.
 * A BASCULE_CONFIG naming no file is an error that names the variable.
 * The path handed on is the one the user wrote, or, when found by the search,
 * relative to the working directory (../platform.yaml), so messages stay short.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BasculeError } from '../errors.js';
import type { Io } from '../io.js';
import { errnoCode, systemProblem } from '../system-error.js';

export const PLATFORM_FILE_NAME = 'platform.yaml';

export type PlatformFileSource = 'flag' | 'env' | 'search';

export interface FoundPlatformFile {
  readonly path: string;
  readonly source: PlatformFileSource;
}

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** A path from BASCULE_CONFIG that names no file: the error says where it came from (no --config was typed). */
function checkFromEnv(path: string, cwd: string): void {
  let problem: string | undefined;
  try {
    if (statSync(resolve(cwd, path)).isDirectory()) problem = 'is a directory';
  } catch (error) {
    problem = errnoCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read: ${systemProblem(error)}`;
  }
  if (problem === undefined) return;
  throw new BasculeError('io', `BASCULE_CONFIG names the platform file ${path}, which ${problem}${isAbsolute(path) ? '' : ` (relative to ${cwd})`}`, {
    hint: 'set BASCULE_CONFIG to the platform file, unset it to search for platform.yaml, or pass --config FILE',
  });
}

/** The directories searched, nearest first: cwd up to $HOME when inside it, else up to the root. */
export function searchDirectories(cwd: string, home: string | undefined): string[] {
  const start = resolve(cwd);
  const stop = home ? resolve(home) : undefined;
  const inside = stop !== undefined && (start === stop || start.startsWith(stop.endsWith(sep) ? stop : stop + sep));
  const dirs: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    dirs.push(dir);
    if ((inside && dir === stop) || dirname(dir) === dir) return dirs;
  }
}

export function findPlatformFile(flag: string | undefined, io: Pick<Io, 'env' | 'cwd' | 'verbose'>): FoundPlatformFile {
  if (flag !== undefined) {
    io.verbose?.(`platform file: ${flag} (--config)`);
    return { path: flag, source: 'flag' };
  }
  const fromEnv = io.env.BASCULE_CONFIG;
  if (fromEnv) {
    io.verbose?.(`platform file: ${fromEnv} (BASCULE_CONFIG)`);
    checkFromEnv(fromEnv, io.cwd);
    return { path: fromEnv, source: 'env' };
  }
  const home = io.env.HOME || homedir();
  const dirs = searchDirectories(io.cwd, home);
  for (const dir of dirs) {
    const candidate = join(dir, PLATFORM_FILE_NAME);
    if (isFile(candidate)) {
      const path = relative(io.cwd, candidate) || PLATFORM_FILE_NAME;
      io.verbose?.(`platform file: ${path} (found searching up from ${io.cwd})`);
      return { path, source: 'search' };
    }
    io.verbose?.(`platform file: no ${candidate}`);
  }
  const top = dirs[dirs.length - 1] as string;
  throw new BasculeError('io', `no platform file: no ${PLATFORM_FILE_NAME} in ${resolve(io.cwd)}${dirs.length > 1 ? ` or its parents up to ${top}` : ''}`, {
    hint: 'pass --config FILE, set BASCULE_CONFIG, or write a starter with `bascule init`',
  });
}
