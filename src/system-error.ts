/**
 * What a failed system call means, in words: messages never show an errno
 * code (EACCES, ENOENT...), which tells a person nothing they can act on.
 * No imports: the token's hot path may use it (its cache warnings).
 */

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of its path is a file, not a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ELOOP: 'it is a symbolic link (or a loop of them)',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on this system',
  EBUSY: 'it is busy',
  ENOTEMPTY: 'the directory is not empty',
  EXDEV: 'it is on another file system',
  EIO: 'the device failed to read or write',
  ETXTBSY: 'the file is running as a program',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'it timed out',
  ENOTFOUND: 'the name does not resolve',
  EAI_AGAIN: 'the name lookup failed for now',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the other end closed the connection',
};

/** The errno code of an error (ENOENT...), if it has one. */
export const errnoCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * The failure in words: known codes by the table above, others by the words
 * of the system's own message ("ECODE: words, syscall 'path'" -> "words").
 */
export function systemProblem(error: unknown): string {
  const code = errnoCode(error);
  const words = code ? WORDS[code] : undefined;
  if (words) return words;
  const message = error instanceof Error ? error.message : String(error);
  const system = /^[A-Z][A-Z0-9_]+: ([^,]+)/.exec(message);
  return (system ? system[1] : message) as string;
}
