/**
 * Which fleet a command reads, in order (as the platform file is found):
 *   1. --fleet PATH
 *   2. $BASCULE_FLEET (relative to the working directory)
 *   3. fleet.yaml in the working directory or the nearest parent, up to
 *      $HOME when inside it (src/terminal/platform-file.ts's search).
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { BasculeError } from '../errors.js';
import type { Io } from '../io.js';
import { searchDirectories } from '../terminal/platform-file.js';
import { FLEET_FILE_NAME } from './fleet-file.js';

const exists = (path: string) => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/** The fleet's path: the flag (a string; `true` when given bare, as --all), BASCULE_FLEET, or the search. */
export function findFleet(flag: string | undefined, io: Pick<Io, 'env' | 'cwd' | 'verbose'>): string {
  if (flag !== undefined) {
    io.verbose?.(`fleet: ${flag} (--fleet)`);
    return flag;
  }
  const fromEnv = io.env.BASCULE_FLEET;
  if (fromEnv) {
    io.verbose?.(`fleet: ${fromEnv} (BASCULE_FLEET)`);
    if (!exists(resolve(io.cwd, fromEnv))) {
      throw new BasculeError('io', `BASCULE_FLEET names the fleet ${fromEnv}, which does not exist`, { hint: 'set BASCULE_FLEET to a fleet file or a directory of platform files, unset it to search for fleet.yaml, or pass --fleet PATH' });
    }
    return fromEnv;
  }
  const dirs = searchDirectories(io.cwd, io.env.HOME || homedir());
  for (const dir of dirs) {
    const candidate = join(dir, FLEET_FILE_NAME);
    if (exists(candidate)) {
      const path = relative(io.cwd, candidate) || FLEET_FILE_NAME;
      io.verbose?.(`fleet: ${path} (found searching up from ${io.cwd})`);
      return path;
    }
  }
  const top = dirs[dirs.length - 1] as string;
  throw new BasculeError('io', `no fleet: no ${FLEET_FILE_NAME} in ${resolve(io.cwd)}${dirs.length > 1 ? ` or its parents up to ${top}` : ''}`, {
    hint: 'pass --fleet PATH (a fleet file, or a directory of platform files), or set BASCULE_FLEET; docs/fleet.md shows a fleet file',
  });
}
