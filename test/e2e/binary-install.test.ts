/**
 * The single binary (Bun; built by `npm test` before vitest runs) as kubectl's
 * credential plugin, the generators through it, and the Homebrew-style
 * install from a local release.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY, envKeys, requireArtefact, ROOT, spawnAsync } from '../support/run.js';
import { startWorld, TXT_NAME, writeKubeconfig, type World } from '../support/world.js';
import { makeTempDir } from '../support/temp.mjs';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const BUN = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages['node_modules/bun'].version as string;
const requireBinary = () => requireArtefact(BINARY);

let release: string;
beforeAll(async () => {
  requireBinary();
  release = makeTempDir('release-');
  const r = await spawnAsync(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--target', 'linux-x64', '--no-build', '--out', release], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: undefined },
    timeoutMs: 180_000,
  });
  expect(r.code, r.stderr).toBe(0);
}, 200_000);

describe('the single binary', () => {
  it('prints its version, commit and runtime: the Bun version package-lock.json pins', async () => {
    const r = await spawnAsync(requireBinary(), ['--version'], { env: envKeys() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`bascule ${VERSION} (commit ${/commit (\w+)/.exec(r.stdout)?.[1]}, bun ${BUN})\n`);
    expect(r.stdout).toMatch(/\(commit ([0-9a-f]{7,}|unknown),/);
    expect(r.stderr).toBe('');
  });

  it('loads its cold chunks on first use: help, the generators; stderr holds the summary alone', async () => {
    const help = await spawnAsync(requireBinary(), ['kubeconfig', '--help'], { env: envKeys() });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: bascule kubeconfig/);
    const out = makeTempDir('binary-manifests-');
    const r = await spawnAsync(requireBinary(), ['manifests', '--config', 'examples/platform.yaml', '--out', out, '--colour', 'green'], { env: envKeys(), cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`${out}/green: 9 files (9 written), eks-green\n`);
    expect(readFileSync(join(out, 'green/external-dns.yaml'), 'utf8')).toBe(readFileSync(join(ROOT, 'test/golden/manifests/green/external-dns.yaml'), 'utf8'));
  });

  describe('as kubectl\'s credential plugin', () => {
    let world: World;
    beforeAll(async () => {
      world = await startWorld({ moto: false });
    });
    afterAll(() => world?.stop());

    it('authenticates against the stand-in for the cluster the TXT record names', async () => {
      const config = writeKubeconfig(world, {
        server: world.api.green.url,
        caPems: [world.cas.blue.certPem, world.cas.green.certPem],
        command: requireBinary(),
        args: ['token', '-i', TXT_NAME, '--dns-server', world.dns.address, '--allow-cluster', 'eks-blue', '--allow-cluster', 'eks-green'],
      });
      const r = await spawnAsync('kubectl', ['--kubeconfig', config, 'get', 'namespaces', '-o', 'name'], { env: envKeys() });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('namespace/eks-green');
      expect(world.api.green.identities.at(-1)).toMatchObject({ clusterName: 'eks-green' });
    });
  });
});

describe('release and scripts/install.sh', () => {
  const install = (args: string[]) => spawnAsync('sh', [join(ROOT, 'scripts/install.sh'), ...args], { env: { PATH: process.env.PATH } });

  it('--help prints its usage comment, and no line of the script', async () => {
    const r = await install(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Installs bascule from a release/);
    expect(r.stdout).toContain('  scripts/install.sh [--prefix DIR] [--from DIR|URL] [--version V]\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('  --version  the version to install (default: the one SHA256SUMS lists)');
    expect(r.stdout).not.toMatch(/set -eu|^#/m);
  });

  it('writes one tarball per target, the node bundle, SHA256SUMS and the formula', () => {
    expect(readdirSync(release).sort()).toEqual(['SHA256SUMS', `bascule-${VERSION}-linux-x64.tar.gz`, `bascule-${VERSION}-node.tar.gz`, 'bascule.rb']);
    const sums = readFileSync(join(release, 'SHA256SUMS'), 'utf8');
    expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  bascule-${VERSION}-linux-x64\\.tar\\.gz\\n[0-9a-f]{64}  bascule-${VERSION}-node\\.tar\\.gz\\n$`));
    const formula = readFileSync(join(release, 'bascule.rb'), 'utf8');
    // The formula installs the binary: its sum, never the node bundle's.
    const [binarySum, nodeSum] = sums.trim().split('\n').map((line) => line.split('  ')[0]);
    expect(formula).toContain(`url "https://github.com/bascule-dev/bascule/releases/download/v${VERSION}/bascule-${VERSION}-linux-x64.tar.gz"\n      sha256 "${binarySum}"`);
    expect(formula).not.toContain(nodeSum);
    expect(formula).toContain('bin.install "bin/bascule"');
    expect(formula).not.toMatch(/depends_on "node"/);
  });

  it('the formula follows brew audit: desc of at most 80 characters, no redundant version, a livecheck, a test', () => {
    const formula = readFileSync(join(release, 'bascule.rb'), 'utf8');
    const desc = /^  desc "(.*)"$/m.exec(formula)?.[1] ?? '';
    expect(desc.length).toBeGreaterThan(0);
    expect(desc.length).toBeLessThanOrEqual(80);
    expect(desc).not.toMatch(/^(a|an|the|bascule)\b/i);
    expect(formula).not.toMatch(/^\s*version "/m);
    expect(formula).toMatch(/^  livecheck do\n    url :stable\n    strategy :github_latest\n  end$/m);
    expect(formula).toMatch(/^  test do\n[\s\S]*shell_output\("#\{bin\}\/bascule --version"\)[\s\S]*^  end$/m);
  });

  it("the formula's test passes against the binary: --version, then a token presigned offline", async () => {
    const formula = readFileSync(join(release, 'bascule.rb'), 'utf8');
    const command = /shell_output\("#\{bin\}\/bascule (token [^"]+)"\)/.exec(formula)?.[1];
    expect(command).toBeDefined();
    const env = envKeys();
    const r = await spawnAsync(requireBinary(), (command as string).split(' '), { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+\n$/);
  });

  it('packages reproducibly: the same inputs give the same bytes', async () => {
    const again = makeTempDir('release-');
    const r = await spawnAsync(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--target', 'linux-x64', '--no-build', '--out', again], { env: process.env, timeoutMs: 180_000 });
    expect(r.code).toBe(0);
    expect(readFileSync(join(again, 'SHA256SUMS'), 'utf8')).toBe(readFileSync(join(release, 'SHA256SUMS'), 'utf8'));
  }, 200_000);

  it('installs into a prefix, verified, and runs; a second run changes nothing', async () => {
    const prefix = makeTempDir('prefix-');
    const first = await install(['--prefix', prefix, '--from', release]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`installed bascule ${VERSION} (linux-x64) at ${prefix}/bin/bascule\n`);
    const v = await spawnAsync(join(prefix, 'bin/bascule'), ['--version'], { env: envKeys() });
    expect(v.stdout).toMatch(new RegExp(`^bascule ${VERSION.replace(/\./g, '\\.')} `));
    const second = await install(['--prefix', prefix, '--from', release, '--version', VERSION]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`bascule ${VERSION} is already installed at ${prefix}/bin/bascule\n`);
    expect(readdirSync(join(prefix, 'bin'))).toEqual(['bascule']);
  });

  it('refuses a tarball whose checksum does not match, and installs nothing', async () => {
    const tampered = makeTempDir('tampered-');
    for (const name of readdirSync(release)) copyFileSync(join(release, name), join(tampered, name));
    const tarball = join(tampered, `bascule-${VERSION}-linux-x64.tar.gz`);
    const bytes = readFileSync(tarball);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 0xff;
    writeFileSync(tarball, bytes);
    const prefix = makeTempDir('prefix-');
    const r = await install(['--prefix', prefix, '--from', tampered]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/checksum mismatch for bascule-.*-linux-x64\.tar\.gz: expected [0-9a-f]{64}, got [0-9a-f]{64}; refusing to install/);
    expect(existsSync(join(prefix, 'bin'))).toBe(false);
  });

  it.each([
    [['--version', '9.9.9'], /no bascule-9\.9\.9-linux-x64\.tar\.gz in .*SHA256SUMS/],
    [['--bogus'], /unknown argument: --bogus/],
  ])('refuses %j', async (extra, message) => {
    const prefix = makeTempDir('prefix-');
    mkdirSync(prefix, { recursive: true });
    const r = await install(['--prefix', prefix, '--from', release, ...extra]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a --from that holds no release', async () => {
    const r = await install(['--prefix', makeTempDir('p-'), '--from', makeTempDir('empty-')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SHA256SUMS does not exist/);
  });
});
