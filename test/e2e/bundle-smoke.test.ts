/**
 * The Node bundle (dist/bascule.js, for `npm i -g`): a smoke tier. The full
 * end-to-end tiers run against the single binary (see test/support/run.ts);
 * BASCULE_E2E=bundle runs them against the bundle instead.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, envKeys, requireArtefact, ROOT, runBundle, spawnAsync } from '../support/run.js';
import { startWorld, TXT_NAME, writeKubeconfig, type World } from '../support/world.js';

describe('the Node bundle', () => {
  let world: World;
  const dirs: string[] = [];
  beforeAll(async () => {
    world = await startWorld({ moto: false });
  });
  afterAll(() => {
    world?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is kubectl\'s credential plugin: the TXT record names the cluster, stderr stays empty', async () => {
    const config = writeKubeconfig(world, {
      server: world.api.green.url,
      caPems: [world.cas.blue.certPem, world.cas.green.certPem],
      command: requireArtefact(BUNDLE),
      args: ['token', '-i', TXT_NAME, '--dns-server', world.dns.address, '--allow-cluster', 'eks-*'],
    });
    const env = envKeys();
    for (let i = 0; i < 2; i++) {
      // The second call is served from the cache.
      const r = await spawnAsync('kubectl', ['--kubeconfig', config, 'get', 'namespaces', '-o', 'name'], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('namespace/eks-green');
    }
    expect(world.api.green.identities.at(-1)).toMatchObject({ clusterName: 'eks-green' });
  });

  it('generates the manifests byte-identical to the goldens', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bascule-bundle-manifests-'));
    dirs.push(out);
    const r = await runBundle(['manifests', '--config', 'examples/platform.yaml', '--out', out], { env: envKeys(), cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    const golden = join(ROOT, 'test/golden/manifests');
    const files = readdirSync(golden, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(golden, f)).isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(golden, f), 'utf8'));
  });

  it('prints its version on Node', async () => {
    const r = await runBundle(['--version'], { env: envKeys() });
    expect(r.stdout).toMatch(/^bascule \S+ \(commit \S+, node v\d+\.\d+\.\d+\)\n$/);
  });
});
