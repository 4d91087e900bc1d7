/**
 * The weighted shift's rollback and its evidence against the unit world: at
 * once and stage by stage, before and after the settle, a rollback killed
 * after each of its writes and continued; a journal is evidence, never an
 * order (edited journal, Route53 changed under it, a changed platform file,
 * a journal of version 1: each refused by name, nothing changed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readShiftJournal } from '../../src/cutover/journals.js';
import { cutoverKind } from '../../src/cutover/dispatch.js';
import type { ShiftOutcome } from '../../src/shift/operation.js';
import { LB, LIVE, lockValue, newWorld, setsAt, shift, snapshot, ZONE, type World } from '../support/shift-fakes.js';
import { tempDirs } from '../support/text.js';

const START = { to: 'green', weights: '10,50,100', apply: true, allowOrphan: ['blog.devinfra.local'] };
const ran = (r: ShiftOutcome | Error) => {
  if (r instanceof Error) throw r;
  return r;
};
const writesOn = (w: World, name: string) => w.calls.flatMap((c) => [...c.matchAll(new RegExp(`UPSERT ${name.replace(/\./g, '\\.')} \\w+\\[(\\w+) (\\d+)\\]`, 'g'))].map((m) => `${m[1]} ${m[2]}`));
const tempDir = tempDirs('bascule-shift-journal-');

/** A shift paused at 50% (stages 10, 50, 100; flipped at 50). */
async function pausedAt50(): Promise<{ w: World; initial: string[] }> {
  const w = newWorld();
  const initial = snapshot(w);
  ran(await shift(w, { ...START, flipAt: '50', pause: true }));
  ran(await shift(w, { resume: true }));
  expect(w.journal).toMatchObject({ state: 'paused', share: 50, flipped: true });
  return { w, initial };
}

function expectAsBefore(w: World, initial: string[]) {
  expect(snapshot(w)).toEqual(initial);
  expect(lockValue(w)).toBeUndefined();
  expect(w.replicas.blue).toEqual({ [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 });
  expect(w.replicas.green).toEqual({ [LIVE[0] as string]: 0, [LIVE[1] as string]: 0 });
  expect(w.journal).toMatchObject({ state: 'rolled-back', flipped: false });
  expect(w.violations).toEqual([]);
}

describe('--rollback', () => {
  it('at once, before the settle: the records, their registry entries, the API record and the TXT exactly as before, one batch per zone; blue started again', async () => {
    const { w, initial } = await pausedAt50();
    const calls = w.calls.length;
    expect(ran(await shift(w, { rollback: true }))).toMatchObject({ outcome: 'rolled-back' });
    expectAsBefore(w, initial);
    const writes = w.calls.slice(calls).filter((c) => c.startsWith('change') && !c.includes('_bascule-lock'));
    expect(writes).toHaveLength(3); // devinfra.local (names + API record), devinfra.fr, devinfra.info (TXT)
    expect(w.calls).not.toContain('live: blue'); // the shift had not recorded live: green
  });

  it('--gradual steps down through the stages, blue raised first, the flip undone below its stage, each held one TTL', async () => {
    const { w, initial } = await pausedAt50();
    const [calls, t] = [w.calls.length, w.clock.now];
    expect(ran(await shift(w, { rollback: true, gradual: true }))).toMatchObject({ outcome: 'rolled-back' });
    const after = w.calls.slice(calls);
    expect(writesOn({ ...w, calls: after }, 'www.devinfra.fr')).toEqual(['blue 90', 'green 10', 'blue 100', 'green 0']);
    const unflip = after.findIndex((c) => c.includes('UPSERT api.devinfra.local CNAME'));
    expect(unflip).toBeGreaterThan(-1);
    expect(unflip).toBeLessThan(after.findIndex((c) => c.includes('[blue 90]')));
    expect(w.clock.now - t).toBeGreaterThanOrEqual(2 * 300_000);
    expectAsBefore(w, initial);
  });

  it('after the settle: green\'s live ExternalDNS stopped, production restored exactly, blue started, live: blue recorded', async () => {
    const w = newWorld();
    const initial = snapshot(w);
    ran(await shift(w, START));
    expect(ran(await shift(w, { rollback: true }))).toMatchObject({ outcome: 'rolled-back' });
    expectAsBefore(w, initial);
    expect(w.calls.filter((c) => c.startsWith('live:'))).toEqual(['live: green', 'live: blue']);
    const rollback = w.calls.slice(w.calls.indexOf('live: green'));
    expect(rollback.findIndex((c) => c === `scale green ${LIVE[0]} 0`)).toBeLessThan(rollback.findIndex((c) => c.includes('UPSERT hello.devinfra.local A')));
  });

  it('--gradual after the settle is refused: no weights are left to step down; it says what to run instead', async () => {
    const w = newWorld();
    ran(await shift(w, START));
    const r = await shift(w, { rollback: true, gradual: true });
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(/--gradual steps back through the stages, but the weighted shift blue -> green is settled/);
    expect((r as { hint?: string }).hint).toMatch(/bascule switch --rollback .*; or move back in stages with a new shift: bascule switch --to blue --weights 10,50,100/);
  });

  it('killed after any of its writes, the rollback continues and ends exactly as before', async () => {
    const probe = await pausedAt50();
    const start = probe.w.changes;
    ran(await shift(probe.w, { rollback: true }));
    const total = probe.w.changes - start;
    for (let n = 1; n <= total; n++) {
      const { w, initial } = await pausedAt50();
      w.killAt = w.changes + n;
      await shift(w, { rollback: true });
      w.killAt = undefined;
      if (w.journal?.state !== 'rolled-back') expect(ran(await shift(w, { rollback: true })), `kill at ${n}`).toMatchObject({ outcome: 'rolled-back' });
      expect(snapshot(w), `kill at ${n}`).toEqual(initial);
    }
  }, 60_000);
});

describe('a journal is evidence, never an order', () => {
  it('an edited before (the journal no longer matches the digest its lock record holds) is refused; nothing changes', async () => {
    const { w } = await pausedAt50();
    const j = structuredClone(w.journal)!;
    const www = j.before.names.find((n) => n.name === 'www.devinfra.fr')!;
    (www.sets as unknown as { values: string[] }[])[0]!.values = ['evil.example.com'];
    w.journal = j;
    const held = snapshot(w);
    const r = await shift(w, { rollback: true });
    expect((r as Error).message).toMatch(/^the journal \/state\/bascule\/shift-devinfra\.json does not match the evidence its lock record in Route53 holds \(_bascule-lock\.eks\.devinfra\.info: sha [0-9a-f]{16}, the journal's [0-9a-f]{16}\)/);
    expect(snapshot(w)).toEqual(held);
  });

  it('Route53 changed under it: the rollback writes nothing and names each record and what the shift left', async () => {
    const { w } = await pausedAt50();
    const pair = setsAt(w, 'www.devinfra.fr').find((s) => s.setIdentifier === 'green')!;
    w.r53.put(ZONE.fr, { ...pair, values: ['evil.example.com'] });
    const held = snapshot(w);
    const r = await shift(w, { rollback: true });
    expect((r as Error).message).toMatch(/^the rollback of the weighted shift stopped at restore: Route53 does not hold what the shift left at a name, so the rollback writes nothing:\n {2}- www\.devinfra\.fr \(zone Z0DEVINFRAFR02\): Route53 holds .*www\.devinfra\.fr CNAME evil\.example\.com.*; the shift left its records of before the shift, the weighted pair at green 50 \/ blue 50/);
    expect((r as { hint?: string }).hint).toMatch(/continue it: bascule switch --rollback/);
    expect(snapshot(w)).toEqual(held);
    expect(w.journal).toMatchObject({ state: 'rollback-failed' });
  });

  it('a journal edited after the shift completed (its lock released) is checked against what blue serves: refused, nothing written', async () => {
    const w = newWorld();
    ran(await shift(w, START));
    const j = structuredClone(w.journal)!;
    (j.before.names.find((n) => n.name === 'www.devinfra.fr')!.sets as unknown as { values: string[]; ttl: number }[])[0] = { name: 'www.devinfra.fr', type: 'CNAME', ttl: 86400, values: ['evil.example.com'] } as never;
    w.journal = j;
    const held = snapshot(w);
    const r = await shift(w, { rollback: true });
    expect((r as Error).message).toMatch(/www\.devinfra\.fr: the journal's records of before target evil\.example\.com, but blue's own record targets k8s-blue-web-1/);
    expect(snapshot(w)).toEqual(held);
    expect(setsAt(w, 'www.devinfra.fr')[0]?.values).toEqual([LB.green]);
  });

  it('a platform file changed since the start is refused by --resume and --rollback, naming the change', async () => {
    const { w } = await pausedAt50();
    w.platformText = 'name: devinfra\nlive: blue\n# edited\n';
    for (const flags of [{ resume: true }, { rollback: true }]) {
      const r = await shift(w, flags);
      expect((r as Error).message).toMatch(/^the platform file .*platform\.yaml changed since the weighted shift blue -> green started \(journal \/state\/bascule\/shift-devinfra\.json\):\n {2}- the file's text \(sha256 /);
    }
  });

  it('a journal of version 1 is refused by name, with what to do; --resume and --rollback go to the shift, which says so', () => {
    const dir = tempDir();
    const state = join(dir, 'bascule');
    mkdirSync(state, { recursive: true });
    const path = join(state, 'shift-devinfra.json');
    writeFileSync(path, JSON.stringify({ kind: 'weighted-shift', version: 1, platform: 'devinfra', from: 'blue', to: 'green', stages: [10, 100], before: [], events: [], state: 'paused' }));
    expect(() => readShiftJournal(path)).toThrow(/the weighted shift journal .*shift-devinfra\.json is unusable: it is a weighted-shift journal of version 1, written by an earlier bascule, which this one neither resumes nor rolls back/);
    try {
      readShiftJournal(path);
    } catch (error) {
      expect((error as { hint: string }).hint).toMatch(/bascule switch --to COLOUR --weights 100 --break-lock --apply/);
    }
    writeFileSync(join(dir, 'platform.yaml'), 'name: devinfra\n');
    const io = { env: { XDG_STATE_HOME: dir }, cwd: new URL('../..', import.meta.url).pathname };
    expect(cutoverKind({ resume: true, config: 'examples/platform.yaml' }, io)).toBe('shift');
  });
});
