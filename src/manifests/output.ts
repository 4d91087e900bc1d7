/**
 * The writer of `bascule manifests`: the output directory and what bascule
 * owns in it, decided, then done.
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
 *
 * Three parts: `scanOutput` reads what is there (the adapter), `planOutput`
 * decides per file (write, leave, remove, or refuse the whole run: pure, no
 * file system), `applyOutput` does exactly what the plan says.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BasculeError } from '../errors.js';
import { ioError, replaceFile, writeCulprit } from '../files.js';
import { errnoCode, systemProblem } from '../system-error.js';

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

/** What is under the output directory, by relative path ("/" separators). */
export type Entry = { readonly type: 'file'; readonly sha256: string } | { readonly type: 'directory' } | { readonly type: 'symlink'; readonly target: string } | { readonly type: 'other' };

export interface OutputState {
  /** The directory as the user named it (messages). */
  readonly dir: string;
  /** Where files go: the directory, or the one its symlink points to. */
  readonly realDir: string;
  /** `--out` itself: missing (created), a directory, a symlink to one, or something else (refused). */
  readonly top: { readonly type: 'missing' | 'directory' } | { readonly type: 'symlink'; readonly target: string; readonly to: 'directory' | 'missing' | 'other' } | { readonly type: 'other' };
  /** The ownership list's text, if there is one. */
  readonly ownership: string | undefined;
  readonly entries: ReadonlyMap<string, Entry>;
}

/** The adapter: reads the output directory's state (no writes). */
export function scanOutput(dir: string): OutputState {
  let top: OutputState['top'];
  let realDir = dir;
  try {
    const stat = lstatSync(dir);
    if (stat.isDirectory()) top = { type: 'directory' };
    else if (stat.isSymbolicLink()) {
      const target = readlinkSync(dir);
      try {
        realDir = realpathSync(dir);
        top = { type: 'symlink', target, to: statSync(realDir).isDirectory() ? 'directory' : 'other' };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('resolve', dir, error);
        top = { type: 'symlink', target, to: 'missing' };
      }
    } else top = { type: 'other' };
  } catch (error) {
    if (error instanceof BasculeError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('read', dir, error);
    top = { type: 'missing' };
  }
  const entries = new Map<string, Entry>();
  let ownership: string | undefined;
  if (top.type === 'directory' || (top.type === 'symlink' && top.to === 'directory')) {
    const walk = (relative: string) => {
      const at = relative === '' ? realDir : join(realDir, ...relative.split('/'));
      let names;
      try {
        names = readdirSync(at, { withFileTypes: true });
      } catch (error) {
        throw ioError('read', at, error);
      }
      for (const entry of names) {
        const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
        const full = join(at, entry.name);
        if (entry.isDirectory()) {
          entries.set(path, { type: 'directory' });
          walk(path);
        } else if (entry.isSymbolicLink()) entries.set(path, { type: 'symlink', target: readlinkSync(full) });
        else if (entry.isFile()) {
          try {
            const text = readFileSync(full);
            if (path === OWNERSHIP_FILE) ownership = text.toString('utf8');
            else entries.set(path, { type: 'file', sha256: sha256(text) });
          } catch (error) {
            throw ioError('read', full, error);
          }
        } else entries.set(path, { type: 'other' });
      }
    };
    walk('');
  }
  return { dir, realDir, top, ownership, entries };
}

/** One step of the plan, in order. */
export type Step = { readonly op: 'list'; readonly text: string } | { readonly op: 'write'; readonly path: string; readonly text: string } | { readonly op: 'remove'; readonly path: string };

export interface OutputPlan {
  /** Where the steps apply. */
  readonly realDir: string;
  readonly steps: readonly Step[];
  readonly report: WriteReport;
}

function parseOwnership(state: OutputState, force: boolean): Ownership['files'] {
  if (state.ownership === undefined) return {};
  try {
    const parsed = JSON.parse(state.ownership) as Ownership;
    if (parsed.generator !== 'bascule manifests' || typeof parsed.files !== 'object' || parsed.files === null) throw new Error("not bascule's list");
    for (const entry of Object.values(parsed.files)) if (typeof entry?.sha256 !== 'string') throw new Error('an entry has no sha256');
    return parsed.files;
  } catch {
    if (force) return {};
    throw new BasculeError('usage', `${join(state.dir, OWNERSHIP_FILE)} is not the list of files bascule wrote (it does not parse as one); nothing was written`, {
      hint: 'write into a new directory, or pass --force (bascule then treats every file there as not its own, overwrites only the files it generates, and deletes none)',
    });
  }
}

const listText = (files: Ownership['files']): string => {
  const sorted = Object.fromEntries(Object.keys(files).sort().map((k) => [k, files[k] as OwnedEntry]));
  return `${JSON.stringify({ generator: 'bascule manifests', note: NOTE, files: sorted } satisfies Ownership, null, 2)}\n`;
};

const shown = (paths: string[]) => (paths.length > 8 ? `${paths.slice(0, 8).join(', ')} and ${paths.length - 8} more` : paths.join(', '));

const describeTop = (state: OutputState): string => (state.top.type === 'symlink' ? `${state.dir} (a symlink to ${state.top.target})` : state.dir);

/** Decides (pure): throws the refusal, or returns every step to take. */
export function planOutput(state: OutputState, files: readonly RenderedFile[], options: WriteOptions): OutputPlan {
  const { top } = state;
  if (top.type === 'other') throw new BasculeError('usage', `--out ${state.dir} is not a directory; nothing was written`, { hint: 'name a directory (it is created if missing)' });
  if (top.type === 'symlink' && top.to !== 'directory') {
    throw new BasculeError('usage', `--out ${state.dir} is a symlink to ${top.target}, which ${top.to === 'missing' ? 'does not exist' : 'is not a directory'}; nothing was written`, {
      hint: top.to === 'missing' ? 'create the directory it points to, or name another directory' : 'name a directory (or a symlink to one)',
    });
  }

  const owned = parseOwnership(state, options.force);
  const hashOf = (path: string) => {
    const entry = state.entries.get(path);
    return entry?.type === 'file' ? entry.sha256 : undefined; // a symlink or anything else is never bascule's
  };
  const existing = [...state.entries].filter(([, e]) => e.type !== 'directory').map(([p]) => p).sort();
  const isOurs = (path: string) => {
    const entry = owned[path];
    const hash = hashOf(path);
    return entry !== undefined && hash !== undefined && (entry.sha256 === hash || entry.previous === hash);
  };
  const label = (path: string) => {
    const entry = state.entries.get(path);
    return entry?.type === 'symlink' ? `${path} (a symlink to ${entry.target})` : path;
  };
  const foreign = existing.filter((p) => owned[p] === undefined);
  const changed = existing.filter((p) => owned[p] !== undefined && !isOurs(p));

  // A generated path that is a directory, or under a file or a symlink, cannot be written, --force or not.
  const blocked: string[] = [];
  for (const f of files) {
    const segments = f.path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const prefix = segments.slice(0, i).join('/');
      const entry = state.entries.get(prefix);
      if (!entry) break;
      const last = i === segments.length;
      if (!last && entry.type !== 'directory') {
        blocked.push(`${f.path} (${entry.type === 'symlink' ? `${prefix} is a symlink` : `${prefix} is a file`})`);
        break;
      }
      if (last && entry.type === 'directory') blocked.push(`${f.path} (a directory)`);
    }
  }
  if (blocked.length > 0) {
    throw new BasculeError('usage', `${describeTop(state)}: cannot write ${shown(blocked)}: in the way; nothing was written`, {
      hint: 'move it, or write into another directory',
    });
  }
  if (!options.force && (foreign.length > 0 || changed.length > 0)) {
    const parts = [
      ...(foreign.length > 0 ? [`files bascule did not write: ${shown(foreign.map(label))}`] : []),
      ...(changed.length > 0 ? [`files bascule wrote but that changed since: ${shown(changed.map(label))}`] : []),
    ];
    throw new BasculeError('usage', `${describeTop(state)} holds ${parts.join('; and ')}; nothing was written`, {
      hint: 'write into an empty or new directory, or pass --force: bascule then overwrites the files it generates and deletes no file it does not own',
    });
  }

  const generated = new Set(files.map((f) => f.path));
  const inScope = (path: string) => options.scopes.some((s) => path.startsWith(`${s}/`));
  const stale = Object.keys(owned).filter((p) => inScope(p) && !generated.has(p) && state.entries.has(p));
  const removable = stale.filter(isOurs);

  // 1. The list, with both hashes of every file about to change.
  const next: Ownership['files'] = {};
  for (const path of Object.keys(owned)) if (isOurs(path)) next[path] = { sha256: hashOf(path) as string };
  const pending: Ownership['files'] = { ...next };
  for (const f of files) {
    const before = hashOf(f.path);
    pending[f.path] = { sha256: sha256(f.text), ...(before !== undefined && before !== sha256(f.text) ? { previous: before } : {}) };
  }
  const steps: Step[] = [{ op: 'list', text: listText(pending) }];

  // 2. The files.
  const written: string[] = [];
  const unchanged: string[] = [];
  const overwritten: string[] = [];
  for (const f of files) {
    if (hashOf(f.path) === sha256(f.text)) {
      unchanged.push(f.path);
      continue;
    }
    if (state.entries.has(f.path) && !isOurs(f.path)) overwritten.push(f.path);
    steps.push({ op: 'write', path: f.path, text: f.text });
    written.push(f.path);
  }

  // 3. bascule's files it no longer generates.
  for (const path of removable) steps.push({ op: 'remove', path });

  // 4. The list, final: what bascule wrote and still owns.
  const final: Ownership['files'] = {};
  for (const [path, entry] of Object.entries(next)) if (!stale.includes(path)) final[path] = entry;
  for (const f of files) final[f.path] = { sha256: sha256(f.text) };
  steps.push({ op: 'list', text: listText(final) });

  const kept = [...foreign.filter((p) => !generated.has(p)), ...changed.filter((p) => !generated.has(p))];
  return { realDir: state.realDir, steps, report: { dir: state.dir, written, unchanged, removed: removable, overwritten, kept } };
}

/**
 * A write that failed, naming the output directory (not bascule's list in it)
 * and the directory at fault; `first`: nothing was written before it.
 */
function writeFailed(plan: OutputPlan, path: string, error: unknown, first: boolean): BasculeError {
  const culprit = writeCulprit(path);
  const what = culprit ?? `${relative(plan.realDir, path)}: ${systemProblem(error)}`;
  const denied = ['EACCES', 'EPERM', 'EROFS'].includes(errnoCode(error) ?? '');
  return new BasculeError('io', `cannot write the manifests into ${plan.report.dir}: ${what}`, {
    hint: `${denied || culprit ? 'pass --out a directory you can write, or change its permissions' : 'check the directory and the free space'}; ${
      first ? 'nothing was written' : 'some files were written: run it again once fixed (bascule recognises its own files)'
    }`,
    cause: error,
  });
}

/** The executor: does the plan's steps, in order; directories are made as needed, and removed when a removal empties them. */
export function applyOutput(plan: OutputPlan): void {
  const { realDir } = plan;
  const at = (path: string) => join(realDir, ...path.split('/'));
  let first = true;
  const write = (path: string, text: string) => {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      replaceFile(path, text, 0o644);
      first = false;
    } catch (error) {
      throw writeFailed(plan, path, error, first);
    }
  };
  for (const step of plan.steps) {
    if (step.op === 'list') write(join(realDir, OWNERSHIP_FILE), step.text);
    else if (step.op === 'write') write(at(step.path), step.text);
    else {
      try {
        rmSync(at(step.path));
      } catch (error) {
        throw ioError('remove', at(step.path), error);
      }
      for (let parent = dirname(step.path); parent !== '.' && parent !== ''; parent = dirname(parent)) {
        try {
          rmdirSync(at(parent));
        } catch {
          break; // not empty
        }
      }
    }
  }
}

/** Scan, plan, apply. */
export function writeManifests(dir: string, files: readonly RenderedFile[], options: WriteOptions): WriteReport {
  const plan = planOutput(scanOutput(dir), files, options);
  applyOutput(plan);
  return plan.report;
}
