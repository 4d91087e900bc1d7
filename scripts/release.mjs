#!/usr/bin/env node
// `npm run release`: Homebrew-style release artefacts in dist/release/.
//
//   bascule-<version>-<os>-<arch>.tar.gz   bin/bascule (the single binary, Bun) + LICENSE, README
//   bascule-<version>-node.tar.gz           the Node bundle (libexec/*.js) + LICENSE, README, for any OS with Node >= 20
//   SHA256SUMS                              sha256 of every tarball
//   bascule.rb                              a Homebrew formula rendered from those sums (the binary on every platform)
//
//   node scripts/release.mjs                 every target of scripts/bun.mjs (linux and darwin, x64 and arm64)
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
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './bun.mjs';
import { bundleFiles } from './chunks.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.version;
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : join(root, 'dist/release');
const build = !args.includes('--no-build');
const at = args.indexOf('--target');
const targets = at >= 0 ? args[at + 1].split(',') : Object.keys(TARGETS);
const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], ...opts }).toString();

/** tar.gz of `dir` (its contents under `prefix/`), byte-for-byte reproducible. */
function tarball(dir, prefix, file) {
  execFileSync('sh', ['-c', `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C "$1" -cf - "$2" | gzip -9n > "$3"`, 'sh', dir, prefix, file]);
}

// 1. The bundle and the binaries.
if (build) {
  run(process.execPath, [join(root, 'scripts/build.mjs')]);
  run(process.execPath, [join(root, 'scripts/build-binary.mjs'), '--target', targets.join(',')]);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const staging = mkdtempSync(join(tmpdir(), 'bascule-release-'));
/** out/bascule-<version>-<kind>.tar.gz: `files` ([from dist/, to]) and `exe` (made executable), with LICENSE and README.md. */
function pack(kind, files, exe) {
  const name = `bascule-${version}-${kind}`;
  const dir = join(staging, name);
  mkdirSync(join(dir, dirname(exe)), { recursive: true });
  for (const [from, to] of files) copyFileSync(join(root, 'dist', from), join(dir, to));
  chmodSync(join(dir, exe), 0o755);
  for (const doc of ['LICENSE', 'README.md']) copyFileSync(join(root, doc), join(dir, doc));
  tarball(staging, name, join(out, `${name}.tar.gz`));
}

try {
  // 2. One tarball per binary target.
  for (const target of targets) pack(target, [[`bascule-${target}`, 'bin/bascule']], 'bin/bascule');

  // 3. The Node bundle, for any OS with Node >= 20.
  pack('node', bundleFiles().map((f) => [f, `libexec/${f}`]), 'libexec/bascule.js');
} finally {
  rmSync(staging, { recursive: true, force: true }); // however packing ends: nothing left in the temp directory
}

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
  const homepage = process.env.BASCULE_HOMEPAGE ?? 'https://github.com/bascule-dev/bascule';
  const block = (target, indent) => {
    const name = `bascule-${version}-${target}.tar.gz`;
    return sumOf(name) ? [`${indent}url "${base}/${name}"`, `${indent}sha256 "${sumOf(name)}"`] : [];
  };
  const os = (name, prefix) => {
    const arm = block(`${prefix}-arm64`, '      ');
    const intel = block(`${prefix}-x64`, '      ');
    if (!arm.length && !intel.length) return [];
    return [
      `  ${name} do`,
      ...(arm.length ? ['    on_arm do', ...arm, '    end'] : []),
      ...(intel.length ? ['    on_intel do', ...intel, '    end'] : []),
      '  end',
      '',
    ];
  };
  const livecheck = /^https:\/\/github\.com\//.test(base) ? ['    url :stable', '    strategy :github_latest'] : ['    url :stable', '    regex(/bascule[._-]v?(\\d+(?:\\.\\d+)+)[._-]/i)'];
  return [
    '# Generated by scripts/release.mjs from SHA256SUMS: do not edit.',
    '# The single binary (Bun) on every platform. The version comes from the URLs.',
    'class Bascule < Formula',
    '  desc "Blue/green EKS: kubectl credential plugin, kubeconfig generator and switch"',
    `  homepage "${homepage}"`,
    '  license "Apache-2.0"',
    '',
    '  livecheck do',
    ...livecheck,
    '  end',
    '',
    ...os('on_macos', 'darwin'),
    ...os('on_linux', 'linux'),
    '  def install',
    '    bin.install "bin/bascule"',
    '    # Bun signs its arm64 build ad hoc; the x64 build carries the runtime\'s',
    '    # signature, which the embedded program no longer matches: sign it again,',
    '    # ad hoc, as Bun documents for compiled executables.',
    '    system "codesign", "--force", "--sign", "-", bin/"bascule" if OS.mac? && Hardware::CPU.intel?',
    '  end',
    '',
    '  test do',
    '    assert_match "bascule #{version}", shell_output("#{bin}/bascule --version")',
    '    # A token is presigned locally: no network, no cluster.',
    '    ENV["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"',
    '    ENV["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"',
    '    ENV["KUBECACHEDIR"] = testpath/"cache"',
    '    output = shell_output("#{bin}/bascule token -i eks-green --region eu-west-1 --token-only")',
    '    assert_match(/\\Ak8s-aws-v1\\.[A-Za-z0-9_-]+\\n\\z/, output)',
    '  end',
    'end',
    '',
  ].join('\n');
}
