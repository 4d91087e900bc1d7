/**
 * The lazily loaded parts of both artefacts are the chunks scripts/chunks.mjs
 * declares. Each chunk's probe command loads it, in the single binary and in
 * the Node bundle; the hot path (a cached token) loads none of them, and a
 * token made from environment keys loads only the signer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFiles, CHUNKS } from '../../scripts/chunks.mjs';
import { BINARY, BUNDLE, envKeys, requireArtefact, ROOT, spawnAsync } from '../support/run.js';

const chunks = CHUNKS as { name: string; probe: string[]; probeEnv?: Record<string, string> }[];
const dir = mkdtempSync(join(tmpdir(), 'bascule-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The chunk names a run loaded, from the trace the artefact wrote. */
async function loaded(artefact: 'binary' | 'bundle', args: string[], env = envKeys()) {
  const trace = join(dir, `trace-${++n}`);
  const [cmd, argv] =
    artefact === 'binary'
      ? [requireArtefact(BINARY), args]
      : [process.execPath, ['--require', join(ROOT, 'test/support/trace-require.cjs'), requireArtefact(BUNDLE), ...args]];
  const r = await spawnAsync(cmd, argv, { env: { ...env, BASCULE_TRACE_CHUNKS: trace }, cwd: ROOT });
  const lines = readFileSync(trace, 'utf8').trim().split('\n');
  // The binary names its modules /$bunfs/root/bascule-<chunk>-<hash>.js; the bundle, dist/bascule-<chunk>.js.
  const names = lines.map((l) => /\/bascule-([a-z0-9-]+?)(?:-[a-z0-9]{8})?\.js$/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
  return { r, names: [...new Set(names)].sort(), lines };
}

describe.each(['binary', 'bundle'] as const)('the %s', (artefact) => {
  it.each(chunks.map((c) => [c.name, c.probe, c.probeEnv] as const))('loads the %s chunk for `bascule %s`', async (name, probe, probeEnv) => {
    const { names } = await loaded(artefact, probe, envKeys(probeEnv));
    expect(names).toContain(name);
  });

  it('serves a cached token without loading any chunk, and a token from environment keys with the signer alone', async () => {
    const env = envKeys();
    const args = ['token', '-i', 'eks-green', '--region', 'eu-west-1'];
    const first = await loaded(artefact, args, env);
    expect(first.r.code, first.r.stderr).toBe(0);
    expect(first.r.stderr).toBe('');
    expect(first.names).toEqual(['signer']);
    const cached = await loaded(artefact, args, env);
    expect(cached.r.stdout).toBe(first.r.stdout);
    expect(cached.r.stderr).toBe('');
    expect(cached.names).toEqual([]);
  });
});

it('every declared chunk has a probe, and the bundle is exactly the declared files', () => {
  for (const c of chunks) expect(c.probe.length, c.name).toBeGreaterThan(0);
  expect((bundleFiles as () => string[])()).toEqual(['bascule.js', 'bascule-main.js', ...chunks.map((c) => `bascule-${c.name}.js`)]);
});
