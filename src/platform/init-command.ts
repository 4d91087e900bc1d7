/** `bascule init`: writes the commented starter platform file. */
import { resolve } from 'node:path';
import { BasculeError } from '../errors.js';
import type { Io } from '../io.js';
import { readExisting, writeAtomic } from '../files.js';
import { DEFAULT_PLATFORM_FILE } from './read.js';
import { STARTER } from './starter.js';

export interface InitFlags {
  out?: string;
  force?: boolean;
}

export function initCommand(flags: InitFlags, io: Io): void {
  const out = flags.out ?? DEFAULT_PLATFORM_FILE;
  if (out === '-') {
    io.stdout(STARTER);
    return;
  }
  const target = resolve(io.cwd, out);
  if (readExisting(target) && !flags.force) {
    throw new BasculeError('usage', `${out} already exists`, { hint: 'pass --force to overwrite it (the old file is kept as .bak), or --out another file' });
  }
  const result = writeAtomic(target, STARTER, { newMode: 0o644, backup: true });
  io.stderr(`wrote ${out}${result.backup ? ` (previous content in ${result.backup})` : ''}: edit it, then run \`bascule kubeconfig --config ${out}\`\n`);
}
