/**
 * `bascule version -o json` of each artefact names its own runtime: the single
 * binary is Bun (whose process.version imitates Node's), the bundle Node. One
 * golden per artefact; the runtime's version is the pinned Bun, or this Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINARY, ROOT, requireArtefact, runBundle, spawnAsync } from '../support/run.js';
import { golden } from '../support/text.js';

const pinnedBun = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages['node_modules/bun'].version as string;

describe('version -o json, per artefact', () => {
  it.each([
    ['bun', 'the single binary', () => spawnAsync(requireArtefact(BINARY), ['version', '-o', 'json']), pinnedBun],
    ['node', 'the Node bundle', () => runBundle(['version', '-o', 'json']), process.versions.node],
  ])('%s: %s', async (runtime, _, run, runtimeVersion) => {
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const shape = JSON.parse(r.stdout);
    expect(shape).toMatchObject({ runtime, runtimeVersion });
    expect(shape.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(shape.commit).toMatch(/^[0-9a-f]{12}$|^unknown$/);
    golden(`test/golden/version.${runtime}.json`, `${JSON.stringify({ ...shape, version: '<version>', commit: '<commit>', runtimeVersion: '<runtimeVersion>' }, null, 2)}\n`);
  });
});
