/**
 * The Node bundle's entry (dist/bascule.js): runs the hot file
 * (dist/bascule-main.js) with V8's code cache for it. Node compiles a
 * script's source on every start; for the hot file that is ~4 ms of a cached
 * token's ~10 above `node -e 0` on the 2-core VM, and with the cache it is
 * ~1 ms (docs/speed.md). Node 22 can keep such a cache itself
 * (module.enableCompileCache), Node 20 cannot, and neither for a file it
 * has already compiled, as an entry is: hence this loader.
 *
 * The cache is V8's own bytes, so it is code: it is kept only where the token
 * cache is (KUBECACHEDIR/bascule: a real directory of the user's, 0700, never
 * created here), read without following a link, from a regular file of the
 * user's, and named by the Node that made it and the hot file's hash (V8
 * itself checks only the source's length). V8 rejects a cache of another
 * V8; a missing or rejected one is written anew as the process exits (with
 * the functions this run compiled), atomically, and older builds' caches
 * go. None of this ever changes what bascule does or prints: any failure
 * here is a run without the cache.
 */
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { cacheDir, checkOwnership, O_WRITE_NEW, openRegular } from './token/cache-dir.js';

declare const __BASCULE_HOT_ID__: string;

const hot = `${__dirname}/bascule-main.js`;
const PREFIX = 'node-code-cache-';

/** The cache's file, when its directory is one bascule would keep tokens in; else undefined (no cache). */
function cacheFile(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || process.versions.bun !== undefined) return undefined; // V8's cache: Node's alone
  // checkCacheDir's rule without its libc half (Node has node:fs loaded; libc.ts would be 7 KB more to compile here on every call).
  const dir = cacheDir(process.env);
  try {
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && checkOwnership(stat, dir, '0700', uid).ok ? `${dir}/${PREFIX}${process.version}-${process.arch}-${__BASCULE_HOT_ID__}.bin` : undefined;
  } catch {
    return undefined;
  }
}

/** The cache's bytes, opened as the token cache opens its entries (no link, no FIFO), from a file of the user's. */
function readCache(file: string): Buffer | undefined {
  const opened = openRegular(file);
  if (!('fd' in opened)) return undefined;
  try {
    return checkOwnership(opened.stat, file, '0600').ok ? fs.readFileSync(opened.fd) : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(opened.fd);
  }
}

function writeCache(file: string, script: vm.Script): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    const fd = fs.openSync(tmp, O_WRITE_NEW(), 0o600);
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    // Older builds' caches (another hash, same Node): never used again.
    const dir = file.slice(0, file.lastIndexOf('/'));
    const mine = `${PREFIX}${process.version}-${process.arch}-`;
    for (const name of fs.readdirSync(dir)) if (name.startsWith(mine) && name.endsWith('.bin') && `${dir}/${name}` !== file) fs.rmSync(`${dir}/${name}`, { force: true });
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

const source = fs.readFileSync(hot, 'utf8');
const file = cacheFile();
const cachedData = file === undefined ? undefined : readCache(file);
// The wrapper Node gives a CommonJS module, on the first line (line numbers stay the file's).
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: hot, ...(cachedData ? { cachedData } : {}) });
if (file !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
  process.once('exit', () => writeCache(file, script));
}
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, hot, __dirname);
