/**
 * The manifests writer, decided then done: the pure plan per file (write,
 * leave, remove, or refuse) without a file system; then the command's edges:
 * `--out -`, `--out` through a symlink, and a header that outside data cannot
 * break out of.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { OWNERSHIP_FILE, planOutput, sha256, type Entry, type OutputState } from '../../src/manifests/output.js';
import { commentSafe, emitYaml, emitYamlDocuments } from '../../src/platform/yaml-out.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const tempDir = tempDirs('bascule-manifests-output-');

const state = (entries: Record<string, Entry>, extra: Partial<OutputState> = {}): OutputState => ({
  dir: '/out',
  realDir: '/out',
  top: { type: 'directory' },
  ownership: undefined,
  entries: new Map(Object.entries(entries)),
  ...extra,
});
const file = (text: string): Entry => ({ type: 'file', sha256: sha256(text) });
const dir: Entry = { type: 'directory' };
const list = (files: Record<string, string>) =>
  JSON.stringify({ generator: 'bascule manifests', note: 'n', files: Object.fromEntries(Object.entries(files).map(([p, t]) => [p, { sha256: sha256(t) }])) });
const opts = { scopes: ['blue'], force: false };
const ops = (plan: ReturnType<typeof planOutput>) => plan.steps.map((s) => (s.op === 'list' ? 'list' : `${s.op} ${s.path}`));

describe('planOutput (pure)', () => {
  it('a new directory: the list, every file, the list again', () => {
    const plan = planOutput(state({}, { top: { type: 'missing' } }), [{ path: 'blue/a.yaml', text: 'a' }], opts);
    expect(ops(plan)).toEqual(['list', 'write blue/a.yaml', 'list']);
    expect(plan.report.written).toEqual(['blue/a.yaml']);
  });

  it('unchanged files are left; bascule\'s stale files removed; the pending list carries both hashes', () => {
    const plan = planOutput(
      state({ blue: dir, 'blue/a.yaml': file('a'), 'blue/b.yaml': file('b-old'), 'blue/gone.yaml': file('g') }, { ownership: list({ 'blue/a.yaml': 'a', 'blue/b.yaml': 'b-old', 'blue/gone.yaml': 'g' }) }),
      [{ path: 'blue/a.yaml', text: 'a' }, { path: 'blue/b.yaml', text: 'b-new' }],
      opts,
    );
    expect(ops(plan)).toEqual(['list', 'write blue/b.yaml', 'remove blue/gone.yaml', 'list']);
    expect(plan.report).toMatchObject({ unchanged: ['blue/a.yaml'], written: ['blue/b.yaml'], removed: ['blue/gone.yaml'] });
    const pending = JSON.parse((plan.steps[0] as { text: string }).text).files;
    expect(pending['blue/b.yaml']).toEqual({ sha256: sha256('b-new'), previous: sha256('b-old') });
    const final = JSON.parse((plan.steps.at(-1) as { text: string }).text).files;
    expect(Object.keys(final)).toEqual(['blue/a.yaml', 'blue/b.yaml']);
  });

  it('--force overwrites a foreign file of a generated name and keeps the others', () => {
    const plan = planOutput(state({ blue: dir, 'blue/a.yaml': file('mine'), 'blue/notes.txt': file('n') }), [{ path: 'blue/a.yaml', text: 'a' }], { ...opts, force: true });
    expect(ops(plan)).toEqual(['list', 'write blue/a.yaml', 'list']);
    expect(plan.report).toMatchObject({ overwritten: ['blue/a.yaml'], kept: ['blue/notes.txt'] });
  });

  it.each<[string, OutputState, RegExp]>([
    ['a foreign file', state({ 'notes.txt': file('n') }), /\/out holds files bascule did not write: notes\.txt; nothing was written/],
    ['a symlink inside, named as one', state({ 'blue.yaml': { type: 'symlink', target: '/etc/passwd' } }), /files bascule did not write: blue\.yaml \(a symlink to \/etc\/passwd\)/],
    ['one of its files changed', state({ 'blue/a.yaml': file('edited') }, { ownership: list({ 'blue/a.yaml': 'a' }) }), /files bascule wrote but that changed since: blue\/a\.yaml/],
    ['a corrupt list', state({}, { ownership: '{' }), /\/out\/\.bascule-manifests\.json is not the list of files bascule wrote/],
    ['--out a file', state({}, { top: { type: 'other' } }), /--out \/out is not a directory/],
    ['--out a dangling symlink', state({}, { top: { type: 'symlink', target: '/nowhere', to: 'missing' } }), /--out \/out is a symlink to \/nowhere, which does not exist; nothing was written/],
    ['--out a symlink to a file', state({}, { top: { type: 'symlink', target: '/etc/hosts', to: 'other' } }), /--out \/out is a symlink to \/etc\/hosts, which is not a directory/],
    ['a symlink in the way', state({ blue: { type: 'symlink', target: '/elsewhere' } }), /cannot write blue\/a\.yaml \(blue is a symlink\): in the way/],
  ])('refuses %s (before any step)', (_, s, message) => {
    expect(() => planOutput(s, [{ path: 'blue/a.yaml', text: 'a' }], opts)).toThrow(message);
  });
});

describe('comments built from outside data', () => {
  it.each(['p\n---\napiVersion: v1\nkind: Namespace', 'a\rb', 'x\u2028y', 'tab\there', 'nul\u0000'])('%j cannot end a comment line', (text) => {
    const safe = commentSafe(text);
    expect(safe).not.toMatch(/[\n\r\u2028\u0000]/);
    const yaml = emitYamlDocuments([{ kind: 'ConfigMap' }], { header: [`from ${text}`] });
    expect(parseAllDocuments(yaml).map((d) => d.toJS())).toEqual([{ kind: 'ConfigMap' }]);
    expect(emitYaml({ a: 1 }, { header: [text] }).split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual(['a: 1']);
  });

  it('a newline in the --config path injects nothing into the manifests', async () => {
    const work = tempDir();
    cpSync(join(ROOT, 'examples'), join(work, 'examples'), { recursive: true });
    const evil = 'p\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: injected\n#';
    writeFileSync(join(work, 'examples', evil), readFileSync(join(ROOT, 'examples', 'platform.yaml')));
    const result = await runCli(['manifests', '--config', join('examples', evil), '--out', 'out'], { cwd: work });
    expect(result.code, result.stderr).toBe(0);
    for (const colour of ['blue', 'green']) {
      for (const name of readdirSync(join(work, 'out', colour)).filter((n) => n.endsWith('.yaml'))) {
        const text = readFileSync(join(work, 'out', colour, name), 'utf8');
        expect(text).toContain('# Generated by bascule from p\\n---\\napiVersion: v1\\nkind: Namespace'); // escaped, on the comment line
        const objects = parseAllDocuments(text).map((d) => d.toJS() as { metadata?: { name?: string } } | null);
        expect(objects.filter((o) => o?.metadata?.name === 'injected'), `${colour}/${name}`).toEqual([]);
      }
    }
  });
});

describe('bascule manifests --out', () => {
  it('- is refused (a directory of files is not a stream), and no directory "-" is made', async () => {
    const work = tempDir();
    const result = await runCli(['manifests', '--config', join(ROOT, 'examples/platform.yaml'), '--out', '-'], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --out -: the manifests are a directory of files');
    expect(readdirSync(work)).toEqual([]);
  });

  it('through a symlink to a directory: written there, the link kept', async () => {
    const work = tempDir();
    mkdirSync(join(work, 'real'));
    symlinkSync(join(work, 'real'), join(work, 'out'));
    const result = await runCli(['manifests', '--config', join(ROOT, 'examples/platform.yaml'), '--out', 'out'], { cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(work, 'real')).sort()).toEqual([OWNERSHIP_FILE, 'blue', 'green']);
  });

  it('through a dangling symlink: refused, and the message says symlink', async () => {
    const work = tempDir();
    symlinkSync(join(work, 'nowhere'), join(work, 'out'));
    const result = await runCli(['manifests', '--config', join(ROOT, 'examples/platform.yaml'), '--out', 'out'], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--out ${join(work, 'out')} is a symlink to ${join(work, 'nowhere')}, which does not exist`);
  });
});
