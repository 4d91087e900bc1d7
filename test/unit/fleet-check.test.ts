/**
 * A fleet of platform files: the fleet file's format (table of bad input,
 * each problem with its key path and line), globs and directories, which
 * fleet a command reads, and `bascule fleet check`'s rules: each clash
 * refused naming both files and the field, and each near miss (another
 * zone, another account) accepted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFleet, type FleetProblem } from '../../src/fleet/check.js';
import { readFleet } from '../../src/platform/fleet-file.js';
import { findFleet } from '../../src/platform/fleet-find.js';
import { loadMembers } from '../../src/platform/fleet-members.js';
import { run } from '../../src/cli.js';
import { fleetPlatformText, type FleetPlatform } from '../support/fleet-platforms.js';
import { tempDirs } from '../support/text.js';

const tempDir = tempDirs('fleet-check-');

/** A directory with these files (name -> text). */
function dirWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const Z = { local: 'Z0LOCAL01', fr: 'Z0FR02', info: 'Z0INFO03' };
const zoned = (p: FleetPlatform): FleetPlatform => ({ zones: { private: Z.local, public: Z.fr, txt: Z.info, api: Z.local }, ...p });

/** The problems of a fleet directory holding these platforms (file name -> platform). */
function problemsOf(platforms: Record<string, FleetPlatform>): FleetProblem[] {
  const dir = dirWith(Object.fromEntries(Object.entries(platforms).map(([file, p]) => [file, fleetPlatformText(p)])));
  return checkFleet(loadMembers(readFleet(dir, dir), dir));
}

describe('fleet check: what no two platforms may share', () => {
  it('a fleet of three (one `prod` in each of two accounts, each its own zones) has no problem', () => {
    expect(
      problemsOf({
        'prod.yaml': zoned({ name: 'prod' }),
        'web.yaml': zoned({ name: 'web' }),
        'prod-b.yaml': { name: 'prod', account: '222222222222', zones: { private: 'Z1LOCAL001', public: 'Z1FRANCE02', txt: 'Z1INFO0003', api: 'Z1LOCAL001' } },
      }),
    ).toEqual([]);
  });

  it.each<[string, Record<string, FleetPlatform>, Partial<FleetProblem> | Partial<FleetProblem>[] | undefined]>([
    ['one name twice in one account', { 'a.yaml': zoned({ name: 'prod' }), 'b.yaml': zoned({ name: 'prod', private: 'b.devinfra.local', public: 'b.devinfra.fr', txt: 'eks-b.devinfra.info', api: 'api-b.devinfra.local', clusters: { blue: 'b-blue', green: 'b-green' } }) },
      { kind: 'name', files: ['a.yaml', 'b.yaml'], fields: ['name', 'name'], message: 'a.yaml name and b.yaml name: both are platform prod of account 111111111111 (their journals and cut-over locks would be one): give each its own name' }],
    ['one owner id in one zone', { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': zoned({ name: 'b', ownerIds: { green: { livePrivate: 'live-a-blue.a.devinfra.local' } } }) },
      { kind: 'owner-id', files: ['a.yaml', 'b.yaml'], fields: ['clusters.blue.externalDns.livePrivate.ownerId', 'clusters.green.externalDns.livePrivate.ownerId'] }],
    ['one owner id, each platform its own zone', { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': { name: 'b', account: '222222222222', zones: { private: 'Z1LOCAL001', public: 'Z1FRANCE02', txt: 'Z1INFO0003' }, ownerIds: { green: { livePrivate: 'live-a-blue.a.devinfra.local' } } } }, undefined],
    ['one owner id, no zone ids, one account', { 'a.yaml': { name: 'a' }, 'b.yaml': { name: 'b', ownerIds: { blue: { private: 'ingress-a-blue.a.devinfra.local' } } } },
      { kind: 'owner-id', fields: ['clusters.blue.externalDns.private.ownerId', 'clusters.blue.externalDns.private.ownerId'] }],
    ['one owner id, no zone ids, two accounts', { 'a.yaml': { name: 'a' }, 'b.yaml': { name: 'b', account: '222222222222', ownerIds: { blue: { private: 'ingress-a-blue.a.devinfra.local' } } } }, undefined],
    ["a domain filter capturing another's domain", { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': zoned({ name: 'b', private: 'shop.a.devinfra.local' }) },
      { kind: 'domain-filter', files: ['a.yaml', 'b.yaml'], fields: ['domains.private.name', 'domains.private.name'] }],
    ["a domain filter capturing another's cluster-name record", { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': zoned({ name: 'b', txt: 'eks-b.a.devinfra.local', zones: { private: Z.local, public: Z.fr, txt: Z.local, api: Z.local } }) },
      { kind: 'domain-filter', files: ['a.yaml', 'b.yaml'], fields: ['domains.private.name', 'clusterNameRecord.name'] }],
    ["a colour's domain filter capturing another's cluster domain", { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': zoned({ name: 'b', clusterDomains: { blue: { private: 'x.a-green.a.devinfra.local' } } }) },
      [
        { kind: 'domain-filter', files: ['a.yaml', 'b.yaml'], fields: ['clusters.green.domains.private.name', 'clusters.blue.domains.private.name'] },
        { kind: 'domain-filter', files: ['a.yaml', 'b.yaml'], fields: ['domains.private.name', 'clusters.blue.domains.private.name'] },
      ]],
    ['the same domain in two accounts\' zones', { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': { name: 'b', account: '222222222222', private: 'a.devinfra.local', zones: { private: 'Z1LOCAL001', public: 'Z1FRANCE02', txt: Z.info } } }, undefined],
    ['one cluster-name record in one zone', { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': zoned({ name: 'b', txt: 'eks-a.devinfra.info' }) },
      { kind: 'cluster-name-record', files: ['a.yaml', 'b.yaml'], fields: ['clusterNameRecord.name', 'clusterNameRecord.name'], message: 'a.yaml clusterNameRecord.name and b.yaml clusterNameRecord.name: both are eks-a.devinfra.info (zone Z0INFO03): one TXT record cannot name two live clusters (and the cut-over lock sits beside it); give each platform its own' }],
    ['one cluster-name record name in two zones', { 'a.yaml': zoned({ name: 'a' }), 'b.yaml': zoned({ name: 'b', txt: 'eks-a.devinfra.info', zones: { private: Z.local, public: Z.fr, txt: 'Z1INFO0003', api: Z.local } }) }, undefined],
    ['one cluster-name record, no zone id, one account', { 'a.yaml': { name: 'a' }, 'b.yaml': { name: 'b', txt: 'eks-a.devinfra.info' } },
      { kind: 'cluster-name-record', message: expect.stringContaining('(account 111111111111, no zone id set)') }],
    ['one cluster-name record, no zone id, two accounts', { 'a.yaml': { name: 'a' }, 'b.yaml': { name: 'b', account: '222222222222', txt: 'eks-a.devinfra.info' } }, undefined],
  ])('%s', (_, platforms, expected) => {
    const problems = problemsOf(platforms);
    const wanted = expected === undefined ? [] : Array.isArray(expected) ? expected : [expected];
    expect(problems).toHaveLength(wanted.length);
    for (const w of wanted) expect(problems).toContainEqual(expect.objectContaining(w));
    // Each problem names both files and the field of each.
    for (const p of problems) for (const [i, file] of p.files.entries()) expect(p.message).toContain(file), expect(p.message).toContain(p.fields[i] as string);
  });

  it('a platform file that does not load is named, with what the loader says; the others are still checked', () => {
    const dir = dirWith({ 'a.yaml': fleetPlatformText(zoned({ name: 'a' })), 'b.yaml': 'name: b\n', 'c.yaml': fleetPlatformText(zoned({ name: 'c', txt: 'eks-a.devinfra.info' })) });
    const problems = checkFleet(loadMembers(readFleet(dir, dir), dir));
    expect(problems.map((p) => [p.kind, p.files])).toEqual([
      ['load', ['b.yaml']],
      ['cluster-name-record', ['a.yaml', 'c.yaml']],
    ]);
    expect(problems[0]?.message).toMatch(/^b\.yaml is not a valid platform description \(\d+ problems\):\n {2}aws \(line 1\): is missing/);
  });

  it('the command: exit 2, one line per problem, and the JSON names kind, files and fields', async () => {
    const dir = dirWith({ 'fleet.yaml': 'platforms:\n  - platforms/*.yaml\n', 'platforms/a.yaml': fleetPlatformText(zoned({ name: 'a' })), 'platforms/b.yaml': fleetPlatformText(zoned({ name: 'b', txt: 'eks-a.devinfra.info' })) });
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: { HOME: dir }, cwd: dir, stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), now: () => new Date(), stdinIsTTY: () => false, prompt: async () => '' };
    expect(await run(['fleet', 'check'], io as never)).toBe(2);
    expect(out.join('')).toContain('  - platforms/a.yaml clusterNameRecord.name and platforms/b.yaml clusterNameRecord.name: both are eks-a.devinfra.info');
    expect(err.join('')).toBe('error: fleet check: 1 problem in fleet.yaml (cluster-name-record)\nhint: fix each named field (docs/fleet.md says why each must differ), then run bascule fleet check again\n');
    out.length = 0;
    expect(await run(['fleet', 'check', '--fleet', 'fleet.yaml', '-o', 'json'], io as never)).toBe(2);
    const json = JSON.parse(out.join(''));
    expect(json.problems).toEqual([expect.objectContaining({ kind: 'cluster-name-record', files: ['platforms/a.yaml', 'platforms/b.yaml'], fields: ['clusterNameRecord.name', 'clusterNameRecord.name'] })]);
    expect(json.platforms.map((p: { platform: string; from: string }) => [p.platform, p.from])).toEqual([['a', 'platforms[0] (line 2)'], ['b', 'platforms[0] (line 2)']]);
  });
});

describe('the fleet file', () => {
  const good = fleetPlatformText({ name: 'a' });
  it.each([
    ['not YAML', 'platforms: [a\n', /^fleet\.yaml is not valid YAML: line \d+, column \d+/],
    ['empty', '', /^fleet\.yaml is not a valid fleet \(1 problem\):\n {2}\(top level\): expected a mapping with platforms/],
    ['no platforms', 'platforms: []\n', /platforms \(line 1\): expected at least one platform file/],
    ['an unknown key', 'platforms: [a.yaml]\nplatfroms: []\n', /platfroms \(line 2\): unknown key "platfroms"/],
    ['an entry that is a number', 'platforms:\n  - 42\n', /platforms\[0\] \(line 2\): expected a path \(or glob\) of platform files, or a mapping with path, profile and role/],
    ['an unknown entry key', 'platforms:\n  - path: a.yaml\n    account: "1"\n', /platforms\[0\]\.account \(line 3\): unknown key "account"; expected path, profile or role/],
    ['a bad role', 'platforms:\n  - path: a.yaml\n    role: admin\n', /platforms\[0\]\.role \(line 3\): expected an IAM role ARN: "admin" is not an IAM role ARN/],
    ['a bad profile', 'platforms:\n  - path: a.yaml\n    profile: "my profile"\n', /platforms\[0\]\.profile \(line 3\): expected an AWS profile name: "my profile" is not a profile name/],
    ['a glob that matches nothing', 'platforms:\n  - a.yaml\n  - nope/*.yaml\n', /platforms\[1\] \(line 3\): "nope\/\*\.yaml" matches no file/],
    ['a path that is not a file', 'platforms:\n  - b.yaml\n', /platforms\[0\] \(line 2\): "b\.yaml" is not a file/],
    ['**', 'platforms:\n  - "**/*.yaml"\n', /platforms\[0\] \(line 2\): "\*\*\/\*\.yaml": \*\* is not supported/],
    ['a file named twice', 'platforms:\n  - a.yaml\n  - "*.yaml"\n', /platforms\[1\] \(line 3\): a\.yaml is already in the fleet \(platforms\[0\] \(line 2\)\)/],
  ])('%s', (_, text, message) => {
    const dir = dirWith({ 'fleet.yaml': text, 'a.yaml': good });
    expect(() => readFleet('fleet.yaml', dir)).toThrow(message);
  });

  it('entries: paths and globs relative to the fleet file, sorted; profile and role carried', () => {
    const dir = dirWith({ 'f/fleet.yaml': 'platforms:\n  - p/*.yaml\n  - path: ../other.yaml\n    profile: acct-b\n    role: arn:aws:iam::222222222222:role/k8s-admin\n', 'f/p/b.yaml': good, 'f/p/a.yaml': good, 'f/p/notes.txt': 'x', 'other.yaml': good });
    const fleet = readFleet('f/fleet.yaml', dir);
    expect(fleet.entries.map((e) => [e.file, e.from, e.profile, e.role])).toEqual([
      ['f/p/a.yaml', 'platforms[0] (line 2)', undefined, undefined],
      ['f/p/b.yaml', 'platforms[0] (line 2)', undefined, undefined],
      ['other.yaml', 'platforms[1] (line 3)', 'acct-b', 'arn:aws:iam::222222222222:role/k8s-admin'],
    ]);
  });

  it('a directory: its *.yaml files; one holding fleet.yaml is read as that file; an empty one is refused', () => {
    const dir = dirWith({ 'p/b.yaml': good, 'p/a.yml': good, 'p/readme.md': '' });
    expect(readFleet('p', dir).entries.map((e) => [e.file, e.from])).toEqual([['p/a.yml', 'the directory'], ['p/b.yaml', 'the directory']]);
    const withFile = dirWith({ 'fleet.yaml': 'platforms: [x/a.yaml]\n', 'x/a.yaml': good, 'ignored.yaml': good });
    expect(readFleet('.', withFile).entries.map((e) => e.file)).toEqual(['x/a.yaml']);
    const empty = dirWith({ 'e/readme.md': '' });
    expect(() => readFleet('e', empty)).toThrow('the fleet directory e holds no platform file (*.yaml)');
    expect(() => readFleet('nowhere', empty)).toThrow(/^cannot read the fleet nowhere: /);
  });

  it('which fleet: --fleet, else BASCULE_FLEET, else the nearest fleet.yaml up to $HOME', () => {
    const home = dirWith({ 'fleet.yaml': 'platforms: [a.yaml]\n', 'team/deep/.keep': '' });
    const cwd = join(home, 'team', 'deep');
    expect(findFleet('x.yaml', { env: { HOME: home }, cwd })).toBe('x.yaml');
    expect(findFleet(undefined, { env: { HOME: home, BASCULE_FLEET: '../../fleet.yaml' }, cwd })).toBe('../../fleet.yaml');
    expect(() => findFleet(undefined, { env: { HOME: home, BASCULE_FLEET: 'gone.yaml' }, cwd })).toThrow('BASCULE_FLEET names the fleet gone.yaml, which does not exist');
    expect(findFleet(undefined, { env: { HOME: home }, cwd })).toBe('../../fleet.yaml');
    const bare = dirWith({ 'x/.keep': '' });
    expect(() => findFleet(undefined, { env: { HOME: bare }, cwd: join(bare, 'x') })).toThrow(/^no fleet: no fleet\.yaml in .*\/x or its parents up to /);
  });
});
