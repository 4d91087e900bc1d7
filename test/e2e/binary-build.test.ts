/**
 * The Bun that builds the binary comes from the lockfile-pinned npm packages
 * only: a missing, corrupt or different Bun package fails the build, naming
 * the package.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIntegrity, HOST, hostBun, TARGETS } from '../../scripts/bun.mjs';
import { ROOT, spawnAsync } from '../support/run.js';

const pkg = (TARGETS as Record<string, { pkg: string }>)[HOST as string]?.pkg as string;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const version = lock.packages['node_modules/bun'].version as string;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project root with the real lockfile (or `lockfile`) and, if given, a fake Bun executable in the @oven package. */
function project(options: { lockfile?: object; exe?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bascule-bun-'));
  dirs.push(root);
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify(options.lockfile ?? lock));
  if (options.exe !== undefined) {
    mkdirSync(join(root, 'node_modules', pkg, 'bin'), { recursive: true });
    const file = join(root, 'node_modules', pkg, 'bin', 'bun');
    writeFileSync(file, options.exe);
    chmodSync(file, 0o755);
  }
  return root;
}
// The resolver only takes files of executable size (bun.exe is a text placeholder until the postinstall).
const pad = (script: string) => `${script}\n#${'x'.repeat(1_100_000)}\n`;

describe('the pinned Bun', () => {
  it("this machine's is the lockfile's version", () => {
    expect(hostBun()).toMatchObject({ version, pkg });
  });

  it('is refused when package-lock.json does not pin bun', () => {
    const { ['node_modules/bun']: _, ...packages } = lock.packages;
    expect(() => hostBun(project({ lockfile: { ...lock, packages } }))).toThrow(/^bun is not pinned in package-lock\.json/);
  });

  it('is refused when its package is not installed, naming it', () => {
    expect(() => hostBun(project())).toThrow(`${pkg}@${version} is not installed`);
  });

  it('is refused when its executable is corrupt, naming the package', () => {
    const garbage = Buffer.alloc(1_100_000, 0x41).toString();
    expect(() => hostBun(project({ exe: garbage }))).toThrow(new RegExp(`^${pkg.replace('/', '\\/')}: .* does not run`));
  });

  it('is refused when it is another version than the lockfile pins', () => {
    expect(() => hostBun(project({ exe: pad('#!/bin/sh\necho 9.9.9') }))).toThrow(`${pkg}: `);
    expect(() => hostBun(project({ exe: pad('#!/bin/sh\necho 9.9.9') }))).toThrow(`reports "9.9.9", package-lock.json pins ${version}`);
  });

  it('a cross target tarball whose sha512 is not the lockfile integrity is refused, naming the package', () => {
    const root = project();
    const tgz = join(root, 'bun-darwin-aarch64-1.4.5.tgz');
    writeFileSync(tgz, 'not the package');
    const integrity = lock.packages['node_modules/@oven/bun-darwin-aarch64'].integrity as string;
    expect(() => checkIntegrity(tgz, integrity, '@oven/bun-darwin-aarch64@1.4.5')).toThrow(/^@oven\/bun-darwin-aarch64@1\.4\.5: the tarball's integrity sha512-.* is not package-lock\.json's sha512-.*; refusing it$/);
  });

  it('`node scripts/bun.mjs` fails with the reason on stderr for a target without a Bun package', async () => {
    const r = await spawnAsync(process.execPath, [join(ROOT, 'scripts/bun.mjs'), 'windows-x64'], { env: { PATH: process.env.PATH } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('bun: unknown target windows-x64; known: linux-x64, linux-arm64, darwin-x64, darwin-arm64\n');
  });
});
