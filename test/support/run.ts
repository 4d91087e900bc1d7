/**
 * Runs the whole CLI in-process (`run(argv, io)`), or the built artefact as a
 * child process (async: in-process loopback servers must keep answering).
 *
 * Which artefact the end-to-end tests run is decided here, once: the single
 * binary for this machine (dist/bascule-<os>-<arch>, built by `npm run
 * build:binary`), since that is what users install; BASCULE_E2E=bundle runs
 * the same tiers against the Node bundle (dist/bascule.js) instead.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli.js';
import { makeTempDir } from './temp.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
/** The Node bundle (`npm i -g`): a node script with a shebang. */
export const BUNDLE = join(ROOT, 'dist', 'bascule.js');
/** The single binary for this machine. */
export const BINARY = join(ROOT, 'dist', `bascule-${platform()}-${arch()}`);
export const ARTEFACT: 'binary' | 'bundle' = process.env.BASCULE_E2E === 'bundle' ? 'bundle' : 'binary';
/** The executable the end-to-end tests run (and write into kubeconfigs as the exec command). */
export const BASCULE = ARTEFACT === 'binary' ? BINARY : BUNDLE;

export const KEYS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  arn: 'arn:aws:iam::123456789012:user/alice',
};

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clean environment: no ambient AWS config, caches in a temp HOME (under the run's temp root), no NODE_EXTRA_CA_CERTS. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const home = makeTempDir('home-');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    KUBECACHEDIR: join(home, '.kube', 'cache'),
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // Route53's budget (src/aws/rate.ts) stays on, at a rate loopback stand-ins keep up with; the fleet tests set their own.
    BASCULE_ROUTE53_RATE: '100',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export const envKeys = (extra: Record<string, string | undefined> = {}) =>
  cleanEnv({ AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_REGION: 'eu-west-1', ...extra });

export async function runInProcess(argv: string[], options: { env?: NodeJS.ProcessEnv; now?: () => Date; cwd?: string } = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: options.env ?? cleanEnv(),
    now: options.now ?? (() => new Date()),
    cwd: options.cwd ?? process.cwd(),
    stdinIsTTY: () => false,
    prompt: async () => {
      throw new Error('no prompt in tests');
    },
  });
  return { code, stdout, stderr };
}

/** The path of an artefact, or an error naming the command that builds it. */
export function requireArtefact(file: string = BASCULE): string {
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run ${file === BUNDLE ? 'build' : 'build:binary'}" (npm test does it first)`);
  return file;
}

/** The executable under test (see ARTEFACT): run it directly, it needs no interpreter. */
export const requireBuilt = (): string => requireArtefact(BASCULE);

/** Spawns a program and collects its output, without blocking the event loop. */
export function spawnAsync(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // A child may exit without reading its input (EPIPE): that is its answer, not a test failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export const runBuilt = (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}) =>
  spawnAsync(requireBuilt(), args, options);

/** The Node bundle, whatever ARTEFACT says (its smoke tier). */
export const runBundle = (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}) =>
  spawnAsync(process.execPath, [requireArtefact(BUNDLE), ...args], options);

/**
 * The built artefact, measured as a process: its wall time (from the test's
 * clock: a bound, never a benchmark) and its peak memory (ru_maxrss of the
 * waited children, read by python3, which the suite needs anyway: no
 * /usr/bin/time on a fresh Debian). Exit code as the artefact's.
 */
export async function runMeasured(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Result & { wallMs: number; peakRssMb: number }> {
  const report = join(makeTempDir('rss-'), 'maxrss');
  // python3 kills the artefact itself a little before the test's own bound: a hung artefact is never left behind.
  const wrapper =
    'import resource, subprocess, sys\n' +
    'try:\n' +
    '    code = subprocess.run(sys.argv[3:], timeout=float(sys.argv[2])).returncode\n' +
    'except subprocess.TimeoutExpired:\n' +
    '    code = 124\n' +
    'open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n' +
    'sys.exit(code if code >= 0 else 128 - code)\n';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = Date.now();
  const r = await spawnAsync('python3', ['-c', wrapper, report, String(Math.max(1, timeoutMs - 5000) / 1000), requireBuilt(), ...args], { ...options, timeoutMs });
  const wallMs = Date.now() - started;
  return { ...r, wallMs, peakRssMb: Number(readFileSync(report, 'utf8')) / 1024 };
}
