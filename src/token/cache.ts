/**
 * The token cache: finished EKS tokens on disk, one file per key.
 *
 * What is cached, and why only that: the token. It is what kubectl needs, it
 * proves identity to EKS only, for at most 15 minutes, and serving it costs one
 * file read. Assumed-role credentials would let a re-sign skip AssumeRole for
 * up to an hour, but they are keys to every AWS API the role allows; keeping
 * them on disk trades a call every ~10 minutes for a much larger secret at rest.
 *
 * Layout: ${KUBECACHEDIR:-~/.kube/cache}/bascule/<hash(key)>.json (0600) in a
 * 0700 directory owned by the user; a sibling .lock file serialises the makers
 * of one key, so N concurrent cold kubectl calls make one AssumeRole.
 * Anything looser, foreign or corrupt is not used: a cache problem is a miss,
 * never a failure and never a token for someone else.
 *
 * File calls are synchronous: each is a few microseconds, and node's promise
 * fs layer alone costs ~4 ms to load on every kubectl call.
 */
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../io.js';
import type { TokenCacheKey, TokenCachePort } from './get-token.js';
import { TOKEN_PREFIX, type EksToken } from './eks-token.js';

const FORMAT = 1;
const FILE_SUFFIX = '.json';
const LOCK_SUFFIX = '.lock';
const TMP_SUFFIX = '.tmp';

export interface CacheSettings {
  readonly dir: string;
  /** Give up waiting for another process's lock after this long, and make the token anyway. */
  readonly lockTimeoutMs: number;
  /** A lock older than this is stale (its holder hung or crashed on another host). */
  readonly lockStaleMs: number;
  readonly pollMs: number;
}

export function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.KUBECACHEDIR || join(env.HOME || homedir(), '.kube', 'cache');
  return join(base, 'bascule');
}

/** The key's canonical text (fixed field order). It holds no secret: it is stored in the entry. */
export function canonicalKey(key: TokenCacheKey): string {
  return JSON.stringify([
    FORMAT,
    key.clusterName,
    key.region,
    key.roleArn,
    key.externalId,
    key.sessionName,
    key.forwardSessionName,
    key.durationSeconds,
    key.profile,
    key.sourceIdentity,
  ]);
}

/** The key back from its canonical text (what `bascule cache list` shows); undefined when it is not one. */
export function decodeKey(canonical: string): TokenCacheKey | undefined {
  let a: unknown;
  try {
    a = JSON.parse(canonical);
  } catch {
    return undefined;
  }
  if (!Array.isArray(a) || a.length !== 10 || a[0] !== FORMAT) return undefined;
  const [, clusterName, region, roleArn, externalId, sessionName, forwardSessionName, durationSeconds, profile, sourceIdentity] = a as unknown[];
  if (typeof clusterName !== 'string' || typeof region !== 'string' || typeof sourceIdentity !== 'string') return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    clusterName,
    region,
    roleArn: str(roleArn),
    externalId: str(externalId),
    sessionName: str(sessionName),
    forwardSessionName: forwardSessionName === true,
    durationSeconds: typeof durationSeconds === 'number' ? durationSeconds : null,
    profile: str(profile),
    sourceIdentity,
  };
}

/**
 * The file name: a 106-bit non-cryptographic hash (two cyrb53 lanes) of the
 * canonical key. Not sha256: node:crypto costs ~5 ms to load on every kubectl
 * call, and the name need only spread keys, since every entry stores its full
 * key and a mismatch is a miss. A collision costs a re-sign, never a token
 * for another key.
 */
export function fileNameOf(canonical: string): string {
  const lane = (seed: number) => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < canonical.length; i++) {
      const ch = canonical.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
  };
  return lane(1) + lane(2);
}

interface Entry {
  readonly format: number;
  readonly key: string;
  readonly token: string;
  readonly signedAt: string;
  readonly expiresAt: string;
}

/** Parses a cache file's text; undefined when it is not a complete entry for exactly this key. */
export function parseEntry(text: string, key: string): EksToken | undefined {
  let entry: Partial<Entry>;
  try {
    entry = JSON.parse(text) as Partial<Entry>;
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || entry.format !== FORMAT || entry.key !== key) return undefined;
  if (typeof entry.token !== 'string' || !entry.token.startsWith(TOKEN_PREFIX)) return undefined;
  const signedAt = new Date(String(entry.signedAt));
  const expiresAt = new Date(String(entry.expiresAt));
  if (Number.isNaN(signedAt.getTime()) || Number.isNaN(expiresAt.getTime())) return undefined;
  return { token: entry.token, signedAt, expiresAt };
}

export function serialiseEntry(key: string, token: EksToken): string {
  const entry: Entry = {
    format: FORMAT,
    key,
    token: token.token,
    signedAt: token.signedAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
  };
  return JSON.stringify(entry) + '\n';
}

/** Fresh enough to hand to kubectl: min validity left, and not signed in the future (clock moved back). */
export function isUsable(token: EksToken, now: Date, minValidityMs: number): boolean {
  return token.expiresAt.getTime() - now.getTime() >= minValidityMs && token.signedAt.getTime() <= now.getTime() + 60_000;
}

type Safety = { ok: true } | { ok: false; why: string };

export function checkOwnership(stat: { uid: number; mode: number }, what: string, wantedMode: string, uid: number | undefined = process.getuid?.()): Safety {
  if (uid !== undefined && stat.uid !== uid) return { ok: false, why: `${what} is owned by another user (uid ${stat.uid})` };
  if ((stat.mode & 0o077) !== 0) {
    return { ok: false, why: `${what} has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, other users can reach it (want ${wantedMode})` };
  }
  return { ok: true };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DiskTokenCache implements TokenCachePort {
  private warned = false;
  private dirState: Safety | undefined;

  constructor(
    private readonly settings: CacheSettings,
    private readonly warn: (text: string) => void,
    /** --verbose: hit, miss and why, lock waits, writes. */
    private readonly log?: (message: string) => void,
  ) {}

  private warnOnce(why: string): void {
    this.log?.(`token cache: not used: ${why}`);
    if (this.warned) return;
    this.warned = true;
    this.warn(`warning: token cache not used: ${why}; making a fresh token\n`);
  }

  /** Creates the directory 0700, or checks the existing one. */
  private ensureDir(): Safety {
    if (this.dirState?.ok) return this.dirState;
    const { dir } = this.settings;
    try {
      const stat = lstatSync(dir);
      if (!stat.isDirectory()) this.dirState = { ok: false, why: `${dir} is not a directory` };
      else this.dirState = checkOwnership(stat, dir, '0700');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.dirState = { ok: false, why: `${dir}: ${(error as NodeJS.ErrnoException).code}` };
      } else {
        try {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          chmodSync(dir, 0o700); // mkdir's mode is filtered by the umask
          this.dirState = { ok: true };
        } catch (mkdirError) {
          this.dirState = { ok: false, why: `cannot create ${dir}: ${(mkdirError as NodeJS.ErrnoException).code}` };
        }
      }
    }
    if (!this.dirState.ok) this.warnOnce(this.dirState.why);
    return this.dirState;
  }

  private path(keyHash: string, suffix: string): string {
    return join(this.settings.dir, keyHash + suffix);
  }

  private read(name: string, key: string): EksToken | undefined {
    const file = this.path(name, FILE_SUFFIX);
    let fd: number | undefined;
    try {
      fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      const stat = fstatSync(fd); // the file we opened, not whatever the name points to now
      const safety = stat.isFile() ? checkOwnership(stat, file, '0600') : { ok: false as const, why: `${file} is not a regular file` };
      if (!safety.ok) {
        this.warnOnce(safety.why);
        return undefined;
      }
      return parseEntry(readFileSync(fd, 'utf8'), key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') this.warnOnce(`${file} is a symbolic link`);
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** temp file (0600, exclusive) + rename: readers see the old entry or the new one, whole. */
  private write(name: string, key: string, token: EksToken): boolean {
    const tmp = this.path(`${name}.${process.pid}.${((Math.random() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')}`, TMP_SUFFIX);
    try {
      const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, serialiseEntry(key, token));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path(name, FILE_SUFFIX));
      return true;
    } catch {
      rmSync(tmp, { force: true });
      return false;
    }
  }

  private tryLock(lockPath: string): boolean {
    try {
      const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, `${process.pid} ${hostname()} ${Date.now()}\n`);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    }
  }

  /** A lock whose holder is dead (same host) or that is older than lockStaleMs. */
  private isStale(lockPath: string): boolean {
    try {
      const stat = statSync(lockPath);
      if (Date.now() - stat.mtimeMs > this.settings.lockStaleMs) return true;
      const [pid, host] = readFileSync(lockPath, 'utf8').trim().split(' ');
      if (host === hostname() && pid && /^\d+$/.test(pid)) {
        try {
          process.kill(Number(pid), 0);
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'ESRCH';
        }
      }
      return false;
    } catch {
      return false; // vanished or half-written: look again on the next poll
    }
  }

  async getOrMake(key: TokenCacheKey, now: () => Date, minValidityMs: number, make: () => Promise<EksToken>): Promise<EksToken> {
    if (!this.ensureDir().ok) return make();
    const canonical = canonicalKey(key);
    const name = fileNameOf(canonical);
    const usable = () => {
      const token = this.read(name, canonical);
      return token && isUsable(token, now(), minValidityMs) ? token : undefined;
    };
    const hit = usable();
    const file = this.path(name, FILE_SUFFIX);
    if (hit) {
      this.log?.(`token cache: hit ${file}, valid until ${hit.expiresAt.toISOString()}`);
      return hit;
    }
    if (this.log) {
      const stale = this.read(name, canonical);
      this.log(
        stale
          ? `token cache: miss: ${file} is valid until ${stale.expiresAt.toISOString()}, less than --cache-min-validity (${minValidityMs / 1000}s) from now`
          : `token cache: miss: no usable entry ${file}`,
      );
    }

    const lockPath = this.path(name, LOCK_SUFFIX);
    const deadline = Date.now() + this.settings.lockTimeoutMs;
    let locked = false;
    let waited = false;
    try {
      while (!(locked = this.tryLock(lockPath))) {
        const made = usable();
        if (made) {
          this.log?.(`token cache: the other bascule signed it: ${file}`);
          return made;
        }
        if (this.isStale(lockPath)) {
          rmSync(lockPath, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          this.log?.(`token cache: gave up waiting for ${lockPath}: signing without the lock`);
          break; // never block kubectl on someone else's hung process
        }
        if (!waited) this.log?.(`token cache: another bascule holds ${lockPath}: waiting for its token`);
        waited = true;
        await sleep(this.settings.pollMs);
      }
    } catch {
      locked = false; // the lock itself failed: make the token without it
    }
    try {
      if (locked) {
        const made = usable();
        if (made) {
          this.log?.(`token cache: another bascule signed it meanwhile: ${file}`);
          return made;
        }
      }
      const token = await make();
      const wrote = this.write(name, canonical, token);
      this.log?.(wrote ? `token cache: wrote ${file}` : `token cache: could not write ${file}: the next call signs again`);
      return token;
    } finally {
      if (locked) rmSync(lockPath, { force: true });
    }
  }
}

export function diskTokenCache(io: Pick<Io, 'env' | 'stderr' | 'verbose'>): DiskTokenCache {
  return new DiskTokenCache({ dir: cacheDir(io.env), lockTimeoutMs: 20_000, lockStaleMs: 60_000, pollMs: 25 }, io.stderr, io.verbose);
}

/** `bascule cache clear`: removes bascule's own files in the cache directory, nothing else. */
export function clearTokenCache(io: Pick<Io, 'env'>): number {
  const dir = cacheDir(io.env);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const ours = names.filter((n) => /^[0-9a-f]{28}(\.json|\.lock|\.\d+\.[0-9a-f]{8}\.tmp)$/.test(n));
  for (const n of ours) rmSync(join(dir, n), { force: true });
  return ours.filter((n) => n.endsWith(FILE_SUFFIX)).length;
}
