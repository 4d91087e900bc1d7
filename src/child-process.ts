/**
 * Every program bascule starts (a profile's credential_process, the plugin
 * whose version the doctor asks) runs through `runHelper`, bounded in time
 * and in output whatever it, and what it starts, does:
 *
 * - Time: the caller's AbortSignal (a Deadline) stops it. Stopping kills
 *   the helper's process group (SIGKILL) and closes bascule's ends of its
 *   pipes, so bascule ends on time even when a grandchild holds the pipe
 *   (`sleep 100 &`) or escaped the group.
 * - Output: at most `maxOutputBytes` (1 MiB) on each of stdout and stderr,
 *   a thousand times a credential document; past it the helper is stopped
 *   and the outcome says so. Only stderr's last lines are kept.
 * - The end: the helper's own exit, not the end of its output. Once it has
 *   exited, what it printed counts as soon as `complete` says it is whole, or
 *   after a short grace for what is still in the pipe; whatever then still
 *   holds the pipe is stopped. botocore (the AWS CLI) differs: it reads
 *   until EOF (Popen.communicate), so a helper that leaves a child holding
 *   stdout (`sleep 20 &` after the JSON) makes the AWS CLI wait for that
 *   child, with no deadline at all. A program that finished and printed a
 *   whole answer has answered; waiting for its children only hangs kubectl.
 *   When both pipes reach EOF (the usual case) nothing is killed: a helper
 *   may leave a daemon behind, as with botocore, so long as it lets go of
 *   the output.
 *
 * The helper gets a process group (and session) of its own, so that the
 * group can be killed, unless it may use the terminal (`keepTerminal`: a
 * new session has none, and a prompt on /dev/tty would fail); then only the
 * helper itself is killed, and its pipes closed. While a helper runs in its
 * own group, SIGINT, SIGTERM and SIGHUP to bascule (Ctrl-C in kubectl) stop
 * the group first, as the terminal would have; bascule catches them from
 * before the helper starts, so none comes too early to stop what it started.
 */

import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { systemProblem } from './system-error.js';

/** Each stream's cap, in bytes: far above any real credential document or version line. */
export const HELPER_OUTPUT_MAX = 1024 * 1024;

/** After the helper exits: how long what it wrote may take to come out of the pipe. */
const EXIT_GRACE_MS = 500;

/** How much of stderr is kept (its end), for messages. */
const STDERR_KEPT = 8 * 1024;

export interface HelperRequest {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Aborting it stops the helper (and its group): the outcome is `stopped`. */
  readonly signal: AbortSignal;
  /** Is what it printed on stdout whole? Lets an exited helper's answer count at once. */
  readonly complete?: (stdout: string) => boolean;
  /** May the helper use the terminal (a prompt)? It then stays in bascule's process group. */
  readonly keepTerminal?: boolean;
  readonly maxOutputBytes?: number;
}

export type HelperOutcome =
  | {
      readonly kind: 'exited';
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly stdout: string;
      /** The end of what it wrote on stderr. */
      readonly stderr: string;
      /** It had exited, but something it started still held its output: that was stopped. */
      readonly leftovers: boolean;
    }
  | { readonly kind: 'overflow'; readonly stream: 'stdout' | 'stderr'; readonly stderr: string }
  | { readonly kind: 'stopped'; readonly stderr: string }
  | { readonly kind: 'not-started'; readonly reason: string };

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function runHelper(request: HelperRequest): Promise<HelperOutcome> {
  const [program, ...args] = request.argv;
  if (!program) return { kind: 'not-started', reason: 'no program' };
  if (request.signal.aborted) return { kind: 'stopped', stderr: '' };
  const { spawn } = await import('node:child_process');
  const max = request.maxOutputBytes ?? HELPER_OUTPUT_MAX;
  const ownGroup = !request.keepTerminal;
  return new Promise<HelperOutcome>((resolve) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = Buffer.alloc(0);
    let errBytes = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let closed = false;
    let grace: NodeJS.Timeout | undefined;
    let done = false;
    const stdout = () => Buffer.concat(out, outBytes).toString('utf8');
    const stderr = () => errTail.toString('utf8');

    const stop = () => {
      if (ownGroup && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // the group is gone already
        }
      }
      if (!exit) child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
    };
    const onSignal = (signal: NodeJS.Signals) => {
      stop();
      disarm();
      process.kill(process.pid, signal); // bascule ends as the signal says, as it would have
    };
    const onAbort = () => finish({ kind: 'stopped', stderr: stderr() });
    const disarm = () => {
      request.signal.removeEventListener('abort', onAbort);
      if (ownGroup) for (const s of FORWARDED) process.removeListener(s, onSignal);
    };
    function finish(outcome: HelperOutcome): void {
      if (done) return;
      done = true;
      clearTimeout(grace);
      disarm();
      // Whatever still holds its output is stopped: the helper, or what it left behind.
      if (!closed || outcome.kind !== 'exited') stop();
      resolve(outcome);
    }
    const exited = () => finish({ kind: 'exited', ...(exit as NonNullable<typeof exit>), stdout: stdout(), stderr: stderr(), leftovers: !closed });
    const answered = () => exit?.code === 0 && request.complete?.(stdout()) === true;

    request.signal.addEventListener('abort', onAbort, { once: true });
    // Armed before the spawn: on a loaded machine the helper may start its children before spawn()
    // returns. A signal is handled from the event loop, so only once `child` is set.
    if (ownGroup) for (const s of FORWARDED) process.on(s, onSignal);
    try {
      child = spawn(program, args, { env: request.env, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
    } catch (error) {
      disarm(); // an argument spawn() refuses (a NUL byte): no helper started
      throw error;
    }
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish(exit ? { kind: 'stopped', stderr: stderr() } : { kind: 'not-started', reason: error.code === 'ENOENT' ? 'no such program' : systemProblem(error) });
    });
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > max) return finish({ kind: 'overflow', stream: 'stdout', stderr: stderr() });
      out.push(chunk);
      if (answered()) exited();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes > max) return finish({ kind: 'overflow', stream: 'stderr', stderr: stderr() });
      errTail = Buffer.concat([errTail, chunk]);
      if (errTail.length > STDERR_KEPT) errTail = errTail.subarray(errTail.length - STDERR_KEPT);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (answered()) return exited();
      grace = setTimeout(exited, EXIT_GRACE_MS);
    });
    child.once('close', (code, signal) => {
      exit ??= { code, signal };
      closed = true;
      exited();
    });
  });
}
