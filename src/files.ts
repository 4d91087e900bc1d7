/**
 * The file adapter of the generators and the switch: read a target, write it
 * atomically (kubeconfigs, the platform file, the switch journal, manifests).
 *
 * A write goes to a temporary file in the same directory, is flushed, then
 * renamed over the target, so a reader sees the old file or the new one,
 * never half of one. An existing file keeps its mode and leaves a backup
 * (FILE.bak, the previous content); a new file gets `newMode` (0600 for
 * kubeconfigs). A symbolic link is followed: its target is what changes; a
 * dangling one is refused, and so is a read-only file (mode without any w).
 */
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BasculeError } from './errors.js';
import { errnoCode, systemProblem } from './system-error.js';

export interface ExistingFile {
  /** The real path (symbolic links followed). */
  readonly path: string;
  readonly text: string;
  readonly mode: number;
}

/**
 * For a write under `path` that failed: the existing directory at fault, in
 * words ("/srv/out is not writable by this user", "/srv/out is a file"), or
 * undefined when none is (the cause is elsewhere: a full disk...).
 */
export function writeCulprit(path: string): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) return `${dir} is a file, not a directory`;
    } catch {
      if (dirname(dir) === dir) return undefined;
      continue; // missing: it would be created in its parent
    }
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
      return undefined;
    } catch {
      return `${dir} is not writable by this user`;
    }
  }
}

/** What to do about a failed read or write, by its cause. */
function causeHint(verb: string, file: string, error: unknown): string {
  const writing = verb !== 'read' && verb !== 'resolve';
  switch (errnoCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return writing ? `${writeCulprit(file) ?? `${file} is not writable by this user`}: write elsewhere, or change its permissions` : `check the permissions of ${file} and its directories (ls -ld)`;
    case 'ENOENT':
      return 'check the path';
    case 'EISDIR':
      return 'name a file, not a directory';
    case 'ENOTDIR':
      return `${writeCulprit(file) ?? 'a part of the path is a file'}: name a path made of directories`;
    case 'EROFS':
      return 'write to a writable file system';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free some space, then run it again';
    default:
      return 'check the path and its permissions';
  }
}

/** A failed read or write of `file`, in words, with what to do; `after` adds what became of the file ("nothing was written"). */
export const ioError = (verb: string, file: string, error: unknown, after?: string) =>
  new BasculeError('io', `cannot ${verb} ${file}: ${systemProblem(error)}`, { hint: after ? `${causeHint(verb, file, error)}; ${after}` : causeHint(verb, file, error), cause: error });

/** The file if it exists; `undefined` if it does not; an `io` error if it cannot be read, or is a dangling symlink. */
export function readExisting(file: string): ExistingFile | undefined {
  let path: string;
  try {
    path = realpathSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      danglingLink(file);
      return undefined;
    }
    throw ioError('resolve', file, error);
  }
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new BasculeError('io', `${file}${path === file ? '' : ` (a symlink to ${path})`} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}`, { hint: 'name a file; nothing was written' });
    return { path, text: readFileSync(path, 'utf8'), mode: stat.mode & 0o777 };
  } catch (error) {
    if (error instanceof BasculeError) throw error;
    throw ioError('read', file, error, 'nothing was written');
  }
}

/** Refuses a symlink whose target does not exist: writing "through" it would replace the link with a file. */
function danglingLink(file: string): void {
  let target: string;
  try {
    if (!lstatSync(file).isSymbolicLink()) return;
    target = readlinkSync(file);
  } catch {
    return; // nothing there (or a missing directory): a new file
  }
  throw new BasculeError('io', `${file} is a symlink to ${target}, which does not exist; nothing was written`, {
    hint: 'create the file it points to (or fix the symlink), or remove the symlink to have a new file written there',
  });
}

/**
 * Checks that an existing file may be replaced: a file whose mode grants no
 * write permission (0444) is one its owner protected, and is refused even
 * when the process could replace it (root, or a writable directory).
 */
export function checkWritable(file: string, existing: ExistingFile | undefined): void {
  if (!existing || (existing.mode & 0o222) !== 0) return;
  const mode = existing.mode.toString(8).padStart(4, '0');
  throw new BasculeError('io', `${file}${existing.path === file ? '' : ` (a symlink to ${existing.path})`} is read-only (mode ${mode}); nothing was written`, {
    hint: `make it writable (chmod u+w ${existing.path}) if it should change, or write elsewhere`,
  });
}

/**
 * Replaces `path` with `text` through a temporary file in the same directory,
 * flushed, then renamed over it (a link at `path` is replaced, not followed).
 */
export function replaceFile(path: string, text: string, mode: number): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.bascule-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', mode);
    const buffer = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < buffer.length) written += writeSync(fd, buffer, written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    chmodSync(temp, mode); // the umask may have narrowed it
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
}

export interface WriteResult {
  readonly path: string;
  readonly changed: boolean;
  readonly backup: string | undefined;
  readonly created: boolean;
}

/**
 * Writes `text` to `file` atomically. Unchanged content is not rewritten.
 * `backup`: keep the previous content as FILE.bak.
 */
export function writeAtomic(file: string, text: string, options: { newMode: number; backup: boolean }): WriteResult {
  const existing = readExisting(file);
  checkWritable(file, existing);
  if (existing && existing.text === text) return { path: existing.path, changed: false, backup: undefined, created: false };
  const path = existing?.path ?? file;
  try {
    if (!existing) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let backup: string | undefined;
    if (existing && options.backup) {
      backup = `${path}.bak`;
      replaceFile(backup, existing.text, existing.mode);
    }
    replaceFile(path, text, existing?.mode ?? options.newMode);
    return { path, changed: true, backup, created: !existing };
  } catch (error) {
    throw ioError('write', file, error, existing ? 'the file was left as it was' : 'nothing was written');
  }
}
