#!/usr/bin/env node
// The single binary: bascule compiled by Bun (`bun build --compile --bytecode`)
// into one executable per target, from the official Bun packages of the npm
// registry pinned in package-lock.json (see scripts/bun.mjs).
//
//   node scripts/build-binary.mjs                 dist/bascule-linux-x64 (this machine's target)
//   node scripts/build-binary.mjs --all           every target in TARGETS
//   node scripts/build-binary.mjs --target linux-arm64,darwin-arm64
//
// What Bun compiles is the same bundle as the Node one (scripts/build.mjs),
// in its ES-module form, so both artefacts have the pieces scripts/chunks.mjs
// declares: the hot file is the executable's main module; each chunk is a
// separate module inside the executable, loaded on its first import().
//
// BASCULE_TRACE_CHUNKS=FILE makes the binary append the name of each module it
// loads to FILE (one line each): the tests use it to prove that every chunk is
// loaded by some command, and that a cached token loads none.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from './build.mjs';
import { BunPackageError, HOST, hostBun, runtimeFor, TARGETS } from './bun.mjs';
import { checkMachOSignature } from './macho.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Appended to every module of the executable: one getenv when unset. */
const TRACE = 'process.env.BASCULE_TRACE_CHUNKS&&import.meta.require("fs").appendFileSync(process.env.BASCULE_TRACE_CHUNKS,import.meta.path+"\\n");';

/**
 * Bun's flags, as measured (README, "Benchmark"): bytecode, so nothing is
 * parsed at start; --minify (smaller modules to page in); no .env, bunfig.toml,
 * tsconfig.json or package.json read from the working directory at start (a
 * credential plugin must not change with the directory kubectl runs in).
 */
const BUN_FLAGS = [
  '--compile',
  '--bytecode',
  '--format=esm',
  '--splitting',
  '--minify',
  '--no-compile-autoload-dotenv',
  '--no-compile-autoload-bunfig',
  '--no-compile-autoload-tsconfig',
  '--no-compile-autoload-package-json',
  `--banner=${TRACE}`,
];

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }).toString();

function hasTool(tool, args = ['--version']) {
  try {
    execFileSync(tool, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Debian's qemu-user and libc6-arm64-cross let the linux-arm64 binary run here, emulated. */
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
const hasQemuArm64 = () => hasTool('qemu-aarch64') && existsSync(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1'));

export async function buildBinaries(targets) {
  for (const t of targets) if (!TARGETS[t]) throw new BunPackageError(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);
  const bun = hostBun();
  const stage = join(root, 'node_modules/.cache/bascule-bun/stage');
  rmSync(stage, { recursive: true, force: true });
  await buildBundle({ outdir: stage, format: 'esm' });
  const built = [];
  for (const target of targets) {
    const runtime = runtimeFor(target);
    const out = join(root, `dist/bascule-${target}`);
    rmSync(out, { force: true });
    mkdirSync(join(root, 'dist'), { recursive: true });
    run(bun.exe, ['build', ...BUN_FLAGS, `--target=${TARGETS[target].bun}`, `--compile-executable-path=${runtime.exe}`, join(stage, 'bascule.js'), '--outfile', out], {
      cwd: root,
      env: { ...process.env, BUN_INSTALL_CACHE_DIR: join(stage, 'no-downloads') },
    });
    const notes = [`${runtime.pkg}@${runtime.version}`];
    if (target === HOST) notes.push(`runs here: ${run(out, ['--version']).trim()}`);
    else if (target === 'linux-arm64' && hasQemuArm64()) notes.push(`runs under qemu-aarch64: ${run('qemu-aarch64', ['-L', ARM64_SYSROOT, out, '--version']).trim()}`);
    else notes.push('cross-built, not run here');
    if (TARGETS[target].os === 'darwin') {
      // Bun signs its arm64 output ad hoc (macOS will not run arm64 code
      // without a valid signature); its x64 output keeps the runtime's own
      // signature, which no longer matches. Intel Macs run it regardless, and
      // the formula and install.sh sign ad hoc again on install (codesign).
      try {
        notes.push(checkMachOSignature(readFileSync(out), out));
      } catch (error) {
        if (target === 'darwin-arm64') throw error;
        notes.push(`${error.message.slice(out.length + 2)}: signed ad hoc on install`);
      }
    }
    built.push({ target, file: out, bun: `${runtime.pkg}@${runtime.version}`, note: notes.join('; ') });
    console.error(`build-binary: ${out} (${notes.join('; ')})`);
  }
  rmSync(stage, { recursive: true, force: true });
  writeFileSync(join(root, 'dist/binaries.json'), JSON.stringify(built, null, 2) + '\n');
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--target');
  const targets = args.includes('--all') ? Object.keys(TARGETS) : at >= 0 ? args[at + 1].split(',') : [HOST];
  try {
    await buildBinaries(targets);
  } catch (error) {
    if (!(error instanceof BunPackageError)) throw error;
    console.error(`build-binary: ${error.message}`);
    process.exit(1);
  }
}
