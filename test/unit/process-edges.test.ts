/**
 * The edges of the process: a reader that closes the pipe early (EPIPE) ends
 * the command quietly; "is there a terminal" is isatty (not "a character
 * device": /dev/null is one); YAML alias bombs are configuration errors that
 * name the file, never "a bug in bascule".
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isTerminal, quietOnEpipe } from '../../src/io.js';
import { runCli } from '../support/cli.js';
import { ARTEFACT, BUNDLE, cleanEnv, requireBuilt, spawnAsync, type Result } from '../support/run.js';
import { tempDirs } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const tempDir = tempDirs('bascule-edges-');

/** Runs the built bascule with the given stdio for stdin and stdout. */
function runWith(args: string[], stdio: { stdin: 'pipe' | number; closeStdout?: boolean }, env: NodeJS.ProcessEnv = cleanEnv()): Promise<Result> {
  return new Promise((resolve, reject) => {
    // The artefact users run: the binary itself, or the bundle under node.
    const [cmd, argv] = ARTEFACT === 'binary' ? [requireBuilt(), args] : [process.execPath, [requireBuilt(), ...args]];
    const child = spawn(cmd, argv, { env, stdio: [stdio.stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [out, err] = [child.stdout as Readable, child.stderr as Readable];
    if (stdio.closeStdout) out.destroy(); // the reader is gone before bascule writes
    else out.on('data', (d) => (stdout += d));
    err.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

describe('EPIPE on standard output', () => {
  it.each([['schema'], ['kubeconfig', '--config', join(ROOT, 'examples/platform.yaml')], ['--help']])('`bascule %s | (reader gone)` exits 0, silently', async (...args) => {
    const r = await runWith(args, { stdin: 'pipe', closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('quietOnEpipe: drops what follows an EPIPE; any other error still fails', () => {
    const seen: string[] = [];
    let fail: string | undefined = 'EPIPE';
    const write = quietOnEpipe(1, (_fd, text) => {
      if (fail) throw Object.assign(new Error(fail), { code: fail });
      seen.push(text);
    });
    write('a');
    fail = undefined;
    write('b');
    expect(seen).toEqual([]);
    const other = quietOnEpipe(1, () => {
      throw Object.assign(new Error('EIO'), { code: 'EIO' });
    });
    expect(() => other('x')).toThrow('EIO');
  });
});

describe('is there a terminal: isatty', () => {
  it('/dev/null is a character device, and not a terminal', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      expect(fstatSync(fd).isCharacterDevice()).toBe(true); // what the old check asked
      expect(isTerminal(fd)).toBe(false);
    } finally {
      closeSync(fd);
    }
  });

  it('with stdin from /dev/null, a profile that needs an MFA code is refused, not prompted for', async () => {
    const home = tempDir();
    writeFileSync(join(home, 'aws-config'), '[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = eu-west-1\n');
    writeFileSync(join(home, 'aws-credentials'), '[base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n');
    const env = cleanEnv({ HOME: home, AWS_CONFIG_FILE: join(home, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'), KUBECACHEDIR: join(home, 'cache') });
    const devNull = openSync('/dev/null', 'r');
    try {
      const r = await runWith(['token', '-i', 'eks-green', '--no-dns', '--profile', 'mfa', '--region', 'eu-west-1', '--no-cache'], { stdin: devNull }, env);
      expect(r.stderr).not.toContain('MFA code for');
      expect(r.stderr).toContain('needs an MFA code (mfa_serial arn:aws:iam::123456789012:mfa/alice), but bascule may not prompt');
      expect(r.code).toBe(1);
    } finally {
      closeSync(devNull);
    }
  });
});

describe('YAML alias bombs are configuration errors naming the file', () => {
  const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';

  it('in a platform file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bomb.yaml'), bomb);
    for (const command of ['kubeconfig', 'manifests']) {
      const r = await runCli([command, '--config', 'bomb.yaml', '--out', join(dir, 'out')], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: bomb\.yaml: its YAML aliases expand too far/);
      expect(r.stderr).not.toContain('bug');
    }
  });

  it('in a merge target', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config'), `apiVersion: v1\nkind: Config\n${bomb}`);
    const r = await runCli(['kubeconfig', '--config', join(ROOT, 'examples/platform.yaml'), '--merge', join(dir, 'config')], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`error: ${join(dir, 'config')} is not a kubeconfig bascule can merge into: its YAML aliases expand too far`);
    expect(r.stderr).not.toContain('bug');
  });
});


describe('the last resort: what escapes run() is one error line and exit 70', () => {
  // The Node bundle, required by a script that then throws from a timer or leaves a rejection unhandled,
  // as a failure inside an event handler would: its handler answers, not Node's stack printer.
  it.each([
    ['a throw in an event handler', "setTimeout(() => { throw new RangeError('Cannot create a string longer than 0x1fffffe8 characters\\n    at Buffer.toString (node:buffer:1:1)'); }, 50);"],
    ['an unhandled rejection', "setTimeout(() => { Promise.reject(new TypeError('boom \\u202e')); }, 50);"],
  ])('%s', async (_, failure) => {
    const script = `process.argv = [process.argv[0], 'bascule', 'version']; require(${JSON.stringify(BUNDLE)}); ${failure}`;
    const r = await spawnAsync(process.execPath, ['-e', script]);
    expect(r.code).toBe(70);
    expect(r.stdout).toMatch(/^bascule \d/); // the command itself ran
    expect(r.stderr).toMatch(/^error: unexpected failure: (RangeError|TypeError): [^\n]*\nhint: this is a bug in bascule; please report it with the command you ran\n$/);
    expect(r.stderr).not.toMatch(/^\s+at |bascule\.js:|\u202e/m);
  });
});
