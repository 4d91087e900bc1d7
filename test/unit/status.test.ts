/**
 * `bascule status` judged (pure): an observation in, the live colour, how
 * production is served, the operations under way and every check out, as
 * tables of situations; the table and the JSON (test/golden/status.json) of
 * one fixed observation.
 */
import { describe, expect, it } from 'vitest';
import type { Colour } from '../../src/platform/model.js';
import type { ProductionName } from '../../src/production/inventory.js';
import { evaluateStatus } from '../../src/status/evaluate.js';
import { formatStatusTable, statusJson } from '../../src/status/present.js';
import { judgeName, trafficClass, type NameVerdict } from '../../src/status/production.js';
import {
  BLUE_LIVE, context, eds, greenLive, inventory, journal, LB, LIVE_DEPLOYMENTS, LIVE_OWNER, lock, LOCK, observation, own, prod, replacing, targets, txt, weighted, Z, type Mutable,
} from '../support/status-fixtures.js';
import { golden } from '../support/text.js';

interface Case {
  name: string;
  change: (o: Mutable) => void;
  live: Colour | null;
  failed: string[];
  says?: string;
  hint?: string;
}

const heldBy = (value: string) => (o: Mutable) => (o.lock = { state: 'read', value: { name: LOCK, zoneId: Z.info, values: [value] } });

const dnsAndClusters: Case[] = [
  { name: 'blue live, all agree', change: () => undefined, live: 'blue', failed: [], says: 'production follows blue: 3 names to blue (devinfra.local 3, devinfra.fr 0); orphan (served by one colour only) blog.devinfra.local; 1 left alone (foreign, hand-made or unreadable)' },
  { name: 'green live after a switch, all agree (blog left on blue: an orphan, listed)', change: (o) => greenLive(o), live: 'green', failed: [], says: 'production follows green: 2 names to green (devinfra.local 2, devinfra.fr 0); orphan (served by one colour only) blog.devinfra.local' },
  { name: 'the records disagree', change: (o) => (o.txt = { ...o.txt, clusterName: 'eks-green' }), live: null, failed: ['dns-agree'], says: 'the TXT record says green but the API record says blue' },
  { name: 'the file is behind DNS', change: (o) => (o.liveInFile = 'green'), live: 'blue', failed: ['platform-file'], says: 'platform.yaml says live: green, but DNS says blue' },
  { name: 'the TXT lookup failed', change: (o) => (o.txt = { name: 'eks.devinfra.info', error: 'no answer within 2000 ms' }), live: null, failed: ['txt'], says: 'TXT eks.devinfra.info: no answer within 2000 ms' },
  { name: 'the TXT names a third cluster', change: (o) => (o.txt = { ...o.txt, clusterName: 'eks-red' }), live: null, failed: ['txt'], says: 'names eks-red, which is neither eks-blue nor eks-green' },
  { name: 'the API record points elsewhere', change: (o) => (o.api = { ...o.api, target: 'old.example.com' }), live: 'blue', failed: ['api-record'], says: "not one colour's endpoint" },
  { name: 'no API record', change: (o) => (o.api = { name: 'api.devinfra.local', error: 'no CNAME (NXDOMAIN)' }), live: 'blue', failed: ['api-record'] },
  {
    name: "the old colour's live ExternalDNS revived",
    change: (o) => (o.clusters.green.externalDns = eds(1)),
    live: 'blue',
    failed: ['live-external-dns'],
    says: "the old colour's live ExternalDNS run again (green: live-external-dns-private, green: live-external-dns-public) while blue is live",
  },
  { name: 'live ExternalDNS in no colour', change: (o) => (o.clusters.blue.externalDns = eds(0)), live: 'blue', failed: ['live-external-dns'], says: 'run in no colour' },
  {
    name: 'live ExternalDNS in the other colour',
    change: (o) => {
      o.clusters.blue.externalDns = eds(0);
      o.clusters.green.externalDns = eds(1);
    },
    live: 'blue',
    failed: ['live-external-dns'],
    says: 'run in green, but blue is live',
  },
  { name: 'live ExternalDNS not ready', change: (o) => (o.clusters.blue.externalDns = eds(1, 0)), live: 'blue', failed: ['live-external-dns'], says: 'live-external-dns-private, live-external-dns-public are not ready' },
  {
    name: 'a cluster unreachable',
    change: (o) => (o.clusters.green = { ...o.clusters.green, api: { error: 'connection refused' }, externalDns: LIVE_DEPLOYMENTS.map((name) => ({ name, error: 'API unreachable' })) }),
    live: 'blue',
    failed: ['live-external-dns', 'api-green'],
    says: "green's API (eks-green): connection refused",
  },
];

const SPLIT = replacing(BLUE_LIVE, ['hello', 'world'], [...weighted('hello', { blue: 50, green: 50 }), ...weighted('world', { blue: 50, green: 50 })]);

const productionCases: Case[] = [
  {
    name: 'case 10: production split 50/50, a paused shift here: the split with its percentages, the shift, and the live ExternalDNS as they are',
    change: (o) => {
      o.production = { state: 'read', value: inventory(SPLIT) };
      o.operations = [journal({ kind: 'shift' })];
    },
    live: 'blue',
    failed: ['production-split', 'shift'],
    says: 'production is split while blue is live: hello.devinfra.local blue 50% / green 50%; world.devinfra.local blue 50% / green 50%',
    hint: 'see the unfinished operation below',
  },
  {
    name: 'case 10, no operation anywhere: the split, and how to take production to one colour',
    change: (o) => (o.production = { state: 'read', value: inventory(SPLIT) }),
    live: 'blue',
    failed: ['production-split'],
    hint: 'take production to one colour: bascule switch --to blue --weights 100 --apply --config platform.yaml --access admin',
  },
  {
    name: 'case 11: a writer with blue\'s fenced owner id took hello back while green is live',
    change: (o) => greenLive(o, replacing(BLUE_LIVE, ['world'], prod('world', LB.green, LIVE_OWNER.green))),
    live: 'green',
    failed: ['production-fenced'],
    says: "production names owned by live-eks-blue.devinfra.local, blue's fenced live owner id, though green is live and serves them: hello.devinfra.local (A, registry a-hello.devinfra.local) sends blue 100%",
    hint: '--migrate-from-txt-owner=live-eks-blue.devinfra.local',
  },
  {
    name: 'a switch interrupted after DNS moved (the lock held): names still on blue are not handed over yet, not a fenced writer',
    change: (o) => {
      greenLive(o, BLUE_LIVE);
      o.liveInFile = 'blue';
      o.clusters.green.externalDns = eds(0);
      heldBy(lock({ kind: 'switch', step: 'start-target' }))(o);
    },
    live: 'green',
    failed: ['platform-file', 'production-handover', 'lock'],
    says: 'production names green serves, not yet handed over to it while green is live (a cut-over is unfinished): hello.devinfra.local (owned by live-eks-blue.devinfra.local) sends blue 100%; world.devinfra.local (owned by live-eks-blue.devinfra.local) sends blue 100%',
    hint: 'see the unfinished operation below',
  },
  {
    name: 'case 1: a weighted pair left at green 100 while blue is live (a completed shift, then a switch back)',
    change: (o) => (o.production = { state: 'read', value: inventory(replacing(BLUE_LIVE, ['hello'], weighted('hello', { blue: 0, green: 100 }))) }),
    live: 'blue',
    failed: ['production-weighted'],
    says: 'hello.devinfra.local (blue 0 / green 100)',
  },
  {
    name: 'a name green serves, owned by green\'s live id, still sending traffic to blue while green is live',
    change: (o) => greenLive(o, replacing(BLUE_LIVE, ['hello', 'world'], [...prod('hello', LB.blue, LIVE_OWNER.green), ...prod('world', LB.green, LIVE_OWNER.green)])),
    live: 'green',
    failed: ['production-colour'],
    says: `hello.devinfra.local (A) -> ${LB.blue}`,
  },
  {
    name: 'production unreadable: a failed check, the rest still judged',
    change: (o) => (o.production = { state: 'failed', error: 'Route53 ListResourceRecordSets in zone Z0LOCAL: AccessDenied' }),
    live: 'blue',
    failed: ['production'],
    says: 'cannot read production (Route53): Route53 ListResourceRecordSets in zone Z0LOCAL: AccessDenied',
  },
  { name: 'production not read (no zone ids): no production check', change: (o) => (o.production = { state: 'skipped', reason: 'domains.private.zoneId not set' }), live: 'blue', failed: [] },
];

const operationCases: Case[] = [
  {
    name: 'an unfinished switch here: named, with resume and undo; the live ExternalDNS said as they are, not failed',
    change: (o) => {
      o.operations = [journal({ kind: 'switch' })];
      o.clusters.blue.externalDns = eds(0);
    },
    live: 'blue',
    failed: ['switch'],
    says: 'a cut-over is unfinished: the live ExternalDNS are blue: stopped; green: stopped',
    hint: 'resume it: bascule switch --resume --config platform.yaml --access admin\nor undo it: bascule switch --rollback --config platform.yaml --access admin',
  },
  { name: 'an unreadable journal', change: (o) => (o.operations = [journal({ kind: 'switch', description: 'the switch journal /s is unusable: it is not JSON', unreadable: true })]), live: 'blue', failed: ['switch'], hint: 'move /state/bascule/switch-devinfra.json aside' },
  { name: 'a finished operation: no check', change: (o) => (o.operations = [journal({ kind: 'switch', description: 'switch blue -> green completed', unfinished: false })]), live: 'blue', failed: [] },
  {
    name: "case 9: a dead machine's switch holds the lock, no journal here: holder, kind, from -> to, step, since; the recovery",
    change: heldBy(lock({ kind: 'switch', step: 'dns' })),
    live: 'blue',
    failed: ['lock'],
    says: `the cut-over lock ${LOCK} (zone ${Z.info}) is held by bob@lost-laptop (pid 4242), since 2026-11-30T20:00:00.000Z, for the switch blue -> green at step dns (1h ago), and no journal here holds it`,
    // blog is served by blue only: the recovery towards green refuses it unless allowed, as the switch had to allow it.
    hint: 'finish it from here: bascule switch --resume --break-lock --allow-orphan blog.devinfra.local --config platform.yaml --access admin\nor undo it: bascule switch --rollback --break-lock --config platform.yaml --access admin',
  },
  {
    name: "a dead machine's switch green -> blue: no name is served by green only, nothing to allow",
    change: heldBy(lock({ kind: 'switch', from: 'green', step: 'dns' })),
    live: 'blue',
    failed: ['lock'],
    hint: 'finish it from here: bascule switch --resume --break-lock --config platform.yaml --access admin\n',
  },
  {
    name: "a lost machine's weighted shift holds the lock: the recovery takes production to one colour",
    change: heldBy(lock({ kind: 'shift', step: 'stage-2' })),
    live: 'blue',
    failed: ['lock'],
    says: 'for the weighted shift blue -> green at step stage-2',
    hint: 'take production to one colour from here: bascule switch --to green --weights 100 --break-lock --apply --config platform.yaml --access admin\nor back: bascule switch --to blue --weights 100 --break-lock --apply',
  },
  {
    name: 'the lock held by the unfinished switch of this machine (moved on to a later step): only the switch fails',
    change: (o) => {
      heldBy(lock({ kind: 'switch', step: 'start-target' }))(o);
      o.operations = [journal({ kind: 'switch', lock: lock({ kind: 'switch', step: 'dns' }) })];
    },
    live: 'blue',
    failed: ['switch'],
    says: "this machine's switch (journal /state/bascule/switch-devinfra.json)",
  },
  {
    name: 'the lock held for an operation the journal here says is over',
    change: (o) => {
      heldBy(lock({ kind: 'switch', step: 'record-live' }))(o);
      o.operations = [journal({ kind: 'switch', description: 'switch blue -> green completed', unfinished: false, lock: lock({ kind: 'switch', step: 'record-live' }) })];
    },
    live: 'blue',
    failed: ['lock'],
    says: 'says that operation is over: its release failed',
  },
  {
    name: 'another holder (a different id) while this machine\'s switch is unfinished: both fail',
    change: (o) => {
      heldBy(lock({ kind: 'switch', op: 'recover', step: 'dns' }, { id: 'ffff00000000', by: 'carol@desk' }))(o);
      o.operations = [journal({ kind: 'switch', lock: lock({ kind: 'switch', step: 'dns' }) })];
    },
    live: 'blue',
    failed: ['switch', 'lock'],
    says: 'carol@desk (pid 4242), since 2026-11-30T20:00:00.000Z, for recover of the switch blue -> green at step dns',
  },
  { name: 'a value bascule does not write', change: heldBy('"someone else"'), live: 'blue', failed: ['lock'], says: 'an unknown holder ("someone else")', hint: 'it is not a value bascule writes' },
  { name: 'the lock record unreadable', change: (o) => (o.lock = { state: 'failed', error: 'no answer within 1m' }), live: 'blue', failed: ['lock'], says: 'cannot read the cut-over lock record: no answer within 1m' },
];

describe('status checks', () => {
  it.each([...dnsAndClusters, ...productionCases, ...operationCases])('$name', (c) => {
    const report = evaluateStatus(observation(c.change), context);
    expect(report.live).toBe(c.live);
    expect(report.checks.filter((x) => !x.ok).map((x) => x.name)).toEqual(c.failed);
    expect(report.ok).toBe(c.failed.length === 0);
    if (c.says) expect(report.checks.map((x) => x.message).join('\n')).toContain(c.says);
    if (c.hint) expect(report.checks.filter((x) => !x.ok).map((x) => x.hint ?? '').join('\n')).toContain(c.hint);
    // Both outputs carry every check (and the table every hint of a failure).
    const table = formatStatusTable(report);
    for (const check of report.checks) expect(table).toContain(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.message}`);
    for (const check of report.checks.filter((x) => !x.ok && x.hint)) for (const line of (check.hint as string).split('\n')) expect(table).toContain(`        ${line}`);
    expect(JSON.parse(statusJson(report)).checks).toEqual(report.checks);
  });

  it("endpoints sharing a host cannot tell the API record's colour, and say why", () => {
    const same = { ...context, targets: { blue: { ...targets.blue, endpointHost: '10.0.0.1' }, green: { ...targets.green, endpointHost: '10.0.0.1' } } };
    const report = evaluateStatus(observation((o) => (o.api = { ...o.api, target: '10.0.0.1' })), same);
    expect(report.checks.find((c) => c.name === 'api-record')?.message).toContain("both clusters' endpoints share that host");
  });

  it('DNS unclear: production is judged against the file\'s live colour, and says so', () => {
    const report = evaluateStatus(observation((o) => {
      o.txt = { ...o.txt, clusterName: 'eks-green' };
      o.production = { state: 'read', value: inventory(SPLIT) };
    }), context);
    expect(report.against).toBe('blue');
    expect(report.checks.find((c) => c.name === 'production-split')?.message).toContain('while the file says live: blue (DNS is unclear)');
  });
});

describe('production, name by name (against blue, then green)', () => {
  const names = (records: Parameters<typeof inventory>[0]) => Object.fromEntries(inventory(records).names.map((n) => [n.name.split('.')[0], n])) as Record<string, ProductionName>;
  const world = names([
    ...BLUE_LIVE,
    ...own('shop', 'blue'), ...own('shop', 'green'), ...weighted('shop', { blue: 30, green: 70 }),
    ...own('cart', 'blue'), ...own('cart', 'green'), ...weighted('cart', { blue: 100, green: 0 }),
    ...own('legacy', 'blue'), ...prod('legacy', '10.0.0.9.nip.io', undefined),
    ...own('odd', 'blue'), ...own('odd', 'green'), ...prod('odd', 'somewhere.example.com', LIVE_OWNER.blue),
    ...own('back', 'blue'), ...own('back', 'green'), ...prod('back', LB.green, LIVE_OWNER.blue),
    ...own('crypt', 'blue'), ...prod('crypt', LB.blue, undefined), txt('a-crypt.devinfra.local', '"kYqjXG2Rt8Gm1bqP3wKzR1bH/jQkZ0Cz9z1dY2w="'),
    ...own('them', 'green'), ...prod('them', LB.green, LIVE_OWNER.green),
    ...own('gone', 'blue'), ...prod('gone', LB.green, LIVE_OWNER.blue),
  ]);
  const rows: [string, Colour, 'live' | 'other' | 'split' | 'elsewhere', NameVerdict, RegExp][] = [
    ['hello', 'blue', 'live', 'ok', /blue 100%, owned by live-eks-blue/],
    ['hello', 'green', 'other', 'fenced', /owned by live-eks-blue\.devinfra\.local, blue's live owner id, fenced since green is live \(registry a-hello\.devinfra\.local\); it sends blue 100%/],
    ['blog', 'blue', 'live', 'orphan', /served by blue only \(blog\.eks-green\.devinfra\.local does not exist\)/],
    ['blog', 'green', 'other', 'orphan', /green does not serve it/],
    ['mail', 'blue', 'live', 'left-alone', /owned by other-team/],
    ['legacy', 'blue', 'elsewhere', 'left-alone', /hand-made/],
    ['crypt', 'blue', 'live', 'left-alone', /cannot be read/],
    ['shop', 'blue', 'split', 'split', /blue 30% \/ green 70%: a weighted shift left half-way/],
    ['cart', 'blue', 'live', 'weighted', /a weighted pair \(blue 100 \/ green 0\)/],
    ['cart', 'green', 'other', 'weighted', /a weighted pair/],
    ['odd', 'blue', 'elsewhere', 'elsewhere', /targets neither colour's load balancers \(somewhere\.example\.com\)/],
    ['back', 'blue', 'other', 'other-colour', /sends all its traffic to green, though blue is live and serves it/],
    ['them', 'green', 'live', 'orphan', /served by green only/],
    // Its target is green's load balancer, but green does not serve it: not green's traffic as the inventory sees it.
    ['gone', 'blue', 'elsewhere', 'orphan', /served by blue only \(gone\.eks-green\.devinfra\.local does not exist\)/],
  ];
  it('the fenced owner id while a cut-over is unfinished: not handed over yet', () => {
    expect(judgeName(world.hello as ProductionName, 'green', true)).toMatchObject({ verdict: 'handover', reason: expect.stringMatching(/^still owned by live-eks-blue\.devinfra\.local, blue's live owner id: the unfinished cut-over has not handed it to green yet; it sends blue 100%$/) });
  });

  it.each(rows)('%s against %s: traffic %s, %s', (label, live, traffic, verdict, reason) => {
    const n = world[label] as ProductionName;
    const r = judgeName(n, live);
    expect([r.traffic, r.verdict]).toEqual([traffic, verdict]);
    expect(r.reason).toMatch(reason);
  });

  it.each([
    [{ blue: 100, green: 0, elsewhere: 0 }, 'blue', 'live'],
    [{ blue: 0, green: 100, elsewhere: 0 }, 'blue', 'other'],
    [{ blue: 50, green: 50, elsewhere: 0 }, 'green', 'split'],
    [{ blue: 50, green: 0, elsewhere: 50 }, 'blue', 'split'],
    [{ blue: 0, green: 0, elsewhere: 100 }, 'blue', 'elsewhere'],
  ] as const)('traffic %j against %s is %s', (t, live, want) => expect(trafficClass(t, live)).toBe(want));

  it('the counts per domain partition the names; orphans and fenced are flagged within', () => {
    const report = evaluateStatus(observation((o) => greenLive(o, replacing(BLUE_LIVE, ['world'], prod('world', LB.green, LIVE_OWNER.green)))), context);
    expect(report.domains.map((d) => [d.domain, d.counts])).toEqual([
      ['devinfra.local', { names: 4, live: 1, other: 2, split: 0, elsewhere: 0, leftAlone: 1, orphans: 1, fenced: 1, handover: 0, weighted: 0 }],
      ['devinfra.fr', { names: 0, live: 0, other: 0, split: 0, elsewhere: 0, leftAlone: 0, orphans: 0, fenced: 0, handover: 0, weighted: 0 }],
    ]);
  });
});

/** One observation with a bit of everything: blue live, a paused shift here holding the lock at 50/50, an orphan, a foreign name. */
const FIXED = observation((o) => {
  o.production = { state: 'read', value: inventory(replacing(BLUE_LIVE, ['hello'], weighted('hello', { blue: 50, green: 50 }))) };
  const value = lock({ kind: 'shift', step: 'stage-1' }, { by: 'alice@laptop' });
  o.operations = [journal({ kind: 'switch', description: 'switch green -> blue completed', unfinished: false }), journal({ kind: 'shift', lock: value })];
  heldBy(value)(o);
});

describe('the table and the JSON', () => {
  it('the JSON keeps every field of before and adds production, operations and lock (test/golden/status.json)', () => {
    const json = statusJson(evaluateStatus(FIXED, context));
    golden('test/golden/status.json', json);
    const report = JSON.parse(json);
    for (const field of ['platform', 'file', 'liveInFile', 'live', 'ok', 'resolver', 'txt', 'api', 'clusters', 'externalDnsNamespace', 'switch', 'checks', 'production', 'operations', 'lock']) {
      expect(report).toHaveProperty(field);
    }
    expect(report.switch).toEqual({ path: '/state/bascule/shift-devinfra.json', description: 'weighted shift blue -> green paused: green at 50%, next stage 100%', unfinished: true });
  });

  it('a free lock is null in the JSON; one that cannot be read says why', () => {
    expect(JSON.parse(statusJson(evaluateStatus(observation(), context))).lock).toBeNull();
    expect(JSON.parse(statusJson(evaluateStatus(observation((o) => (o.lock = { state: 'failed', error: 'AccessDenied' })), context))).lock).toEqual({ record: null, zoneId: null, error: 'AccessDenied' });
  });

  it('the table', () => {
    expect(formatStatusTable(evaluateStatus(FIXED, context))).toBe(
      [
        'devinfra (platform.yaml): blue is live; the file says live: blue',
        '',
        'DNS, via DNS server 10.0.0.2',
        '  TXT    eks.devinfra.info   "eks-blue"            blue',
        '  CNAME  api.devinfra.local  blue.eks.example.com  blue',
        '',
        'Clusters',
        '                                         blue (eks-blue) *live*  green (eks-green)',
        '  API                                    ok v1.32.1              ok v1.33.0',
        '  kube-system/live-external-dns-private  1/1 ready               stopped (0)',
        '  kube-system/live-external-dns-public   1/1 ready               stopped (0)',
        '',
        'Production, against blue (the live colour)',
        `  devinfra.local (private, zone ${Z.local}): 4 names: 2 to blue, 1 split, 1 left alone; 1 orphan`,
        '    blog.devinfra.local   blue 100%             orphan: served by blue only (blog.eks-green.devinfra.local does not exist)',
        '    hello.devinfra.local  blue 50% / green 50%  split: blue 50% / green 50%: a weighted shift left half-way',
        `  devinfra.fr (public, zone ${Z.fr}): no production names`,
        '',
        'Operations',
        '  switch          /state/bascule/switch-devinfra.json  switch green -> blue completed',
        '  weighted shift  /state/bascule/shift-devinfra.json   UNFINISHED: weighted shift blue -> green paused: green at 50%, next stage 100%',
        `  lock            ${LOCK}      held by alice@laptop (pid 4242), since 2026-11-30T20:00:00.000Z, for the weighted shift blue -> green at step stage-1`,
        '',
        'Checks',
        '  ok    TXT eks.devinfra.info names eks-blue (blue)',
        '  ok    api.devinfra.local points at blue.eks.example.com (blue)',
        '  ok    the TXT and API records agree: blue is live',
        '  ok    platform.yaml says live: blue, as DNS does',
        '  ok    a cut-over is unfinished: the live ExternalDNS are blue: live-external-dns-private 1/1, live-external-dns-public 1/1; green: stopped',
        "  ok    blue's API answers with a token for eks-blue (v1.32.1)",
        "  ok    green's API answers with a token for eks-green (v1.33.0)",
        '  FAIL  production is split while blue is live: hello.devinfra.local blue 50% / green 50%',
        '        see the unfinished operation below',
        '  FAIL  weighted shift blue -> green paused: green at 50%, next stage 100% (journal /state/bascule/shift-devinfra.json)',
        '        resume it: bascule switch --resume --config platform.yaml --access admin',
        '        or undo it: bascule switch --rollback --config platform.yaml --access admin',
        `  ok    the cut-over lock ${LOCK} (zone ${Z.info}) is held by alice@laptop (pid 4242), since 2026-11-30T20:00:00.000Z, for the weighted shift blue -> green at step stage-1 (1h ago): this machine's weighted shift (journal /state/bascule/shift-devinfra.json)`,
        '',
      ].join('\n'),
    );
  });

  it('-v lists the names left alone and those served as they should be', () => {
    const table = formatStatusTable(evaluateStatus(FIXED, context), { verbose: true });
    expect(table).toMatch(/mail\.devinfra\.local\s+blue 100%\s+left-alone: owned by other-team/);
    expect(table).toMatch(/world\.devinfra\.local\s+blue 100%\s+ok: blue 100%, owned by live-eks-blue\.devinfra\.local/);
    expect(formatStatusTable(evaluateStatus(FIXED, context))).not.toContain('mail.devinfra.local');
  });
});

