/**
 * A hostile credential_process, against the built artefact (the single
 * binary; BASCULE_E2E=bundle for the Node bundle), measured as a process:
 * whatever the helper and its children do, bascule ends by its deadline plus
 * a margin, with bounded memory, one error line and its hint, and never a
 * stack or source. The bounds are correctness properties with wide margins
 * (children sleep 120 s, the deadline is 2 s, the bound 30 s), not timings.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARTEFACT, cleanEnv, requireBuilt, runBuilt, runMeasured } from '../support/run.js';
import { decodeToken } from '../support/token.js';

const started: number[] = [];
afterAll(() => {
  for (const pid of started.filter((p) => p > 1)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

/** Gone: no such process, or a zombie (a container's init may not reap). */
async function goneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    try {
      if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) return true;
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Does the process catch SIGINT (signal 2: bit 1 of SigCgt)? */
const catchesSigint = (pid: number) => (BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]}`) & 2n) !== 0n;

const DOC = '{"Version":1,"AccessKeyId":"AKIDFROMPROCESS","SecretAccessKey":"c2VjcmV0","SessionToken":"process-session-token"}';

/** A profile "p" whose credential_process is `script` (sh); the environment holds no keys. */
function helper(script: string): NodeJS.ProcessEnv {
  const env = cleanEnv({ AWS_PROFILE: 'p', AWS_REGION: 'eu-west-1' });
  const file = join(env.HOME as string, 'helper.sh');
  writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  writeFileSync(env.AWS_CONFIG_FILE as string, `[profile p]\ncredential_process = ${file}\n`);
  return env;
}
/** The pid the helper wrote of the child it left, now in `started` (killed at the end, whatever happens). */
async function backgroundPid(env: NodeJS.ProcessEnv): Promise<number> {
  const file = join(env.HOME as string, 'bg.pid');
  for (let i = 0; i < 200; i++) {
    const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
    if (Number.isInteger(pid) && pid > 1) {
      started.push(pid);
      return pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the helper wrote no pid in ${file}`);
}

const token = (extra: string[] = []) => ['token', '-i', 'eks-green', '--no-cache', '--aws-timeout', '2s', ...extra];
const BOUND_MS = 30_000;

/** No stack, no source, no runtime's own error text: one error line and its hint. */
function oneError(stderr: string): void {
  expect(stderr.split('\n')).toHaveLength(3); // error, hint, and the final newline
  expect(stderr).toMatch(/^error: .*\nhint: .*\n$/);
  expect(stderr).not.toMatch(/^\s+at |Cannot create a string|RangeError|FATAL|dist\/bascule[a-z-]*\.js|\/\$bunfs\//m);
}

describe('a credential_process that leaves a child holding its output', () => {
  it('the credentials it printed before it exited sign; the child is killed; bascule ends at once', async () => {
    const env = helper(`echo '${DOC}'\nsleep 120 &\necho $! > "$HOME/bg.pid"`);
    const r = await runMeasured(token(['--token-only']), { env, timeoutMs: 60_000 });
    const child = await backgroundPid(env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(decodeToken(r.stdout.trim()).searchParams.get('X-Amz-Credential')).toMatch(/^AKIDFROMPROCESS\//);
    expect(r.wallMs).toBeLessThan(BOUND_MS);
    expect(await goneSoon(child)).toBe(true);
  });
});

describe('a credential_process that hangs with a child (the shell waits for sleep)', () => {
  it('stopped at the deadline with its child: one error naming it, a hint that is not about the network', async () => {
    const env = helper('sleep 120 &\necho $! > "$HOME/bg.pid"\nsleep 120');
    const r = await runMeasured(token(), { env, timeoutMs: 60_000 });
    const child = await backgroundPid(env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    oneError(r.stderr);
    expect(r.stderr).toMatch(/^error: the credential_process of profile "p" \(.*helper\.sh\) did not answer within 2s\nhint: run that command yourself: it did not finish .*--aws-timeout\n$/);
    expect(r.stderr).not.toContain('network');
    expect(r.wallMs).toBeLessThan(BOUND_MS);
    expect(await goneSoon(child)).toBe(true);
  });
});

describe('a credential_process that prints without end', () => {
  it.each([
    ['stdout', 'exec yes'],
    ['stderr', 'exec yes >&2'],
  ])('on %s: stopped past 1 MiB, bounded memory, one error line', async (stream, script) => {
    const r = await runMeasured(token(), { env: helper(script), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    oneError(r.stderr);
    expect(r.stderr).toContain(`error: the credential_process of profile "p" (`);
    expect(r.stderr).toContain(`printed more than 1 MiB on ${stream}: bascule stopped it (and what it started)`);
    expect(r.wallMs).toBeLessThan(BOUND_MS);
    // The artefact itself is ~40-60 MB; the unbounded reader reached 7.7 GB.
    expect(r.peakRssMb).toBeLessThan(250);
  });
});

describe("a credential_process's stderr", () => {
  const chatty = 'echo "debug: SecretAccessKey: s3cr3tv4lue, colour \\033[31mred" >&2';

  it('on failure: its last line, redacted, escaped, bounded', async () => {
    const r = await runBuilt(token(), { env: helper(`${chatty}\necho "the reason: ${'x-'.repeat(200)}" >&2\nexit 3`) });
    expect(r.code).toBe(1);
    oneError(r.stderr);
    const said = /exited with code 3: (.*)\n/.exec(r.stderr)?.[1] as string;
    expect(said.startsWith('the reason: x-x-')).toBe(true);
    expect([...said].length).toBeLessThanOrEqual(120);
    expect(said.endsWith('…')).toBe(true);
  });

  it('on success: nothing without -v; under -v its lines, the secrets it printed and named removed', async () => {
    const script = `${chatty}\necho "token is process-session-token" >&2\necho '${DOC}'`;
    const quiet = await runBuilt(token(), { env: helper(script) });
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
    const verbose = await runBuilt(token(['-v']), { env: helper(script) });
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain('said on stderr: debug: SecretAccessKey: <redacted>, colour \\u001b[31mred\n');
    expect(verbose.stderr).toContain('said on stderr: token is <redacted>\n');
    expect(verbose.stderr).not.toMatch(/s3cr3tv4lue|process-session-token|\u001b/);
  });
});

describe('Ctrl-C while a credential_process runs in its own group', () => {
  it('SIGINT to bascule stops the helper and its children too, then ends bascule as SIGINT does', async () => {
    const env = helper('sleep 120 &\necho $! > "$HOME/bg.pid"\nsleep 120');
    const [cmd, argv] = ARTEFACT === 'binary' ? [requireBuilt(), token(['--aws-timeout', '60s'])] : [process.execPath, [requireBuilt(), ...token(['--aws-timeout', '60s'])]];
    const child = spawn(cmd, argv, { env, stdio: 'ignore' });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const sleeper = await backgroundPid(env);
    // Bun catches no SIGINT of its own (Node always does, to reset the terminal): the helper runs, so bascule's handler is armed.
    if (ARTEFACT === 'binary') expect(catchesSigint(child.pid as number), 'bascule catches SIGINT while its helper runs').toBe(true);
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS);
    const { code, signal } = await ended;
    clearTimeout(timer);
    expect(signal ?? code).toBe('SIGINT');
    expect(await goneSoon(sleeper)).toBe(true);
  });
});

describe('bascule doctor and a hanging credential_process', () => {
  it('the credentials link fails at --timeout, and the doctor ends', async () => {
    const env = helper('sleep 120 &\necho $! > "$HOME/bg.pid"\nsleep 120');
    const kubeconfig = join(env.HOME as string, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
        `users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${JSON.stringify(requireBuilt())}, args: [token, -i, eks-green, --region, eu-west-1], interactiveMode: Never}}}]`,
        '',
      ].join('\n'),
    );
    const r = await runMeasured(['doctor', '--timeout', '2s'], { env: { ...env, KUBECONFIG: kubeconfig }, timeoutMs: 60_000 });
    const child = await backgroundPid(env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ credentials {3}the credential_process of profile "p" \(.*helper\.sh\) did not answer within 2s$/m);
    expect(r.wallMs).toBeLessThan(BOUND_MS);
    expect(await goneSoon(child)).toBe(true);
  });
});
