/**
 * The token cache on disk: what is served, to whom, and what is refused.
 * In-process with an injected clock; the concurrency case runs real processes.
 */
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalKey, DiskTokenCache, fileNameOf, isUsable, parseEntry, serialiseEntry, type CacheSettings } from '../../src/token/cache.js';
import { makeTempDir } from '../support/temp.mjs';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
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
    forwardSessionName: false, durationSeconds: null, profile: null, signerIdentity: 'env:AKIDEXAMPLE', sourceIdentity: null, tags: [],
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
        { ...key, signerIdentity: 'env:AKIDOTHER' },
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

describe('the cache never blocks kubectl, and says once when it cannot be written', () => {
  const key: TokenCacheKey = {
    clusterName: 'eks-green', region: 'eu-west-1', roleArn: null, externalId: null, sessionName: null,
    forwardSessionName: false, durationSeconds: null, profile: null, signerIdentity: 'env:AKIDEXAMPLE', sourceIdentity: null, tags: [],
  };
  const name = fileNameOf(canonicalKey(key));
  const signed = (n: number) => ({ token: `k8s-aws-v1.token-${n}`, signedAt: T0, expiresAt: new Date(T0.getTime() + 14 * MIN) });
  const newCache = (dir: string, extra: Partial<CacheSettings> = {}) => {
    const warnings: string[] = [];
    const cache = new DiskTokenCache({ dir, lockTimeoutMs: 20_000, lockStaleMs: 60_000, pollMs: 25, ...extra }, (t) => void warnings.push(t));
    return { cache, warnings };
  };
  const cacheIn = () => join(makeTempDir('cache-'), 'bascule');
  /** Resolves with the value, or fails if it takes longer than `ms` (a hang). */
  const within = <T>(ms: number, promise: Promise<T>) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);
  const mkfifo = (path: string) => execFileSync('mkfifo', ['-m', '0600', path]);

  it('a FIFO at the entry path: no hang, one warning, a fresh token', async () => {
    const dir = cacheIn();
    const { cache, warnings } = newCache(dir);
    await cache.getOrMake(key, at(0), 5 * MIN, async () => signed(1));
    rmSync(join(dir, `${name}.json`));
    mkfifo(join(dir, `${name}.json`));
    const token = await within(5000, cache.getOrMake(key, at(1000), 5 * MIN, async () => signed(2)));
    expect(token.token).toBe('k8s-aws-v1.token-2');
    expect(warnings).toEqual([`warning: token cache not used: ${join(dir, `${name}.json`)} is not a regular file; making a fresh token\n`]);
  });

  it.each([
    ['a FIFO', (lock: string) => mkfifo(lock)],
    ['a directory', (lock: string) => mkdirSync(lock)],
    ['a symlink', (lock: string) => symlinkSync('/nonexistent', lock)],
    ['an empty file (holder unreadable)', (lock: string) => writeFileSync(lock, '', { mode: 0o600 })],
    ['a half-written holder', (lock: string) => writeFileSync(lock, `${process.pid} `, { mode: 0o600 })],
  ])('%s at the lock path is stale at once: no wait, the lock taken and released', async (_, plant) => {
    const dir = cacheIn();
    const { cache } = newCache(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    plant(join(dir, `${name}.lock`));
    const started = Date.now();
    const token = await within(5000, cache.getOrMake(key, at(0), 5 * MIN, async () => signed(1)));
    expect(Date.now() - started).toBeLessThan(2000); // the lock's 20 s wait never started
    expect(token.token).toBe('k8s-aws-v1.token-1');
    expect(readdirSync(dir)).toEqual([`${name}.json`]);
  });

  it('a lock of a live holder is stale once older than lockStaleMs by the injected clock', async () => {
    const dir = cacheIn();
    const { cache } = newCache(dir, { lockTimeoutMs: 200 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = join(dir, `${name}.lock`);
    writeFileSync(lock, `${process.pid} ${hostname()} ${T0.getTime()}\n`, { mode: 0o600 });
    // Fresh by the clock: the holder (this live process) is waited for, up to lockTimeoutMs, then the token is made anyway.
    await cache.getOrMake(key, at(30_000), 5 * MIN, async () => signed(1));
    expect(existsSync(lock)).toBe(true);
    rmSync(join(dir, `${name}.json`));
    // 61 s later by the same clock: stale, removed, taken, released.
    await cache.getOrMake(key, at(61_000), 5 * MIN, async () => signed(2));
    expect(existsSync(lock)).toBe(false);
  });

  it('a full disk: a fresh token, one warning, no lock or temporary file left (injected writes)', async () => {
    const dir = cacheIn();
    const enospc = () => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    const { cache, warnings } = newCache(dir, { writeBytes: enospc });
    for (let i = 0; i < 3; i++) {
      const token = await within(2000, cache.getOrMake(key, at(i * 1000), 5 * MIN, async () => signed(i)));
      expect(token.token).toBe(`k8s-aws-v1.token-${i}`);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: token cache not written: .*\.lock: no space left on the device; every call signs a fresh token until it can be written\n$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  // A real full disk needs a small tmpfs, which only root may mount: the guard says so in the test's name.
  const tmpfs = (() => {
    if (process.getuid?.() !== 0) return { ok: false, why: 'needs root to mount a tmpfs (the injected full disk above runs everywhere)' };
    return { ok: true, why: '' };
  })();
  it.skipIf(!tmpfs.ok)(`a full disk on a real 64 KiB tmpfs: a fresh token, one warning, no 0-byte lock${tmpfs.ok ? '' : ` (skipped: ${tmpfs.why})`}`, async () => {
    const mount = makeTempDir('tmpfs-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mount]);
    } catch (error) {
      throw new Error(`root, but cannot mount a tmpfs: ${(error as Error).message}`);
    }
    try {
      const env = envKeys({ KUBECACHEDIR: mount });
      mkdirSync(join(mount, 'bascule'), { mode: 0o700 });
      chmodSync(join(mount, 'bascule'), 0o700);
      // Fill the file system.
      const fd = openSync(join(mount, 'filler'), 'w');
      try {
        for (;;) writeSync(fd, Buffer.alloc(4096));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
      const first = await within(5000, token(env, at(0)));
      expect(first.code).toBe(0);
      expect(first.stderr).toMatch(/^warning: token cache not written: .*: no space left on the device; every call signs a fresh token until it can be written\n$/);
      expect(readdirSync(join(mount, 'bascule'))).toEqual([]);
      const second = await within(5000, token(env, at(1000)));
      expect(second.code).toBe(0);
      expect(readdirSync(join(mount, 'bascule'))).toEqual([]);
    } finally {
      execFileSync('umount', [mount]);
    }
  });

  it('entries of another owner are not used (injected owner: runs as root and as a user)', async () => {
    const dir = cacheIn();
    await newCache(dir).cache.getOrMake(key, at(0), 5 * MIN, async () => signed(1));
    const me = process.getuid?.() ?? 0;
    // Owned by another uid than the one the cache expects: refused (the directory is checked first).
    const { cache, warnings } = newCache(dir, { uid: me + 1 });
    const token = await cache.getOrMake(key, at(1000), 5 * MIN, async () => signed(2));
    expect(token.token).toBe('k8s-aws-v1.token-2');
    expect(warnings).toEqual([`warning: token cache not used: ${dir} is owned by another user (uid ${me}); making a fresh token\n`]);
  });

  it('prepare() (run while a TXT answer travels) creates nothing and warns of nothing: getOrMake says it, once', async () => {
    const missing = cacheIn();
    const fresh = newCache(missing);
    fresh.cache.prepare();
    expect(existsSync(missing)).toBe(false);
    expect(fresh.warnings).toEqual([]);
    const loose = cacheIn();
    await newCache(loose).cache.getOrMake(key, at(0), 5 * MIN, async () => signed(1));
    chmodSync(loose, 0o755);
    const { cache, warnings } = newCache(loose);
    cache.prepare();
    expect(warnings).toEqual([]);
    expect((await cache.getOrMake(key, at(1000), 5 * MIN, async () => signed(2))).token).toBe('k8s-aws-v1.token-2');
    expect(warnings).toEqual([`warning: token cache not used: ${loose} has mode 0755, other users can reach it (want 0700); making a fresh token\n`]);
    // A sound directory again, prepared: the entry (the first, as nothing was written meanwhile) is served as without it.
    chmodSync(loose, 0o700);
    const again = newCache(loose);
    again.cache.prepare();
    expect((await again.cache.getOrMake(key, at(2000), 5 * MIN, async () => signed(3))).token).toBe('k8s-aws-v1.token-1');
    expect(again.warnings).toEqual([]);
  });

  it('`cache clear` refuses a symlinked cache directory, as the token path does, and deletes nothing through it', async () => {
    const env = envKeys();
    await token(env, at(0));
    const cache = join(env.KUBECACHEDIR as string, 'bascule');
    const elsewhere = join(env.KUBECACHEDIR as string, 'elsewhere');
    renameSync(cache, elsewhere);
    symlinkSync(elsewhere, cache);
    const before = readdirSync(elsewhere);
    expect(before).toHaveLength(1);
    const cleared = await runInProcess(['cache', 'clear'], { env });
    expect(cleared.code).toBe(1);
    expect(cleared.stderr).toContain(`error: the token cache is not used, and not cleared: ${cache} is a symlink`);
    expect(readdirSync(elsewhere)).toEqual(before);
    const used = await token(env, at(1000));
    expect(used.stderr).toContain(`token cache not used: ${cache} is a symlink`);
  });
});
