/**
 * The Node bundle's entry (src/node-entry.ts) runs the hot file with V8's
 * code cache, kept in the token cache's directory: written once, then used
 * (V8 accepts it: checked with V8 itself), replaced when V8 refuses it, never
 * read through a link or from a directory others can reach, and never a
 * reason for bascule to answer otherwise.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE, envKeys, requireArtefact, runBundle } from '../support/run.js';

const args = ['token', '-i', 'eks-green', '--region', 'eu-west-1'];
const HOT = join(BUNDLE, '..', 'bascule-main.js');
const NAME = new RegExp(`^node-code-cache-${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{16}\\.bin$`);

/** A fresh environment whose token cache directory exists (0700), as after a first token. */
function withCacheDir(): { env: NodeJS.ProcessEnv; dir: string } {
  const env = envKeys();
  const dir = join(env.KUBECACHEDIR as string, 'bascule');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return { env, dir };
}
const codeCaches = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('node-code-cache-'));

/** Does V8 (this Node's) accept the file as the hot file's code cache? Asked of V8 itself, in a child. */
function v8Accepts(file: string): boolean {
  const check = `const fs = require('fs'), vm = require('vm');
const hot = ${JSON.stringify(HOT)};
const s = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + fs.readFileSync(hot, 'utf8') + '\\n})', { filename: hot, cachedData: fs.readFileSync(${JSON.stringify(file)}) });
process.stdout.write(String(!s.cachedDataRejected));`;
  return execFileSync(process.execPath, ['-e', check], { encoding: 'utf8', env: { PATH: process.env.PATH } }) === 'true';
}

describe("the Node bundle keeps V8's code cache of its hot file", () => {
  it('written once (0600, named by the Node and the hot file), accepted by V8, then used as it is', async () => {
    requireArtefact(BUNDLE);
    const { env, dir } = withCacheDir();
    const first = await runBundle(args, { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const [name, ...more] = codeCaches(dir);
    expect(more).toEqual([]);
    expect(name).toMatch(NAME);
    const file = join(dir, name as string);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(v8Accepts(file)).toBe(true);
    const before = statSync(file);
    const second = await runBundle(args, { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout); // the cached token, served alike
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]); // used, not written again
  });

  it('a cache V8 refuses (bytes of something else) changes nothing bascule says, and is replaced by a good one', async () => {
    const { env, dir } = withCacheDir();
    expect((await runBundle(args, { env })).code).toBe(0);
    const file = join(dir, codeCaches(dir)[0] as string);
    writeFileSync(file, Buffer.alloc(4096, 0x5a), { mode: 0o600 });
    const r = await runBundle([...args, '-v'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^bascule: token cache: hit /m);
    expect(readFileSync(file).equals(Buffer.alloc(4096, 0x5a))).toBe(false);
    expect(v8Accepts(file)).toBe(true);
  });

  it('an older build\'s cache for the same Node goes when a new one is written', async () => {
    const { env, dir } = withCacheDir();
    const old = join(dir, `node-code-cache-${process.version}-${process.arch}-0123456789abcdef.bin`);
    const otherNode = join(dir, `node-code-cache-v0.0.1-${process.arch}-0123456789abcdef.bin`);
    writeFileSync(old, 'old', { mode: 0o600 });
    writeFileSync(otherNode, 'another node', { mode: 0o600 });
    expect((await runBundle(args, { env })).code).toBe(0);
    const left = codeCaches(dir).sort();
    expect(left).toHaveLength(2);
    expect(left).toContain('node-code-cache-v0.0.1-' + process.arch + '-0123456789abcdef.bin'); // another Node's: kept
    expect(left.find((f) => NAME.test(f) && !f.includes('0123456789abcdef'))).toBeDefined();
  });

  it('never through a link: a cache that is a symlink is not read, and what it points to is never written', async () => {
    const { env, dir } = withCacheDir();
    expect((await runBundle(args, { env })).code).toBe(0);
    const name = codeCaches(dir)[0] as string;
    const target = join(env.HOME as string, 'elsewhere.bin');
    writeFileSync(target, readFileSync(join(dir, name)), { mode: 0o600 });
    const targetBytes = readFileSync(target);
    const link = join(dir, name);
    execFileSync('rm', [link]);
    symlinkSync(target, link);
    const r = await runBundle(args, { env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target).equals(targetBytes)).toBe(true);
    expect(lstatSync(link).isFile()).toBe(true); // not read through the link: written anew, in the link's place
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('nothing kept where others can reach it (a 0755 directory), nor before the token cache has a directory', async () => {
    const open = withCacheDir();
    chmodSync(open.dir, 0o755);
    const r = await runBundle(args, { env: open.env });
    expect(r.code, r.stderr).toBe(0); // the token path refuses the directory for its tokens too, and signs anew
    expect(r.stdout).toMatch(/^\{"kind":"ExecCredential"/);
    expect(codeCaches(open.dir)).toEqual([]);

    const env = envKeys(); // no directory yet: the token path makes it, the code cache waits for the next run
    expect((await runBundle(args, { env })).code).toBe(0);
    const dir = join(env.KUBECACHEDIR as string, 'bascule');
    expect(codeCaches(dir)).toEqual([]);
    expect((await runBundle(args, { env })).code).toBe(0);
    expect(codeCaches(dir)).toHaveLength(1);
  });
});
