/**
 * The bounded runner of every program bascule starts (src/child-process.ts),
 * with real processes: a helper that leaves a child holding its output, one
 * that hangs with a child, one that prints without end (on stdout, on
 * stderr), one that fails, one that is not there, one that leaves a daemon
 * which let go of its output. What is asserted is what ends and what is
 * killed; the bounds on bascule's own process are in
 * test/e2e/credential-process-bounds.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { HELPER_OUTPUT_MAX, runHelper, type HelperRequest } from '../../src/child-process.js';

/** Processes the tests started, killed at the end whatever happened. */
const started: number[] = [];
afterAll(() => {
  for (const pid of started.filter((p) => p > 1)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** Gone: no such process, or a zombie (a container's init may not reap). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** Waits (bounded, by polls) for a process to be gone; false if it is still there after 10 s. */
async function goneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (gone(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** The pids a script printed on stderr as "pid <n>". */
const pidsIn = (stderr: string) => [...stderr.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));

const run = (script: string, extra: Partial<HelperRequest> = {}) =>
  runHelper({ argv: ['/bin/sh', '-c', script], env: { PATH: process.env.PATH }, signal: AbortSignal.timeout(20_000), ...extra });

const DOC = '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"s/k"}';
const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('runHelper', () => {
  it('takes the answer once the helper exits, though a child it left holds the output; that child is killed', async () => {
    const outcome = await run(`echo '${DOC}'; sleep 120 & echo "pid $!" >&2`, { complete: isJson });
    expect(outcome).toMatchObject({ kind: 'exited', code: 0, stdout: `${DOC}\n`, leftovers: true });
    const [child] = pidsIn(outcome.kind === 'exited' ? outcome.stderr : '');
    expect(child).toBeGreaterThan(0);
    started.push(child as number);
    expect(await goneSoon(child as number)).toBe(true);
  });

  it('without `complete`, the same answer after a short grace', async () => {
    const outcome = await run(`echo '${DOC}'; sleep 120 & echo "pid $!" >&2`);
    expect(outcome).toMatchObject({ kind: 'exited', code: 0, stdout: `${DOC}\n`, leftovers: true });
    const [child] = pidsIn(outcome.kind === 'exited' ? outcome.stderr : '');
    started.push(child as number);
    expect(await goneSoon(child as number)).toBe(true);
  });

  it('stopped by its signal: the helper and the child it waits for are both killed', async () => {
    const controller = new AbortController();
    const pending = run('sleep 120 & echo "pid $!" >&2; echo "pid $$" >&2; wait', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    const outcome = await pending;
    expect(outcome.kind).toBe('stopped');
    const pids = pidsIn(outcome.kind === 'stopped' ? outcome.stderr : '');
    expect(pids).toHaveLength(2);
    started.push(...pids);
    for (const pid of pids) expect(await goneSoon(pid)).toBe(true);
  });

  it.each([
    ['stdout', 'exec yes'],
    ['stderr', 'exec yes >&2'],
  ] as const)('output without end on %s: stopped past the cap', async (stream, script) => {
    const outcome = await run(script);
    expect(outcome).toMatchObject({ kind: 'overflow', stream });
    if (outcome.kind === 'overflow') expect(outcome.stderr.length).toBeLessThanOrEqual(8 * 1024);
  });

  it('keeps the cap: 1 MiB on stdout is taken whole, one byte more is not', async () => {
    const exact = await run(`head -c ${HELPER_OUTPUT_MAX} /dev/zero | tr '\\0' x`);
    expect(exact.kind === 'exited' && exact.stdout.length).toBe(HELPER_OUTPUT_MAX);
    expect((await run(`head -c ${HELPER_OUTPUT_MAX + 1} /dev/zero | tr '\\0' x`)).kind).toBe('overflow');
  });

  it('a failure: its code, and the end of its stderr', async () => {
    const outcome = await run('echo "first" >&2; echo "the reason" >&2; exit 3');
    expect(outcome).toMatchObject({ kind: 'exited', code: 3, stderr: 'first\nthe reason\n', leftovers: false });
  });

  it('a program that is not there', async () => {
    const outcome = await runHelper({ argv: ['/nonexistent/helper'], env: {}, signal: AbortSignal.timeout(5000) });
    expect(outcome).toEqual({ kind: 'not-started', reason: 'no such program' });
  });

  it('a daemon that let go of the output is left alone (as botocore leaves it)', async () => {
    const outcome = await run(`sleep 120 >/dev/null 2>&1 & echo "pid $!"; echo '${DOC}'`, { complete: isJson });
    expect(outcome.kind).toBe('exited');
    const [daemon] = pidsIn(outcome.kind === 'exited' ? outcome.stdout : '');
    started.push(daemon as number);
    expect(outcome).toMatchObject({ leftovers: false });
    expect(gone(daemon as number)).toBe(false);
  });

  it('in its own process group, unless it may use the terminal', async () => {
    const group = (stdout: string) => Number(stdout.trim());
    const pgid = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[2]);
    const own = await run("cut -d' ' -f5 /proc/$$/stat");
    const kept = await run("cut -d' ' -f5 /proc/$$/stat", { keepTerminal: true });
    expect(own.kind === 'exited' && group(own.stdout)).not.toBe(pgid);
    expect(kept.kind === 'exited' && group(kept.stdout)).toBe(pgid);
  });
});
