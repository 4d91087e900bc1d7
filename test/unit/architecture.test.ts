/**
 * The house holds (scripts/architecture.mjs over src/'s imports): no command
 * room imports another but through the two faces the doctor reads, no
 * foundation imports a command, no import cycle, no file or room too large.
 * And the check itself, on houses of its own: each violation is caught, the
 * allowed arrows are not, and imports are read in every form src/ writes them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED, badLines, inspect, inspectHouse, LIMITS, readHouse } from '../../scripts/architecture.mjs';
import { makeTempDir } from '../support/temp.mjs';

/**
 * Files still over the size limit while their split is under way: each must
 * still be over it (once split, delete its line here), and no other file may be.
 */
const SPLITS_UNDER_WAY: string[] = [];

describe("src/'s house", () => {
  const house = inspect();

  it('holds: nothing the architecture forbids (but the files whose split is under way)', () => {
    const bad = badLines({ ...house, bigFiles: house.bigFiles.filter((f: { file: string }) => !SPLITS_UNDER_WAY.includes(f.file)) });
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('the files whose split is under way are still over the limit (else delete them from the list)', () => {
    expect(SPLITS_UNDER_WAY.filter((f) => !house.bigFiles.some((b: { file: string }) => b.file === f))).toEqual([]);
  });

  it('the only arrows between commands are the doctor reading the two faces (an allowance no longer used leaves ALLOWED)', () => {
    expect(new Set(house.betweenCommands.map((b: { arrow: string }) => b.arrow))).toEqual(new Set(ALLOWED));
  });
});

/** A house of the given files: path -> imports (each file 10 lines unless given as [lines, imports]). */
type Spec = Readonly<Record<string, readonly string[] | readonly [number, readonly string[]]>>;
const houseOf = (spec: Spec) => ({
  files: new Map(Object.entries(spec).map(([file, s]) => [file, typeof s[0] === 'number' ? { lines: s[0], imports: s[1] as readonly string[] } : { lines: 10, imports: s as readonly string[] }])),
});

/** A clean house of many small rooms, so that none is over the room share. */
const clean = {
  'errors.ts': [],
  'program.ts': ['token/command.ts', 'commands.ts'],
  'commands.ts': ['doctor/command.ts', 'kubeconfig/command.ts'],
  'aws/sts.ts': ['errors.ts'],
  'dns/resolver.ts': ['errors.ts'],
  'platform/model.ts': ['aws/sts.ts'],
  'token/command.ts': ['token/rules.ts', 'aws/sts.ts'],
  'token/rules.ts': ['dns/resolver.ts'],
  'kubeconfig/command.ts': ['kubeconfig/rules.ts', 'platform/model.ts'],
  'kubeconfig/rules.ts': [],
  'doctor/command.ts': ['token/rules.ts', 'kubeconfig/rules.ts', 'doctor/links.ts'],
  'doctor/links.ts': ['platform/model.ts'],
  'verify/command.ts': ['aws/sts.ts'],
  'manifests/command.ts': ['platform/model.ts'],
  'switch/command.ts': ['platform/model.ts'],
  'status/command.ts': ['platform/model.ts'],
} satisfies Record<string, string[]>;

describe('the check, on houses of its own', () => {
  it('a clean house: no BAD line; the entrance may import commands, commands foundations, the doctor the two faces', () => {
    const h = inspectHouse(houseOf(clean));
    expect(badLines(h)).toEqual([]);
    expect(h.betweenCommands.map((b: { arrow: string }) => b.arrow).sort()).toEqual(['doctor -> kubeconfig/rules.ts', 'doctor -> token/rules.ts']);
  });

  /** Five foundations of 400 lines each: a large file then stays under the room share. */
  const filler: Spec = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`room${n}/a.ts`, [400, []]]));

  it.each([
    ['a command reaching into another', { 'doctor/links.ts': ['token/cache.ts'], 'token/cache.ts': [] }, ['BAD doctor -> token/cache.ts  (doctor/links.ts): a command room imports another']],
    ['a face read by a room it is not for', { 'verify/command.ts': ['token/rules.ts'] }, ['BAD verify -> token/rules.ts  (verify/command.ts): a command room imports another']],
    ['the manifests importing the kubeconfig command', { 'manifests/command.ts': ['kubeconfig/command.ts'] }, ['BAD manifests -> kubeconfig/command.ts  (manifests/command.ts): a command room imports another']],
    ['a foundation importing a command', { 'platform/model.ts': ['aws/sts.ts', 'verify/command.ts'] }, ['BAD platform -> verify/command.ts  (platform/model.ts): a foundation imports a command room']],
    ['the ground floor importing a command', { 'errors.ts': ['drain/command.ts'], 'drain/command.ts': [] }, ['BAD (ground) -> drain/command.ts  (errors.ts): a foundation imports a command room']],
    ['a cycle inside a room', { 'aws/sts.ts': ['aws/presign.ts'], 'aws/presign.ts': ['aws/sts.ts'] }, ['BAD aws/sts.ts -> aws/presign.ts -> aws/sts.ts: an import cycle']],
    ['a cycle across foundations', { 'dns/resolver.ts': ['platform/model.ts'], 'aws/sts.ts': ['dns/resolver.ts'] }, ['BAD dns/resolver.ts -> platform/model.ts -> aws/sts.ts -> dns/resolver.ts: an import cycle']],
    ['a file over the limit', { ...filler, 'dns/resolver.ts': [LIMITS.fileLines + 1, ['errors.ts']] }, [`BAD dns/resolver.ts ${LIMITS.fileLines + 1}: over ${LIMITS.fileLines} lines`]],
    ['a room over the share', { 'switch/command.ts': [LIMITS.fileLines, ['platform/model.ts']] }, ['BAD switch 75.0%: over 22% of src/']],
  ] as const)('%s', (_, change, expected) => {
    expect(badLines(inspectHouse(houseOf({ ...clean, ...change })))).toEqual(expected);
  });

  it('reads imports in every form: static, type-only, re-exports, dynamic, ".js" as ".ts", "../"; not packages nor node: modules', () => {
    const dir = makeTempDir('architecture-');
    const write = (file: string, text: string) => {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    write('errors.ts', 'export const e = 1;\n');
    write('aws/sts.ts', "import { e } from '../errors.js';\nimport type { T } from './types.js';\nexport { f } from \"./f.js\";\nimport { parse } from 'yaml';\nimport { join } from 'node:path';\n");
    write('aws/types.ts', 'export type T = 1;\n');
    write('aws/f.ts', 'export const f = 1;\n');
    write('doctor/command.ts', "export const run = async () => (await import('../aws/sts.js')).f;\nconst later = () => import( './gone.js' );\n");
    const h = readHouse(dir);
    expect(Object.fromEntries([...h.files].map(([file, f]) => [file, [...f.imports].sort()]))).toEqual({
      'errors.ts': [],
      'aws/sts.ts': ['aws/f.ts', 'aws/types.ts', 'errors.ts'],
      'aws/types.ts': [],
      'aws/f.ts': [],
      'doctor/command.ts': ['aws/sts.ts'],
    });
    expect(h.files.get('aws/sts.ts')?.lines).toBe(5);
  });
});
