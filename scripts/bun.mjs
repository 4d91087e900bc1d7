// The Bun that compiles bascule, and the Bun runtimes its binaries are made
// of: only the official packages of the npm registry, at the versions
// package-lock.json pins (`bun` is an exact devDependency; its optional
// dependencies `@oven/bun-<os>-<arch>` hold one executable each).
//
// - This machine's Bun: `npm ci` installs the `@oven/bun-<host>` package;
//   bun's postinstall moves its executable to node_modules/bun/bin/bun.exe
//   (with --ignore-scripts it stays in the @oven package). Either place will
//   do; the executable must run and report the pinned version.
// - Another target's runtime: `npm pack` of the exact version the lockfile
//   pins, through npm's own cache, its tarball checked against the lockfile's
//   integrity before it is unpacked. bun's postinstall, which may fetch by
//   itself, is never relied on; `bun build` gets every runtime as
//   --compile-executable-path, so it downloads nothing either.
//
// Anything missing or corrupt fails the build with the package's name.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** bascule's release targets: our name -> Bun's target and package. Windows: see docs/install.md (Targets). */
export const TARGETS = {
  'linux-x64': { bun: 'bun-linux-x64', pkg: '@oven/bun-linux-x64', exe: 'bin/bun', os: 'linux' },
  'linux-arm64': { bun: 'bun-linux-arm64', pkg: '@oven/bun-linux-aarch64', exe: 'bin/bun', os: 'linux' },
  'darwin-x64': { bun: 'bun-darwin-x64', pkg: '@oven/bun-darwin-x64', exe: 'bin/bun', os: 'darwin' },
  'darwin-arm64': { bun: 'bun-darwin-arm64', pkg: '@oven/bun-darwin-aarch64', exe: 'bin/bun', os: 'darwin' },
};
export const HOST = `${platform()}-${arch()}`;

export class BunPackageError extends Error {}

function lock(root) {
  if (!existsSync(join(root, 'package-lock.json'))) throw new BunPackageError(`${join(root, 'package-lock.json')} is missing: it pins bun and @oven/bun-*`);
  return JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
}

/** The lockfile's entry for a package: version and integrity, or a build error naming it. */
export function pinned(name, root = ROOT) {
  const entry = lock(root).packages?.[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) {
    throw new BunPackageError(`${name} is not pinned in package-lock.json (run \`npm install --save-dev --save-exact bun@<version>\`)`);
  }
  return { version: entry.version, integrity: entry.integrity };
}

function versionOf(exe, name) {
  let out;
  try {
    out = execFileSync(exe, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).toString().trim();
  } catch (error) {
    throw new BunPackageError(`${name}: ${exe} does not run (${error.code ?? error.signal ?? error.status}); reinstall it with \`npm ci\``);
  }
  return out;
}

/** This machine's Bun executable, from the `@oven/bun-<host>` package `npm ci` installed. */
export function hostBun(root = ROOT) {
  const target = TARGETS[HOST];
  if (!target) throw new BunPackageError(`no Bun package for this machine (${HOST}); known: ${Object.keys(TARGETS).join(', ')}`);
  const { version } = pinned('bun', root);
  pinned(target.pkg, root);
  const candidates = [join(root, 'node_modules', target.pkg, target.exe), join(root, 'node_modules/bun/bin/bun.exe')];
  // bun.exe is a text placeholder until the postinstall replaces it: only a real executable counts.
  const exe = candidates.find((c) => existsSync(c) && statSync(c).size > 1_000_000);
  if (!exe) throw new BunPackageError(`${target.pkg}@${version} is not installed (no Bun executable in node_modules/${target.pkg} or node_modules/bun/bin); run \`npm ci\``);
  const reported = versionOf(exe, target.pkg);
  if (reported !== version) throw new BunPackageError(`${target.pkg}: ${exe} reports ${JSON.stringify(reported)}, package-lock.json pins ${version}; run \`npm ci\``);
  return { exe, version, pkg: target.pkg };
}

/** sha512 SRI of a file, as package-lock.json writes it. */
const sri = (file) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/** A package tarball must be the one package-lock.json pins: same sha512. */
export function checkIntegrity(tgz, integrity, name) {
  const actual = sri(tgz);
  if (actual !== integrity) throw new BunPackageError(`${name}: the tarball's integrity ${actual.slice(0, 30)}… is not package-lock.json's ${integrity.slice(0, 30)}…; refusing it`);
}

/**
 * The Bun runtime for a target: the host's own, or the lockfile-pinned
 * package fetched with `npm pack` into node_modules/.cache/bascule-bun.
 */
export function runtimeFor(target, root = ROOT) {
  const spec = TARGETS[target];
  if (!spec) throw new BunPackageError(`unknown target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
  if (target === HOST) return hostBun(root);
  const { version, integrity } = pinned(spec.pkg, root);
  const dir = join(root, 'node_modules/.cache/bascule-bun', `${spec.pkg.replace('/', '+')}-${version}`);
  const exe = join(dir, 'package', spec.exe);
  const stamp = join(dir, 'integrity');
  if (existsSync(exe) && existsSync(stamp) && readFileSync(stamp, 'utf8') === integrity) return { exe, version, pkg: spec.pkg };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let tgz;
  try {
    const out = execFileSync('npm', ['pack', `${spec.pkg}@${version}`, '--pack-destination', dir, '--silent', '--prefer-offline'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: dir,
    });
    tgz = join(dir, out.toString().trim().split('\n').pop());
  } catch (error) {
    throw new BunPackageError(`${spec.pkg}@${version}: npm pack failed: ${String(error.stderr ?? error.message).trim().split('\n').pop()}`);
  }
  try {
    checkIntegrity(tgz, integrity, `${spec.pkg}@${version}`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  execFileSync('tar', ['-xzf', tgz, '-C', dir, `package/${spec.exe}`, 'package/package.json']);
  rmSync(tgz);
  const manifest = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8'));
  if (manifest.name !== spec.pkg || manifest.version !== version) throw new BunPackageError(`${spec.pkg}@${version}: the tarball holds ${manifest.name}@${manifest.version}`);
  if (!existsSync(exe) || statSync(exe).size < 1_000_000) throw new BunPackageError(`${spec.pkg}@${version}: no Bun executable at package/${spec.exe}`);
  writeFileSync(stamp, integrity);
  return { exe, version, pkg: spec.pkg };
}

// `node scripts/bun.mjs [target]`: the path of the pinned Bun (for scripts and by hand).
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log((process.argv[2] ? runtimeFor(process.argv[2]) : hostBun()).exe);
  } catch (error) {
    if (!(error instanceof BunPackageError)) throw error;
    console.error(`bun: ${error.message}`);
    process.exit(1);
  }
}
