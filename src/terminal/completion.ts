/**
 * `bascule completion bash|zsh|fish`: shell completion scripts generated from
 * the commander program itself (its commands, subcommands and flags), so they
 * never drift from what bascule parses. The scripts are static: a TAB runs
 * no bascule process.
 *
 * Each script walks the words before the cursor as commander does: words that
 * name a subcommand of the command so far extend the command path
 * (`cache` -> `cache list`), an option that takes a value swallows the next
 * word. Then it offers the flags of that command (after `-`), its
 * subcommands (and the words of its argument, declared with completeArguments),
 * or the option's values (files, directories, fixed words).
 */
import type { Command, Option } from 'commander';
import { truncateWords } from '../text.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export type ValueKind = { kind: 'none' } | { kind: 'file' } | { kind: 'dir' } | { kind: 'words'; words: readonly string[] };

export interface OptionModel {
  readonly names: readonly string[]; // '-c', '--config'
  readonly takesValue: boolean;
  readonly values: ValueKind;
  readonly description: string;
}

export interface CommandModel {
  readonly path: string; // '' for the program, 'cache list'
  readonly subcommands: readonly { name: string; description: string }[];
  readonly options: readonly OptionModel[];
}

/** Values to offer for an option, where neither choices nor the placeholder say (e.g. --output of status). */
const declaredValues = new WeakMap<Option, readonly string[]>();
export function completeWith(option: Option | undefined, words: readonly string[]): void {
  if (option) declaredValues.set(option, words);
}

/** Words to offer for a command's positional argument (`bascule completion <TAB>`: the shells), beside its subcommands. */
const declaredArguments = new WeakMap<Command, readonly { name: string; description: string }[]>();
export function completeArguments(command: Command, words: readonly { name: string; description: string }[]): void {
  declaredArguments.set(command, words);
}

function valuesOf(option: Option): ValueKind {
  if (!option.required && !option.optional) return { kind: 'none' };
  const words = option.argChoices ?? declaredValues.get(option);
  if (words) return { kind: 'words', words };
  const placeholder = /[<[]([\w-]+)[\]>]/.exec(option.flags)?.[1] ?? '';
  if (/file|path/.test(placeholder)) return { kind: 'file' };
  if (/dir/.test(placeholder)) return { kind: 'dir' };
  if (placeholder === 'colour') return { kind: 'words', words: ['blue', 'green'] };
  return { kind: 'none' };
}

const oneLine = (text: string) => truncateWords(text, 70);

/** Every command of the program, depth first, with what completion needs of it. */
export function completionModel(program: Command): CommandModel[] {
  const models: CommandModel[] = [];
  const walk = (cmd: Command, path: string) => {
    const help = cmd.createHelp();
    const subs = help.visibleCommands(cmd).filter((c) => c.name() !== 'help');
    models.push({
      path,
      subcommands: [...subs.map((c) => ({ name: c.name(), description: oneLine(c.description()) })), ...(declaredArguments.get(cmd) ?? [])],
      options: help.visibleOptions(cmd).map((o) => ({
        names: [o.short, o.long].filter((n): n is string => Boolean(n)),
        takesValue: o.required || o.optional,
        values: valuesOf(o),
        description: oneLine(o.description),
      })),
    });
    for (const sub of subs) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return models;
}

/** 'text' for bash and zsh single quotes. */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
/** 'text' for fish single quotes (which know \' and \\). */
const fq = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A case arm's pattern: `p)` in bash, `(p)` in zsh. */
const casePattern = (paren: boolean, p: string) => (paren ? `(${p})` : `${p})`);

/** `<name>() { case $1 in PATH) ANSWER ;; ... esac }`: one answer per command path, in bash (`paren` false) or zsh. */
function pathFunction(name: string, models: readonly CommandModel[], paren: boolean, answer: (m: CommandModel) => string, none: string): string[] {
  return [`${name}() {`, '  case $1 in', ...models.map((m) => `    ${casePattern(paren, sq(m.path))} ${answer(m)} ;;`), `    ${casePattern(paren, '*')} ${none} ;;`, '  esac', '}'];
}

const valueOptions = (models: readonly CommandModel[]) =>
  models.flatMap((m) => m.options.filter((o) => o.takesValue).flatMap((o) => o.names.map((n) => `${m.path}|${n}`)));

/**
 * The shell functions both bash and zsh scripts carry: `<fn>_takes_value PATH OPTION`
 * and `<fn>_values PATH OPTION`; `paren` is zsh's `(pattern)` case syntax, `arm`
 * spells one option's values in the shell's own variables.
 */
function valueFunctions(
  models: readonly CommandModel[],
  fn: string,
  paren: boolean,
  reset: string,
  arm: (values: Exclude<CommandModel['options'][number]['values'], { kind: 'none' }>) => string,
): string[] {
  const pattern = (p: string) => casePattern(paren, p);
  return [
    `${fn}_takes_value() {`,
    '  case "$1|$2" in',
    `    ${pattern(valueOptions(models).map(sq).join('|'))} return 0 ;;`,
    '  esac',
    '  return 1',
    '}',
    `${fn}_values() {`,
    `  ${reset}`,
    '  case "$1|$2" in',
    ...models.flatMap((m) =>
      m.options.flatMap((o) => {
        const v = o.values;
        if (v.kind === 'none') return [];
        return [`    ${pattern(o.names.map((n) => sq(`${m.path}|${n}`)).join('|'))} ${arm(v)} ;;`];
      }),
    ),
    '  esac',
    '}',
  ];
}

function header(shell: Shell, name: string, install: string[]): string {
  return [
    `# ${shell} completion for ${name}: generated by \`${name} completion ${shell}\` from the commands and flags it parses.`,
    ...install.map((line) => `# ${line}`),
    '',
  ].join('\n');
}

export function bashScript(models: readonly CommandModel[], name = 'bascule'): string {
  const fn = `__${name.replace(/\W/g, '_')}`;
  const lines = [
    header('bash', name, [
      `install: ${name} completion bash > ~/.local/share/bash-completion/completions/${name}`,
      `     or: echo 'source <(${name} completion bash)' >> ~/.bashrc`,
    ]),
    ...pathFunction(`${fn}_subcommands`, models, false, (m) => `REPLY=${sq(m.subcommands.map((s) => s.name).join(' '))}`, "REPLY=''"),
    ...pathFunction(`${fn}_options`, models, false, (m) => `REPLY=${sq(m.options.flatMap((o) => o.names).join(' '))}`, "REPLY=''"),
    ...valueFunctions(models, fn, false, "REPLY_KIND=none REPLY=''", (v) => `REPLY_KIND=${v.kind}${v.kind === 'words' ? ` REPLY=${sq(v.words.join(' '))}` : ''}`),
    `_${name.replace(/\W/g, '_')}() {`,
    "  local cur=${COMP_WORDS[COMP_CWORD]} prev cmdpath= word i skip=0 REPLY REPLY_KIND IFS=$' \\t\\n'",
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word=${COMP_WORDS[i]}',
    '    if ((skip)); then',
    '      [[ $word == = ]] || skip=0 # --flag=value, split at "=" by bash',
    '      continue',
    '    fi',
    '    case $word in',
    '      --*=*) ;;',
    `      -*) ${fn}_takes_value "$cmdpath" "$word" && skip=1 ;;`,
    '      *)',
    `        ${fn}_subcommands "$cmdpath"`,
    '        [[ " $REPLY " == *" $word "* ]] && cmdpath=${cmdpath:+$cmdpath }$word',
    '        ;;',
    '    esac',
    '  done',
    '  COMPREPLY=()',
    '  if [[ $cur == = ]]; then cur= skip=1; fi',
    '  if ((skip)); then',
    '    prev=${COMP_WORDS[COMP_CWORD-1]}',
    '    [[ $prev == = ]] && prev=${COMP_WORDS[COMP_CWORD-2]}',
    `    ${fn}_values "$cmdpath" "$prev"`,
    '    case $REPLY_KIND in',
    '      file) compopt -o filenames 2>/dev/null; IFS=$\'\\n\'; COMPREPLY=($(compgen -f -- "$cur")) ;;',
    '      dir) compopt -o filenames 2>/dev/null; IFS=$\'\\n\'; COMPREPLY=($(compgen -d -- "$cur")) ;;',
    '      words) COMPREPLY=($(compgen -W "$REPLY" -- "$cur")) ;;',
    '    esac',
    '    return 0',
    '  fi',
    '  if [[ $cur == -* ]]; then',
    `    ${fn}_options "$cmdpath"`,
    '  else',
    `    ${fn}_subcommands "$cmdpath"`,
    '  fi',
    '  COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))',
    '}',
    `complete -F _${name.replace(/\W/g, '_')} ${name}`,
    '',
  ];
  return lines.join('\n');
}

export function zshScript(models: readonly CommandModel[], name = 'bascule'): string {
  const fn = `__${name.replace(/\W/g, '_')}`;
  const main = `_${name.replace(/\W/g, '_')}`;
  const described = (entries: readonly { name: string; description: string }[]) =>
    entries.map((e) => sq(`${e.name}:${e.description}`)).join(' ');
  const lines = [
    `#compdef ${name}`,
    header('zsh', name, [
      `install: ${name} completion zsh > ~/.zfunc/_${name}   (with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc)`,
      `     or: echo 'source <(${name} completion zsh)' >> ~/.zshrc   (after compinit)`,
    ]),
    ...pathFunction(`${fn}_subcommands`, models, true, (m) => `reply=(${described(m.subcommands)})`, 'reply=()'),
    ...pathFunction(`${fn}_options`, models, true, (m) => `reply=(${described(m.options.flatMap((o) => o.names.map((n) => ({ name: n, description: o.description }))))})`, 'reply=()'),
    ...valueFunctions(models, fn, true, 'REPLY=none; reply=()', (v) => `REPLY=${v.kind}${v.kind === 'words' ? `; reply=(${v.words.map(sq).join(' ')})` : ''}`),
    '# The command path of the words given (REPLY), and whether the next word is an option\'s value (' + fn + '_skip).',
    `${fn}_path() {`,
    '  local word cmdpath= skip=0',
    '  local -a reply',
    '  for word in "$@"; do',
    '    if (( skip )); then skip=0; continue; fi',
    '    case $word in',
    '      (--*=*) ;;',
    `      (-*) ${fn}_takes_value "$cmdpath" "$word" && skip=1 ;;`,
    '      (*)',
    `        ${fn}_subcommands "$cmdpath"`,
    '        (( ${reply[(I)${(b)word}:*]} )) && cmdpath=${cmdpath:+$cmdpath }$word',
    '        ;;',
    '    esac',
    '  done',
    `  REPLY=$cmdpath ${fn}_skip=$skip`,
    '}',
    `${main}() {`,
    `  local REPLY cmdpath ${fn}_skip`,
    '  local -a reply',
    `  ${fn}_path "\${(@)words[2,CURRENT-1]}"`,
    '  cmdpath=$REPLY',
    `  if (( ${fn}_skip )); then`,
    `    ${fn}_values "$cmdpath" "\${words[CURRENT-1]}"`,
    '    case $REPLY in',
    '      (file) _files ;;',
    '      (dir) _files -/ ;;',
    "      (words) _describe -t values 'value' reply ;;",
    '      (*) _message value ;;',
    '    esac',
    '    return',
    '  fi',
    '  if [[ $PREFIX == -* ]]; then',
    `    ${fn}_options "$cmdpath"`,
    `    _describe -t options '${name} flag' reply`,
    '  else',
    `    ${fn}_subcommands "$cmdpath"`,
    `    (( $#reply )) && _describe -t commands '${name} command' reply`,
    '  fi',
    '}',
    `if [[ $funcstack[1] == ${main} ]]; then ${main} "$@"; else compdef ${main} ${name}; fi`,
    '',
  ];
  return lines.join('\n');
}

export function fishScript(models: readonly CommandModel[], name = 'bascule'): string {
  const fn = `__${name.replace(/\W/g, '_')}`;
  const lines = [
    header('fish', name, [`install: ${name} completion fish > ~/.config/fish/completions/${name}.fish`]),
    `function ${fn}_subcommands`,
    '    switch "$argv[1]"',
    ...models.map((m) => `        case ${fq(m.path)}\n            printf '%s\\n' ${m.subcommands.map((s) => fq(s.name)).join(' ')}`.replace(/ $/, '')),
    '    end',
    'end',
    `function ${fn}_takes_value`,
    '    switch "$argv[1]|$argv[2]"',
    `        case ${valueOptions(models).map(fq).join(' ')}`,
    '            return 0',
    '    end',
    '    return 1',
    'end',
    '# The command path of the words before the cursor: "", "cache", "cache list"...',
    `function ${fn}_path`,
    "    set -l cmdpath ''",
    '    set -l skip 0',
    '    for word in (commandline -opc)[2..-1]',
    '        if test $skip -eq 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        switch $word',
    "            case '--*=*'",
    "            case '-*'",
    `                ${fn}_takes_value "$cmdpath" $word; and set skip 1`,
    "            case '*'",
    `                if contains -- $word (${fn}_subcommands "$cmdpath")`,
    '                    set cmdpath (string trim -- "$cmdpath $word")',
    '                end',
    '        end',
    '    end',
    '    echo $cmdpath',
    'end',
    `function ${fn}_at`,
    `    set -l here (${fn}_path)`,
    '    test "$here" = "$argv[1]"',
    'end',
    `complete -c ${name} -f`,
  ];
  for (const m of models) {
    const at = `-n ${fq(`${fn}_at ${fq(m.path)}`)}`;
    for (const s of m.subcommands) lines.push(`complete -c ${name} ${at} -a ${fq(s.name)} -d ${fq(s.description)}`);
    for (const o of m.options) {
      const flags = o.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
      const v = o.values;
      const value = !o.takesValue ? '' : v.kind === 'file' || v.kind === 'dir' ? ' -r -F' : v.kind === 'words' ? ` -x -a ${fq(v.words.join(' '))}` : ' -x';
      lines.push(`complete -c ${name} ${at} ${flags}${value} -d ${fq(o.description)}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

export function completionScript(shell: Shell, program: Command): string {
  const models = completionModel(program);
  const name = program.name();
  return shell === 'bash' ? bashScript(models, name) : shell === 'zsh' ? zshScript(models, name) : fishScript(models, name);
}
