/**
 * State that cannot collide: journals (and their locks) keyed by account and
 * platform name, and the previous layout's journals (one file per platform
 * name, version 2, no account) found by name, then moved into the account's
 * directory when they are this platform's, left alone when they are another
 * account's, refused by name when they cannot be read or a live bascule
 * holds them.
 *
 * The previous versions' goldens (test/golden/*-journal.v2.json, the goldens
 * as the previous version wrote them) are moved byte for byte into this
 * version's goldens: the only change is `version: 3` and the `account`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adoptJournals, journalPath, observeOperations, readShiftJournal, readSwitchJournal, type StateOwner } from '../../src/cutover/journals.js';
import { adoptLegacy, findLegacy } from '../../src/cutover/legacy.js';
import { lockJournal } from '../../src/cutover/state.js';
import { readRepoFile, tempDirs } from '../support/text.js';

const tempDir = tempDirs('state-layout-');
const ACCOUNT = '123456789012';
const OTHER = '210987654321';
/** The examples/platform.yaml the shift golden was written for. */
const PROD: StateOwner = { account: ACCOUNT, name: 'devinfra', clusterNameRecord: { name: 'eks.devinfra.info', zoneId: 'Z0DEVINFRAINFO03' } };
/** The same name in another account: its own zone. */
const OTHER_PROD: StateOwner = { account: OTHER, name: 'devinfra', clusterNameRecord: { name: 'eks.devinfra.info', zoneId: 'Z0OTHERACCOUNT9' } };

function state(): NodeJS.ProcessEnv {
  return { XDG_STATE_HOME: join(tempDir(), 'state'), HOME: '/nonexistent' };
}
const legacyPath = (env: NodeJS.ProcessEnv, kind: 'switch' | 'shift') => join(env.XDG_STATE_HOME as string, 'bascule', `${kind}-devinfra.json`);
function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
/** The previous version's switch golden, pinning the example's cluster-name record (the golden pins no facts). */
function switchV2(): string {
  const j = JSON.parse(readRepoFile('test/golden/switch-journal.v2.json'));
  j.pins.facts = { 'cluster-name record': 'eks.devinfra.info in zone Z0DEVINFRAINFO03, TTL 60' };
  return `${JSON.stringify(j, null, 2)}\n`;
}

describe('journals keyed by account and platform name', () => {
  it('two accounts\' prod: two journals, two journal locks, in one state directory', () => {
    const env = state();
    const a = journalPath(env, 'switch', PROD);
    const b = journalPath(env, 'switch', OTHER_PROD);
    expect(a).toBe(join(env.XDG_STATE_HOME as string, 'bascule', ACCOUNT, 'switch-devinfra.json'));
    expect(b).toBe(join(env.XDG_STATE_HOME as string, 'bascule', OTHER, 'switch-devinfra.json'));
    // Both journal locks at once: neither refuses the other.
    const la = lockJournal(a, new Date());
    const lb = lockJournal(b, new Date());
    expect(existsSync(`${a}.lock`) && existsSync(`${b}.lock`)).toBe(true);
    la.release();
    lb.release();
  });
});

describe('the previous layout: moved, left alone, or refused by name', () => {
  it("this platform's shift journal of version 2 moves into the account's directory, byte for byte this version's golden", () => {
    const env = state();
    put(legacyPath(env, 'shift'), readRepoFile('test/golden/shift-journal.v2.json'));
    // Seen (read only) where it is, as this platform's, before the move.
    const seen = observeOperations(env, PROD);
    expect(seen.found.map((f) => [f.kind, f.path, f.legacy])).toEqual([['shift', legacyPath(env, 'shift'), true]]);
    const notes = adoptLegacy(env, PROD);
    const target = journalPath(env, 'shift', PROD);
    expect(notes).toEqual([`moved the shift journal ${legacyPath(env, 'shift')} (the previous layout) to ${target}`]);
    expect(readFileSync(target, 'utf8')).toBe(readRepoFile('test/golden/shift-journal.json'));
    expect(existsSync(legacyPath(env, 'shift'))).toBe(false);
    expect(readShiftJournal(target)?.account).toBe(ACCOUNT);
    expect(observeOperations(env, PROD).found.map((f) => [f.kind, f.path, f.legacy])).toEqual([['shift', target, undefined]]);
  });

  it('a switch journal of version 2 moves the same way: version 3, the account after the platform, nothing else changed', () => {
    const env = state();
    put(legacyPath(env, 'switch'), switchV2());
    adoptLegacy(env, PROD);
    const moved = JSON.parse(readFileSync(journalPath(env, 'switch', PROD), 'utf8'));
    const expected = JSON.parse(readRepoFile('test/golden/switch-journal.json'));
    expected.pins.facts = JSON.parse(switchV2()).pins.facts;
    expect(Object.keys(moved)).toEqual(Object.keys(expected));
    expect(moved).toEqual(expected);
    expect(readSwitchJournal(journalPath(env, 'switch', PROD))?.version).toBe(3);
  });

  it("another account's journal of the same name is left where it is, and not shown as this platform's", () => {
    const env = state();
    put(legacyPath(env, 'shift'), readRepoFile('test/golden/shift-journal.v2.json'));
    expect(findLegacy(env, OTHER_PROD)).toEqual([
      {
        kind: 'shift',
        path: legacyPath(env, 'shift'),
        state: 'foreign',
        why: 'it pins eks.devinfra.info in zone Z0DEVINFRAINFO03, not eks.devinfra.info in zone Z0OTHERACCOUNT9: another account\'s devinfra',
      },
    ]);
    expect(adoptLegacy(env, OTHER_PROD)).toEqual([]);
    expect(existsSync(legacyPath(env, 'shift'))).toBe(true);
    expect(observeOperations(env, OTHER_PROD)).toEqual({ found: [], unreadable: [] });
    // Its own platform's next command moves it.
    adoptLegacy(env, PROD);
    expect(existsSync(journalPath(env, 'shift', PROD))).toBe(true);
  });

  it('an unreadable one is refused by name (and shown by status as unreadable)', () => {
    const env = state();
    put(legacyPath(env, 'switch'), '{ half a journ');
    expect(() => adoptLegacy(env, PROD)).toThrow(`the switch journal ${legacyPath(env, 'switch')} (the previous layout) is unusable: it is not JSON`);
    expect(observeOperations(env, PROD).unreadable.map((u) => u.path)).toEqual([legacyPath(env, 'switch')]);
  });

  it('one a live earlier bascule holds is refused, naming its lock', () => {
    const env = state();
    put(legacyPath(env, 'shift'), readRepoFile('test/golden/shift-journal.v2.json'));
    // The test runner's parent process: alive, on this host, not this process.
    put(`${legacyPath(env, 'shift')}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-03-01T10:00:00.000Z' }));
    expect(() => adoptLegacy(env, PROD)).toThrow(new RegExp(`an earlier bascule \\(pid ${process.ppid} on .*\\) holds ${legacyPath(env, 'shift')}\\.lock: it runs an operation on the previous layout's journal`));
    expect(existsSync(journalPath(env, 'shift', PROD))).toBe(false);
    // A lock whose process died is no obstacle (and goes with the journal).
    put(`${legacyPath(env, 'shift')}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    adoptLegacy(env, PROD);
    expect(existsSync(`${legacyPath(env, 'shift')}.lock`)).toBe(false);
  });

  it('a journal at both places is refused, naming both files; neither is changed', () => {
    const env = state();
    put(legacyPath(env, 'shift'), readRepoFile('test/golden/shift-journal.v2.json'));
    put(journalPath(env, 'shift', PROD), readRepoFile('test/golden/shift-journal.json'));
    expect(() => adoptLegacy(env, PROD)).toThrow(`two shift journals of devinfra (account ${ACCOUNT}): ${legacyPath(env, 'shift')} (the previous layout) and ${journalPath(env, 'shift', PROD)}`);
    expect(readFileSync(legacyPath(env, 'shift'), 'utf8')).toBe(readRepoFile('test/golden/shift-journal.v2.json'));
  });

  it('a journal of version 2 named with --journal is refused by name, with where to put it', () => {
    const env = state();
    const elsewhere = join(env.XDG_STATE_HOME as string, 'copy.json');
    put(elsewhere, readRepoFile('test/golden/shift-journal.v2.json'));
    expect(() => readShiftJournal(elsewhere)).toThrow(`the weighted shift journal ${elsewhere} is unusable: it is a journal of version 2, written by an earlier bascule (the previous layout: one file per platform name, no account)`);
    try {
      readShiftJournal(elsewhere);
    } catch (error) {
      expect((error as { hint?: string }).hint).toMatch(/bascule\/shift-<platform>\.json\) into its account's directory on the platform's next switch: put it back there and run that command without --journal/);
    }
    // adoptJournals leaves --journal's file alone.
    const notes: string[] = [];
    adoptJournals(env, PROD, elsewhere, (l) => notes.push(l));
    expect(notes).toEqual([]);
  });
});
