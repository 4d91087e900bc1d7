// @ts-check
/**
 * The one place tests make directories. Every helper that needs one (homes,
 * certificates, worlds, binary tests, temp dirs of a test file) calls
 * `makeTempDir`, which creates it under one root per test run: the global
 * setup (test/support/global-setup.mjs) makes that root and removes it, whole,
 * when the run ends, whatever the tests did or failed to do. So `npm test`
 * leaves no `bascule-*` entry in /tmp, private keys included.
 *
 * Outside a vitest run (a script importing a helper), the root is made on
 * first use and removed when the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT_VARIABLE = 'BASCULE_TEST_TMP';

/** A new run root, `bascule-test-XXXXXX` in the system's temporary directory. */
export const makeRunRoot = () => mkdtempSync(join(tmpdir(), 'bascule-test-'));

/** @type {string | undefined} */
let ownRoot;

/** The run's root directory. */
export function testRoot() {
  const given = process.env[ROOT_VARIABLE];
  if (given) return given;
  if (!ownRoot) {
    const root = makeRunRoot();
    ownRoot = root;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return ownRoot;
}

/**
 * A new directory under the run's root, named `<prefix>XXXXXX`.
 * @param {string} prefix e.g. "home-"
 */
export function makeTempDir(prefix) {
  return mkdtempSync(join(testRoot(), prefix.replace(/^bascule-/, '')));
}

/** Removes a directory made by makeTempDir now (the run's end removes it anyway). @param {string} dir */
export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
