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
 * It never blocks kubectl: entries and locks are opened without following a
 * link and without blocking (a FIFO opens at once), then fstat-checked. A
 * lock is written whole (pid, host, time: a temporary file hard-linked to the
 * lock's name) or not at all (a full disk); a lock that is not a regular
 * file, or whose holder line cannot be read, is stale at once; a live one is
 * stale after lockStaleMs by the same injected clock that judges validity.
 * When the cache cannot be written, one warning says so.
 *
 * File calls are synchronous: each is a few microseconds, and node's promise
 * fs layer alone costs ~4 ms to load on every kubectl call.
 */
import type { EksToken } from '../aws/eks-token.js';
import type { Io } from '../io.js';
import { hostName, joinPath, nodeFs } from '../runtime.js';
import { systemProblem } from '../system-error.js';
import { cacheDir, checkCacheDir, checkOwnership, O_WRITE_NEW, readRegular, type Safety } from './cache-dir.js';
import { isUsable, parseEntry, serialiseEntry, unusableBecause } from './cache-entry.js';
import { canonicalKey, fileNameOf } from './cache-key.js';
import type { TokenCacheKey, TokenCachePort } from './get-token.js';

// The cache's parts, each in its own file (the key, an entry's content, the
// directory and its files, `cache clear`); their users import them from here too.
export { canonicalKey, decodeKey, fileNameOf } from './cache-key.js';
export { isUsable, parseEntry, serialiseEntry, unusableBecause } from './cache-entry.js';
export { cacheDir, checkCacheDir, checkOwnership } from './cache-dir.js';

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
  /** The owner entries must have (default: this process's uid; null: not checked). Tests inject another. */
  readonly uid?: number | null;
  /** Writes bytes to an fd (default fs.writeSync); tests inject a full disk. */
  readonly writeBytes?: (fd: number, buffer: Buffer) => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a lock holds, written whole: "<pid> <host> <epoch ms>\n". A function: built on first use (src/vocabulary.ts, ROLE_ARN). */
const LOCK_TEXT = () => /^(\d+) (\S+) (\d+)\n$/;

export class DiskTokenCache implements TokenCachePort {
  private warned = false;
  /** The directory was found sound (or made): not checked again. */
  private dirSound = false;
  private readonly uid: number | undefined;
  private readonly writeBytes: (fd: number, buffer: Buffer) => number;

  constructor(
    private readonly settings: CacheSettings,
    private readonly warn: (text: string) => void,
    /** --verbose: hit, miss and why, lock waits, writes. */
    private readonly log?: (message: string) => void,
  ) {
    this.uid = settings.uid === undefined ? process.getuid?.() : settings.uid ?? undefined;
    this.writeBytes = settings.writeBytes ?? ((fd, buffer) => nodeFs().writeSync(fd, buffer));
  }

  /** One warning per process, whatever goes wrong with the cache. */
  private warnOnce(text: string): void {
    this.log?.(text);
    if (this.warned) return;
    this.warned = true;
    this.warn(`warning: ${text}\n`);
  }

  private notUsed(why: string): void {
    this.warnOnce(`token cache not used: ${why}; making a fresh token`);
  }

  private notWritten(file: string, error: unknown): void {
    this.warnOnce(`token cache not written: ${file}: ${systemProblem(error)}; every call signs a fresh token until it can be written`);
  }

  /** Checks the directory, without creating it; a sound one is remembered. */
  private checkDir(): Safety | 'missing' {
    if (this.dirSound) return { ok: true };
    const state = checkCacheDir(this.settings.dir, this.uid);
    this.dirSound = state !== 'missing' && state.ok;
    return state;
  }

  /** Creates the directory 0700, or checks the existing one. */
  private ensureDir(): Safety {
    let state = this.checkDir();
    if (state === 'missing') {
      const fs = nodeFs();
      try {
        fs.mkdirSync(this.settings.dir, { recursive: true, mode: 0o700 });
        fs.chmodSync(this.settings.dir, 0o700); // mkdir's mode is filtered by the umask
        this.dirSound = true;
        state = { ok: true };
      } catch (mkdirError) {
        state = { ok: false, why: `cannot create ${this.settings.dir}: ${systemProblem(mkdirError)}` };
      }
    }
    if (!state.ok) this.notUsed(state.why);
    return state;
  }

  private path(keyHash: string, suffix: string): string {
    return joinPath(this.settings.dir, keyHash + suffix);
  }

  /** Why the last `read` found no entry, for --verbose. */
  private unread = '';
  /** Which reader read the last entry (libc in the Linux binary, else node:fs), for --verbose. */
  private readWith = '';

  private read(name: string, key: string): EksToken | undefined {
    const file = this.path(name, FILE_SUFFIX);
    const read = readRegular(file);
    if (!('text' in read)) {
      this.unread = read.missing ? 'does not exist' : 'is not used (see the warning)';
      if (!read.missing) this.notUsed(read.why);
      return undefined;
    }
    const safety = checkOwnership(read.stat, file, '0600', this.uid);
    this.unread = safety.ok ? 'is not an entry for this key (corrupt, or another key with the same hash): it is replaced' : 'is not used (see the warning)';
    if (!safety.ok) {
      this.notUsed(safety.why);
      return undefined;
    }
    this.readWith = read.via;
    try {
      return parseEntry(read.text, key);
    } catch {
      return undefined;
    }
  }

  /**
   * Writes `text` to a new temporary file (0600, exclusive, no link
   * followed), whole or not at all: a short write or a full disk removes it.
   * Returns its path.
   */
  private writeTemp(name: string, text: string): string {
    const tmp = this.path(`${name}.${process.pid}.${((Math.random() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')}`, TMP_SUFFIX);
    const fs = nodeFs();
    const fd = fs.openSync(tmp, O_WRITE_NEW(), 0o600);
    try {
      const buffer = Buffer.from(text, 'utf8');
      let written = 0;
      while (written < buffer.length) {
        const n = this.writeBytes(fd, buffer.subarray(written));
        if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        written += n;
      }
    } catch (error) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw error;
    }
    fs.closeSync(fd);
    return tmp;
  }

  /** temp file + rename: readers see the old entry or the new one, whole. */
  private write(name: string, key: string, token: EksToken): boolean {
    let tmp: string | undefined;
    try {
      tmp = this.writeTemp(name, serialiseEntry(key, token));
      nodeFs().renameSync(tmp, this.path(name, FILE_SUFFIX));
      return true;
    } catch (error) {
      if (tmp) nodeFs().rmSync(tmp, { force: true });
      this.notWritten(this.path(name, FILE_SUFFIX), error);
      return false;
    }
  }

  /**
   * Takes the lock, written whole: the holder's line goes to a temporary
   * file, which is then hard-linked to the lock's name (link fails if the
   * name exists, as O_EXCL does). So a lock is never empty or half-written;
   * on a full disk there is no lock at all. Returns 'taken', 'held' (someone
   * else's), or 'unavailable' (the cache cannot be written: go on without).
   */
  private tryLock(name: string, now: Date): 'taken' | 'held' | 'unavailable' {
    let tmp: string;
    try {
      tmp = this.writeTemp(name, `${process.pid} ${hostName()} ${now.getTime()}\n`);
    } catch (error) {
      this.notWritten(this.path(name, LOCK_SUFFIX), error);
      return 'unavailable';
    }
    try {
      nodeFs().linkSync(tmp, this.path(name, LOCK_SUFFIX));
      return 'taken';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'held';
      this.notWritten(this.path(name, LOCK_SUFFIX), error);
      return 'unavailable';
    } finally {
      nodeFs().rmSync(tmp, { force: true });
    }
  }

  /**
   * Is the lock at `lockPath` stale? At once when it is not a regular file
   * (a FIFO, a directory, a symlink), or its holder line cannot be read
   * (bascule writes it whole); else when its holder is a dead process on this
   * host, or it is older than lockStaleMs by the injected clock.
   */
  private isStale(lockPath: string, now: Date): boolean {
    const read = readRegular(lockPath);
    if (!('text' in read)) return !read.missing;
    const match = LOCK_TEXT().exec(read.text);
    if (!match) return true;
    const [, pid, host, at] = match;
    const age = now.getTime() - Number(at);
    if (age > this.settings.lockStaleMs || age < -this.settings.lockStaleMs) return true;
    if (host === hostName()) {
      try {
        process.kill(Number(pid), 0);
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    return false;
  }

  /** Removes a stale lock, whatever it is; false when it cannot be removed. */
  private removeLock(lockPath: string): boolean {
    try {
      nodeFs().rmSync(lockPath, { force: true });
      return true;
    } catch {
      try {
        nodeFs().rmdirSync(lockPath); // an empty directory
        return true;
      } catch {
        return false;
      }
    }
  }

  /** Loads the reader (libc in the binary) and checks the directory, without creating it: a TXT lookup calls this while its answer travels. */
  prepare(): void {
    this.checkDir();
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
      this.log?.(`token cache: hit ${file} (read with ${this.readWith}), valid until ${hit.expiresAt.toISOString()}`);
      return hit;
    }
    if (this.log) {
      const stale = this.read(name, canonical);
      this.log(`token cache: miss: ${file} ${stale ? `is ${unusableBecause(stale, now(), minValidityMs)}` : this.unread}`);
    }

    const lockPath = this.path(name, LOCK_SUFFIX);
    // The wait is bounded by polls, not by the clock: an injected clock may stand still.
    const maxPolls = Math.ceil(this.settings.lockTimeoutMs / this.settings.pollMs);
    let locked = false;
    for (let polls = 0; ; polls++) {
      const state = this.tryLock(name, now());
      if (state === 'taken') locked = true;
      if (state !== 'held') break;
      const made = usable();
      if (made) {
        this.log?.(`token cache: the other bascule signed it: ${file}`);
        return made;
      }
      if (this.isStale(lockPath, now())) {
        if (this.removeLock(lockPath)) continue;
        break; // a lock that cannot be removed: make the token without it
      }
      if (polls >= maxPolls) {
        this.log?.(`token cache: gave up waiting for ${lockPath}: signing without the lock`);
        break; // never block kubectl on someone else's hung process
      }
      if (polls === 0) this.log?.(`token cache: another bascule holds ${lockPath}: waiting for its token`);
      await sleep(this.settings.pollMs);
    }
    try {
      if (locked) {
        const made = usable();
        if (made) return made;
      }
      const token = await make();
      if (this.write(name, canonical, token)) this.log?.(`token cache: wrote ${this.path(name, FILE_SUFFIX)}`);
      return token;
    } finally {
      if (locked) nodeFs().rmSync(lockPath, { force: true });
    }
  }
}

export function diskTokenCache(io: Pick<Io, 'env' | 'stderr' | 'verbose'>): DiskTokenCache {
  return new DiskTokenCache({ dir: cacheDir(io.env), lockTimeoutMs: 20_000, lockStaleMs: 60_000, pollMs: 25 }, io.stderr, io.verbose);
}

