#!/usr/bin/env node
// `npm run release`: Homebrew-style release artefacts in dist/release/.
//
//   bascule-<version>-<os>-<arch>.tar.gz   bin/bascule (single binary) + licences
//   bascule-<version>-node.tar.gz           the bundle (libexec/*.js) for any OS with Node >= 20
//   SHA256SUMS                              sha256 of every tarball
//   bascule.rb                              a Homebrew formula rendered from those sums
//
//   node scripts/release.mjs                 every target of scripts/build-binary.mjs
//   node scripts/release.mjs --target linux-x64
//   node scripts/release.mjs --no-build --out DIR   package what dist/ already holds (tests)
//
// BASCULE_RELEASE_URL (where the tarballs will be published) and
// BASCULE_HOMEPAGE go into the formula; their defaults are placeholders to set
// when publishing.
//
// Tarballs are reproducible: sorted names, fixed mtime and owner, gzip -n.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIMES, runtime } from './build-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.version;
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : join(root, 'dist/release');
const build = !args.includes('--no-build');
const at = args.indexOf('--target');
const targets = at >= 0 ? args[at + 1].split(',') : Object.keys(RUNTIMES);
const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], ...opts }).toString();

/** tar.gz of `dir` (its contents under `prefix/`), byte-for-byte reproducible. */
function tarball(dir, prefix, file) {
  execFileSync('sh', ['-c', `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C "$1" -cf - "$2" | gzip -9n > "$3"`, 'sh', dir, prefix, file]);
}

// 1. The bundle and the binaries.
if (build) run(process.execPath, [join(root, 'scripts/build.mjs')]);
const bundleFiles = readdirSync(join(root, 'dist')).filter((n) => /^bascule(-[a-z-]+)?\.js$/.test(n));
if (build) run(process.execPath, [join(root, 'scripts/build-binary.mjs'), '--target', targets.join(',')]);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 2. One tarball per binary target.
const staging = mkdtempSync(join(tmpdir(), 'bascule-release-'));
for (const target of targets) {
  const name = `bascule-${version}-${target}`;
  const dir = join(staging, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(root, `dist/bascule-${target}`), join(dir, 'bin/bascule'));
  chmodSync(join(dir, 'bin/bascule'), 0o755);
  copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
  const spec = RUNTIMES[target];
  copyFileSync(join(runtime(spec.pkg, spec.version, spec.bin), '../../LICENSE'), join(dir, 'LICENSE.node'));
  copyFileSync(join(root, 'README.md'), join(dir, 'README.md'));
  tarball(staging, name, join(out, `${name}.tar.gz`));
}

// 3. The bundle for Homebrew's node (macOS without a signed binary) or any Node >= 20.
{
  const name = `bascule-${version}-node`;
  const dir = join(staging, name);
  mkdirSync(join(dir, 'libexec'), { recursive: true });
  for (const f of bundleFiles) copyFileSync(join(root, 'dist', f), join(dir, 'libexec', f));
  chmodSync(join(dir, 'libexec/bascule.js'), 0o755);
  copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
  copyFileSync(join(root, 'README.md'), join(dir, 'README.md'));
  tarball(staging, name, join(out, `${name}.tar.gz`));
}
rmSync(staging, { recursive: true, force: true });

// 4. Checksums, and the formula rendered from them.
const sums = readdirSync(out)
  .filter((n) => n.endsWith('.tar.gz'))
  .sort()
  .map((n) => ({ name: n, sha256: createHash('sha256').update(readFileSync(join(out, n))).digest('hex') }));
writeFileSync(join(out, 'SHA256SUMS'), sums.map((s) => `${s.sha256}  ${s.name}\n`).join(''));
const sum = (name) => sums.find((s) => s.name === name)?.sha256;
writeFileSync(join(out, 'bascule.rb'), formula(sum));
console.error(`release: ${sums.length} tarballs, SHA256SUMS and bascule.rb in ${out}`);

function formula(sumOf) {
  const base = process.env.BASCULE_RELEASE_URL ?? `https://github.com/bascule-dev/bascule/releases/download/v${version}`;
  const linux = ['linux-x64', 'linux-arm64']
    .filter((t) => sumOf(`bascule-${version}-${t}.tar.gz`))
    .map((t) => {
      const cpu = t === 'linux-x64' ? 'on_intel' : 'on_arm';
      return `    ${cpu} do\n      url "${base}/bascule-${version}-${t}.tar.gz"\n      sha256 "${sumOf(`bascule-${version}-${t}.tar.gz`)}"\n    end`;
    })
    .join('\n');
  const node = `bascule-${version}-node.tar.gz`;
  return `# Generated by scripts/release.mjs from SHA256SUMS: do not edit.
# Linux installs the single binary; macOS installs the bundle on Homebrew's
# node (the macOS single binaries are cross-built and unsigned).
class Bascule < Formula
  desc "Blue/green EKS: kubectl credential plugin following the active cluster, generators, switch"
  homepage "${process.env.BASCULE_HOMEPAGE ?? 'https://github.com/bascule-dev/bascule'}"
  version "${version}"
  license "Apache-2.0"

  on_macos do
    url "${base}/${node}"
    sha256 "${sumOf(node)}"
    depends_on "node"
  end

  on_linux do
${linux}
  end

  def install
    if OS.mac?
      libexec.install Dir["libexec/*"]
      (bin/"bascule").write_env_script libexec/"bascule.js", PATH: "#{Formula["node"].opt_bin}:$PATH"
    else
      bin.install "bin/bascule"
    end
  end

  test do
    assert_match "bascule #{version}", shell_output("#{bin}/bascule --version")
  end
end
`;
}
