// @ts-check
/**
 * vitest's global setup: what the tests need on this machine (as `npm test`
 * checks first: scripts/test-needs.mjs), the run's temporary root (see
 * temp.mjs), removed at the end; TMPDIR points into it, so even a directory a
 * test makes with os.tmpdir() directly is removed with it. And the golden
 * files' rule: under CI, UPDATE_GOLDEN fails the run (a CI run must compare,
 * never rewrite).
 */
import { rmSync } from 'node:fs';
import { main as checkTestNeeds } from '../../scripts/test-needs.mjs';
import { makeRunRoot, ROOT_VARIABLE } from './temp.mjs';

export function setup() {
  if (process.env.UPDATE_GOLDEN && process.env.CI && process.env.CI !== 'false') {
    throw new Error('UPDATE_GOLDEN is set under CI: a CI run compares the golden files, it never rewrites them; unset UPDATE_GOLDEN');
  }
  // A run started without npm test (npx vitest run) stops here, with the one line the check printed
  // (a thrown error would add vitest's stack trace), rather than failing test by test.
  if (checkTestNeeds({ checkOnly: true }) !== 0) process.exit(1);
  const root = makeRunRoot();
  process.env[ROOT_VARIABLE] = root;
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
