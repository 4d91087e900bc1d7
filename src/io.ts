/**
 * The edges of the process: what `run()` may touch. `main.ts` passes the real
 * process; tests pass their own, so the whole CLI runs in-process.
 */
import { libcIfLoaded } from './libc.js';
import { builtin, nodeFs } from './runtime.js';
import { utf8Bytes } from './utf8.js';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  readonly cwd: string;
  /** Is standard input a terminal? Asked only when it matters (prompts). */
  readonly stdinIsTTY: () => boolean;
  /** Prints the question on stderr, reads one line from stdin. */
  readonly prompt: (question: string) => Promise<string>;
  /**
   * --verbose: one line on stderr about what was resolved, read, cached or
   * skipped, and why. Absent (or a no-op) without --verbose. Never a secret:
   * callers pass names, paths, sources and reasons, never keys or tokens.
   */
  readonly verbose?: (message: string) => void;
  /** Is standard error a terminal? (colour, progress lines). Absent: no. */
  readonly stderrIsTTY?: () => boolean;
}

/** The io with --verbose on: each message as a `bascule: ...` line on stderr (kubectl interleaves its own). */
export function withVerbose(io: Io): Io {
  return { ...io, verbose: (message) => io.stderr(`bascule: ${message}\n`) };
}

/**
 * Writes straight to a file descriptor. process.stdout would build a stream
 * (and load net, for a pipe) on every kubectl call; bascule's output is a few
 * KB at most, far below a pipe's buffer. libc's write(2) first when a cached
 * token's read loaded it (src/libc.ts); node:fs for what is left, for its
 * error (EPIPE, EAGAIN), and for every other command.
 */
function writeAll(fd: number, text: string): void {
  let buffer = utf8Bytes(text);
  buffer = buffer.subarray(libcIfLoaded()?.write(fd, buffer) ?? 0);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(nodeFs().writeSync(fd, buffer));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

/**
 * A writer to fd that goes quiet once its reader is gone: `bascule schema |
 * head` closes the pipe early, and that is the reader's choice, not a failure
 * (EPIPE). What follows is dropped; the command ends as it would have.
 */
export function quietOnEpipe(fd: number, write: (fd: number, text: string) => void = writeAll): (text: string) => void {
  let closed = false;
  return (text) => {
    if (closed) return;
    try {
      write(fd, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      closed = true;
    }
  };
}

/**
 * Is this file descriptor a terminal? isatty(3), not "a character device":
 * /dev/null is one, and a prompt there reads nothing. node:tty is loaded
 * only when asked (it pulls in net, which every kubectl call would pay for).
 */
export function isTerminal(fd: number): boolean {
  return builtin<typeof import('node:tty')>('node:tty').isatty(fd);
}

export function processIo(): Io {
  return {
    stdout: quietOnEpipe(1),
    stderr: quietOnEpipe(2),
    env: process.env,
    now: () => new Date(),
    cwd: process.cwd(),
    // Asked only when something is printed on stderr.
    stderrIsTTY: () => isTerminal(2),
    stdinIsTTY: () => isTerminal(0),
    prompt: async (question) => {
      const { createInterface } = await import('node:readline');
      return new Promise((resolve, reject) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
        rl.once('close', () => reject(new Error('no answer: standard input closed')));
        rl.question(question, (answer) => {
          rl.removeAllListeners('close');
          rl.close();
          resolve(answer);
        });
      });
    },
  };
}
