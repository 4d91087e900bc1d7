/**
 * The mistakes a newcomer makes in a first hour, each with the message it
 * gets: exit code, one `error:` line naming the input at fault (the directory,
 * not a file bascule keeps in it; the variable a path came from), a `hint:`
 * line saying what to do, and never an errno code (ENOENT, EACCES...). And the
 * files bascule generates carry no directory of the machine that made them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, cleanEnv, requireArtefact, ROOT, runInProcess } from '../support/run.js';
import { tempDirs } from '../support/text.js';
import { testRoot } from '../support/temp.mjs';

const tempDir = tempDirs('bascule-newcomer-');
/** An errno code as Node spells them (ENOENT, EACCES, EISDIR...); "EKS" is not one. */
const ERRNO = /\bE[A-Z_]{3,}\b/;

let work: string;
beforeAll(() => {
  work = tempDir();
  cpSync(join(ROOT, 'examples'), work, { recursive: true }); // platform.yaml, ca/, linkerd/
  writeFileSync(join(work, 'broken.yaml'), 'name: [unclosed\n');
  mkdirSync(join(work, 'adir'));
});

/** The shape every message a person causes must have. */
function expectMessage(r: { code: number; stdout: string; stderr: string }, code: number, error: RegExp, hint: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0], r.stderr).toMatch(/^error: /);
  expect(lines[0], r.stderr).toMatch(error);
  expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(lines.find((l) => l.startsWith('hint: ')), r.stderr).toMatch(hint);
  expect(r.stderr).not.toMatch(ERRNO);
}

describe('each mistake: the input at fault, a hint, no errno code', () => {
  const cases: [string, string[], Record<string, string>, number, RegExp, RegExp][] = [
    ['the platform file as an argument', ['kubeconfig', 'platform.yaml'], {}, 2, /^error: unexpected argument 'platform\.yaml': 'bascule kubeconfig' takes no arguments, only flags$/, /did you mean '--config platform\.yaml'\?/],
    ['a flag without its value, swallowing the next', ['kubeconfig', '--config', '--out', 'x.yaml'], {}, 2, /^error: -c\/--config has no value: it took the next flag, --out, as its value$/, /write --config <file> before --out/],
    ['BASCULE_CONFIG naming a missing file', ['kubeconfig'], { BASCULE_CONFIG: 'nowhere.yaml' }, 1, /^error: BASCULE_CONFIG names the platform file nowhere\.yaml, which does not exist \(relative to .+\)$/, /set BASCULE_CONFIG to the platform file, unset it/],
    ['BASCULE_CONFIG naming a directory', ['kubeconfig'], { BASCULE_CONFIG: 'adir' }, 1, /^error: BASCULE_CONFIG names the platform file adir, which is a directory/, /set BASCULE_CONFIG/],
    ['--config naming a missing file', ['kubeconfig', '--config', 'nowhere.yaml'], {}, 1, /^error: cannot read the platform file nowhere\.yaml: it does not exist$/, /name an existing file with --config FILE, or write a starter with `bascule init`/],
    ['--config naming a directory', ['kubeconfig', '--config', 'adir'], {}, 1, /^error: cannot read the platform file adir: it is a directory$/, /--config adir\/platform\.yaml/],
    ['--config through a file', ['kubeconfig', '--config', 'platform.yaml/x'], {}, 1, /^error: cannot read the platform file platform\.yaml\/x: a part of its path is a file, not a directory$/, /platform\.yaml is a file, not a directory/],
    ['no platform file anywhere', ['manifests', '--out', 'm'], { HOME: '<work>/adir', CWD: '<work>/adir' }, 1, /^error: no platform file: no platform\.yaml in .+\/adir$/, /pass --config FILE, set BASCULE_CONFIG/],
    ['a platform file that is not YAML', ['kubeconfig', '--config', 'broken.yaml'], {}, 2, /^error: broken\.yaml is not valid YAML:$/, /fix the YAML syntax/],
    ['kubeconfig --out a directory', ['kubeconfig', '--config', 'platform.yaml', '--out', 'adir'], {}, 1, /^error: .+\/adir is a directory$/, /name a file; nothing was written/],
    ['kubeconfig --out through a file', ['kubeconfig', '--config', 'platform.yaml', '--out', 'platform.yaml/k.yaml'], {}, 1, /^error: cannot resolve .+\/platform\.yaml\/k\.yaml: a part of its path is a file, not a directory$/, /platform\.yaml is a file, not a directory/],
    ['--out and --merge together', ['kubeconfig', '--config', 'platform.yaml', '--out', 'k.yaml', '--merge'], {}, 2, /^error: --out and --merge are exclusive$/, /give --out FILE for a standalone kubeconfig, or --merge/],
    ['an access level the platform lacks', ['kubeconfig', '--config', 'platform.yaml', '--access', 'root'], {}, 2, /^error: --access "root": no such access level in platform\.yaml$/, /the access levels are: admin, readwrite, readonly/],
    ['manifests without --out', ['manifests', '--config', 'platform.yaml'], {}, 2, /^error: --out DIR is required$/, /--out manifests/],
    ['manifests --out a file', ['manifests', '--config', 'platform.yaml', '--out', 'platform.yaml'], {}, 2, /^error: --out .+\/platform\.yaml is not a directory; nothing was written$/, /name a directory/],
    ['manifests --out through a file', ['manifests', '--config', 'platform.yaml', '--out', 'platform.yaml/m'], {}, 1, /^error: cannot read .+\/platform\.yaml\/m: a part of its path is a file, not a directory$/, /platform\.yaml is a file, not a directory/],
    ['a colour that is neither', ['manifests', '--config', 'platform.yaml', '--out', 'm', '--colour', 'red'], {}, 2, /^error: --colour "red": expected blue or green$/, /omit --colour/],
    ['init over an existing file', ['init', '-o', 'platform.yaml'], {}, 2, /^error: platform\.yaml already exists$/, /pass --force/],
    ['init -o a directory', ['init', '-o', 'adir'], {}, 1, /^error: .+adir is a directory$/, /name a file/],
    ['--duration without --role', ['token', '-i', 'eks-green', '--duration', '1h'], {}, 2, /^error: --duration applies only with --role: without a role there is no role session$/, /add --role ARN/],
    ['a region of no partition', ['token', '-i', 'eks-green', '--region', 'mars-1'], {}, 2, /^error: --region "mars-1" is not an AWS region name/, /eu-west-3/],
    ['a timeout out of range', ['token', '-i', 'eks-green', '--dns-timeout', '10m'], {}, 2, /^error: --dns-timeout 10m is out of range \(50ms to 1m\)$/, /give --dns-timeout a duration between 50ms and 1m/],
    ['a duration that is none', ['token', '-i', 'eks-green', '--cache-min-validity', 'soon'], {}, 2, /^error: --cache-min-validity "soon" is not a duration$/, /write a duration such as 500ms/],
    ['an unknown shell', ['completion', 'tcsh'], {}, 2, /^error: unknown shell "tcsh"$/, /bascule completes bash, zsh, fish/],
    ['doctor --output yaml', ['doctor', '--output', 'yaml', '--context', 'x'], {}, 2, /^error: --output "yaml" is not text or json$/, /--output json/],
  ];
  it.each(cases)('%s', async (_, argv, extra, code, error, hint) => {
    const { CWD, ...vars } = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.replace('<work>', work)]));
    const r = await runInProcess(argv, { env: cleanEnv(vars), cwd: CWD ?? work });
    expect(r.stdout).toBe('');
    expectMessage(r, code, error, hint);
  });
});

describe('doctor, with a kubeconfig that lacks the context asked for', () => {
  it('says the context is missing (not "no kubeconfig"), and lists those there', async () => {
    const kubeconfig = join(work, 'kubeconfig.yaml');
    const made = await runInProcess(['kubeconfig', '--config', 'platform.yaml', '--out', kubeconfig], { cwd: work });
    expect(made.code, made.stderr).toBe(0);
    const r = await runInProcess(['doctor', '--context', 'devinfra-root'], { env: cleanEnv({ KUBECONFIG: kubeconfig }), cwd: work });
    expect(r.code).toBe(1);
    const [header, , link, fix] = r.stdout.split('\n');
    expect(header).toBe('bascule doctor: no context to check (see the kubeconfig link)');
    expect(link).toBe(`✗ kubeconfig    no context named "devinfra-root" in ${kubeconfig}`);
    expect(fix).toMatch(/^ +fix: the contexts are: devinfra-admin, devinfra-readwrite, devinfra-readonly, /);
    expectMessage(r, 1, /^error: 1 link broken: kubeconfig$/, /each ✗ line above says the fix/);
  });
});

describe('a directory this user cannot write (the bundle, run as nobody when the tests run as root)', () => {
  /** Runs the Node bundle as a user without rights on `ro`: root ignores permissions. */
  function runUnprivileged(argv: string[]) {
    const root = process.getuid?.() === 0;
    const runRoot = testRoot();
    const runRootMode = statSync(runRoot).mode & 0o777;
    if (root) chmodSync(runRoot, 0o711); // nobody may pass through (each test's directory stays 0700 but this one)
    try {
      return spawnSync(process.execPath, [requireArtefact(BUNDLE), ...argv], {
        cwd: work,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: join(work, 'home') },
        ...(root ? { uid: 65534, gid: 65534 } : {}),
      });
    } finally {
      if (root) chmodSync(runRoot, runRootMode);
    }
  }

  beforeAll(() => {
    chmodSync(work, 0o755);
    mkdirSync(join(work, 'ro'));
    chmodSync(join(work, 'ro'), 0o555);
    mkdirSync(join(work, 'home'), { mode: 0o777 });
    chmodSync(join(work, 'home'), 0o777);
  });

  it.each([
    ['manifests into a new directory inside it: names the directory, never .bascule-manifests.json', ['manifests', '--config', 'platform.yaml', '--out', 'ro/fresh'], /^error: cannot write the manifests into .+\/ro\/fresh: .+\/ro is not writable by this user$/, /^hint: pass --out a directory you can write, or change its permissions; nothing was written$/m],
    ['manifests into it', ['manifests', '--config', 'platform.yaml', '--out', 'ro'], /^error: cannot write the manifests into .+\/ro: .+\/ro is not writable by this user$/, /nothing was written/],
    ['a kubeconfig into it', ['kubeconfig', '--config', 'platform.yaml', '--out', 'ro/k.yaml'], /^error: cannot write .+\/ro\/k\.yaml: permission denied$/, /^hint: .+\/ro is not writable by this user: write elsewhere, or change its permissions; nothing was written$/m],
    ['a merge into a kubeconfig there (its lock file)', ['kubeconfig', '--config', 'platform.yaml', '--merge', 'ro/config'], /^error: cannot lock .+\/ro\/config: cannot create .+\/ro\/config\.lock: .+\/ro is not writable by this user$/, /merge into a file in a directory you can write/],
    ['init there', ['init', '-o', 'ro/platform.yaml'], /^error: cannot write .+\/ro\/platform\.yaml: permission denied$/, /ro is not writable by this user/],
  ])('%s', (_, argv, error, hint) => {
    const r = runUnprivileged(argv);
    expectMessage({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }, 1, error, hint);
    expect(r.stderr).not.toContain('.bascule-manifests.json');
    expect(readdirSync(join(work, 'ro'))).toEqual([]);
  });
});

describe('generated files carry no path of the machine that generated them', () => {
  it('kubeconfig and manifests from an absolute --config into absolute outputs: the file name only', async () => {
    const deep = join(tempDir(), 'home', 'ann', 'infra');
    cpSync(join(ROOT, 'examples'), deep, { recursive: true });
    const out = join(tempDir(), 'out');
    const config = join(deep, 'platform.yaml');
    for (const argv of [
      ['kubeconfig', '--config', config, '--out', join(out, 'kubeconfig.yaml')],
      ['manifests', '--config', config, '--out', join(out, 'manifests')],
    ]) {
      const r = await runInProcess(argv, { cwd: tempDir() });
      expect(r.code, r.stderr).toBe(0);
    }
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(10);
    const machine = [deep, out, testRoot(), ROOT, homedir()].filter((p) => p.length > 1);
    for (const f of files) {
      const text = readFileSync(join(f.parentPath, f.name), 'utf8');
      for (const path of machine) expect(text, `${f.name} holds ${path}`).not.toContain(path);
      if (f.name !== '.bascule-manifests.json' && text.includes('Generated by bascule from')) expect(text).toMatch(/Generated by bascule from platform\.yaml\b/);
    }
  });
});
