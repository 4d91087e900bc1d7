/** Reads and loads the platform file a command names (the file adapter of load.ts). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BasculeError } from '../errors.js';
import { writeCulprit } from '../files.js';
import { errnoCode, systemProblem } from '../system-error.js';
import { loadPlatform, type PlatformChecks } from './load.js';
import type { Platform } from './model.js';

export const DEFAULT_PLATFORM_FILE = 'platform.yaml';

export function readPlatform(file: string, cwd: string, checks?: PlatformChecks): Platform {
  const absolute = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    throw new BasculeError('io', `cannot read the platform file ${file}: ${systemProblem(error)}`, {
      hint:
        code === 'ENOENT'
          ? 'name an existing file with --config FILE, or write a starter with `bascule init`'
          : code === 'EISDIR'
            ? `name the file itself, e.g. --config ${file.replace(/\/+$/, '')}/platform.yaml`
            : code === 'ENOTDIR'
              ? `${writeCulprit(absolute) ?? 'a part of the path is a file'}: name the platform file by a path made of directories`
              : 'check the permissions of the file and its directories (ls -ld)',
    });
  }
  return loadPlatform(text, { source: file, baseDir: dirname(absolute) }, checks);
}
