/**
 * The weighted shift's pure core and runner against an in-memory Route53
 * that checks batches as Route53 does (atomic; exact DELETE; CREATE of an
 * existing set refused; simple and weighted sets never at one name; a CNAME
 * alone at its name), under a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { newShiftJournal, resumable, type ShiftJournal } from '../../src/cutover/shift-journal.js';
import { conversionBatches, inventory, restoreBatches, weightsDiffer, type Change, type Domains, type RecordSet } from '../../src/shift/production.js';
import { rollbackShift, runShift, type ShiftPorts, type ShiftSettings } from '../../src/shift/runner.js';
import type { Observation } from '../../src/shift/signals.js';
import { DEFAULT_THRESHOLDS } from '../../src/shift/weights.js';

type Zoned = RecordSet & { zoneId: string };
const FR = 'ZFR';
const LOCAL = 'ZLOCAL';
const MIN = 60_000;
const T0 = Date.parse('2026-11-30T21:00:00Z');
const REG = (owner: string) => [`"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=service/web/www"`];

const DOMAINS: Domains = {
  shared: [
    { name: 'devinfra.local', zoneId: LOCAL },
    { name: 'devinfra.fr', zoneId: FR },
  ],
  colours: {
    blue: [
      { name: 'eks-blue.devinfra.local', zoneId: LOCAL },
      { name: 'eks-blue.devinfra.fr', zoneId: FR },
    ],
    green: [
      { name: 'eks-green.devinfra.local', zoneId: LOCAL },
      { name: 'eks-green.devinfra.fr', zoneId: FR },
    ],
  },
  exclude: ['api.devinfra.local'],
};

function platformRecords(): Zoned[] {
  const alias = (dnsName: string) => ({ zoneId: 'ZELB', dnsName, evaluateTargetHealth: true });
  return [
    // production, written by blue's live ExternalDNS (alias to blue's ALB), with its registry entries
    { zoneId: FR, name: 'www.devinfra.fr', type: 'A', alias: alias('dualstack.k8s-blue-web-1.eu-west-3.elb.amazonaws.com') },
    { zoneId: FR, name: 'www.devinfra.fr', type: 'AAAA', alias: alias('dualstack.k8s-blue-web-1.eu-west-3.elb.amazonaws.com') },
    { zoneId: FR, name: 'a-www.devinfra.fr', type: 'TXT', ttl: 300, values: REG('live.eks-blue.devinfra.fr') },
    { zoneId: FR, name: 'aaaa-www.devinfra.fr', type: 'TXT', ttl: 300, values: REG('live.eks-blue.devinfra.fr') },
    { zoneId: FR, name: 'shop.devinfra.fr', type: 'CNAME', ttl: 300, values: ['k8s-blue-shop-1.eu-west-3.elb.amazonaws.com'] },
    { zoneId: FR, name: 'cname-shop.devinfra.fr', type: 'TXT', ttl: 300, values: REG('live.eks-blue.devinfra.fr') },
    // an orphan: only blue serves it
    { zoneId: FR, name: 'old.devinfra.fr', type: 'CNAME', ttl: 300, values: ['k8s-blue-old-1.eu-west-3.elb.amazonaws.com'] },
    // each colour's names
    { zoneId: FR, name: 'www.eks-blue.devinfra.fr', type: 'A', alias: alias('k8s-blue-web-1.eu-west-3.elb.amazonaws.com') },
    { zoneId: FR, name: 'www.eks-green.devinfra.fr', type: 'A', alias: alias('k8s-green-web-1.eu-west-3.elb.amazonaws.com') },
    { zoneId: FR, name: 'shop.eks-blue.devinfra.fr', type: 'CNAME', ttl: 60, values: ['k8s-blue-shop-1.eu-west-3.elb.amazonaws.com'] },
    { zoneId: FR, name: 'shop.eks-green.devinfra.fr', type: 'CNAME', ttl: 60, values: ['k8s-green-shop-1.eu-west-3.elb.amazonaws.com'] },
    { zoneId: FR, name: 'old.eks-blue.devinfra.fr', type: 'CNAME', ttl: 60, values: ['k8s-blue-old-1.eu-west-3.elb.amazonaws.com'] },
    // private zone: the stable API name (never weighted) and one internal name
    { zoneId: LOCAL, name: 'api.devinfra.local', type: 'CNAME', ttl: 60, values: ['blue.eks.example'] },
    { zoneId: LOCAL, name: 'api.eks-blue.devinfra.local', type: 'CNAME', ttl: 60, values: ['blue.eks.example'] },
    { zoneId: LOCAL, name: 'api.eks-green.devinfra.local', type: 'CNAME', ttl: 60, values: ['green.eks.example'] },
    { zoneId: LOCAL, name: 'grpc.devinfra.local', type: 'CNAME', ttl: 120, values: ['k8s-blue-grpc-1.elb.eu-west-3.amazonaws.com'] },
    { zoneId: LOCAL, name: 'grpc.eks-blue.devinfra.local', type: 'CNAME', ttl: 60, values: ['k8s-blue-grpc-1.elb.eu-west-3.amazonaws.com'] },
    { zoneId: LOCAL, name: 'grpc.eks-green.devinfra.local', type: 'CNAME', ttl: 60, values: ['k8s-green-grpc-1.elb.eu-west-3.amazonaws.com'] },
  ];
}

const key = (r: RecordSet) => `${r.name} ${r.type} ${r.setIdentifier ?? ''}`;
const same = (a: RecordSet, b: RecordSet) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));
const canon = (r: RecordSet) => ({ name: r.name, type: r.type, ttl: r.ttl, values: r.values ?? [], alias: r.alias, setIdentifier: r.setIdentifier, weight: r.weight });

/** An in-memory Route53 that refuses what Route53 refuses, and records every name/weight state it passes through. */
class FakeRoute53 {
  sets: Zoned[];
  batches: { zoneId: string; changes: readonly Change[]; comment: string }[] = [];
  zeroZero: string[] = [];
  unresolved: string[] = [];
  /** Names someone else keeps rewriting (a live ExternalDNS left running). */
  stuck = new Set<string>();
  constructor(sets: Zoned[]) {
    this.sets = sets.map((s) => ({ ...s }));
  }
  apply(zoneId: string, changes: readonly Change[], comment: string) {
    const next = [...this.sets];
    for (const c of changes) {
      const at = next.findIndex((s) => s.zoneId === zoneId && key(s) === key(c.set));
      if (c.action === 'DELETE') {
        if (at < 0 || !same(next[at] as RecordSet, c.set)) throw Object.assign(new Error(`InvalidChangeBatch: no such record set ${key(c.set)} (or its values differ)`), { name: 'InvalidChangeBatch' });
        next.splice(at, 1);
      } else if (c.action === 'CREATE') {
        if (at >= 0) throw Object.assign(new Error(`InvalidChangeBatch: ${key(c.set)} exists`), { name: 'InvalidChangeBatch' });
        next.push({ ...c.set, zoneId });
      } else if (!this.stuck.has(c.set.name)) {
        if (at >= 0) next.splice(at, 1, { ...c.set, zoneId });
        else next.push({ ...c.set, zoneId });
      }
    }
    for (const s of next) {
      const at = next.filter((o) => o.zoneId === s.zoneId && o.name === s.name);
      if (at.some((o) => o.type === s.type && (o.setIdentifier === undefined) !== (s.setIdentifier === undefined))) throw new Error(`InvalidChangeBatch: simple and weighted at ${s.name}`);
      if (s.type === 'CNAME' && at.some((o) => o.type !== 'CNAME')) throw new Error(`InvalidChangeBatch: CNAME beside another type at ${s.name}`);
    }
    this.sets = next;
    this.batches.push({ zoneId, changes, comment });
    for (const name of ['www.devinfra.fr', 'shop.devinfra.fr', 'grpc.devinfra.local']) {
      const at = next.filter((s) => s.name === name && s.type !== 'TXT');
      if (at.length === 0) this.unresolved.push(name);
      const weighted = at.filter((s) => s.setIdentifier !== undefined);
      if (weighted.length > 0 && weighted.every((s) => s.weight === 0)) this.zeroZero.push(`${name} after "${comment}"`);
    }
  }
  weights(name: string, type: string) {
    const at = this.sets.filter((s) => s.name === name && s.type === type && s.setIdentifier);
    return Object.fromEntries(at.map((s) => [s.setIdentifier, s.weight]));
  }
  /** The sequence of (colour, weight) writes on www.devinfra.fr A. */
  writes() {
    return this.batches.flatMap((b) => b.changes.filter((c) => c.action === 'UPSERT' && c.set.name === 'www.devinfra.fr' && c.set.type === 'A').map((c) => `${c.set.setIdentifier}=${c.set.weight}`));
  }
}

interface World {
  r53: FakeRoute53;
  ports: ShiftPorts;
  journal: () => ShiftJournal;
  flips: string[];
  clock: { now: number };
  progress: string[];
}

const SETTINGS: ShiftSettings = { ttlMs: 2 * MIN, verifyTimeoutMs: 5 * MIN, pollMs: 5000, signalPollMs: 15_000 };

function world(options: { r53?: FakeRoute53; signals?: (share: number, now: number) => Observation; killAt?: (what: string, n: number) => boolean; clock?: { now: number } } = {}): World {
  const r53 = options.r53 ?? new FakeRoute53(platformRecords());
  const clock = options.clock ?? { now: T0 };
  let saved = '';
  const flips: string[] = [];
  const progress: string[] = [];
  let calls = 0;
  const kill = (what: string) => {
    calls += 1;
    if (options.killAt?.(what, calls)) throw new Error(`killed at ${what} (${calls})`);
  };
  const healthy: Observation = { targets: [{ loadBalancer: 'k8s-green-web', target: 'i-1:80', state: 'healthy' }], counts: [{ loadBalancer: 'k8s-green-web', requests: 500, errors5xx: 0 }] };
  const ports: ShiftPorts = {
    read: async () => inventory(r53.sets, DOMAINS).names,
    apply: async (zoneId, changes, comment) => {
      kill('apply');
      r53.apply(zoneId, changes, comment);
    },
    signals: async () => {
      kill('signals');
      const share = r53.weights('www.devinfra.fr', 'A').green ?? 0;
      return options.signals?.(share, clock.now) ?? healthy;
    },
    flip: async () => void flips.push('flip'),
    unflip: async () => void flips.push('unflip'),
    writeJournal: (j) => void (saved = JSON.stringify(j)),
    now: () => clock.now,
    sleep: async (ms) => {
      kill('sleep');
      clock.now += ms;
    },
    progress: (e) => void progress.push(`${e.step}: ${e.state}`),
  };
  return { r53, ports, journal: () => JSON.parse(saved) as ShiftJournal, flips, clock, progress };
}

function plan(r53: FakeRoute53, options: Partial<Pick<ShiftJournal, 'stages' | 'flipAt' | 'holdMs' | 'pause'>> = {}): ShiftJournal {
  const inv = inventory(r53.sets, DOMAINS);
  return newShiftJournal({ platform: 'devinfra', from: 'blue', to: 'green', stages: [10, 50, 100], flipAt: 100, holdMs: 0, pause: false, thresholds: DEFAULT_THRESHOLDS, before: inv.names, startShare: 0, now: T0, owner: { pid: 1, host: 'test' }, ...options });
}

describe('weighted shift: the production inventory', () => {
  const inv = inventory(platformRecords(), DOMAINS);
  it('production names served by both colours move; the API record, TXT, colour names do not', () => {
    expect(inv.names.map((n) => `${n.name} ${n.type} ${n.now.kind}`)).toEqual(['grpc.devinfra.local CNAME simple', 'shop.devinfra.fr CNAME simple', 'www.devinfra.fr A simple', 'www.devinfra.fr AAAA simple']);
    expect(inv.names.find((n) => n.name === 'www.devinfra.fr')?.targets).toEqual({ blue: { name: 'www.eks-blue.devinfra.fr', zoneId: FR }, green: { name: 'www.eks-green.devinfra.fr', zoneId: FR } });
    expect(inv.blocked).toEqual([]);
  });
  it('names served by one colour only are listed as orphans', () => {
    expect(inv.orphans).toEqual([{ name: 'old.devinfra.fr', servedBy: 'blue', missing: 'old.eks-green.devinfra.fr' }]);
  });
  it('the TTL: the longest of the names (alias: 60 s)', () => {
    expect(inv.ttlSeconds).toBe(300);
  });
  it('the registry entries of each name are found (new format)', () => {
    const www = inv.names.find((n) => n.name === 'www.devinfra.fr' && n.type === 'A');
    expect(www?.now.kind === 'simple' && www.now.registry.map((r) => r.name)).toEqual(['a-www.devinfra.fr']);
  });
  it('weighted sets bascule did not write block the shift', () => {
    const records = platformRecords().filter((r) => r.name !== 'shop.devinfra.fr');
    records.push({ zoneId: FR, name: 'shop.devinfra.fr', type: 'CNAME', ttl: 60, values: ['a'], setIdentifier: 'canary', weight: 10 }, { zoneId: FR, name: 'shop.devinfra.fr', type: 'CNAME', ttl: 60, values: ['b'], setIdentifier: 'main', weight: 90 });
    expect(inventory(records, DOMAINS).blocked).toEqual(['shop.devinfra.fr (CNAME): weighted or routed record sets bascule did not write (set identifiers "canary", "main")']);
  });
});

describe('weighted shift: the one-time conversion', () => {
  it('one atomic batch per zone: each name resolves throughout, then holds blue 100 / green 0, registry entries gone', () => {
    const r53 = new FakeRoute53(platformRecords());
    const batches = conversionBatches(inventory(r53.sets, DOMAINS).names, 'blue');
    expect(batches.map((b) => b.zoneId)).toEqual([LOCAL, FR]);
    for (const b of batches) r53.apply(b.zoneId, b.changes, 'convert');
    expect(r53.unresolved).toEqual([]);
    expect(r53.weights('www.devinfra.fr', 'A')).toEqual({ blue: 100, green: 0 });
    expect(r53.weights('shop.devinfra.fr', 'CNAME')).toEqual({ blue: 100, green: 0 });
    expect(r53.sets.filter((s) => s.type === 'TXT').map((s) => s.name)).toEqual([]);
    const www = r53.sets.find((s) => s.name === 'www.devinfra.fr' && s.setIdentifier === 'green');
    expect(www?.alias).toEqual({ zoneId: FR, dnsName: 'www.eks-green.devinfra.fr', evaluateTargetHealth: true });
    const shop = r53.sets.find((s) => s.name === 'shop.devinfra.fr' && s.setIdentifier === 'green');
    expect(shop).toMatchObject({ ttl: 300, values: ['shop.eks-green.devinfra.fr'], weight: 0 });
  });

  it('restoring puts back exactly what was there (records and registry entries)', () => {
    const r53 = new FakeRoute53(platformRecords());
    const before = inventory(r53.sets, DOMAINS).names;
    for (const b of conversionBatches(before, 'blue')) r53.apply(b.zoneId, b.changes, 'convert');
    for (const b of restoreBatches(before, inventory(r53.sets, DOMAINS).names)) r53.apply(b.zoneId, b.changes, 'restore');
    const sort = (x: Zoned[]) => x.map((s) => JSON.stringify({ ...canon(s), zoneId: s.zoneId })).sort();
    expect(sort(r53.sets)).toEqual(sort(platformRecords().map((r) => ({ ...r, alias: r.alias ? { ...r.alias } : undefined }))));
    expect(r53.unresolved).toEqual([]);
  });

  it('a zone whose conversion does not fit one Route53 batch is refused', () => {
    const many: Zoned[] = [];
    for (let i = 0; i < 340; i++) {
      for (const c of ['', '.eks-blue', '.eks-green']) many.push({ zoneId: FR, name: `n${i}${c}.devinfra.fr`, type: 'CNAME', ttl: 60, values: [`t${i}.example`] });
    }
    expect(conversionBatches(inventory(many.slice(0, 3 * 330), DOMAINS).names, 'blue')[0]?.changes).toHaveLength(990);
    expect(() => conversionBatches(inventory(many, DOMAINS).names, 'blue')).toThrow(/converting zone ZFR takes 1020 changes \(1020 records, \d+ characters\): more than one Route53 batch/);
  });
});

describe('weighted shift: the runner (fake clock)', () => {
  it('stage by stage: green raised first, blue lowered second, never 0/0, each held at least one TTL, the flip once at 100', async () => {
    const w = world();
    const j = plan(w.r53);
    await expect(runShift(w.ports, j, SETTINGS)).resolves.toBe('completed');
    expect(w.r53.writes()).toEqual(['green=10', 'blue=90', 'green=50', 'blue=50', 'green=100', 'blue=0']);
    expect(w.r53.zeroZero).toEqual([]);
    expect(w.r53.unresolved).toEqual([]);
    expect(w.r53.weights('grpc.devinfra.local', 'CNAME')).toEqual({ blue: 0, green: 100 });
    expect(w.flips).toEqual(['flip']);
    expect(w.clock.now - T0).toBeGreaterThanOrEqual(3 * SETTINGS.ttlMs);
    const saved = w.journal();
    expect(saved).toMatchObject({ state: 'completed', share: 100, flipped: true, stage: null, converted: true });
    const events = saved.events.map((e) => e.what);
    expect(events.indexOf('stage 100%: API record and TXT now name green')).toBeGreaterThan(events.indexOf('stage 100%: Route53 holds green 100 / blue 0 on 4 names'));
  });

  it('--hold: each stage holds at least that long; --flip-at 50 flips at the second stage', async () => {
    const w = world();
    await runShift(w.ports, plan(w.r53, { holdMs: 10 * MIN, flipAt: 50 }), SETTINGS);
    expect(w.clock.now - T0).toBeGreaterThanOrEqual(30 * MIN);
    const events = w.journal().events.map((e) => e.what);
    const flip = events.indexOf('stage 50%: API record and TXT now name green');
    expect(flip).toBeGreaterThan(events.indexOf('stage 2/3: green 50%'));
    expect(flip).toBeLessThan(events.indexOf('stage 3/3: green 100%'));
  });

  it('a failure signal during a hold reverts to the previous stage by itself (blue raised first)', async () => {
    const failing: Observation = { targets: [{ loadBalancer: 'k8s-green-web', target: 'i-1:80', state: 'healthy' }], counts: [{ loadBalancer: 'k8s-green-web', requests: 400, errors5xx: 40 }] };
    const w = world({ signals: (share, now) => (share >= 50 && now > T0 + 3 * MIN ? failing : undefined) as Observation });
    const j = plan(w.r53, { holdMs: 10 * MIN });
    w.ports.signals = ((orig) => async (since: number) => (await orig(since)) ?? { targets: [{ loadBalancer: 'k8s-green-web', target: 'i-1:80', state: 'healthy' }], counts: [] })(w.ports.signals);
    await expect(runShift(w.ports, j, SETTINGS)).resolves.toBe('reverted');
    expect(w.r53.writes()).toEqual(['green=10', 'blue=90', 'green=50', 'blue=50', 'blue=90', 'green=10']);
    expect(w.r53.zeroZero).toEqual([]);
    const saved = w.journal();
    expect(saved).toMatchObject({ state: 'reverted', share: 10, stage: null, flipped: false });
    expect(saved.revert?.reasons).toEqual(['k8s-green-web answered 40 5XX of 400 requests (10.00%, more than 1%)']);
    expect(w.flips).toEqual([]);
    expect(resumable(saved)).toEqual({ operation: 'shift' });
  });

  it('a revert at the flip stage flips the API record and the TXT back first', async () => {
    const w = world({ signals: (share) => (share >= 50 ? { targets: [{ loadBalancer: 'k8s-green-web', target: 'i-1:80', state: 'unhealthy' }], counts: [] } : { targets: [{ loadBalancer: 'k8s-green-web', target: 'i-1:80', state: 'healthy' }], counts: [] }) });
    await expect(runShift(w.ports, plan(w.r53, { flipAt: 50 }), SETTINGS)).resolves.toBe('reverted');
    expect(w.flips).toEqual(['flip', 'unflip']);
    expect(w.r53.weights('www.devinfra.fr', 'A')).toEqual({ blue: 90, green: 10 });
  });

  it('--pause stops after each stage but the last; --resume goes on from the journal', async () => {
    const w = world();
    await expect(runShift(w.ports, plan(w.r53, { pause: true }), SETTINGS)).resolves.toBe('paused');
    expect(w.journal()).toMatchObject({ state: 'paused', share: 10 });
    expect(w.r53.weights('www.devinfra.fr', 'A')).toEqual({ blue: 90, green: 10 });
    await expect(runShift(w.ports, w.journal(), SETTINGS)).resolves.toBe('paused');
    expect(w.journal()).toMatchObject({ state: 'paused', share: 50 });
    await expect(runShift(w.ports, w.journal(), SETTINGS)).resolves.toBe('completed');
    expect(w.r53.writes()).toEqual(['green=10', 'blue=90', 'green=50', 'blue=50', 'green=100', 'blue=0']);
  });

  it('a run killed between the two writes of a stage resumes in that stage, at the lower phase', async () => {
    const r53 = new FakeRoute53(platformRecords());
    // applies: 2 conversions, then stage 10 (2 zones x 2 writes), stage 50's first write (2 zones): killed at its 3rd zone-batch
    const first = world({ r53, killAt: (what, n) => what === 'apply' && n > 0 && r53.batches.length === 8 });
    await expect(runShift(first.ports, plan(r53), SETTINGS)).rejects.toThrow(/killed at apply/);
    const saved = first.journal();
    expect(saved.stage).toMatchObject({ index: 1, target: 50, phase: 'lower' });
    expect(r53.weights('www.devinfra.fr', 'A')).toEqual({ blue: 90, green: 50 });
    const second = world({ r53, clock: first.clock });
    await expect(runShift(second.ports, saved, SETTINGS)).resolves.toBe('completed');
    expect(r53.writes()).toEqual(['green=10', 'blue=90', 'green=50', 'blue=50', 'green=100', 'blue=0']);
    expect(r53.zeroZero).toEqual([]);
  });

  it('a run killed mid-hold resumes the hold: the time already held counts', async () => {
    const clock = { now: T0 };
    let killed = false;
    const first = world({ clock, killAt: (what) => !killed && what === 'sleep' && clock.now >= T0 + 6 * MIN && (killed = true) });
    await expect(runShift(first.ports, plan(first.r53, { holdMs: 10 * MIN, stages: [100] }), SETTINGS)).rejects.toThrow(/killed at sleep/);
    const saved = first.journal();
    expect(saved.stage).toMatchObject({ target: 100, phase: 'hold' });
    const heldFrom = saved.stage?.holdFrom as number;
    const second = world({ r53: first.r53, clock });
    await expect(runShift(second.ports, saved, SETTINGS)).resolves.toBe('completed');
    expect(clock.now - heldFrom).toBeGreaterThanOrEqual(10 * MIN);
    expect(clock.now - heldFrom).toBeLessThan(10 * MIN + SETTINGS.signalPollMs);
    expect(first.flips.concat(second.flips)).toEqual(['flip']);
  });

  it('a run killed between the conversion of two zones converts the rest only', async () => {
    const r53 = new FakeRoute53(platformRecords());
    const first = world({ r53, killAt: (what) => what === 'apply' && r53.batches.length === 1 });
    await expect(runShift(first.ports, plan(r53), SETTINGS)).rejects.toThrow(/killed/);
    expect(first.journal().converted).toBe(false);
    const second = world({ r53, clock: first.clock });
    await expect(runShift(second.ports, first.journal(), SETTINGS)).resolves.toBe('completed');
    expect(r53.unresolved).toEqual([]);
  });

  it('--rollback restores exactly what was there before, at once (after a pause at 50%)', async () => {
    const w = world();
    await runShift(w.ports, plan(w.r53, { pause: true, flipAt: 50 }), SETTINGS);
    await runShift(w.ports, w.journal(), SETTINGS);
    expect(w.journal()).toMatchObject({ share: 50, flipped: true });
    await expect(rollbackShift(w.ports, w.journal(), SETTINGS, false)).resolves.toBe('rolled-back');
    const sort = (x: Zoned[]) => x.map((s) => JSON.stringify({ ...canon(s), zoneId: s.zoneId })).sort();
    expect(sort(w.r53.sets)).toEqual(sort(platformRecords()));
    expect(w.flips).toEqual(['flip', 'unflip']);
    expect(w.journal()).toMatchObject({ state: 'rolled-back', share: 0, flipped: false });
    expect(resumable(w.journal())).toEqual({ refused: expect.stringMatching(/rolled back: start a new one/) });
  });

  it('--rollback --gradual steps back stage by stage (blue raised first), each held a TTL, then restores', async () => {
    const w = world();
    await runShift(w.ports, plan(w.r53), SETTINGS);
    const writes = w.r53.writes().length;
    const t = w.clock.now;
    await expect(rollbackShift(w.ports, w.journal(), SETTINGS, true)).resolves.toBe('rolled-back');
    expect(w.r53.writes().slice(writes)).toEqual(['blue=50', 'green=50', 'blue=90', 'green=10', 'blue=100', 'green=0']);
    expect(w.clock.now - t).toBeGreaterThanOrEqual(3 * SETTINGS.ttlMs);
    expect(w.flips).toEqual(['flip', 'unflip']);
    expect(w.r53.zeroZero).toEqual([]);
    expect(w.r53.unresolved).toEqual([]);
    expect(inventory(w.r53.sets, DOMAINS).names.every((n) => n.now.kind === 'simple')).toBe(true);
  });

  it('a killed rollback resumes from the journal', async () => {
    const w = world();
    await runShift(w.ports, plan(w.r53), SETTINGS);
    const r53 = w.r53;
    const n = r53.batches.length;
    const first = world({ r53, clock: w.clock, killAt: (what) => what === 'apply' && r53.batches.length === n + 3 });
    await expect(rollbackShift(first.ports, w.journal(), SETTINGS, true)).rejects.toThrow(/killed/);
    const saved = first.journal();
    expect(saved.state).toBe('rolling-back');
    expect(resumable(saved)).toEqual({ operation: 'rollback' });
    const second = world({ r53, clock: w.clock });
    await expect(runShift(second.ports, saved, SETTINGS)).resolves.toBe('rolled-back');
    expect(r53.zeroZero).toEqual([]);
    expect(inventory(r53.sets, DOMAINS).names.every((x) => x.now.kind === 'simple')).toBe(true);
  });

  it('weights someone else keeps rewriting fail the read-back, naming the names', async () => {
    const r53 = new FakeRoute53(platformRecords());
    const w = world({ r53 });
    const j = plan(r53);
    await runShift(w.ports, { ...j, stages: [10, 100], pause: true }, SETTINGS);
    r53.stuck.add('shop.devinfra.fr');
    await expect(runShift(w.ports, w.journal(), SETTINGS)).rejects.toThrow(/Route53 does not hold green 100 \/ blue 0 on every production name after 300s: shop\.devinfra\.fr CNAME: blue 90, green 10/);
    expect(weightsDiffer(inventory(r53.sets, DOMAINS).names, { blue: 0, green: 100 }, j.before)).toEqual(['shop.devinfra.fr CNAME: blue 90, green 10']);
  });
});
