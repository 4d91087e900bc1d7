/**
 * scripts/test-needs.mjs, the first step of `npm test`: what the tests need on
 * this machine, checked before anything is built. The decision is a table; the
 * script is run for real on a PATH of links (every tool, then one missing), and
 * its install path with a recording apt-get (no package is installed here).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide, main, PACKAGES, PREREQUISITES } from '../../scripts/test-needs.mjs';
import { ROOT } from '../support/run.js';
import { tempDirs } from '../support/text.js';

const tempDir = tempDirs('bascule-test-needs-');
const zsh = PACKAGES.filter((p) => p.package === 'zsh');
const both = [...PACKAGES];

describe('decide: one line, never a skip', () => {
  const base = { missing: [] as string[], missingPackages: [] as typeof both, root: false, apt: false, platform: 'linux', checkOnly: false };
  const cases: [string, Partial<typeof base>, { action: string; line?: RegExp; packages?: string[] }][] = [
    ['everything there: nothing to say', {}, { action: 'ok' }],
    ['root with apt: installs, saying so', { missingPackages: both, root: true, apt: true }, { action: 'install', packages: ['zsh', 'fish'], line: /^npm test: installing zsh and fish with apt-get \(Debian packages; the completion tests run each shell\)$/ }],
    ['root with apt, check only (vitest alone): names npm test', { missingPackages: zsh, root: true, apt: true, checkOnly: true }, { action: 'stop', line: /^npm test: zsh is missing .+: run `npm test` \(it installs them here\)$/ }],
    ['not root, apt: names sudo apt-get', { missingPackages: both, apt: true }, { action: 'stop', line: /: run `sudo apt-get install -y zsh fish`, then npm test again$/ }],
    ['macOS: names brew', { missingPackages: both, platform: 'darwin' }, { action: 'stop', line: /: run `brew install zsh fish`, then npm test again$/ }],
    ['no known package manager', { missingPackages: zsh }, { action: 'stop', line: /: run `install zsh with this system's package manager`/ }],
    ['a README prerequisite missing: named, never installed, even as root', { missing: ['kubectl'], root: true, apt: true }, { action: 'stop', line: /^npm test: this machine lacks what the README asks for: install kubectl \(https:\/\/kubernetes\.io\/docs\/tasks\/tools\/\)$/ }],
    ['two prerequisites and the shells: all in one line', { missing: ['moto_server', 'the AWS CLI v1 (python3 -c "import awscli, botocore")'], missingPackages: both, apt: true }, { action: 'stop', line: /install moto 5 \(pip install 'moto\[server\]>=5'\) and the AWS CLI v1 \(pip install awscli\); and zsh and fish \(the completion tests run each shell\): sudo apt-get install -y zsh fish$/ }],
  ];
  it.each(cases)('%s', (_, facts, expected) => {
    const got = decide({ ...base, ...facts });
    expect(got.action).toBe(expected.action);
    if (expected.line) expect(got.line).toMatch(expected.line);
    if (expected.packages) expect(got.packages).toEqual(expected.packages);
    if (got.line) expect(got.line).not.toContain('\n');
  });
});

/** A directory of links to every command on this PATH but `except`: a machine without them. */
function pathWithout(except: string[]): string {
  const dir = join(tempDir(), 'bin');
  mkdirSync(dir);
  for (const from of (process.env.PATH ?? '').split(delimiter)) {
    let names: string[];
    try {
      names = readdirSync(from);
    } catch {
      continue;
    }
    for (const name of names) {
      if (except.includes(name)) continue;
      try {
        symlinkSync(join(from, name), join(dir, name));
      } catch {
        // an earlier PATH entry has it (as the shell would pick)
      }
    }
  }
  return dir;
}

const script = join(ROOT, 'scripts', 'test-needs.mjs');

describe('the script, on a PATH of links', () => {
  it('with everything there it says nothing and exits 0 (this machine, as npm test found it)', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('without kubectl it stops before anything, in one line naming it, exit 1', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: pathWithout(['kubectl']) } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('npm test: this machine lacks what the README asks for: install kubectl (https://kubernetes.io/docs/tasks/tools/)\n');
  });
});

describe('main: installs with apt-get as root, says it in one line, then checks again', () => {
  /** A PATH without the shells, and a recording runner that "installs" them by linking them back in. */
  function world(aptWorks: boolean) {
    const bin = pathWithout(['zsh', 'fish']);
    const calls: string[] = [];
    const said: string[] = [];
    const run = (command: string, args: string[], options?: { env?: NodeJS.ProcessEnv }) => {
      if (command !== 'apt-get') return spawnSync(command, args, { encoding: 'utf8', env: { PATH: bin } });
      calls.push(`${args.join(' ')} (DEBIAN_FRONTEND=${options?.env?.DEBIAN_FRONTEND})`);
      if (!aptWorks) return { status: 100, stderr: 'E: Unable to locate package fish\n' };
      if (args[0] === 'install') for (const shell of ['zsh', 'fish']) symlinkSync('/bin/true', join(bin, shell));
      return { status: 0, stderr: '' };
    };
    if (!existsSync(join(bin, 'apt-get'))) symlinkSync('/bin/true', join(bin, 'apt-get')); // only the recorder runs it
    return { env: { PATH: bin }, calls, said, run };
  }

  it('apt-get update, then install; one line; exit 0', () => {
    const w = world(true);
    expect(main({ env: w.env, uid: 0, platform: 'linux', run: w.run, say: (l: string) => w.said.push(l) })).toBe(0);
    expect(w.calls).toEqual(['update -qq (DEBIAN_FRONTEND=noninteractive)', 'install -y -qq --no-install-recommends zsh fish (DEBIAN_FRONTEND=noninteractive)']);
    expect(w.said).toEqual(['npm test: installing zsh and fish with apt-get (Debian packages; the completion tests run each shell)']);
  });

  it('apt-get failing: its last words and the command to run by hand; exit 1', () => {
    const w = world(false);
    expect(main({ env: w.env, uid: 0, platform: 'linux', run: w.run, say: (l: string) => w.said.push(l) })).toBe(1);
    expect(w.said[1]).toBe('npm test: apt-get update failed: E: Unable to locate package fish: run `apt-get install -y zsh fish` by hand, then npm test again');
  });

  it('not root: never runs apt-get', () => {
    const w = world(true);
    expect(main({ env: w.env, uid: 1000, platform: 'linux', run: w.run, say: (l: string) => w.said.push(l) })).toBe(1);
    expect(w.calls).toEqual([]);
    expect(w.said).toEqual(['npm test: zsh and fish are missing (the completion tests run each shell): run `sudo apt-get install -y zsh fish`, then npm test again']);
  });

  it('checks the prerequisites the README names', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const p of PREREQUISITES) if (p.command) expect(readme, p.command).toContain(`\`${p.command}\``);
  });
});
