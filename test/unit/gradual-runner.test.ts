/**
 * The weighted shift's run against the unit world (test/support/shift-fakes.ts:
 * Route53 in memory with Route53's rules, both clusters' live ExternalDNS, a
 * resolver, ELBv2 and CloudWatch answers, a fake clock): stage order, never
 * 0/0, each name resolving in every zone state Route53 passes through, the
 * hold (TTL and --hold), the flip, a revert, pause and resume, the settle and
 * the fence, and a run killed after each of its Route53 writes, then resumed.
 */
import { describe, expect, it } from 'vitest';
import type { ShiftOutcome } from '../../src/shift/operation.js';
import { LB, LIVE, lockValue, newWorld, OWNER, OWNER_FR, setsAt, shift, snapshot, T0, type World } from '../support/shift-fakes.js';

const START = { to: 'green', weights: '10,50,100', apply: true, allowOrphan: ['blog.devinfra.local'] };
const ran = (r: ShiftOutcome | Error) => {
  if (r instanceof Error) throw r;
  return r;
};
/** The (colour weight) writes on one name, in order. */
const writesOn = (w: World, name: string) => w.calls.flatMap((c) => [...c.matchAll(new RegExp(`UPSERT ${name.replace(/\./g, '\\.')} \\w+\\[(\\w+) (\\d+)\\]`, 'g'))].map((m) => `${m[1]} ${m[2]}`));

async function completed(): Promise<World> {
  const w = newWorld();
  expect(ran(await shift(w, START))).toMatchObject({ kind: 'ran', outcome: 'completed' });
  return w;
}

describe('a weighted shift against the unit world', () => {
  it('stops blue first, converts, raises green before lowering blue at each stage, never 0/0, every name resolving in every zone state', async () => {
    const w = await completed();
    expect(w.violations).toEqual([]);
    expect(writesOn(w, 'www.devinfra.fr')).toEqual(['green 10', 'blue 90', 'green 50', 'blue 50', 'green 100', 'blue 0']);
    const firstProductionWrite = w.calls.findIndex((c) => c.includes('www.devinfra.fr') || c.includes('hello.devinfra.local'));
    expect(w.calls.slice(0, firstProductionWrite).filter((c) => c.startsWith('scale'))).toEqual([`scale blue ${LIVE[0]} 0`, `scale blue ${LIVE[1]} 0`]);
    // the states Route53 went through at devinfra.local | hello | www, deduplicated
    const states = w.states.filter((s, i) => s !== w.states[i - 1]);
    expect(states[0]).toBe('A | A | CNAME');
    expect(states).toContain('A[blue 100],A[green 0] | A[blue 100],A[green 0] | CNAME[blue 100],CNAME[green 0]');
    expect(states.at(-1)).toBe('A | A | CNAME');
  });

  it('settles: production is green\'s simple records owned by green\'s live ExternalDNS; blue fenced; what is not blue\'s is untouched', async () => {
    const before = snapshot(newWorld());
    const w = await completed();
    expect(setsAt(w, 'hello.devinfra.local')).toEqual([{ name: 'hello.devinfra.local', type: 'A', alias: { zoneId: 'Z3Q77PNBQS71R4', dnsName: `dualstack.${LB.green}`, evaluateTargetHealth: true } }]);
    expect(setsAt(w, 'a-hello.devinfra.local')[0]?.values).toEqual([`"heritage=external-dns,external-dns/owner=${OWNER.green},external-dns/resource=ingress/web/hello"`]);
    expect(setsAt(w, 'www.devinfra.fr')).toEqual([{ name: 'www.devinfra.fr', type: 'CNAME', ttl: 60, values: [LB.green] }]);
    expect(setsAt(w, 'cname-www.devinfra.fr')[0]?.values?.[0]).toContain(`owner=${OWNER_FR.green}`);
    // the apex is a production name like any other
    expect(setsAt(w, 'a-devinfra.local')[0]?.values?.[0]).toContain(`owner=${OWNER.green}`);
    for (const untouched of ['blog.devinfra.local', 'a-blog.devinfra.local', 'foreign.devinfra.local', 'cname-foreign.devinfra.local', 'hand.devinfra.local']) {
      expect(snapshot(w).filter((s) => JSON.parse(s).name === untouched), untouched).toEqual(before.filter((s) => JSON.parse(s).name === untouched));
    }
    expect(w.replicas).toEqual({ blue: { [LIVE[0] as string]: 0, [LIVE[1] as string]: 0 }, green: { [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 } });
    expect(w.out).toContain(`      the fence: blue's live ExternalDNS stopped (${LIVE.join(', ')}), owning no shifted name`);
    expect(w.calls).toContain('live: green');
    expect(lockValue(w)).toBeUndefined();
    expect(w.journal).toMatchObject({ version: 2, state: 'completed', at: null, share: 100, flipped: true, liveRecorded: true, lock: null, settledZones: ['Z0DEVINFRALOCAL01', 'Z0DEVINFRAFR02'] });
    expect(Date.parse(w.journal?.updatedAt as string)).toBe(w.clock.now);
  });

  it('holds each stage one TTL (the longest of the shifted names: 300 s), or --hold when longer', async () => {
    const ttl = await completed();
    expect(ttl.clock.now - T0).toBe(3 * 300_000);
    const w = newWorld();
    ran(await shift(w, { ...START, hold: '10m' }));
    expect(w.clock.now - T0).toBe(3 * 600_000);
  });

  it('--flip-at 50: the API record and the TXT move once, after stage 50 is read back, before stage 100', async () => {
    const w = newWorld();
    ran(await shift(w, { ...START, flipAt: '50' }));
    const at = (re: RegExp) => w.out.findIndex((l) => re.test(l));
    expect(at(/the API record and the TXT now name green/)).toBeGreaterThan(at(/Route53 holds green 50 \/ blue 50/));
    expect(at(/the API record and the TXT now name green/)).toBeLessThan(at(/stage 3\/3: green 100%/));
    expect(w.out.filter((l) => /the API record and the TXT now name/.test(l))).toHaveLength(1);
  });

  it('a failing signal reverts by itself (blue raised first), the flip undone below its stage; --resume retries the stage', async () => {
    const w = newWorld();
    ran(await shift(w, { ...START, flipAt: '50', pause: true }));
    w.metrics = { requests: 100, errors: 60 };
    const r = ran(await shift(w, { resume: true }));
    expect(r).toMatchObject({ kind: 'ran', outcome: 'reverted' });
    expect(writesOn(w, 'www.devinfra.fr').slice(-4)).toEqual(['green 50', 'blue 50', 'blue 90', 'green 10']);
    expect(setsAt(w, 'api.devinfra.local')[0]?.values?.[0]).toMatch(/^a1b2/);
    expect(w.journal).toMatchObject({ state: 'reverted', share: 10, flipped: false, revert: { stage: 1, to: 10 } });
    expect(w.journal?.revert?.reasons[0]).toMatch(/k8s-green-web answered 60 5XX of 100 requests/);
    expect(lockValue(w)).toMatch(/kind=shift op=shift from=blue to=green step=stage-2-revert /);
    expect(w.violations).toEqual([]);
    w.metrics = { requests: 100, errors: 0 };
    expect(ran(await shift(w, { resume: true }))).toMatchObject({ outcome: 'paused' });
    expect(ran(await shift(w, { resume: true }))).toMatchObject({ outcome: 'completed' });
  });

  it('--pause stops after each stage but the last, the lock kept and naming the step; --resume promotes', async () => {
    const w = newWorld();
    expect(ran(await shift(w, { ...START, pause: true }))).toMatchObject({ outcome: 'paused' });
    expect(w.journal).toMatchObject({ state: 'paused', share: 10, stagesDone: 1 });
    expect(lockValue(w)).toMatch(/^"bascule-lock v=2 platform=devinfra kind=shift op=shift from=blue to=green step=stage-1-hold /);
    expect(ran(await shift(w, { resume: true }))).toMatchObject({ outcome: 'paused' });
    expect(w.journal).toMatchObject({ share: 50 });
    expect(ran(await shift(w, { resume: true }))).toMatchObject({ outcome: 'completed' });
    expect(w.violations).toEqual([]);
  });
});

describe('a run killed after any of its Route53 writes, then resumed', () => {
  it('ends exactly as an uninterrupted run, every name resolving and never 0/0 throughout', async () => {
    const whole = await completed();
    const total = whole.changes;
    const expected = snapshot(whole);
    expect(total).toBeGreaterThan(20);
    for (let n = 1; n <= total; n++) {
      const w = newWorld();
      w.killAt = n;
      const first = await shift(w, START);
      expect(first instanceof Error || first.kind === 'failed', `kill at ${n}`).toBe(true);
      w.killAt = undefined;
      // Killed at the last write (the lock's release): the journal already says completed.
      if (w.journal?.state === 'completed') expect(n).toBe(total);
      let r = w.journal?.state === 'completed' ? { kind: 'ran', outcome: 'completed' } : w.journal ? await shift(w, { resume: true }) : await shift(w, { ...START, breakLock: true });
      if (!(r instanceof Error) && r.kind === 'ran' && r.outcome === 'paused') r = await shift(w, { resume: true });
      expect(r instanceof Error ? r.message : r, `kill at ${n}`).toMatchObject({ kind: 'ran', outcome: 'completed' });
      expect(snapshot(w), `kill at ${n}`).toEqual(expected);
      expect(lockValue(w), `kill at ${n}`).toBeUndefined();
      expect(w.violations, `kill at ${n}`).toEqual([]);
    }
  }, 120_000);
});
