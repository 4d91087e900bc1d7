// @ts-check
/**
 * vitest's global setup: the run's temporary root (see temp.mjs), removed at
 * the end; TMPDIR points into it, so even a directory a test makes with
 * os.tmpdir() directly is removed with it. And the golden files' rule: under
 * CI, UPDATE_GOLDEN fails the run (a CI run must compare, never rewrite).
 */
import { rmSync } from 'node:fs';
import { makeRunRoot, ROOT_VARIABLE } from './temp.mjs';

export function setup() {
  if (process.env.UPDATE_GOLDEN && process.env.CI && process.env.CI !== 'false') {
    throw new Error('UPDATE_GOLDEN is set under CI: a CI run compares the golden files, it never rewrites them; unset UPDATE_GOLDEN');
  }
  const root = makeRunRoot();
  process.env[ROOT_VARIABLE] = root;
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
