/**
 * `bascule completion bash|zsh|fish`: each script passes its shell's syntax
 * check, and really completes commands, subcommands, flags and values when the
 * shell runs it (bash: the completion function with COMP_WORDS/COMP_CWORD;
 * fish: `complete -C`; zsh: compinit registers it, and its path walker runs).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/run.js';
import { tempDirs } from '../support/text.js';

const tempDir = tempDirs('bascule-completion-');
const scripts: Record<string, string> = {};
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runInProcess(['completion', shell], { env: { PATH: process.env.PATH, HOME: dir } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    scripts[shell] = join(dir, `bascule.${shell}`);
    writeFileSync(scripts[shell] as string, r.stdout);
  }
  mkdirSync(join(dir, 'zfunc'));
  writeFileSync(join(dir, 'zfunc', '_bascule'), readFileSync(scripts.zsh as string)); // the fpath install
  writeFileSync(join(dir, 'platform.yaml'), 'x');
  writeFileSync(join(dir, 'plans.txt'), 'x');
});

const sh = (shell: string, args: string[]) =>
  execFileSync(shell, args, { cwd: dir, encoding: 'utf8', timeout: 50_000, env: { PATH: process.env.PATH, HOME: dir, TERM: 'dumb' } });

describe('syntax', () => {
  it.each([
    ['bash', ['-n']],
    ['zsh', ['-n']],
    ['fish', ['-n']],
  ])('%s -n', (shell, flags) => {
    expect(() => sh(shell, [...flags, scripts[shell] as string])).not.toThrow();
  });
});

/** Runs every case in one shell (a shell start is slow on a loaded machine); the outputs, in order. */
function batch(shell: string, args: string[], setup: string, cases: readonly string[]): string[][] {
  const program = [setup, ...cases.map((c) => `${c}\nprintf '%s\\n' --end--`)].join('\n');
  const blocks = sh(shell, [...args, '-c', program]).split('--end--\n');
  expect(blocks).toHaveLength(cases.length + 1);
  return blocks.slice(0, -1).map((block) => block.split('\n').filter(Boolean));
}

describe('bash: the completion function, as bash calls it', () => {
  const cases: [string, string[], string[]][] = [
    ['a command', ['bascule', 'sw'], ['switch']],
    ['every command', ['bascule', ''], ['token', 'eks', 'cache', 'init', 'schema', 'kubeconfig', 'manifests', 'status', 'switch', 'drain', 'fleet', 'verify', 'doctor', 'version', 'completion']],
    ['a subcommand', ['bascule', 'cache', ''], ['clear', 'list']],
    ['a subcommand after global flags', ['bascule', '--region', 'eu-west-1', '-v', 'eks', ''], ['get-token']],
    ['flags of a command', ['bascule', 'token', '--cl'], ['--cluster-id', '--cluster-name']],
    ['flags after a flag with a value', ['bascule', 'token', '-i', 'eks.devinfra.info', '--no-'], ['--no-dns', '--no-cache']],
    ['flags of a subcommand', ['bascule', 'cache', 'list', '-'], ['-o', '--output', '-v', '--verbose', '-h', '--help']],
    ['the program flags', ['bascule', '--'], ['--version', '--region', '--profile', '--verbose', '--help']],
    ['fixed values', ['bascule', 'manifests', '--colour', ''], ['blue', 'green']],
    ['an --output', ['bascule', 'status', '-o', ''], ['table', 'json']],
    ['choices', ['bascule', 'version', '--output', 'j'], ['json']],
    ['files', ['bascule', 'status', '--config', 'pl'], ['platform.yaml', 'plans.txt']],
    ['--flag=value, split at "=" by bash', ['bascule', 'status', '--config', '=', 'pl'], ['platform.yaml', 'plans.txt']],
    ['a value is not a command', ['bascule', 'token', '-i', ''], []],
    ['a leaf has no subcommands', ['bascule', 'version', ''], []],
    ["completion's argument: the shells", ['bascule', 'completion', ''], ['bash', 'zsh', 'fish']],
    ['and once given, nothing more', ['bascule', 'completion', 'zsh', ''], []],
  ];
  let results: string[][] = [];
  beforeAll(() => {
    results = batch(
      'bash',
      [],
      `source ${scripts.bash}`,
      cases.map(([, words]) => `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _bascule; printf '%s\\n' "\${COMPREPLY[@]}"`),
    );
  });

  it.each(cases.map((c, i) => [...c, i] as const))('%s', (_, __, expected, i) => {
    expect([...(results[i] as string[])].sort()).toEqual([...expected].sort());
  });
});

describe('fish: complete -C after sourcing', () => {
  const cases: [string, string, string[]][] = [
    ['a command', 'bascule sw', ['switch']],
    ['a subcommand', 'bascule cache ', ['clear', 'list']],
    ['a nested subcommand after a global', 'bascule --region eu-west-1 eks ', ['get-token']],
    ['flags', 'bascule token --cl', ['--cluster-id', '--cluster-name']],
    ['fixed values', 'bascule manifests --colour ', ['blue', 'green']],
    ['files', 'bascule kubeconfig --config pl', ['platform.yaml', 'plans.txt']],
    ['choices', 'bascule cache list --output ', ['table', 'json']],
    ['with descriptions', 'bascule cache l', ['list\tthe cached tokens: cluster, role, age, expiry and file (never the…']],
    ["completion's argument: the shells", 'bascule completion ', ['bash', 'zsh', 'fish']],
  ];
  let results: string[][] = [];
  beforeAll(() => {
    results = batch('fish', ['--no-config'], `source ${scripts.fish}`, cases.map(([, line]) => `complete -C'${line}'`));
  });

  it.each(cases.map((c, i) => [...c, i] as const))('%s', (name, _, expected, i) => {
    const got = (results[i] as string[]).map((l) => (name === 'with descriptions' ? l : (l.split('\t')[0] as string)));
    expect(got.sort()).toEqual([...expected].sort());
  });
});

describe('zsh: registered by compinit, and its walker finds the command path', () => {
  // compinit scans only the completion system's own directory and ours: the whole fpath takes
  // seconds on a loaded machine, and is not what is tested.
  const compinit = (fpath: string) => `cdir=( $^fpath/compinit(N) ); fpath=(${fpath} \${cdir[1]:h}); autoload -Uz compinit && compinit -u -D`;
  const zsh = (body: string) => sh('zsh', ['-f', '-c', `${compinit('')}; source ${scripts.zsh}; ${body}`]);

  it('sourced after compinit, compdef registers _bascule for bascule', () => {
    expect(zsh('print -r -- $_comps[bascule]').trim()).toBe('_bascule');
  });

  it('installed as _bascule in fpath, compinit finds it by its #compdef line', () => {
    expect(sh('zsh', ['-f', '-c', `${compinit(join(dir, 'zfunc'))}; print -r -- $_comps[bascule]`]).trim()).toBe('_bascule');
    expect(sh('zsh', ['-f', '-c', `${compinit('')}; print -r -- "[$_comps[bascule]]"`]).trim()).toBe('[]'); // (the check can fail)
  });

  it.each([
    [['cache'], 'cache', 0],
    [['-v', 'cache', 'list'], 'cache list', 0],
    [['--region', 'eu-west-1', 'eks', 'get-token', '-i'], 'eks get-token', 1],
    [['token', '-i', 'cache'], 'token', 0], // a value, not a command
    [['ca'], '', 0],
  ])('%j', (words, path, skip) => {
    expect(zsh(`__bascule_path ${words.join(' ')}; print -r -- "$REPLY|$__bascule_skip"`).trim()).toBe(`${path}|${skip}`);
  });

  it('offers subcommands and flags with their descriptions', () => {
    expect(zsh('__bascule_subcommands cache; print -rl -- $reply').split('\n').filter(Boolean)).toEqual([
      'clear:delete every cached token',
      expect.stringMatching(/^list:the cached tokens/),
    ]);
    expect(zsh('__bascule_options token; print -rl -- $reply')).toMatch(/^--cluster-id:cluster name, or DNS name/m);
    expect(zsh('__bascule_subcommands completion; print -rl -- $reply').split('\n').filter(Boolean)).toEqual(['bash:the bash completion script', 'zsh:the zsh completion script', 'fish:the fish completion script']);
    expect(zsh('__bascule_values switch --to; print -r -- $REPLY $reply').trim()).toBe('words blue green');
  });
});
