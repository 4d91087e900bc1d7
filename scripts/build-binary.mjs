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
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from './build.mjs';
import { BunPackageError, HOST, hostBun, runtimeFor, TARGETS } from './bun.mjs';
import { checkMachOSignature } from './macho.mjs';
import { startDnsServer } from '../test/support/dns-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Appended to every module of the executable: one getenv when unset. */
const TRACE = 'process.env.BASCULE_TRACE_CHUNKS&&import.meta.require("fs").appendFileSync(process.env.BASCULE_TRACE_CHUNKS,import.meta.path+"\\n");';

/**
 * JavaScriptCore's tier-up thresholds at start, x1000: a cached token runs
 * each function a handful of times and exits, and compiling them (the
 * baseline JIT, on a thread of its own) cost more than it saved: 29.4 ms ->
 * 25.0 ms for a cached token on the benchmark machine. Every other command
 * restores the normal policy as it starts (src/program.ts).
 */
const JIT_POLICY = 1000;

/**
 * Bun's flags, as measured (docs/speed.md): bytecode, so nothing is
 * parsed at start; --minify (smaller modules to page in); no .env, bunfig.toml,
 * tsconfig.json or package.json read from the working directory at start (a
 * credential plugin must not change with the directory kubectl runs in).
 */
export const RUNTIME_FLAGS = [
  '--compile',
  `--compile-jit-policy=${JIT_POLICY}`,
  '--bytecode',
  '--format=esm',
  '--splitting',
  '--minify',
  '--no-compile-autoload-dotenv',
  '--no-compile-autoload-bunfig',
  '--no-compile-autoload-tsconfig',
  '--no-compile-autoload-package-json',
];
const BUN_FLAGS = [...RUNTIME_FLAGS, `--banner=${TRACE}`];

/**
 * The floor the benchmark measures bascule against: an empty file compiled by
 * this machine's Bun with bascule's own flags (bytecode, JIT policy, no
 * autoloads; not the trace banner, which is code of ours). What it costs to
 * start is the runtime's; everything above it is bascule's.
 */
export function compileEmpty(dir, out) {
  const bun = hostBun();
  const entry = join(dir, 'empty.js');
  writeFileSync(entry, '');
  run(bun.exe, ['build', ...RUNTIME_FLAGS, `--compile-executable-path=${bun.exe}`, entry, '--outfile', out], { cwd: dir, env: { ...process.env, BUN_INSTALL_CACHE_DIR: join(dir, 'no-downloads') } });
  return out;
}

/** What the build is doing, one line a step on stderr (a build takes ~20 s: silence reads as a hang). */
const say = (line) => console.error(`build-binary: ${line}`);
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }).toString();

/** Debian's qemu-user and libc6-arm64-cross let the linux-arm64 binary run here, emulated. */
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
function hasQemuArm64() {
  try {
    execFileSync('qemu-aarch64', ['--version'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  return existsSync(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1'));
}

/**
 * Profile-guided layout of the bytecode (Bun's --bytecode-order): this
 * machine's binary is built once and run on what kubectl runs most, each run
 * writing the functions it used (BUN_BYTECODE_ORDER_OUT): a cached token
 * with a TXT lookup, a cached token for a plain cluster name, a fresh token.
 * Every target is then built with those functions first in its bytecode, so
 * a cached token pages in less of the executable (measured: 25.0 -> 23.8 ms,
 * peak RSS 29.1 -> 28.0 MB). Functions are named by hash, not address: the
 * order recorded here holds for the other targets' builds too.
 * Returns the order files, the most common run first.
 */
async function recordBytecodeOrder(dir, compileHost) {
  mkdirSync(dir);
  const probe = join(dir, 'bascule');
  compileHost(probe);
  const dns = await startDnsServer();
  try {
    dns.setTxt('eks.bascule.test', ['eks-green']);
    const none = join(dir, 'none');
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      KUBECACHEDIR: join(dir, 'cache'),
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const exec = (args, extra = {}) => promisify(execFile)(probe, args, { env: { ...env, ...extra }, timeout: 30_000 });
    await exec(['token', '-i', 'eks-green']); // the cache entry the cached runs read
    const runs = [
      ['cached-txt', ['token', '-i', 'eks.bascule.test', '--dns-server', `127.0.0.1:${dns.port}`]],
      ['cached-plain', ['token', '-i', 'eks-green']],
      ['fresh', ['token', '-i', 'eks-green', '--no-cache']],
    ];
    const files = [];
    for (const [name, args] of runs) {
      const file = join(dir, `${name}.order`);
      await exec(args, { BUN_BYTECODE_ORDER_OUT: file });
      if (!existsSync(file) || readFileSync(file).length === 0) throw new Error(`build-binary: the ${name} run of ${probe} recorded no bytecode order (BUN_BYTECODE_ORDER_OUT)`);
      files.push(file);
    }
    return files;
  } finally {
    await dns.close();
  }
}

export async function buildBinaries(targets) {
  // Each target's runtime, resolved (and checked) once, before any work: an unknown target fails here.
  const bun = hostBun();
  const runtimes = new Map([HOST, ...targets].map((t) => [t, t === HOST ? bun : runtimeFor(t)]));
  // A stage of this build's own: node_modules (and its cache) may be shared by several checkouts building at once.
  const cache = join(root, 'node_modules/.cache/bascule-bun');
  mkdirSync(cache, { recursive: true });
  const stage = mkdtempSync(join(cache, 'stage-'));
  const built = [];
  try {
    say(`bundling src/ for Bun (esbuild, the chunks of scripts/chunks.mjs)`);
    await buildBundle({ outdir: stage, format: 'esm' });
    const compile = (target, out, extra = []) =>
      run(bun.exe, ['build', ...BUN_FLAGS, ...extra, `--target=${TARGETS[target].bun}`, `--compile-executable-path=${runtimes.get(target).exe}`, join(stage, 'bascule.js'), '--outfile', out], {
        cwd: root,
        env: { ...process.env, BUN_INSTALL_CACHE_DIR: join(stage, 'no-downloads') },
      });
    say(`compiling a first ${HOST} executable and running it (a cached token with a TXT lookup, a plain name, a fresh token) to record which functions come first in the bytecode`);
    const orders = await recordBytecodeOrder(join(stage, 'order'), (out) => compile(HOST, out));
    mkdirSync(join(root, 'dist'), { recursive: true });
    for (const target of targets) {
      const out = join(root, `dist/bascule-${target}`);
      rmSync(out, { force: true });
      const runtime = runtimes.get(target);
      say(`compiling ${target} with ${runtime.pkg}@${runtime.version} (bytecode, in that order)`);
      compile(target, out, [`--bytecode-order=${orders.join(',')}`]);
      const size = statSync(out).size;
      const notes = [`${runtime.pkg}@${runtime.version}`, `${mib(size)}: the Bun runtime ${mib(statSync(runtime.exe).size)}, bascule's bytecode and code the rest`];
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
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
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
