/**
 * The Linux binary reads its cache through libc (src/libc.ts), the Node
 * bundle through node:fs: the same decisions and the same words, for a good
 * entry and for every entry or directory that must not be used. Each state is
 * made anew before each artefact runs (a refused entry is replaced by the
 * fresh token's), and both answers are compared.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINARY, envKeys, requireArtefact, runBundle, spawnAsync } from '../support/run.js';

const args = ['token', '-i', 'eks-green', '--region', 'eu-west-1', '-v'];
const runBinary = (env: NodeJS.ProcessEnv) => spawnAsync(requireArtefact(BINARY), args, { env });
const dirOf = (env: NodeJS.ProcessEnv) => join(env.KUBECACHEDIR as string, 'bascule');
const entryOf = (env: NodeJS.ProcessEnv) => join(dirOf(env), readdirSync(dirOf(env)).find((f) => f.endsWith('.json')) as string);
/** -v's lines about the cache, and every warning: what the two artefacts must say alike (the reader's name aside). */
const cacheLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('warning:') || l.includes('token cache'))
    .map((l) => l.replace(/ \(read with (libc|node:fs)\)/, ''));

/** A fresh cache holding one good entry, made by the bundle; then `spoil` applied. */
async function cacheWith(spoil: (env: NodeJS.ProcessEnv) => void): Promise<NodeJS.ProcessEnv> {
  const env = envKeys();
  expect((await runBundle(args, { env })).code).toBe(0);
  spoil(env);
  return env;
}

describe('the binary reads its cache through libc, deciding as node:fs does', () => {
  it('a good entry: the binary reads it with libc, the bundle with node:fs, and both serve the same token', async () => {
    const env = await cacheWith(() => undefined);
    const [binary, bundle] = [await runBinary(env), await runBundle(args, { env })];
    expect(binary.code).toBe(0);
    expect(binary.stderr).toMatch(/^bascule: token cache: hit .+\.json \(read with libc\), valid until /m);
    expect(bundle.stderr).toMatch(/^bascule: token cache: hit .+\.json \(read with node:fs\), valid until /m);
    expect(binary.stdout).toBe(bundle.stdout);
  });

  const asRoot = process.getuid?.() === 0;
  const states: [string, (env: NodeJS.ProcessEnv) => void, RegExp][] = [
    ['an entry others can read', (env) => chmodSync(entryOf(env), 0o644), /\.json has mode 0644, other users can reach it/],
    [
      'an entry that is a symbolic link (to a good copy)',
      (env) => {
        const entry = entryOf(env);
        writeFileSync(`${entry}.target`, readFileSync(entry), { mode: 0o600 });
        rmSync(entry);
        symlinkSync(`${entry}.target`, entry);
      },
      /\.json is a symbolic link/,
    ],
    [
      'a FIFO at the entry',
      (env) => {
        const entry = entryOf(env);
        rmSync(entry);
        execFileSync('mkfifo', ['-m', '0600', entry]);
      },
      /\.json is not a regular file/,
    ],
    [
      'a directory at the entry',
      (env) => {
        const entry = entryOf(env);
        rmSync(entry);
        mkdirSync(entry, { mode: 0o700 });
      },
      /\.json is not a regular file/,
    ],
    ['a cache directory others can read', (env) => chmodSync(dirOf(env), 0o755), /bascule has mode 0755, other users can reach it \(want 0700\)/],
    [
      'a cache directory that is a symbolic link',
      (env) => {
        renameSync(dirOf(env), `${dirOf(env)}.real`);
        symlinkSync(`${dirOf(env)}.real`, dirOf(env));
      },
      /bascule is a symlink/,
    ],
    // statx's uid, read at its offset: as a user, the good entry above proves it (a wrong field would read as another
    // owner); as root (CI), an entry given to another uid does.
    ...(asRoot ? [['an entry of another owner', (env: NodeJS.ProcessEnv) => chownSync(entryOf(env), 65534, 65534), /\.json is owned by another user \(uid 65534\)/] as [string, (env: NodeJS.ProcessEnv) => void, RegExp]] : []),
  ];

  it.each(states)('%s: the same warning from both, a fresh token', async (_, spoil, warning) => {
    const binaryEnv = await cacheWith(spoil);
    const binary = await runBinary(binaryEnv);
    const bundleEnv = await cacheWith(spoil);
    const bundle = await runBundle(args, { env: bundleEnv });
    for (const r of [binary, bundle]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(warning);
      expect(JSON.parse(r.stdout).kind).toBe('ExecCredential');
    }
    // The same words, each artefact in a cache of its own: compared with the cache's path out.
    const said = (env: NodeJS.ProcessEnv, stderr: string) => cacheLines(stderr).map((l) => l.split(env.KUBECACHEDIR as string).join('<cache>'));
    expect(said(binaryEnv, binary.stderr)).toEqual(said(bundleEnv, bundle.stderr));
    expect(said(binaryEnv, binary.stderr).filter((l) => l.startsWith('warning:'))).toHaveLength(1);
  });
});
