/**
 * Recording the live colour in the platform file: only the value of `live:`
 * changes, byte for byte; anything that cannot be edited that safely is left
 * to a human, with the edit to make.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editLive, writeLive } from '../../src/cutover/live-edit.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLE = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');
/** The line of `live: blue` in the example (1-based). */
const LIVE_LINE = EXAMPLE.split('\n').indexOf('live: blue') + 1;

describe('editLive (pure)', () => {
  it('the example: exactly one line changes, its comment and every other byte kept', () => {
    const edit = editLive(EXAMPLE, 'green');
    if (edit.kind !== 'edited') throw new Error(edit.kind);
    const before = EXAMPLE.split('\n');
    const after = edit.text.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[i + 1, line, after[i]]]));
    expect(LIVE_LINE).toBeGreaterThan(0);
    expect(changed).toEqual([[LIVE_LINE, 'live: blue', 'live: green']]);
    expect(edit.line).toBe(LIVE_LINE);
    expect(edit.was).toBe('blue');
  });

  it.each([
    ['a trailing comment', 'name: x\nlive: blue   # the colour\nother: 1\n', 'name: x\nlive: green   # the colour\nother: 1\n'],
    ['double quotes', 'live: "blue"\n', 'live: "green"\n'],
    ['single quotes', "live: 'blue'\n", "live: 'green'\n"],
    ['a flow mapping', '{ name: x, live: blue, other: [1, 2] }\n', '{ name: x, live: green, other: [1, 2] }\n'],
    ['a tag', 'live: !!str blue\n', 'live: !!str green\n'],
    ['CRLF line ends', 'name: x\r\nlive: blue\r\n', 'name: x\r\nlive: green\r\n'],
    ['a document marker and a comment above', '---\n# live colour\nlive: blue\n...\n', '---\n# live colour\nlive: green\n...\n'],
  ])('%s', (_, text, expected) => {
    expect(editLive(text, 'green')).toMatchObject({ kind: 'edited', text: expected });
  });

  it('already the target: nothing to change', () => {
    expect(editLive('live: green\n', 'green')).toEqual({ kind: 'unchanged', line: 1 });
  });

  it.each([
    ['an anchor others may refer to', 'live: &c blue\nother: *c\n', /carries an anchor/],
    ['an alias', 'c: &c blue\nlive: *c\n', /not a plain value/],
    ['a block scalar', 'live: |\n  blue\n', /block scalar/],
    ['no live key', 'name: x\n', /no top-level live: key/],
    ['not a mapping', '- live: blue\n', /not a mapping/],
    ['broken YAML', 'live: [blue\n', /does not parse/],
  ])('%s: left to a human', (_, text, reason) => {
    const edit = editLive(text, 'green');
    expect(edit.kind).toBe('cannot');
    expect(edit.kind === 'cannot' && edit.reason).toMatch(reason);
  });
});

describe('writeLive (the file)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bascule-live-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes in place, keeps the mode, leaves no backup or temporary file', () => {
    const file = join(dir, 'platform.yaml');
    writeFileSync(file, EXAMPLE.replace('file: ca/eks-blue.crt', `file: ${join(ROOT, 'examples/ca/eks-blue.crt')}`));
    chmodSync(file, 0o640);
    expect(writeLive(file, 'green', 'blue')).toEqual({ kind: 'written', path: file, line: LIVE_LINE });
    expect(readFileSync(file, 'utf8')).toContain('\nlive: green\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['platform.yaml']);
    expect(writeLive(file, 'green', 'blue')).toEqual({ kind: 'unchanged', path: file });
  });

  it('a file that would no longer load, or is gone: the edit to make, nothing written', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'name: devinfra\nlive: blue\n');
    const result = writeLive(file, 'green', 'blue');
    expect(result.kind).toBe('manual');
    expect(result.kind === 'manual' && result.instruction).toMatch(new RegExp(`^edit ${file} line 2: replace "live: blue" by "live: green" \\(bascule did not: the edited file would not load`));
    expect(readFileSync(file, 'utf8')).toBe('name: devinfra\nlive: blue\n');
    expect(writeLive(join(dir, 'gone.yaml'), 'green', 'blue')).toMatchObject({ kind: 'manual', instruction: expect.stringContaining('the file is gone') });
    expect(existsSync(join(dir, 'gone.yaml'))).toBe(false);
  });
});
