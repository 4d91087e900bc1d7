/**
 * The weighted shift's plan against the unit world: one verdict for one fact
 * (orphans, left alone, the apex), refusals as data before the lock and the
 * journal (an oversized batch, an unwatched name, an orphan), names in the
 * normal form, exactly one operator, and the recovery of a lost shift.
 */
import { describe, expect, it } from 'vitest';
import type { ShiftOutcome } from '../../src/shift/operation.js';
import { planText } from '../../src/shift/present.js';
import { LB, lockValue, newWorld, OWNER, reg, setsAt, shift, snapshot, ZONE, type World } from '../support/shift-fakes.js';

const START = { to: 'green', weights: '10,50,100', apply: true, allowOrphan: ['blog.devinfra.local'] };
const PLAN = { to: 'green', weights: '10,50,100', allowOrphan: ['blog.devinfra.local'] };
const ran = (r: ShiftOutcome | Error) => {
  if (r instanceof Error) throw r;
  return r;
};
const plan = async (w: World, flags: Record<string, unknown> = PLAN) => {
  const r = ran(await shift(w, flags));
  if (r.kind !== 'plan' && r.kind !== 'refused') throw new Error(`not a plan: ${r.kind}`);
  return r.plan;
};
const unchanged = (w: World, before: string[]) => {
  expect(snapshot(w)).toEqual(before);
  expect(lockValue(w)).toBeUndefined();
  expect(w.journal).toBeUndefined();
};

describe('the plan: one verdict per name', () => {
  it('converts blue\'s names served by both colours (the apex too); leaves foreign, hand-made and unreadable names alone, named; an orphan refused unless allowed', async () => {
    const w = newWorld();
    w.r53.put(ZONE.local, { name: 'secret.devinfra.local', type: 'CNAME', ttl: 300, values: ['x.example.com'] }, { name: 'cname-secret.devinfra.local', type: 'TXT', ttl: 300, values: ['"encrypted:AAAA"'] });
    const p = await plan(w);
    expect(Object.fromEntries(p.verdicts.map((v) => [v.name.name, v.action]))).toEqual({
      'devinfra.local': 'converts',
      'blog.devinfra.local': 'orphan',
      'foreign.devinfra.local': 'left-alone',
      'hand.devinfra.local': 'left-alone',
      'hello.devinfra.local': 'converts',
      'secret.devinfra.local': 'left-alone',
      'www.devinfra.fr': 'converts',
    });
    expect(p.refusals).toEqual([]);
    const text = planText(p, '/state/shift.json', undefined);
    expect(text).toMatch(/foreign\.devinfra\.local\s+CNAME\s+left-alone\s+-\s+owned by someone-else: not this platform's live ExternalDNS: left alone, never converted/);
    expect(text).toMatch(/hand\.devinfra\.local\s+A\s+left-alone\s+-\s+no ExternalDNS registry entry \(hand-made\): left alone/);
    expect(text).toMatch(/secret\.devinfra\.local\s+CNAME\s+left-alone\s+-\s+its registry entry cannot be read/);
    expect(text).toMatch(/blog\.devinfra\.local\s+A\s+orphan\s+-\s+not served by both colours: .*left on blue \(--allow-orphan\)/);
    const refused = ran(await shift(w, { ...START, allowOrphan: [] }));
    expect(refused.kind).toBe('refused');
    expect((refused as unknown as { plan: { refusals: { text: string }[] } }).plan.refusals.map((r) => r.text)).toEqual([
      expect.stringMatching(/^a production name is not served by both colours: blog\.devinfra\.local \(not served by both colours: blog\.eks-green\.devinfra\.local does not exist\)\. .*--allow-orphan blog\.devinfra\.local$/),
    ]);
  });

  it('a green record its cluster-scoped ExternalDNS does not own (stale) serves nothing: the name is an orphan, as for the plain switch', async () => {
    const w = newWorld();
    w.r53.put(ZONE.local, { name: 'a-hello.eks-green.devinfra.local', type: 'TXT', ttl: 300, values: [reg('someone-else')] });
    const p = await plan(w);
    expect(p.verdicts.find((v) => v.name.name === 'hello.devinfra.local')).toMatchObject({ action: 'orphan', reason: expect.stringMatching(/hello\.eks-green\.devinfra\.local exists but is not owned by ingress-eks-green\.devinfra\.local/) });
  });

  it('a name already owned by green\'s live ExternalDNS is left as it is', async () => {
    const w = newWorld();
    w.r53.put(ZONE.local, { name: 'a-hello.devinfra.local', type: 'TXT', ttl: 300, values: [reg(OWNER.green)] });
    const p = await plan(w);
    expect(p.verdicts.find((v) => v.name.name === 'hello.devinfra.local')?.action).toBe('moved');
    expect(p.shifted.map((n) => n.name)).toEqual(['devinfra.local', 'www.devinfra.fr']);
  });
});

describe('refused in the plan, before the lock and the journal', () => {
  it('a conversion that does not fit one Route53 batch', async () => {
    const w = newWorld();
    for (let i = 0; i < 300; i++) {
      const label = `n${i}-${'x'.repeat(40)}`;
      w.r53.put(ZONE.fr, { name: `${label}.devinfra.fr`, type: 'CNAME', ttl: 60, values: [LB.blue] }, { name: `cname-${label}.devinfra.fr`, type: 'TXT', ttl: 300, values: [reg('live-eks-blue.devinfra.fr')] });
      for (const c of ['blue', 'green'] as const) w.r53.put(ZONE.fr, { name: `${label}.eks-${c}.devinfra.fr`, type: 'CNAME', ttl: 60, values: [LB[c]] }, { name: `cname-${label}.eks-${c}.devinfra.fr`, type: 'TXT', ttl: 300, values: [reg(`ingress-eks-${c}.devinfra.fr`)] });
    }
    const before = snapshot(w);
    const r = ran(await shift(w, START));
    expect(r.kind).toBe('refused');
    const texts = (r as unknown as { plan: { refusals: { kind: string; text: string }[] } }).plan.refusals.filter((x) => x.kind === 'oversize').map((x) => x.text);
    expect(texts[0]).toMatch(/^the conversion: zone Z0DEVINFRAFR02: 1204 changes \(\d+ records, \d+ characters\) do not fit one Route53 batch \(1000 records, 32000 characters\)$/);
    unchanged(w, before);
  });

  it('a name no signal can watch (green points it at an address), unless --allow-unwatched names it (in any spelling)', async () => {
    const w = newWorld();
    w.r53.put(ZONE.local, { name: 'café.devinfra.local', type: 'A', ttl: 60, values: ['10.0.1.7'] }, { name: 'a-café.devinfra.local', type: 'TXT', ttl: 300, values: [reg(OWNER.blue)] });
    for (const c of ['blue', 'green'] as const) w.r53.put(ZONE.local, { name: `café.eks-${c}.devinfra.local`, type: 'A', ttl: 60, values: [c === 'blue' ? '10.0.1.7' : '10.0.2.7'] }, { name: `a-café.eks-${c}.devinfra.local`, type: 'TXT', ttl: 300, values: [reg(`ingress-eks-${c}.devinfra.local`)] });
    const before = snapshot(w);
    const r = ran(await shift(w, START));
    expect(r.kind).toBe('refused');
    expect((r as unknown as { plan: { refusals: { text: string }[] } }).plan.refusals.map((x) => x.text)).toEqual([
      'no failure signal can watch café.devinfra.local (green: 10.0.2.7 is no load balancer of the region (a plain address, or a load balancer elsewhere): no signal can watch it): a stage would move traffic there blind. Point green\'s record at a load balancer of the region, or accept it with --allow-unwatched café.devinfra.local',
    ]);
    unchanged(w, before);
    const p = await plan(w, { ...PLAN, allowUnwatched: ['CAFÉ.DEVINFRA.LOCAL.'] });
    expect(p.refusals).toEqual([]);
    expect(p.watches.find((x) => x.name === 'café.devinfra.local')?.loadBalancers).toEqual([]);
    expect(p.signals.map((s) => s.name)).toEqual(['k8s-green-web']);
    expect(ran(await shift(w, { ...START, allowUnwatched: ['café.devinfra.local'] }))).toMatchObject({ outcome: 'completed' });
    expect(setsAt(w, 'café.devinfra.local').find((s) => s.type === 'A')?.values).toEqual(['10.0.2.7']);
  });
});

describe('one operator at a time, and the recovery of a lost shift', () => {
  it('two runs on one machine: the second is refused by the journal lock; another machine by the lock record', async () => {
    const w = newWorld();
    const [a, b] = await Promise.all([shift(w, { ...START, pause: true }), shift(w, { ...START, pause: true })]);
    const outcomes = [a, b].map((r) => (r instanceof Error ? r.message : r.kind));
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
    expect(outcomes.find((o) => o !== 'ran')).toMatch(/another bascule is running an operation on this platform right now|a weighted shift is unfinished/);
    const other = newWorld();
    other.r53 = w.r53;
    const r = await shift(other, START);
    expect((r as Error).message).toMatch(/another bascule holds the cut-over lock of devinfra: .* for the weighted shift blue -> green at step stage-1-hold/);
  });

  it('a holder whose lock was broken stops at its next step', async () => {
    const w = newWorld();
    ran(await shift(w, { ...START, pause: true }));
    const lock = setsAt(w, '_bascule-lock.eks.devinfra.info')[0]!;
    await w.r53.change(ZONE.info, [{ action: 'DELETE', set: lock }, { action: 'CREATE', set: { ...lock, values: ['"bascule-lock v=2 platform=devinfra kind=switch op=switch from=blue to=green step=dns by=bob@elsewhere pid=7 since=x id=beef sha=-"'] } }], 'someone broke it');
    const r = await shift(w, { resume: true });
    expect((r as Error).message).toMatch(/another bascule holds the cut-over lock of devinfra: bob@elsewhere/);
  });

  it('the holder\'s machine lost: --weights 100 --break-lock plans from production (pairs at 50), takes it to green whole and settles', async () => {
    const lost = newWorld();
    ran(await shift(lost, { ...START, pause: true }));
    ran(await shift(lost, { resume: true }));
    const w = newWorld();
    w.r53 = lost.r53;
    w.replicas = lost.replicas;
    const p = await plan(w, { to: 'green', weights: '100', breakLock: true, allowOrphan: ['blog.devinfra.local'] });
    expect(p.recovering).toBe(true);
    expect(p.startShare).toBe(50);
    expect(p.verdicts.filter((v) => v.action === 'shifts').map((v) => v.name.name)).toEqual(['devinfra.local', 'hello.devinfra.local', 'www.devinfra.fr']);
    const r = ran(await shift(w, { to: 'green', weights: '100', apply: true, breakLock: true, allowOrphan: ['blog.devinfra.local'] }));
    expect(r).toMatchObject({ kind: 'ran', outcome: 'completed' });
    expect(w.out.some((l) => /broke the cut-over lock held by .* for the weighted shift blue -> green at step stage-2-hold/.test(l))).toBe(true);
    expect(setsAt(w, 'a-hello.devinfra.local')[0]?.values?.[0]).toContain(`owner=${OWNER.green}`);
    expect(w.journal).toMatchObject({ state: 'completed', recovery: { broke: expect.stringMatching(/stage-2-hold/) } });
    expect(lockValue(w)).toBeUndefined();
  });
});
