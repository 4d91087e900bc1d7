/**
 * The writer (the file adapter of `bascule manifests`): the output directory
 * and what bascule owns in it.
 *
 * DIR/.bascule-manifests.json lists the files bascule wrote, with their
 * SHA-256. A later run refuses a directory holding any other file, or one of
 * bascule's files changed since, unless --force; with --force it overwrites
 * the files it generates (whoever wrote them) and leaves every other file
 * alone. It removes its own files that are no longer generated, when
 * unchanged. Nothing is written before everything is checked; each file is
 * written atomically (a temporary file renamed over it); the list is written
 * first with the files' old and new hashes, and again at the end, so an
 * interrupted run leaves files the next run still recognises.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { BasculeError } from '../errors.js';
import { ioError, replaceFile } from '../files.js';

export const OWNERSHIP_FILE = '.bascule-manifests.json';

interface OwnedEntry {
  sha256: string;
  /** While a run writes: the hash before it, also accepted as bascule's. */
  previous?: string;
}
interface Ownership {
  generator: 'bascule manifests';
  note: string;
  files: Record<string, OwnedEntry>;
}

export interface RenderedFile {
  /** Relative to the output directory, with "/" separators. */
  readonly path: string;
  readonly text: string;
}

export interface WriteOptions {
  /** The top-level directories this run generates (its colours): only there are stale files removed. */
  readonly scopes: readonly string[];
  readonly force: boolean;
}

export interface WriteReport {
  readonly dir: string;
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
  /** Files bascule did not write, overwritten (--force). */
  readonly overwritten: string[];
  /** Files left alone: not bascule's (--force), or bascule's but changed since. */
  readonly kept: string[];
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');


const NOTE = 'Files bascule manifests wrote here, with their SHA-256: it overwrites or removes only these (unless --force). Do not edit.';

function readOwnership(dir: string, force: boolean): Ownership['files'] {
  const path = join(dir, OWNERSHIP_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw ioError('read', path, error);
  }
  try {
    const parsed = JSON.parse(text) as Ownership;
    if (parsed.generator !== 'bascule manifests' || typeof parsed.files !== 'object' || parsed.files === null) throw new Error('not bascule\'s list');
    for (const entry of Object.values(parsed.files)) if (typeof entry?.sha256 !== 'string') throw new Error('an entry has no sha256');
    return parsed.files;
  } catch {
    if (force) return {};
    throw new BasculeError('usage', `${path} is not the list of files bascule wrote (it does not parse as one); nothing was written`, {
      hint: 'write into a new directory, or pass --force (bascule then treats every file there as not its own, overwrites only the files it generates, and deletes none)',
    });
  }
}

/** Every file (and symbolic link) under dir, relative, with "/" separators; the list itself excluded. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw ioError('read', at, error);
    }
    for (const entry of entries) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.filter((p) => p !== OWNERSHIP_FILE).sort();
}

function hashOf(path: string): string | undefined {
  try {
    const stat = lstatSync(path);
    if (!stat.isFile()) return undefined; // a link or something else: never bascule's
    return sha256(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read', path, error);
  }
}

/** Writes text to path atomically (see replaceFile), creating its directory. */
function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    replaceFile(path, text, mode);
  } catch (error) {
    throw ioError('write', path, error);
  }
}

const listText = (files: Ownership['files']): string => {
  const sorted = Object.fromEntries(Object.keys(files).sort().map((k) => [k, files[k] as OwnedEntry]));
  return `${JSON.stringify({ generator: 'bascule manifests', note: NOTE, files: sorted } satisfies Ownership, null, 2)}\n`;
};

const shown = (paths: string[]) => (paths.length > 8 ? `${paths.slice(0, 8).join(', ')} and ${paths.length - 8} more` : paths.join(', '));

export function writeManifests(dir: string, files: readonly RenderedFile[], options: WriteOptions): WriteReport {
  try {
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) throw new BasculeError('usage', `--out ${dir} is not a directory; nothing was written`, { hint: 'name a directory (it is created if missing)' });
  } catch (error) {
    if (error instanceof BasculeError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('read', dir, error);
  }

  const owned = readOwnership(dir, options.force);
  const existing = listFiles(dir);
  const isOurs = (path: string, hash: string | undefined) => {
    const entry = owned[path];
    return entry !== undefined && hash !== undefined && (entry.sha256 === hash || entry.previous === hash);
  };
  const hashes = new Map(existing.map((p) => [p, hashOf(join(dir, p))]));
  const foreign = existing.filter((p) => owned[p] === undefined);
  const changed = existing.filter((p) => owned[p] !== undefined && !isOurs(p, hashes.get(p)));

  // A generated path that is a directory, or under a file, cannot be written, --force or not.
  const blocked = files.filter((f) => {
    const segments = f.path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      try {
        const stat = lstatSync(join(dir, ...segments.slice(0, i)));
        if (i < segments.length ? !stat.isDirectory() : stat.isDirectory()) return true;
      } catch {
        return false;
      }
    }
    return false;
  });
  if (blocked.length > 0) {
    throw new BasculeError('usage', `${dir}: cannot write ${shown(blocked.map((f) => f.path))}: a directory or a file is in the way; nothing was written`, {
      hint: 'move it, or write into another directory',
    });
  }
  if (!options.force && (foreign.length > 0 || changed.length > 0)) {
    const parts = [
      ...(foreign.length > 0 ? [`files bascule did not write: ${shown(foreign)}`] : []),
      ...(changed.length > 0 ? [`files bascule wrote but that changed since: ${shown(changed)}`] : []),
    ];
    throw new BasculeError('usage', `${dir} holds ${parts.join('; and ')}; nothing was written`, {
      hint: 'write into an empty or new directory, or pass --force: bascule then overwrites the files it generates and deletes no file it does not own',
    });
  }

  const generated = new Set(files.map((f) => f.path));
  const inScope = (path: string) => options.scopes.some((s) => path.startsWith(`${s}/`));
  const stale = Object.keys(owned).filter((p) => inScope(p) && !generated.has(p) && hashes.has(p));
  const removable = stale.filter((p) => isOurs(p, hashes.get(p)));

  // 1. The list, with both hashes of every file about to change.
  const next: Ownership['files'] = {};
  for (const path of Object.keys(owned)) {
    if (hashes.has(path) && isOurs(path, hashes.get(path))) next[path] = { sha256: hashes.get(path) as string };
  }
  const pending: Ownership['files'] = { ...next };
  for (const f of files) {
    const before = hashes.get(f.path);
    pending[f.path] = { sha256: sha256(f.text), ...(before !== undefined && before !== sha256(f.text) ? { previous: before } : {}) };
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileAtomic(join(dir, OWNERSHIP_FILE), listText(pending));

  // 2. The files.
  const written: string[] = [];
  const unchanged: string[] = [];
  const overwritten: string[] = [];
  for (const f of files) {
    const before = hashes.get(f.path);
    if (before === sha256(f.text)) {
      unchanged.push(f.path);
      continue;
    }
    if (existing.includes(f.path) && !isOurs(f.path, before)) overwritten.push(f.path);
    writeFileAtomic(join(dir, ...f.path.split('/')), f.text);
    written.push(f.path);
  }

  // 3. bascule's files it no longer generates, and directories they leave empty.
  for (const path of removable) {
    try {
      rmSync(join(dir, ...path.split('/')));
    } catch (error) {
      throw ioError('remove', join(dir, path), error);
    }
    let parent = dirname(path);
    while (parent !== '.' && parent !== '') {
      try {
        rmdirSync(join(dir, ...parent.split('/')));
      } catch {
        break; // not empty
      }
      parent = dirname(parent);
    }
  }

  // 4. The list, final: what bascule wrote and still owns.
  const final: Ownership['files'] = {};
  for (const [path, entry] of Object.entries(next)) if (!stale.includes(path)) final[path] = entry;
  for (const f of files) final[f.path] = { sha256: sha256(f.text) };
  writeFileAtomic(join(dir, OWNERSHIP_FILE), listText(final));

  const kept = [...foreign.filter((p) => !generated.has(p)), ...changed.filter((p) => !generated.has(p))];
  return { dir, written, unchanged, removed: removable, overwritten, kept };
}
