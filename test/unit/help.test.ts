/**
 * Every command's --help ends as kubectl's do: 2-4 examples, each a command
 * line the command accepts (its flags, their values, its arguments), then the
 * page of docs/ it belongs to, which exists (and its #anchor too).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HELP } from '../../src/help.js';
import { brokenLink } from '../support/markdown.js';
import { ROOT, runInProcess } from '../support/run.js';

interface Flag {
  readonly names: readonly string[];
  readonly value: 'none' | 'required' | 'optional';
}
interface Help {
  readonly text: string;
  readonly subcommands: readonly string[];
  readonly flags: readonly Flag[];
  readonly args: number;
}

const section = (text: string, title: string): string[] => {
  const at = text.indexOf(`\n${title}:\n`);
  if (at < 0) return [];
  const lines = text.slice(at + title.length + 3).split('\n');
  return lines.slice(0, lines.findIndex((l) => !l.startsWith(' ') || l === '') === -1 ? undefined : lines.findIndex((l) => !l.startsWith(' ') || l === ''));
};

async function helpOf(path: string): Promise<Help> {
  const r = await runInProcess([...path.split(' ').filter(Boolean), '--help']);
  expect(r.code, path).toBe(0);
  const text = r.stdout;
  const subcommands = section(text, 'Commands')
    .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== 'help');
  const flags = section(text, 'Options')
    .map((l) => /^ {2}(-\S.*?)(?: {2,}|$)/.exec(l)?.[1])
    .filter((f): f is string => f !== undefined)
    .map((f) => ({ names: f.match(/(?<![\w-])--?[\w-]+/g) ?? [], value: f.includes('<') ? 'required' : f.includes('[') ? 'optional' : 'none' }) as Flag);
  const usage = /^Usage: bascule(?: [\w-]+)* (.*)$/m.exec(text)?.[1] ?? '';
  return { text, subcommands, flags, args: (usage.match(/<[^>]+>/g) ?? []).length };
}

/** Every command path, the program first: '', 'token', 'cache', 'cache list'... */
const helps = new Map<string, Help>();
beforeAll(async () => {
  const queue = [''];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    const help = await helpOf(path);
    helps.set(path, help);
    for (const sub of help.subcommands) queue.push(path ? `${path} ${sub}` : sub);
  }
});

/** Words of a command line, quotes removed; a redirection ends it. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    const word = m[1] ?? m[2] ?? (m[3] as string);
    if (m[3] !== undefined && /^[<>]/.test(word)) break;
    out.push(word);
  }
  return out;
}

/** Why bascule would refuse this invocation (its words after "bascule"), or undefined. */
function refusal(argv: readonly string[]): string | undefined {
  let path = '';
  let i = 0;
  let args = 0;
  const at = () => helps.get(path) as Help;
  for (; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word.startsWith('-') && word !== '-') {
      const name = word.split('=')[0] as string;
      const flag = at().flags.find((f) => f.names.includes(name));
      if (!flag) return `${word} is not a flag of 'bascule ${path}'`;
      if (flag.value === 'required' && !word.includes('=')) {
        const value = argv[++i];
        if (value === undefined || (value !== '-' && value.startsWith('-'))) return `${word} has no value`;
      }
      continue;
    }
    if (at().subcommands.includes(word)) {
      path = path ? `${path} ${word}` : word;
      continue;
    }
    args += 1;
    if (args > at().args) return `'bascule ${path}' takes no argument ${word}`;
  }
  if (at().subcommands.length > 0 && path !== '') return `'bascule ${path}' needs a command`;
  return undefined;
}

describe('every command: examples and a docs page', () => {
  it('covers every command, and HELP names no other', () => {
    expect([...helps.keys()].sort()).toEqual(Object.keys(HELP).sort());
    expect(helps.size).toBeGreaterThan(15);
  });

  it('each has 2-4 examples after its flags, each a comment then a command line', () => {
    for (const [path, help] of helps) {
      const after = help.text.slice(help.text.indexOf('\nExamples:\n'));
      expect(help.text, path).toContain('\nExamples:\n');
      expect(help.text.indexOf('\nExamples:\n'), path).toBeGreaterThan(help.text.indexOf('\nOptions:\n'));
      const body = after.slice('\nExamples:\n'.length, after.indexOf('\nDocs: ')).trimEnd();
      const examples = body.split('\n\n').map((e) => e.split('\n'));
      expect(examples.length, path).toBeGreaterThanOrEqual(2);
      expect(examples.length, path).toBeLessThanOrEqual(4);
      for (const e of examples) {
        expect(e, path).toHaveLength(2);
        expect(e[0], path).toMatch(/^ {2}# \S/);
        expect(e[1], path).toMatch(/^ {2}\S/);
        expect(e[1], path).toMatch(/\bbascule\b/);
      }
    }
  });

  it("each example is a command line bascule accepts: the command's flags, their values, its arguments", () => {
    let checked = 0;
    for (const [path, help] of Object.entries(HELP)) {
      for (const [, line] of help.examples) {
        for (const part of line.split(/\s*(?:&&|\|\||\||;)\s*/)) {
          const w = words(part).filter((word, i, all) => !(i < all.indexOf('bascule') && /^[A-Z_]+=/.test(word)));
          if (w[0] !== 'bascule') continue;
          expect(refusal(w.slice(1)), `${path}: ${line}`).toBeUndefined();
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('the checker refuses what bascule refuses', () => {
    expect(refusal(['kubeconfig', '--confg', 'x'])).toBe("--confg is not a flag of 'bascule kubeconfig'");
    expect(refusal(['kubeconfig', 'platform.yaml'])).toBe("'bascule kubeconfig' takes no argument platform.yaml");
    expect(refusal(['token', '-i'])).toBe('-i has no value');
    expect(refusal(['cache'])).toBe("'bascule cache' needs a command");
    expect(refusal(['completion', 'bash'])).toBeUndefined();
    expect(refusal(['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'x'])).toBeUndefined();
  });

  it('each names a page of the repository that exists, with the anchor it names', () => {
    for (const [path, help] of helps) {
      const doc = /^Docs: (\S+) /m.exec(help.text)?.[1];
      expect(doc, path).toBe(HELP[path]?.doc);
      expect(brokenLink(ROOT, join(ROOT, 'README.md'), doc as string), `${path}: ${doc}`).toBeUndefined();
    }
  });
});
