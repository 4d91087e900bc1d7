/**
 * The planner and the switch spec (pure): the example platform of the
 * article, switched both ways; what each step changes and checks.
 */
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform/model.js';
import { readPlatform } from '../../src/platform/read.js';
import { DEFAULT_WAITS, formatMs, parseDurationMs } from '../../src/switch/options.js';
import { describeRollbackStep, describeSwitchStep, formatPlan, switchStepIds } from '../../src/switch/plan.js';
import { buildSpec, checkTarget, colourOfApiTarget, requireZones, unquoteTxt, type SwitchSpec } from '../../src/cutover/spec.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const example = readPlatform('examples/platform.yaml', ROOT);
const BLUE_HOST = 'a1b2c3d4e5f60718293a4b5c6d7e8f90.gr7.eu-west-3.eks.amazonaws.com';
const GREEN_HOST = '0f9e8d7c6b5a49382716f5e4d3c2b1a0.yl4.eu-west-3.eks.amazonaws.com';

const endpoints = (p: Platform) => ({ blue: p.clusters.blue.endpoint as string, green: p.clusters.green.endpoint as string });
const spec = (p: Platform, to: 'blue' | 'green' = 'green', resolver: string | undefined = '10.0.0.2'): SwitchSpec =>
  buildSpec(p, endpoints(p), { from: to === 'green' ? 'blue' : 'green', to, resolver, waits: DEFAULT_WAITS, journal: '/state/switch-devinfra.json' });

describe('the switch spec', () => {
  it('is derived once from the platform: records, zones, TTLs, endpoint hosts, the live ExternalDNS', () => {
    const s = spec(example);
    expect(s).toMatchObject({
      platform: 'devinfra',
      from: 'blue',
      to: 'green',
      apiRecord: { name: 'api.devinfra.local', zoneId: 'Z0DEVINFRALOCAL01', ttl: 60 },
      txtRecord: { name: 'eks.devinfra.info', zoneId: 'Z0DEVINFRAINFO03', ttl: 60 },
      externalDns: { namespace: 'kube-system', deployments: ['live-external-dns-private', 'live-external-dns-public'] },
      clusters: {
        blue: { clusterName: 'eks-blue', endpointHost: BLUE_HOST, apiRecord: 'api.eks-blue.devinfra.local' },
        green: { clusterName: 'eks-green', endpointHost: GREEN_HOST },
      },
    });
    // The post-check waits for the longest TTL plus 30 s unless told otherwise.
    expect(s.waits.dnsWaitMs).toBe(90_000);
    expect(buildSpec(example, endpoints(example), { from: 'blue', to: 'green', resolver: undefined, waits: { ...DEFAULT_WAITS, dnsWaitMs: 1000 }, journal: 'j' }).waits.dnsWaitMs).toBe(1000);
  });

  it('refuses the live colour, and the same colour twice', () => {
    expect(() => checkTarget(example, 'blue')).toThrow(/blue is already the live colour \(examples\/platform\.yaml says live: blue\)/);
    expect(() => checkTarget(example, 'green')).not.toThrow();
    expect(() => buildSpec(example, endpoints(example), { from: 'green', to: 'green', resolver: undefined, waits: DEFAULT_WAITS, journal: 'j' })).toThrow(/from one colour to the other/);
  });

  it('needs the zone ids of both records and of the shared domains, and names every missing one', () => {
    const noShared = { ...example, domains: { private: { ...example.domains.private, zoneId: undefined }, public: example.domains.public } };
    expect(() => requireZones(noShared)).toThrow(/domains\.private\.zoneId \(the zone of devinfra\.local, where the live ExternalDNS write production records\) is not set/);
    const noApi = { ...example, api: { ...example.api, zoneId: undefined } };
    expect(() => requireZones(noApi)).toThrow(/api\.zoneId \(the Route53 hosted zone of api\.devinfra\.local\) is not set/);
    const neither = { ...noApi, clusterNameRecord: { ...example.clusterNameRecord, zoneId: undefined } };
    expect(() => requireZones(neither)).toThrow(/api\.zoneId .* and clusterNameRecord\.zoneId .* are not set/);
  });

  it.each([
    ['blue endpoint host', BLUE_HOST, 'blue'],
    ['upper case, trailing dot', `${GREEN_HOST.toUpperCase()}.`, 'green'],
    ["the colour's own API record", 'api.eks-green.devinfra.local', 'green'],
    ['something else', 'elsewhere.example.com', undefined],
  ])('a CNAME to %s designates %s', (_, target, colour) => {
    expect(colourOfApiTarget(spec(example).clusters, target)).toBe(colour);
  });

  it('a CNAME target both colours share designates neither', () => {
    const same = { blue: { endpointHost: '127.0.0.1', apiRecord: 'a' }, green: { endpointHost: '127.0.0.1', apiRecord: 'b' } };
    expect(colourOfApiTarget(same, '127.0.0.1')).toBeUndefined();
  });

  it.each([
    ['"eks-blue"', 'eks-blue'],
    ['"eks-" "blue"', 'eks-blue'],
    ['"a\\"b"', 'a"b'],
    ['bare', 'bare'],
  ])('Route53 TXT value %s holds %s', (value, text) => {
    expect(unquoteTxt(value)).toBe(text);
  });
});

describe('the planned steps', () => {
  it('blue -> green: seven steps, in the article\'s order, framed by a preflight and a post-check, then the hand-over ends', () => {
    expect(switchStepIds(spec(example))).toEqual(['preflight', 'stop-source', 'dns', 'start-target', 'postcheck', 'end-handover', 'record-live']);
  });

  it('without ExternalDNS there is nothing to scale', () => {
    const p = { ...example, externalDns: { ...example.externalDns, enabled: false } };
    const s = spec(p);
    expect(switchStepIds(s)).toEqual(['preflight', 'dns', 'postcheck', 'record-live']);
    expect(describeSwitchStep(s, 'preflight').checks.join('\n')).toContain('externalDns.enabled is false');
  });

  it.each([
    ['green', 'blue', GREEN_HOST, 'eks-green'],
    ['blue', 'green', BLUE_HOST, 'eks-blue'],
  ] as const)('to %s: each step says what it changes and how it is checked', (to, from, host, cluster) => {
    const p = { ...example, live: from };
    const s = spec(p, to);
    const steps = switchStepIds(s).map((id) => describeSwitchStep(s, id));
    const [preflight, stop, dns, start, post, handover, record] = steps;
    expect(preflight?.changes).toEqual([]);
    expect(preflight?.checks.join('\n')).toContain(`${to}'s live ExternalDNS (kube-system/live-external-dns-private, kube-system/live-external-dns-public) exist with 0 replicas`);
    expect(preflight?.checks.join('\n')).toContain(`TXT eks.devinfra.info names eks-${from} (${from}) and holds no ExternalDNS registry value, in Route53 and via DNS server 10.0.0.2`);
    expect(preflight?.checks.join('\n')).toContain(`owner ids (${from} live-eks-${from}.devinfra.local, live-eks-${from}.devinfra.fr; ${to} live-eks-${to}.devinfra.local, live-eks-${to}.devinfra.fr), --policy=upsert-only`);
    expect(preflight?.checks.join('\n')).toContain(`every name ${from}'s live ExternalDNS own that ${to} does not serve is an orphan, refused unless named by --allow-orphan`);
    expect(preflight?.checks.join('\n')).toContain('the Route53 zones Z0DEVINFRALOCAL01, Z0DEVINFRAINFO03, Z0DEVINFRAFR02 exist; private ones are associated with both clusters\' VPCs');
    expect(stop).toMatchObject({ title: `Stop ${from}'s live ExternalDNS`, changes: [`${from}: scale kube-system/live-external-dns-private, kube-system/live-external-dns-public to 0 replicas`] });
    expect(stop?.checks[0]).toMatch(new RegExp(`no pod of them is left in ${from} \\(looked at every 2s, up to 5m\\)`));
    expect(dns?.changes).toEqual([
      `zone Z0DEVINFRALOCAL01: UPSERT api.devinfra.local CNAME ${host}, TTL 60 (${to}'s endpoint)`,
      `zone Z0DEVINFRAINFO03: UPSERT eks.devinfra.info TXT "${cluster}", TTL 60 (${to}'s cluster name)`,
    ]);
    expect(dns?.checks[0]).toContain('INSYNC');
    expect(start?.changes).toEqual([`${to}: add --migrate-from-txt-owner=<${from}'s live owner id> to kube-system/live-external-dns-private, kube-system/live-external-dns-public, scale them to 1 replica`]);
    expect(post?.changes).toEqual([]);
    expect(post?.checks[0]).toContain(`target ${to}'s load balancers (what ${to}'s own record for each name targets) and their registry entries name live-eks-${to}.devinfra.local, live-eks-${to}.devinfra.fr, in Route53 (waits up to 3 ExternalDNS intervals`);
    expect(handover?.changes).toEqual([`${to}: remove --migrate-from-txt-owner from kube-system/live-external-dns-private, kube-system/live-external-dns-public (as \`bascule manifests\` generates them)`]);
    expect(post?.checks.join('\n')).toContain(`TXT eks.devinfra.info resolves to ${cluster} via DNS server 10.0.0.2 (waits up to 1m30s`);
    expect(post?.checks.join('\n')).toContain(`signed for ${cluster}`);
    expect(record?.changes).toEqual([`examples/platform.yaml: live: ${from} -> live: ${to} (the rest of the file, comments included, kept as it is)`]);
  });

  it('once preflight has looked, the DNS step says what the records hold now', () => {
    const s = spec(example);
    const dns = describeSwitchStep(s, 'dns', { api: { values: [BLUE_HOST], ttl: 300 }, txt: null, replicas: {} });
    expect(dns.changes[0]).toContain(`(green's endpoint, now ${BLUE_HOST} (TTL 300))`);
    expect(dns.changes[1]).toContain("(green's cluster name, now absent)");
    expect(describeSwitchStep(s, 'postcheck', { api: null, txt: null, replicas: {}, moves: ['hello.devinfra.local', 'world.devinfra.local'] }).checks[0]).toMatch(/^hello\.devinfra\.local, world\.devinfra\.local target green's load balancers/);
  });

  it('the rollback restores what preflight saw, or deletes what did not exist', () => {
    const s = spec(example);
    const restore = describeRollbackStep(s, 'restore-dns', { api: null, txt: { values: ['"eks-blue"'], ttl: 30 }, replicas: {} });
    expect(restore.changes).toEqual([
      'zone Z0DEVINFRALOCAL01: DELETE api.devinfra.local CNAME (it did not exist before the switch)',
      'zone Z0DEVINFRAINFO03: UPSERT eks.devinfra.info TXT "eks-blue", TTL 30 (as before the switch)',
    ]);
    const start = describeRollbackStep(s, 'start-source', { api: null, txt: null, replicas: { 'live-external-dns-private': 2, 'live-external-dns-public': 1 } });
    expect(start.changes[0]).toContain('back to the replicas they had (live-external-dns-private 2, live-external-dns-public 1)');
    expect(describeRollbackStep(s, 'stop-target', null).changes).toEqual(['green: remove any --migrate-from-txt-owner from kube-system/live-external-dns-private, kube-system/live-external-dns-public, scale them to 0 replicas']);
    expect(start.changes[0]).toMatch(/^blue: add --migrate-from-txt-owner=<green's live owner id>/);
    expect(describeRollbackStep(s, 'restore-live', null).changes).toEqual(['examples/platform.yaml: live: green -> live: blue']);
  });

  it('prints as numbered blocks, changes then checks', () => {
    const text = formatPlan([
      { id: 'preflight', title: 'Preflight', changes: [], checks: ['a', 'b'] },
      { id: 'dns', title: 'DNS', changes: ['x', 'y'], checks: ['z'] },
    ]);
    expect(text).toBe(
      [
        '1/2  Preflight (changes nothing)',
        '      checks:  a',
        '               b',
        '2/2  DNS',
        '      changes: x',
        '               y',
        '      checks:  z',
        '',
      ].join('\n'),
    );
    expect(formatPlan([{ id: 'dns', title: 'DNS', changes: ['x'], checks: [] }], { numbering: { from: 3, total: 6 } })).toBe('3/6  DNS\n      changes: x\n');
  });
});

describe('durations', () => {
  it.each([
    ['90', 90],
    ['2000', 2000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['2s', 2000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs('--timeout', text, { min: 0, max: 3_600_000 })).toBe(ms);
  });

  it.each([
    ['forever', /--timeout "forever" is not a duration/],
    ['1,5s', /is not a duration/],
    ['2h', /--timeout 2h is out of range \(0ms to 1h\)/],
  ])('%s is refused', (text, message) => {
    expect(() => parseDurationMs('--timeout', text, { min: 0, max: 3_600_000 })).toThrow(message);
  });

  it.each([
    [250, '250ms'],
    [1500, '1.5s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
  ])('%d ms prints as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
