#!/usr/bin/env node
// What `npm test` needs on this machine, checked before it builds or runs anything.
//
// - The README's prerequisites (kubectl, moto_server, openssl, python3 with the
//   AWS CLI v1): a machine that runs the tests has them. Missing: one line naming
//   what to install, exit 1. They are never installed from here.
// - Beyond them, the Debian packages the tests run (zsh and fish: the completion
//   scripts are run in each shell): installed with apt-get when this runs as root
//   on a machine with apt (one line says so), else one line naming the command
//   to run, exit 1. Never a skipped test, never one failure per test for one
//   missing package.
//
//   node scripts/test-needs.mjs           check, install what it may, or stop (the first step of `npm test`)
//   node scripts/test-needs.mjs --check   check only (vitest's global setup, for runs that skip npm test)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The README's prerequisites: how each is found, and what to do when it is not. */
export const PREREQUISITES = [
  { name: 'kubectl', command: 'kubectl', install: 'kubectl (https://kubernetes.io/docs/tasks/tools/)' },
  { name: 'moto_server', command: 'moto_server', install: "moto 5 (pip install 'moto[server]>=5')" },
  { name: 'openssl', command: 'openssl', install: 'openssl (apt-get install openssl)' },
  { name: 'python3', command: 'python3', install: 'python3' },
  { name: 'the AWS CLI v1 (python3 -c "import awscli, botocore")', python: 'import awscli, botocore', install: 'the AWS CLI v1 (pip install awscli)' },
];

/** The Debian packages the tests run, beyond the README's prerequisites: the command each provides. */
export const PACKAGES = [
  { command: 'zsh', package: 'zsh' },
  { command: 'fish', package: 'fish' },
];
const WHY = 'the completion tests run each shell';

/** An executable file of that name in one of PATH's directories. */
export function onPath(command, path = '') {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return true;
      }
    } catch {
      // not here
    }
  }
  return false;
}

const list = (names) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** The command that installs these packages here, for a person to run. */
export function installCommand(packages, facts) {
  if (facts.apt) return `${facts.root ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
  if (facts.platform === 'darwin') return `brew install ${packages.join(' ')}`;
  return `install ${list(packages)} with this system's package manager`;
}

/**
 * What to do (pure): `{ action: 'ok' }`, `{ action: 'install', packages, line }`
 * (root with apt: npm test installs them), or `{ action: 'stop', line }`.
 * facts: { missing: names of PREREQUISITES, missingPackages: PACKAGES entries, root, apt, platform, checkOnly }.
 */
export function decide(facts) {
  const packages = facts.missingPackages.map((p) => p.package);
  if (facts.missing.length > 0) {
    const installs = PREREQUISITES.filter((p) => facts.missing.includes(p.name)).map((p) => p.install);
    const also = packages.length > 0 ? `; and ${list(packages)} (${WHY}): ${installCommand(packages, facts)}` : '';
    return { action: 'stop', line: `npm test: this machine lacks what the README asks for: install ${list(installs)}${also}` };
  }
  if (packages.length === 0) return { action: 'ok' };
  const mayInstall = facts.root && facts.apt;
  if (mayInstall && !facts.checkOnly) return { action: 'install', packages, line: `npm test: installing ${list(packages)} with apt-get (Debian packages; ${WHY})` };
  const run = mayInstall ? '`npm test` (it installs them here)' : `\`${installCommand(packages, facts)}\`, then npm test again`;
  return { action: 'stop', line: `npm test: ${list(packages)} ${packages.length > 1 ? 'are' : 'is'} missing (${WHY}): run ${run}` };
}

/** What is there: the facts decide() takes. */
export function observe({ env, uid, platform, run }) {
  const path = env.PATH ?? '';
  const missing = PREREQUISITES.filter((p) => (p.command ? !onPath(p.command, path) : !onPath('python3', path) || run('python3', ['-c', p.python]).status !== 0)).map((p) => p.name);
  const missingPackages = PACKAGES.filter((p) => !onPath(p.command, path));
  return { missing, missingPackages, root: uid === 0, apt: onPath('apt-get', path), platform };
}

/** apt-get update, then install, quietly; the tail of apt's own words when it fails. */
function aptInstall(packages, { env, run }) {
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...packages]]) {
    const r = run('apt-get', args, { env: aptEnv });
    if (r.status !== 0) {
      const said = `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' / ');
      return `apt-get ${args[0]} failed${said ? `: ${said}` : ''}`;
    }
  }
  return undefined;
}

/**
 * @typedef {(command: string, args: string[], options?: { env?: NodeJS.ProcessEnv }) => { status: number | null; stderr?: string | null }} Runner
 */

/**
 * Checks, installs when it may (unless check-only), and says what it did:
 * returns the exit code; prints at most one line on stderr (two when an install fails).
 * @param {{ checkOnly?: boolean; env?: NodeJS.ProcessEnv; uid?: number; platform?: string; run?: Runner; say?: (line: string) => void }} [options]
 */
export function main({ checkOnly = false, env = process.env, uid = process.getuid?.(), platform = process.platform, run = defaultRun, say = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const facts = observe({ env, uid, platform, run });
  const decision = decide({ ...facts, checkOnly });
  if (decision.action === 'ok') return 0;
  say(decision.line);
  if (decision.action === 'stop') return 1;
  const failed = aptInstall(decision.packages, { env, run });
  const still = observe({ env, uid, platform, run }).missingPackages.map((p) => p.command);
  if (failed || still.length > 0) {
    say(`npm test: ${failed ?? `${list(still)} still not on PATH after apt-get`}: run \`${installCommand(decision.packages, { ...facts, root: true })}\` by hand, then npm test again`);
    return 1;
  }
  return 0;
}

/** @type {Runner} */
function defaultRun(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, ...options });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main({ checkOnly: process.argv.includes('--check') });
}
