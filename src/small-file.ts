/**
 * A small file bascule reads from outside on the way to credentials (an SSO
 * login the AWS CLI cached, a web identity token), bounded in time and size:
 * opened without blocking (O_NONBLOCK: a FIFO planted there opens at once and
 * is refused, where a plain read would wait for a writer forever), links
 * followed (such files are often links: a projected service-account token),
 * then checked on what was opened: a regular file of at most `maxBytes`.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { systemProblem } from './system-error.js';

export type SmallFile = { readonly text: string } | { readonly problem: string; readonly missing: boolean };

/** Far above a JWT or an SSO token cache entry (a few KB). */
export const SMALL_FILE_MAX = 1024 * 1024;

export function readSmallFile(file: string, maxBytes: number = SMALL_FILE_MAX): SmallFile {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { problem: code === 'ENOENT' ? 'it does not exist' : `it cannot be read: ${systemProblem(error)}`, missing: code === 'ENOENT' || code === 'ENOTDIR' };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { problem: 'it is not a regular file', missing: false };
    if (stat.size > maxBytes) return { problem: `it holds ${stat.size} bytes, more than the ${maxBytes} expected`, missing: false };
    // The size may change while it is read: never more than maxBytes + 1.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length <= maxBytes; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) return { problem: `it holds more than the ${maxBytes} bytes expected`, missing: false };
    return { text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { problem: `it cannot be read: ${systemProblem(error)}`, missing: false };
  } finally {
    closeSync(fd);
  }
}
