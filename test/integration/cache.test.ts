/**
 * The token cache on disk: what is served, to whom, and what is refused.
 * In-process with an injected clock; the concurrency case runs real processes.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalKey, fileNameOf, isUsable, parseEntry, serialiseEntry } from '../../src/token/cache.js';
import type { TokenCacheKey } from '../../src/token/get-token.js';
import { startDnsServer } from '../support/dns-server.mjs';
import { envKeys, KEYS, runInProcess } from '../support/run.js';
import { verifyToken } from '../support/eks-verifier.mjs';

const T0 = new Date('2026-01-02T03:04:05Z');
const at = (ms: number) => () => new Date(T0.getTime() + ms);
const MIN = 60_000;
const tokenOf = (stdout: string) => JSON.parse(stdout).status.token as string;
const cacheFiles = (env: NodeJS.ProcessEnv) => {
  const dir = join(env.KUBECACHEDIR as string, 'bascule');
  return existsSync(dir) ? readdirSync(dir).map((n) => join(dir, n)) : [];
};
const token = (env: NodeJS.ProcessEnv, now: () => Date, extra: string[] = []) =>
  runInProcess(['token', '-i', 'eks-green', '--no-dns', ...extra], { env, now });

describe('cache entries (pure)', () => {
  const key: TokenCacheKey = {
    clusterName: 'eks-green', region: 'eu-west-1', roleArn: null, externalId: null, sessionName: null,
    forwardSessionName: false, durationSeconds: null, profile: null, sourceIdentity: 'env:AKIDEXAMPLE',
  };
  const entry = { token: 'k8s-aws-v1.abc', signedAt: T0, expiresAt: new Date(T0.getTime() + 14 * MIN) };
  it('round-trips, and only for exactly its key', () => {
    const text = serialiseEntry(canonicalKey(key), entry);
    expect(parseEntry(text, canonicalKey(key))).toEqual(entry);
    expect(parseEntry(text, canonicalKey({ ...key, clusterName: 'eks-blue' }))).toBeUndefined();
  });
  it.each(['', '{', 'null', '[]', '{"format":1}', serialiseEntry('k', entry).slice(0, 40), serialiseEntry('k', { ...entry, token: 'not-a-token' })])(
    'a corrupt entry is a miss: %j',
    (text) => expect(parseEntry(text, 'k')).toBeUndefined(),
  );
  it('keys spread: every field changes the file name', () => {
    const names = new Set(
      [
        key,
        { ...key, clusterName: 'eks-blue' },
        { ...key, region: 'eu-west-3' },
        { ...key, roleArn: 'arn:aws:iam::123456789012:role/a' },
        { ...key, externalId: 'x' },
        { ...key, sessionName: 's' },
        { ...key, forwardSessionName: true },
        { ...key, durationSeconds: 3600 },
        { ...key, profile: 'dev' },
        { ...key, sourceIdentity: 'env:AKIDOTHER' },
      ].map((k) => fileNameOf(canonicalKey(k))),
    );
    expect(names.size).toBe(10);
    expect([...names].every((n) => /^[0-9a-f]{28}$/.test(n))).toBe(true);
  });
  it('min validity and clock skew', () => {
    expect(isUsable(entry, new Date(T0.getTime() + 9 * MIN), 5 * MIN)).toBe(true);
    expect(isUsable(entry, new Date(T0.getTime() + 9 * MIN + 1000), 5 * MIN)).toBe(false);
    expect(isUsable(entry, new Date(T0.getTime() - 2 * MIN), 5 * MIN)).toBe(false); // signed "in the future": clock went back
  });
});

describe('bascule token with the cache', () => {
  it('serves the cached token until less than --cache-min-validity remains, then re-signs', async () => {
    const env = envKeys();
    const first = await token(env, at(0));
    expect(first.code).toBe(0);
    const again = await token(env, at(9 * MIN));
    expect(tokenOf(again.stdout)).toBe(tokenOf(first.stdout));
    expect(JSON.parse(again.stdout).status.expirationTimestamp).toBe('2026-01-02T03:18:05Z'); // its true expiry
    const later = await token(env, at(9 * MIN + 1000));
    expect(tokenOf(later.stdout)).not.toBe(tokenOf(first.stdout));
    const strict = await token(env, at(9 * MIN + 2000), ['--cache-min-validity', '14m']);
    expect(tokenOf(strict.stdout)).not.toBe(tokenOf(later.stdout));
  });

  it('writes 0600 files in a 0700 directory, nothing else', async () => {
    const env = envKeys();
    await token(env, at(0));
    const dir = join(env.KUBECACHEDIR as string, 'bascule');
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    const files = cacheFiles(env);
    expect(files).toHaveLength(1);
    expect(lstatSync(files[0] as string).mode & 0o777).toBe(0o600);
    expect(readFileSync(files[0] as string, 'utf8')).not.toContain(KEYS.secretAccessKey);
  });

  it('another identity never gets the cached token', async () => {
    const env = envKeys();
    const alice = tokenOf((await token(env, at(0))).stdout);
    const bob = tokenOf((await token({ ...env, AWS_ACCESS_KEY_ID: 'AKIDBOB' }, at(1000))).stdout);
    expect(bob).not.toBe(alice);
    expect(Buffer.from(bob.slice(11), 'base64url').toString()).toContain('AKIDBOB');
    expect(cacheFiles(env)).toHaveLength(2);
  });

  it.each([
    ['--no-cache', ['--no-cache'], {}],
    ['BASCULE_NO_CACHE=1', [], { BASCULE_NO_CACHE: '1' }],
  ])('%s neither reads nor writes', async (_, flags, extra) => {
    const env = envKeys(extra);
    const a = tokenOf((await token(env, at(0), flags)).stdout);
    const b = tokenOf((await token(env, at(1000), flags)).stdout);
    expect(a).not.toBe(b);
    expect(cacheFiles(env)).toHaveLength(0);
  });

  it('a corrupt or truncated file is ignored and replaced', async () => {
    const env = envKeys();
    const first = tokenOf((await token(env, at(0))).stdout);
    const file = cacheFiles(env)[0] as string;
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 50));
    const r = await token(env, at(1000));
    expect(r.stderr).toBe('');
    expect(tokenOf(r.stdout)).not.toBe(first);
    expect(tokenOf((await token(env, at(2000))).stdout)).toBe(tokenOf(r.stdout));
  });

  const loose: [string, (env: NodeJS.ProcessEnv) => void, RegExp][] = [
    ['a directory others can read', (env) => chmodSync(join(env.KUBECACHEDIR as string, 'bascule'), 0o755), /bascule has mode 0755, other users can reach it \(want 0700\)/],
    ['a file others can read', (env) => chmodSync(cacheFiles(env)[0] as string, 0o644), /\.json has mode 0644, other users can reach it \(want 0600\)/],
    ['a file another user owns', (env) => chownSync(cacheFiles(env)[0] as string, 65534, 65534), /\.json is owned by another user \(uid 65534\)/],
    [
      'a symbolic link',
      (env) => {
        const file = cacheFiles(env)[0] as string;
        writeFileSync(`${file}.target`, readFileSync(file), { mode: 0o600 });
        rmSync(file);
        symlinkSync(`${file}.target`, file);
      },
      /is a symbolic link/,
    ],
  ];
  it.each(loose)('%s is not used: one warning, a fresh token', async (_, loosen, warning) => {
    const env = envKeys();
    const first = tokenOf((await token(env, at(0))).stdout);
    loosen(env);
    const r = await token(env, at(1000));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(warning);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(tokenOf(r.stdout)).not.toBe(first);
  });

  it('a cache path that is a file: one warning, tokens still made', async () => {
    const env = envKeys();
    mkdirSync(env.KUBECACHEDIR as string, { recursive: true });
    writeFileSync(join(env.KUBECACHEDIR as string, 'bascule'), 'not a directory');
    const r = await token(env, at(0));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/token cache not used: .*bascule is not a directory/);
  });

  it('`bascule cache clear` removes the cached tokens and nothing else', async () => {
    const env = envKeys();
    await token(env, at(0));
    await token({ ...env, AWS_ACCESS_KEY_ID: 'AKIDBOB' }, at(0));
    const dir = join(env.KUBECACHEDIR as string, 'bascule');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await runInProcess(['cache', 'clear'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('removed 2 cached tokens\n');
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });
});

describe('the cache key follows the TXT record', () => {
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  beforeAll(async () => {
    dns = await startDnsServer();
    dns.setTxt('a.devinfra.info', ['eks-blue']);
    dns.setTxt('b.devinfra.info', ['eks-green']);
  });
  afterAll(() => dns.close());

  it('two TXT names resolving to two clusters give two tokens, each accepted only by its own cluster', async () => {
    const env = envKeys();
    const get = async (id: string) => tokenOf((await runInProcess(['token', '-i', id, '--dns-server', dns.address], { env })).stdout);
    const blue = await get('a.devinfra.info');
    const green = await get('b.devinfra.info');
    expect(blue).not.toBe(green);
    expect(await get('a.devinfra.info')).toBe(blue); // cached
    const lookupSecret = (id: string) => (id === KEYS.accessKeyId ? { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn } : undefined);
    await expect(verifyToken(blue, { clusterName: 'eks-blue', lookupSecret })).resolves.toBeDefined();
    await expect(verifyToken(blue, { clusterName: 'eks-green', lookupSecret })).rejects.toThrow(/SignatureDoesNotMatch/);
    await expect(verifyToken(green, { clusterName: 'eks-green', lookupSecret })).resolves.toBeDefined();
    await expect(verifyToken(green, { clusterName: 'eks-blue', lookupSecret })).rejects.toThrow(/SignatureDoesNotMatch/);
    // The switch: the same name now resolves to the other cluster, and its token follows.
    dns.setTxt('a.devinfra.info', ['eks-green']);
    const switched = await get('a.devinfra.info');
    await expect(verifyToken(switched, { clusterName: 'eks-green', lookupSecret })).resolves.toBeDefined();
  });
});
