/**
 * `bascule completion bash|zsh|fish`: each script passes its shell's syntax
 * check, and really completes commands, subcommands, flags and values when the
 * shell runs it (bash: the completion function with COMP_WORDS/COMP_CWORD;
 * fish: `complete -C`; zsh: compinit registers it, and its path walker runs).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
  writeFileSync(join(dir, 'platform.yaml'), 'x');
  writeFileSync(join(dir, 'plans.txt'), 'x');
});

const sh = (shell: string, args: string[]) =>
  execFileSync(shell, args, { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, HOME: dir, TERM: 'dumb' } });

describe('syntax', () => {
  it.each([
    ['bash', ['-n']],
    ['zsh', ['-n']],
    ['fish', ['-n']],
  ])('%s -n', (shell, flags) => {
    expect(() => sh(shell, [...flags, scripts[shell] as string])).not.toThrow();
  });
});

describe('bash: the completion function, as bash calls it', () => {
  const complete = (...words: string[]) =>
    sh('bash', [
      '-c',
      `source ${scripts.bash}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _bascule; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ])
      .split('\n')
      .filter(Boolean);

  it.each([
    ['a command', ['bascule', 'sw'], ['switch']],
    ['every command', ['bascule', ''], ['token', 'eks', 'cache', 'init', 'schema', 'kubeconfig', 'manifests', 'status', 'switch', 'version', 'completion']],
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
    ['a value is not a command', ['bascule', 'token', '-i', ''], []],
    ['a leaf has no subcommands', ['bascule', 'version', ''], []],
  ])('%s', (_, words, expected) => {
    expect(complete(...words).sort()).toEqual([...expected].sort());
  });
});

describe('fish: complete -C after sourcing', () => {
  const complete = (line: string) =>
    sh('fish', ['--no-config', '-c', `source ${scripts.fish}; complete -C'${line}'`])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]);

  it.each([
    ['a command', 'bascule sw', ['switch']],
    ['a subcommand', 'bascule cache ', ['clear', 'list']],
    ['a nested subcommand after a global', 'bascule --region eu-west-1 eks ', ['get-token']],
    ['flags', 'bascule token --cl', ['--cluster-id', '--cluster-name']],
    ['fixed values', 'bascule manifests --colour ', ['blue', 'green']],
    ['files', 'bascule kubeconfig --config pl', ['platform.yaml', 'plans.txt']],
    ['choices', 'bascule cache list --output ', ['table', 'json']],
  ])('%s', (_, line, expected) => {
    expect(complete(line).sort()).toEqual([...expected].sort());
  });

  it('describes commands', () => {
    expect(sh('fish', ['--no-config', '-c', `source ${scripts.fish}; complete -C'bascule cache l'`])).toMatch(/^list\tthe cached tokens/m);
  });
});

describe('zsh: registered by compinit, and its walker finds the command path', () => {
  const zsh = (body: string) => sh('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -D -d ${dir}/.zcompdump; source ${scripts.zsh}; ${body}`]);

  it('compdef registers _bascule for bascule', () => {
    expect(zsh('print -r -- $_comps[bascule]').trim()).toBe('_bascule');
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
    expect(zsh('__bascule_values switch --to; print -r -- $REPLY $reply').trim()).toBe('words blue green');
  });
});
