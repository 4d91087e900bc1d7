/** Reads and loads the platform file a command names (the file adapter of load.ts). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BasculeError } from '../errors.js';
import { loadPlatform, type PlatformChecks } from './load.js';
import type { Platform } from './model.js';

export const DEFAULT_PLATFORM_FILE = 'platform.yaml';

export function readPlatform(file: string, cwd: string, checks?: PlatformChecks): Platform {
  const absolute = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BasculeError('io', `cannot read the platform file ${file}: ${code ?? (error as Error).message}`, {
      hint: code === 'ENOENT' ? 'pass --config FILE, or write a starter with `bascule init`' : 'check the path and its permissions',
    });
  }
  return loadPlatform(text, { source: file, baseDir: dirname(absolute) }, checks);
}
