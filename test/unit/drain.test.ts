import { describe, expect, it } from 'vitest';
import { decide, overall, queryRange, windowMs, type DrainWindow, type MetricAnswer } from '../../src/drain/decide.js';
import { drainJson, drainText } from '../../src/drain/present.js';
import { colourTargets, drainMetric, loadBalancerDimension, type LoadBalancer } from '../../src/drain/targets.js';
import { drain, type DrainInput, type DrainPorts } from '../../src/drain/watch.js';
import { parseDrainFlags, productionInput } from '../../src/drain/commands.js';
import { productionView, shareOf, type NamingName } from '../../src/drain/production.js';
import { readPlatform } from '../../src/platform/read.js';
import { indexZones, takeInventory, type KindLayout, type ProductionLayout } from '../../src/production/inventory.js';
import { NO_AFFIXES, registryValue } from '../../src/production/registry.js';
import { golden, ROOT } from '../support/text.js';
import { normTarget } from '../../src/production/names.js';
import type { RecordSet } from '../../src/production/records.js';

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
/** A record set as the Route53 adapter lists it; `alias` is the alias target's DNS name. */
const rec = (name: string, type: string, extra: { ttl?: number | undefined; alias?: string; values?: string[] } = {}): RecordSet => {
  const { alias, ...rest } = extra;
  return alias !== undefined
    ? { name, type, alias: { zoneId: 'Z3Q77PNBQS71R4', dnsName: alias, evaluateTargetHealth: true } }
    : { name, type, ttl: 300, values: [], ...rest };
};

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
    expect(normTarget('DualStack.X.Y.')).toBe('x.y');
  });
});

/** A fake AWS and clock: datapoints per dimension, a clock that sleeps instantly. */
function world(series: Record<string, [number, number][]>, options: { unmapped?: boolean; status?: string } = {}) {
  let now = T0;
  const looks: number[] = [];
  const queries: { start: number; end: number }[] = [];
  const ports: DrainPorts = {
    records: async (zoneId) =>
      zoneId === 'Z2'
        ? [rec('www.eks-blue.devinfra.fr', 'A', { alias: ALB.dnsName })]
        : [
            rec('tcp.eks-blue.devinfra.local', 'CNAME', { values: [NLB.dnsName], ttl: 60 }),
            ...(options.unmapped ? [rec('old.eks-blue.devinfra.local', 'A', { values: ['10.1.1.1'] })] : []),
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
const input: Omit<DrainInput, 'watchMs'> = {
  colour: 'blue',
  layout: { kinds: [], excluded: [] },
  notRead: ['no domains.private.zoneId'],
  domains: [{ name: 'eks-blue.devinfra.local', zoneId: 'Z1' }, { name: 'eks-blue.devinfra.fr', zoneId: 'Z2' }],
  exclude: [],
  quietMs: 5 * MIN,
  lagMs: 3 * MIN,
  pollMs: MIN,
};

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

// ---------------------------------------------------------------------------
// Production: the names under the shared domains that still name the colour (case 14).

const ZL = 'Z1';
const KIND: KindLayout = {
  kind: 'private',
  domain: 'devinfra.local',
  zoneId: ZL,
  liveAffixes: NO_AFFIXES,
  colours: {
    blue: { domain: 'eks-blue.devinfra.local', zoneId: ZL, clusterOwner: 'ingress-eks-blue.devinfra.local', clusterAffixes: NO_AFFIXES, liveOwner: 'live-eks-blue.devinfra.local' },
    green: { domain: 'eks-green.devinfra.local', zoneId: ZL, clusterOwner: 'ingress-eks-green.devinfra.local', clusterAffixes: NO_AFFIXES, liveOwner: 'live-eks-green.devinfra.local' },
  },
};
const LAYOUT: ProductionLayout = { kinds: [KIND], excluded: ['api.devinfra.local', 'eks.devinfra.info'] };
const entry = (name: string, owner: string) => rec(name, 'TXT', { values: [registryValue({ owner, resource: 'ingress/web/x' })] });
/** A colour's own record for `label`, owned by its cluster-scoped ExternalDNS unless told otherwise. */
const own = (label: string, c: 'blue' | 'green', lb: string, owner = `ingress-eks-${c}.devinfra.local`) => [rec(`${label}.eks-${c}.devinfra.local`, 'A', { alias: lb }), entry(`a-${label}.eks-${c}.devinfra.local`, owner)];
const weightedTo = (label: string, targets: Record<string, [string, number]>): RecordSet[] =>
  Object.entries(targets).map(([id, [target, weight]]) => ({ ...rec(`${label}.devinfra.local`, 'CNAME', { ttl: 60, values: [target] }), setIdentifier: id, weight }));

function named(records: RecordSet[], colourTargets: string[] = [normTarget(ALB.dnsName), normTarget(NLB.dnsName)]) {
  const production = takeInventory(LAYOUT, indexZones(new Map([[ZL, records]])));
  const view = productionView(production, { colour: 'blue', domains: ['eks-blue.devinfra.local'], targets: colourTargets, notRead: [] });
  for (const n of production.names) {
    const mine = view.names.find((v) => v.name === n.name);
    // Never less than the inventory's own traffic share for the colour.
    expect(mine?.share ?? 0).toBeGreaterThanOrEqual(n.traffic.blue);
  }
  return view;
}
const one = (records: RecordSet[], targets?: string[]) => {
  const view = named(records, targets);
  expect(view.names).toHaveLength(1);
  return view.names[0] as NamingName;
};

describe('drain: which production names still name the colour (pure)', () => {
  it.each([
    ['a hand-made CNAME (TTL 86400) to blue\'s ALB, blue\'s own record owned by someone else', [...own('www', 'blue', ALB.dnsName, 'someone-else'), rec('www.devinfra.local', 'CNAME', { ttl: 86_400, values: [ALB.dnsName] })], { sends: true, share: 100, served: false, ttl: 86_400, owner: { kind: 'none' } }],
    ['blue\'s live ExternalDNS writes it, blue serves it', [...own('hello', 'blue', ALB.dnsName), rec('hello.devinfra.local', 'A', { alias: ALB.dnsName }), entry('a-hello.devinfra.local', 'live-eks-blue.devinfra.local')], { sends: true, share: 100, served: true, ttl: 60 }],
    ['switched to green: blue still serves it, so its TTL counts, but it sends blue nothing', [...own('hello', 'blue', ALB.dnsName), ...own('hello', 'green', GREEN.dnsName), rec('hello.devinfra.local', 'A', { alias: GREEN.dnsName })], { sends: false, share: 0, served: true }],
    ['an alias with dualstack. and capitals to blue\'s NLB', [rec('tcp.devinfra.local', 'A', { alias: `dualstack.${NLB.dnsName.toUpperCase()}.` })], { sends: true, share: 100, served: false }],
    ['a CNAME to a name under blue\'s sub-domain that blue does not own (stale)', [rec('old.devinfra.local', 'CNAME', { ttl: 3600, values: ['old.eks-blue.devinfra.local'] })], { sends: true, share: 100, ttl: 3600 }],
    ['a plain A record holding the addresses blue\'s plain A holds', [rec('legacy.devinfra.local', 'A', { ttl: 900, values: ['10.0.0.5'] })], { sends: true, share: 100, ttl: 900 }],
    ['a weighted pair blue 30 / green 70', [...own('shop', 'blue', ALB.dnsName), ...own('shop', 'green', GREEN.dnsName), ...weightedTo('shop', { blue: ['shop.eks-blue.devinfra.local', 30], green: ['shop.eks-green.devinfra.local', 70] })], { sends: true, share: 30, form: 'weighted' }],
    ['a weighted pair at 0 / 0: Route53 splits equally', [...weightedTo('shop', { a: [ALB.dnsName, 0], b: [GREEN.dnsName, 0] })], { sends: true, share: 50 }],
    ['a weighted set to blue\'s ALB at weight 0 beside green at 100: named (its TTL counts), no traffic', [...weightedTo('shop', { a: [ALB.dnsName, 0], b: [GREEN.dnsName, 100] })], { sends: false, share: 0, served: false, ttl: 60 }],
  ] as const)('%s', (_, records, expected) => {
    expect(one([...records], [normTarget(ALB.dnsName), normTarget(NLB.dnsName), '10.0.0.5'])).toMatchObject(expected);
  });

  it('names that have nothing to do with blue are not listed; the apex is a name like any other', () => {
    const view = named([
      ...own('green', 'green', GREEN.dnsName), rec('green.devinfra.local', 'A', { alias: GREEN.dnsName }),
      rec('legacy.devinfra.local', 'A', { ttl: 900, values: ['10.9.9.9'] }),
      rec('devinfra.local', 'A', { alias: ALB.dnsName }),
      rec('api.devinfra.local', 'CNAME', { ttl: 60, values: ['api.eks-blue.devinfra.local'] }),
    ]);
    expect(view.names.map((n) => [n.name, n.sends])).toEqual([['devinfra.local', true]]);
    expect(view.read).toBe(3);
    expect(view.domains).toEqual(['devinfra.local']);
  });

  it('weighted shares per type: the largest counts', () => {
    const sets = [...weightedTo('x', { a: [ALB.dnsName, 1], b: [GREEN.dnsName, 3] })];
    const aaaa: RecordSet[] = (['a', 'b'] as const).map((id) => ({ name: 'x.devinfra.local', type: 'AAAA', alias: { zoneId: 'Z', dnsName: id === 'a' ? ALB.dnsName : GREEN.dnsName, evaluateTargetHealth: true }, setIdentifier: id, weight: id === 'a' ? 3 : 1 }));
    const hit = (s: RecordSet) => s.setIdentifier === 'a';
    expect(shareOf({ form: 'weighted', sets, types: ['CNAME'] }, hit)).toBe(25);
    expect(shareOf({ form: 'weighted', sets: [...sets, ...aaaa], types: ['AAAA', 'CNAME'] }, hit)).toBe(75);
    expect(shareOf({ form: 'simple', sets: sets.slice(0, 1), types: ['CNAME'] }, () => false)).toBe(0);
  });
});

/** A world whose production names blue: www.devinfra.local, a hand-made CNAME (TTL 86400) to blue's ALB. */
function productionWorld(www: RecordSet, series: Record<string, [number, number][]> = {}, options: { unmapped?: boolean } = {}) {
  const w = world(series, options);
  const colour = w.ports.records;
  const ports: DrainPorts = {
    ...w.ports,
    records: async (zoneId) => (zoneId === ZL ? [...(await colour(zoneId)), ...own('www', 'blue', ALB.dnsName), www] : colour(zoneId)),
  };
  return { ...w, ports };
}
const withProduction = { ...input, layout: LAYOUT, notRead: [] };
const ALB_DIMENSION = 'app/k8s-blue-web/50dc6c495c0c9188';
const HOUR = 60 * MIN;

describe('drain: production reads with the colour\'s records (case 14)', () => {
  const pointing = rec('www.devinfra.local', 'CNAME', { ttl: 86_400, values: [ALB.dnsName] });
  const elsewhere = rec('www.devinfra.local', 'CNAME', { ttl: 86_400, values: [GREEN.dnsName] });

  it('a production CNAME to blue\'s ALB keeps blue receiving though its metrics are zero; the window counts its TTL; --watch does not wait it out', async () => {
    const w = productionWorld(pointing);
    const listed: string[] = [];
    const records = w.ports.records;
    const r = await drain({ ...w.ports, records: (z) => (listed.push(z), records(z)) }, { ...withProduction, watchMs: 30 * MIN });
    expect(listed.sort()).toEqual(['Z1', 'Z2']); // each zone once: the colour's records come from production's listing
    expect(r.overall).toBe('receiving');
    expect(r.last.overall).toBe('drained');
    expect(w.looks).toEqual([T0]);
    expect(r.window.ttlMs).toBe(86_400_000);
    expect(r.ttlFrom).toBe('www.devinfra.local');
    const subject = { colour: 'blue', cluster: 'eks-blue', domains: ['eks-blue.devinfra.local', 'eks-blue.devinfra.fr'] };
    const text = drainText(subject, r);
    expect(text).toMatch(/^Window: the last 24h8m \(TTL 24h of www\.devinfra\.local \+ quiet 5m \+ metrics lag 3m\)/m);
    expect(text).toMatch(/^Production under devinfra\.local: 1 name still sends traffic to blue$/m);
    expect(text).toMatch(/^ {2}sends {2}www\.devinfra\.local {2}CNAME -> k8s-blue-web-1234\.eu-west-3\.elb\.amazonaws\.com, TTL 24h, blue 100%, no ExternalDNS registry entry \(hand-made\); blue serves it$/m);
    expect(text).toMatch(/^blue is still receiving traffic: production still points at it: www\.devinfra\.local \(CNAME, TTL 24h, blue 100%\)\.$/m);
  });

  it('--output json: every field, under a golden (a load balancer receiving, one drained, an unmapped name, production)', async () => {
    const w = productionWorld(pointing, { 'net/k8s-blue-tcp/73e2d6bc24d8a067': [[T0 - 2 * HOUR, 3]] }, { unmapped: true });
    const r = await drain(w.ports, { ...withProduction, watchMs: 0 });
    const subject = { colour: 'blue', cluster: 'eks-blue', domains: ['eks-blue.devinfra.local', 'eks-blue.devinfra.fr'] };
    expect(drainText(subject, r)).toMatch(/^blue is still receiving traffic on k8s-blue-tcp, and production still points at it: www\.devinfra\.local \(CNAME, TTL 24h, blue 100%\)\.$/m);
    golden('test/golden/drain.json', drainJson(subject, r));
  });

  it('once the name points elsewhere, blue is drained when its metrics are quiet for TTL + quiet + lag (blue still serves www: its 24h count)', async () => {
    const quiet = await drain(productionWorld(elsewhere, { [ALB_DIMENSION]: [[T0 - 25 * HOUR, 40], [T0 - 2 * MIN, 0]] }).ports, { ...withProduction, watchMs: 0 });
    expect(quiet.overall).toBe('drained');
    expect(quiet.window.ttlMs).toBe(86_400_000);
    expect(quiet.production.names.map((n) => [n.name, n.sends, n.served])).toEqual([['www.devinfra.local', false, true]]);
    const late = await drain(productionWorld(elsewhere, { [ALB_DIMENSION]: [[T0 - 3 * HOUR, 2]] }).ports, { ...withProduction, watchMs: 0 });
    expect(late.overall).toBe('receiving');
    expect(late.last.loadBalancers.find((l) => l.lb.name === 'k8s-blue-web')?.verdict).toMatchObject({ state: 'receiving', drainedAtEarliest: T0 - 3 * HOUR + MIN + 86_400_000 + 8 * MIN });
  });

  it('without production (not configured), today\'s window and verdict, and the JSON says why it was not read', async () => {
    const r = await drain(productionWorld(pointing).ports, { ...input, watchMs: 0 });
    expect(r.overall).toBe('drained');
    expect(r.window.ttlMs).toBe(60_000);
    const json = JSON.parse(drainJson({ colour: 'blue', cluster: 'eks-blue', domains: [] }, r));
    expect(json.production).toEqual({ read: false, domains: [], notRead: ['no domains.private.zoneId'], namesRead: 0, sending: 0, names: [] });
    expect(drainText({ colour: 'blue', cluster: 'eks-blue', domains: [] }, r)).not.toMatch(/Production/);
  });
});

describe('drain: where production lives, from the platform', () => {
  const example = readPlatform('examples/platform.yaml', ROOT);
  it('both shared zones: read, nothing missing', () => {
    const p = productionInput(example);
    expect(p.layout.kinds.map((k) => [k.domain, k.zoneId])).toEqual([['devinfra.local', 'Z0DEVINFRALOCAL01'], ['devinfra.fr', 'Z0DEVINFRAFR02']]);
    expect(p.notRead).toEqual([]);
  });
  it('a zone id missing: that domain is not read, and why', () => {
    const p = productionInput({ ...example, domains: { ...example.domains, public: { ...example.domains.public, zoneId: undefined } } });
    expect(p.layout.kinds.map((k) => k.domain)).toEqual(['devinfra.local']);
    expect(p.notRead).toEqual([expect.stringMatching(/^no domains\.public\.zoneId \(the zone of devinfra\.fr/)]);
  });
  it('ExternalDNS disabled: production is not read', () => {
    const p = productionInput({ ...example, externalDns: { ...example.externalDns, enabled: false } });
    expect(p.layout.kinds).toEqual([]);
    expect(p.notRead).toEqual([expect.stringMatching(/^externalDns is disabled in .*platform\.yaml/)]);
  });
});
