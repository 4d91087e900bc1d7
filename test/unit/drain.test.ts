import { describe, expect, it } from 'vitest';
import { decide, overall, queryRange, windowMs, type DrainWindow, type MetricAnswer } from '../../src/drain/decide.js';
import { drainJson, drainText } from '../../src/drain/present.js';
import { colourTargets, drainMetric, loadBalancerDimension, normHost, type LoadBalancer, type RecordSet } from '../../src/drain/targets.js';
import { drain, type DrainPorts } from '../../src/drain/watch.js';
import { parseDrainFlags } from '../../src/drain/commands.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-30T20:00:00Z');
const W: DrainWindow = { ttlMs: 60_000, quietMs: 5 * MIN, lagMs: 3 * MIN, periodMs: MIN };
const ok = (points: [number, number][]): MetricAnswer => ({ status: 'Complete', points: points.map(([at, value]) => ({ at, value })) });

describe('drain: decide', () => {
  it('a window of 9 minutes: TTL + quiet + lag', () => {
    expect(windowMs(W)).toBe(9 * MIN);
    const r = queryRange(T0, W);
    expect(r.end).toBe(T0);
    expect(r.start).toBeLessThanOrEqual(T0 - 9 * MIN - MIN);
  });

  const cases: { name: string; answer: MetricAnswer; state: string; total?: number; drainedAt?: number }[] = [
    { name: 'no datapoint at all is zero: drained', answer: ok([]), state: 'drained' },
    { name: 'zeros only: drained', answer: ok([[T0 - 2 * MIN, 0], [T0 - MIN, 0]]), state: 'drained' },
    { name: 'traffic that ended before the window: drained', answer: ok([[T0 - 10 * MIN, 40], [T0 - 9 * MIN - MIN, 3]]), state: 'drained' },
    { name: 'a period that overlaps the window start counts', answer: ok([[T0 - 9 * MIN - 30_000, 2]]), state: 'receiving', total: 2, drainedAt: T0 - 9 * MIN - 30_000 + MIN + 9 * MIN },
    { name: 'one request a minute ago', answer: ok([[T0 - MIN, 1]]), state: 'receiving', total: 1, drainedAt: T0 + 9 * MIN },
    { name: 'several: the total and the newest', answer: ok([[T0 - 5 * MIN, 10], [T0 - 3 * MIN, 0], [T0 - 4 * MIN, 5]]), state: 'receiving', total: 15, drainedAt: T0 - 4 * MIN + MIN + 9 * MIN },
    { name: 'CloudWatch InternalError: unknown, never drained', answer: { status: 'InternalError', points: [], message: 'boom' }, state: 'unknown' },
    { name: 'a missing answer: unknown', answer: { status: 'missing', points: [] }, state: 'unknown' },
  ];
  it.each(cases)('$name', ({ answer, state, total, drainedAt }) => {
    const v = decide(answer, T0, W);
    expect(v.state).toBe(state);
    if (v.state === 'receiving') {
      expect(v.total).toBe(total);
      expect(v.drainedAtEarliest).toBe(drainedAt);
    }
  });

  it('overall: receiving beats unknown beats drained', () => {
    const d = { state: 'drained' } as const;
    const u = { state: 'unknown', reason: 'x' } as const;
    const r = { state: 'receiving', total: 1, lastAt: 0, drainedAtEarliest: 0 } as const;
    expect(overall([d, d])).toBe('drained');
    expect(overall([d, u])).toBe('unknown');
    expect(overall([u, r, d])).toBe('receiving');
    expect(overall([])).toBe('drained');
  });
});

const ALB: LoadBalancer = { arn: 'arn:aws:elasticloadbalancing:eu-west-3:123456789012:loadbalancer/app/k8s-blue-web/50dc6c495c0c9188', name: 'k8s-blue-web', dnsName: 'k8s-blue-web-1234.eu-west-3.elb.amazonaws.com', type: 'application' };
const NLB: LoadBalancer = { arn: 'arn:aws:elasticloadbalancing:eu-west-3:123456789012:loadbalancer/net/k8s-blue-tcp/73e2d6bc24d8a067', name: 'k8s-blue-tcp', dnsName: 'k8s-blue-tcp-73e2d6bc24d8a067.elb.eu-west-3.amazonaws.com', type: 'network' };
const GWLB: LoadBalancer = { arn: 'arn:aws:elasticloadbalancing:eu-west-3:123456789012:loadbalancer/gwy/inspect/1', name: 'inspect', dnsName: 'inspect-1.elb.eu-west-3.amazonaws.com', type: 'gateway' };
const GREEN: LoadBalancer = { arn: 'arn:aws:elasticloadbalancing:eu-west-3:123456789012:loadbalancer/app/k8s-green-web/1', name: 'k8s-green-web', dnsName: 'k8s-green-web-1.eu-west-3.elb.amazonaws.com', type: 'application' };
const rec = (name: string, type: string, extra: Partial<RecordSet> = {}): RecordSet => ({ name, type, ttl: 300, alias: undefined, values: [], setIdentifier: undefined, ...extra });

describe('drain: which load balancers serve the colour', () => {
  const records: RecordSet[] = [
    rec('www.eks-blue.devinfra.fr.', 'A', { alias: 'dualstack.K8S-BLUE-WEB-1234.eu-west-3.elb.amazonaws.com.', ttl: undefined }),
    rec('www.eks-blue.devinfra.fr.', 'AAAA', { alias: 'dualstack.k8s-blue-web-1234.eu-west-3.elb.amazonaws.com.', ttl: undefined }),
    rec('a-www.eks-blue.devinfra.fr.', 'TXT', { values: ['"heritage=external-dns,external-dns/owner=blue"'] }),
    rec('\\052.eks-blue.devinfra.local.', 'CNAME', { values: ['k8s-blue-tcp-73e2d6bc24d8a067.elb.eu-west-3.amazonaws.com'], ttl: 120 }),
    rec('api.eks-blue.devinfra.local.', 'CNAME', { values: ['abc.gr7.eu-west-3.eks.amazonaws.com'] }),
    rec('legacy.eks-blue.devinfra.local.', 'A', { values: ['10.0.0.5'] }),
    rec('gone.eks-blue.devinfra.local.', 'CNAME', { values: ['k8s-deleted-1.eu-west-3.elb.amazonaws.com'] }),
    rec('fw.eks-blue.devinfra.local.', 'CNAME', { values: ['inspect-1.elb.eu-west-3.amazonaws.com'] }),
    rec('www.eks-green.devinfra.fr.', 'A', { alias: 'k8s-green-web-1.eu-west-3.elb.amazonaws.com.' }),
    rec('www.devinfra.fr.', 'CNAME', { values: ['www.eks-blue.devinfra.fr'] }),
    rec('eks-blue.devinfra.fr.evil.', 'CNAME', { values: ['k8s-blue-web-1234.eu-west-3.elb.amazonaws.com'] }),
  ];
  const t = colourTargets({ records, domains: ['eks-blue.devinfra.local', 'eks-blue.devinfra.fr'], exclude: ['api.eks-blue.devinfra.local'], loadBalancers: [ALB, NLB, GWLB, GREEN] });

  it('maps alias and CNAME targets (case, trailing dot, dualstack., octal escapes) to their load balancers', () => {
    expect(t.served.map((s) => [s.lb.name, s.names])).toEqual([
      ['k8s-blue-tcp', ['*.eks-blue.devinfra.local']],
      ['k8s-blue-web', ['www.eks-blue.devinfra.fr']],
    ]);
  });
  it("skips TXT, the colour's API record, other colours, production names and look-alike domains", () => {
    const all = [...t.served.flatMap((s) => s.names), ...t.unmapped.map((u) => u.name)];
    for (const name of ['a-www.eks-blue.devinfra.fr', 'api.eks-blue.devinfra.local', 'www.eks-green.devinfra.fr', 'www.devinfra.fr', 'eks-blue.devinfra.fr.evil']) expect(all).not.toContain(name);
  });
  it('lists what it cannot map, with the reason', () => {
    expect(t.unmapped.map((u) => [u.name, u.reason.split(' ').slice(0, 3).join(' ')])).toEqual([
      ['fw.eks-blue.devinfra.local', 'a gateway load'],
      ['gone.eks-blue.devinfra.local', 'no load balancer'],
      ['legacy.eks-blue.devinfra.local', 'a plain A'],
    ]);
  });
  it('the TTL is the longest of the mapped records (alias: 60 s)', () => {
    expect(t.ttlSeconds).toBe(120);
    expect(colourTargets({ records: records.slice(0, 2), domains: ['eks-blue.devinfra.fr'], exclude: [], loadBalancers: [ALB] }).ttlSeconds).toBe(60);
  });
  it('metrics: ALB RequestCount Sum, NLB ActiveFlowCount Maximum, dimension from the ARN', () => {
    expect(loadBalancerDimension(ALB.arn)).toBe('app/k8s-blue-web/50dc6c495c0c9188');
    expect(drainMetric({ ...ALB, type: 'application' })).toEqual({ namespace: 'AWS/ApplicationELB', metric: 'RequestCount', stat: 'Sum', dimension: 'app/k8s-blue-web/50dc6c495c0c9188' });
    expect(drainMetric({ ...NLB, type: 'network' })).toEqual({ namespace: 'AWS/NetworkELB', metric: 'ActiveFlowCount', stat: 'Maximum', dimension: 'net/k8s-blue-tcp/73e2d6bc24d8a067' });
    expect(normHost('DualStack.X.Y.')).toBe('x.y');
  });
});

/** A fake AWS and clock: datapoints per dimension, a clock that sleeps instantly. */
function world(series: Record<string, [number, number][]>, options: { unmapped?: boolean; status?: string } = {}) {
  let now = T0;
  const looks: number[] = [];
  const queries: { start: number; end: number }[] = [];
  const ports: DrainPorts = {
    records: async () => [
      rec('www.eks-blue.devinfra.fr.', 'A', { alias: ALB.dnsName }),
      rec('tcp.eks-blue.devinfra.local.', 'CNAME', { values: [NLB.dnsName], ttl: 60 }),
      ...(options.unmapped ? [rec('old.eks-blue.devinfra.local.', 'A', { values: ['10.1.1.1'] })] : []),
    ],
    loadBalancers: async () => [ALB, NLB],
    metrics: async (specs, range) => {
      queries.push(range);
      return specs.map((s) => ({ status: options.status ?? 'Complete', points: (series[s.dimension] ?? []).filter(([at]) => at <= now).map(([at, value]) => ({ at, value })) }));
    },
    now: () => now,
    sleep: async (ms) => void (now += ms),
    looked: (l) => looks.push(l.at),
  };
  return { ports, looks, queries };
}
const input = { domains: [{ name: 'eks-blue.devinfra.local', zoneId: 'Z1' }, { name: 'eks-blue.devinfra.fr', zoneId: 'Z2' }], exclude: [], quietMs: 5 * MIN, lagMs: 3 * MIN, pollMs: MIN };

describe('drain: the watch (fake clock)', () => {
  it('one look without --watch: still receiving', async () => {
    const w = world({ 'app/k8s-blue-web/50dc6c495c0c9188': [[T0 - 2 * MIN, 7]] });
    const r = await drain(w.ports, { ...input, watchMs: 0 });
    expect(r.overall).toBe('receiving');
    expect(w.looks).toEqual([T0]);
    expect(r.last.loadBalancers.map((l) => l.verdict.state)).toEqual(['drained', 'receiving']);
    expect(drainText({ colour: 'blue', cluster: 'eks-blue', domains: ['eks-blue.devinfra.local'] }, r)).toMatch(/receiving\s+k8s-blue-web \(ALB\)\s+7 requests in the window/);
  });

  it('--watch looks every poll interval until the window is quiet, then stops', async () => {
    const w = world({ 'app/k8s-blue-web/50dc6c495c0c9188': [[T0 - 2 * MIN, 7]] });
    const r = await drain(w.ports, { ...input, watchMs: 15 * MIN });
    expect(r.overall).toBe('drained');
    // the last request's minute ends at T0-1m; the 9-minute window is quiet from T0+8m
    expect(w.looks.at(-1)).toBe(T0 + 8 * MIN);
    expect(w.looks).toHaveLength(9);
    const json = JSON.parse(drainJson({ colour: 'blue', cluster: 'eks-blue', domains: [] }, r));
    expect(json.result).toBe('drained');
    expect(json.looks).toBe(9);
  });

  it('stops early when the traffic cannot be quiet long enough before the watch ends', async () => {
    const w = world({ 'net/k8s-blue-tcp/73e2d6bc24d8a067': [[T0 - MIN, 3]] });
    const r = await drain(w.ports, { ...input, watchMs: 5 * MIN });
    expect(r.overall).toBe('receiving');
    expect(w.looks).toEqual([T0]);
  });

  it('traffic that keeps coming keeps it receiving until the end of the watch', async () => {
    const points: [number, number][] = Array.from({ length: 30 }, (_, i) => [T0 + (i - 2) * MIN, 1]);
    const w = world({ 'app/k8s-blue-web/50dc6c495c0c9188': points });
    const r = await drain(w.ports, { ...input, watchMs: 12 * MIN });
    expect(r.overall).toBe('receiving');
    expect(w.looks.length).toBeGreaterThan(1);
    expect(w.looks.at(-1)).toBeLessThanOrEqual(T0 + 12 * MIN);
  });

  it('an unmapped name makes a quiet colour unknown, not drained', async () => {
    const w = world({}, { unmapped: true });
    const r = await drain(w.ports, { ...input, watchMs: 10 * MIN });
    expect(r.overall).toBe('unknown');
    expect(w.looks).toHaveLength(1);
    expect(drainText({ colour: 'blue', cluster: 'eks-blue', domains: [] }, r)).toMatch(/unknown\s+old\.eks-blue\.devinfra\.local\s+-> 10\.1\.1\.1: a plain A record/);
  });

  it('CloudWatch errors per query are unknown', async () => {
    const w = world({}, { status: 'Forbidden' });
    const r = await drain(w.ports, { ...input, watchMs: 0 });
    expect(r.overall).toBe('unknown');
  });
});

describe('drain: flags', () => {
  it.each([
    [{}, /--colour is required/],
    [{ colour: 'red' }, /--colour "red" is not a colour/],
    [{ colour: 'blue', watch: 'soon' }, /--watch "soon" is not a duration/],
    [{ colour: 'blue', output: 'yaml' }, /--output "yaml": expected text or json/],
    [{ colour: 'blue', pollInterval: '0' }, /--poll-interval 0 is out of range/],
  ])('%o is refused', (flags, message) => {
    expect(() => parseDrainFlags(flags)).toThrow(message);
  });
  it('defaults: one look, 5m quiet, 1m poll, 3m lag', () => {
    expect(parseDrainFlags({ colour: 'Blue' })).toMatchObject({ colour: 'blue', watchMs: 0, quietMs: 300_000, pollMs: 60_000, lagMs: 180_000, output: 'text' });
  });
});
