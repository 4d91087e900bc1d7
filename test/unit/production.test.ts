/**
 * The one production model: names in one normal form, ExternalDNS's registry
 * as v0.22 reads it, the inventory (owners, which colours serve a name, where
 * its traffic goes), and the verdicts of both cut-overs over the same names.
 */
import { describe, expect, it } from 'vitest';
import { indexZones, takeInventory, type KindLayout, type ProductionLayout, type ProductionName } from '../../src/production/inventory.js';
import { normName, normTarget, route53Name } from '../../src/production/names.js';
import type { RecordSet } from '../../src/production/records.js';
import { affixesFromArgs, argValue, argValues, NO_AFFIXES, registryIndex, registryLabels, registryName, registryTarget, registryValue } from '../../src/production/registry.js';
import { orphansAgainst, shiftVerdict, switchVerdict } from '../../src/production/verdicts.js';

describe('names: decoded for people, encoded for Route53', () => {
  it.each([
    ['\\052.devinfra.local.', '*.devinfra.local'],
    ['caf\\303\\251.devinfra.local', 'café.devinfra.local'],
    ['  Hello.DevInfra.Local. ', 'hello.devinfra.local'],
    ['a\\040b.devinfra.local', 'a b.devinfra.local'],
    ['dualstack.k8s-1.ELB.amazonaws.com.', 'dualstack.k8s-1.elb.amazonaws.com'],
  ])('%s reads as %s', (listed, decoded) => {
    expect(normName(listed)).toBe(decoded);
  });

  it('route53Name encodes what Route53 escapes, and round-trips', () => {
    expect(route53Name('café.devinfra.local')).toBe('caf\\303\\251.devinfra.local');
    expect(route53Name('*.devinfra.local')).toBe('*.devinfra.local');
    expect(route53Name('a b.x')).toBe('a\\040b.x');
    for (const name of ['café.devinfra.local', '*.devinfra.local', 'x_y-1.devinfra.local', 'ünï.cödé.fr']) expect(normName(route53Name(name))).toBe(name);
  });

  it('targets compare without dualstack., case or final dot', () => {
    expect(normTarget('dualstack.K8S-blue.eu-west-3.elb.amazonaws.com.')).toBe('k8s-blue.eu-west-3.elb.amazonaws.com');
  });
});

describe('registry values and names', () => {
  it.each([
    ['"heritage=external-dns,external-dns/owner=o,external-dns/resource=ingress/web/hello"', { owner: 'o', resource: 'ingress/web/hello' }],
    ['heritage=external-dns,external-dns/owner=x', { owner: 'x' }],
    ['"heritage=external-dns,foo=bar,lonely,external-dns/owner=o"', { owner: 'o' }],
  ])('%s is a registry value', (value, labels) => expect(registryLabels(value)).toEqual(labels));

  it.each([['"eks-blue"'], ['"heritage=other,external-dns/owner=x"'], ['"external-dns/owner=x"'], ['"AbCdEf0123=="']])('%s is not', (value) => expect(registryLabels(value)).toBeUndefined());

  it.each([
    ['hello.devinfra.local', '', '', 'hello.devinfra.local', ''],
    ['a-hello.devinfra.local', '', '', 'hello.devinfra.local', 'A'],
    ['cname-hello.devinfra.local', '', '', 'hello.devinfra.local', 'CNAME'],
    ['aaaa-hello.devinfra.local.', '', '', 'hello.devinfra.local', 'AAAA'],
    ['CNAME-Hello.DevInfra.local', '', '', 'hello.devinfra.local', 'CNAME'],
    ['a-\\052.devinfra.local', '', '', '*.devinfra.local', 'A'],
    ['reg-a-hello.devinfra.local', 'reg-', '', 'hello.devinfra.local', 'A'],
    ['reg-hello.devinfra.local', 'reg-', '', 'hello.devinfra.local', ''],
    ['a.reg.hello.devinfra.local', '%{record_type}.reg.', '', 'hello.devinfra.local', 'A'],
    ['a-hello-sfx.devinfra.local', '', '-sfx', 'hello.devinfra.local', 'A'],
    ['hello-sfx.devinfra.local', '', '-sfx', 'hello.devinfra.local', ''],
    ['hello-cname.devinfra.local', '', '-%{record_type}', 'hello.devinfra.local', 'CNAME'],
    ['a-hello.x.devinfra.local', '', '.x', 'hello.devinfra.local', 'A'],
  ])('%s (prefix %j, suffix %j) claims %s %s', (txt, prefix, suffix, name, type) => {
    expect(registryTarget(txt, { prefix, suffix })).toEqual({ name, type });
  });

  it('what ExternalDNS writes, bascule reads back', () => {
    expect(registryTarget('a-hello.devinfra.local', { prefix: 'reg-', suffix: '' })).toBeUndefined();
    for (const affixes of [NO_AFFIXES, { prefix: 'reg-', suffix: '' }, { prefix: '%{record_type}-reg.', suffix: '' }, { prefix: '', suffix: '-sfx' }, { prefix: '', suffix: '-%{record_type}' }]) {
      for (const type of ['A', 'AAAA', 'CNAME']) expect(registryTarget(registryName('hello.devinfra.local', type, affixes), affixes)).toEqual({ name: 'hello.devinfra.local', type });
    }
    expect(registryValue({ resource: 'service/web/hello', owner: 'o' })).toBe('"heritage=external-dns,external-dns/owner=o,external-dns/resource=service/web/hello"');
  });

  it('reads the flags from a container\'s args, the last one winning', () => {
    const args = ['--txt-prefix=a-', '--txt-owner-id', 'one', '--txt-owner-id=two', '--exclude-domains=x', '--exclude-domains', 'y'];
    expect(affixesFromArgs(args)).toEqual({ prefix: 'a-', suffix: '' });
    expect(argValue(args, 'txt-owner-id')).toBe('two');
    expect(argValue(args, 'policy')).toBeUndefined();
    expect(argValues(args, 'exclude-domains')).toEqual(['x', 'y']);
  });
});

const reg = (owner: string, resource = 'service/web/x') => registryValue({ owner, resource });
const txt = (name: string, value: string, setIdentifier?: string): RecordSet => ({ name, type: 'TXT', ttl: 300, values: [value], ...(setIdentifier ? { setIdentifier } : {}) });
const aliasA = (name: string, lb: string, type = 'A'): RecordSet => ({ name, type, alias: { zoneId: 'Z3Q77PNBQS71R4', dnsName: lb, evaluateTargetHealth: true } });
const cname = (name: string, target: string, ttl = 300): RecordSet => ({ name, type: 'CNAME', ttl, values: [target] });

describe('the registry index: which entry claims a record set', () => {
  const index = (records: RecordSet[], affixes = NO_AFFIXES) => registryIndex(records, affixes);
  it('the new-format entry first; a cname- entry for an alias A (the legacy name); the old format for every type but AAAA', () => {
    const i = index([txt('a-x.d', reg('new')), txt('cname-y.d', reg('legacy')), txt('z.d', reg('old')), txt('cname-w.d', reg('c'))]);
    expect(i.claim(aliasA('x.d', 'lb'))?.owner).toBe('new');
    expect(i.claim(aliasA('y.d', 'lb'))?.owner).toBe('legacy');
    expect(i.claim({ name: 'y.d', type: 'A', values: ['10.0.0.1'] })).toBeUndefined(); // not an alias: cname- does not claim it
    expect(i.claim(aliasA('y.d', 'lb', 'AAAA'))).toBeUndefined();
    expect(i.claim(aliasA('z.d', 'lb'))?.owner).toBe('old');
    expect(i.claim(aliasA('z.d', 'lb', 'AAAA'))).toBeUndefined(); // AAAA only from aaaa-
    expect(i.claim(cname('w.d', 't'))?.owner).toBe('c');
  });
  it('an entry carries the set identifier of the record it claims', () => {
    const i = index([txt('cname-x.d', reg('o1'), 'blue')]);
    expect(i.claim({ ...cname('x.d', 't'), setIdentifier: 'blue', weight: 1 })?.owner).toBe('o1');
    expect(i.claim(cname('x.d', 't'))).toBeUndefined();
  });
  it('an unreadable value at a new-format name is an entry with no owner (encrypted); at the name itself it is a plain TXT', () => {
    const i = index([txt('a-x.d', '"kYqjXG2Rt8Gm1bqP3wKzR1bH/jQkZ0Cz9z1dY2w="'), txt('y.d', '"v=spf1 -all"')]);
    expect(i.claim(aliasA('x.d', 'lb'))).toMatchObject({ owner: undefined });
    expect(i.claim(aliasA('y.d', 'lb'))).toBeUndefined();
  });
  it('with affixes, only names carrying them are entries', () => {
    const i = index([txt('reg-a-x.d', reg('p')), txt('a-y.d', reg('q'))], { prefix: 'reg-', suffix: '' });
    expect(i.claim(aliasA('x.d', 'lb'))?.owner).toBe('p');
    expect(i.claim(aliasA('y.d', 'lb'))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// The inventory, on the article's layout: devinfra.local shared, eks-blue/eks-green sub-domains in the same zone.

const Z = 'Z0LOCAL';
const LB = { blue: 'k8s-blue-1.eu-west-3.elb.amazonaws.com', green: 'k8s-green-2.eu-west-3.elb.amazonaws.com' };
const LIVE = { blue: 'live-eks-blue.devinfra.local', green: 'live-eks-green.devinfra.local' };
const CLUSTER = { blue: 'ingress-eks-blue.devinfra.local', green: 'ingress-eks-green.devinfra.local' };
const kind = (zoneIds: { shared?: string; blue?: string; green?: string } = {}): KindLayout => ({
  kind: 'private',
  domain: 'devinfra.local',
  zoneId: zoneIds.shared ?? Z,
  liveAffixes: NO_AFFIXES,
  colours: {
    blue: { domain: 'eks-blue.devinfra.local', zoneId: zoneIds.blue ?? Z, clusterOwner: CLUSTER.blue, clusterAffixes: NO_AFFIXES, liveOwner: LIVE.blue },
    green: { domain: 'eks-green.devinfra.local', zoneId: zoneIds.green ?? Z, clusterOwner: CLUSTER.green, clusterAffixes: NO_AFFIXES, liveOwner: LIVE.green },
  },
});
const LAYOUT: ProductionLayout = { kinds: [kind()], excluded: ['api.devinfra.local', 'eks.devinfra.info', '_bascule-lock.eks.devinfra.info'] };

/** A name served by a colour: its own alias A and AAAA, owned by its cluster-scoped ExternalDNS. */
const own = (label: string, c: 'blue' | 'green', owner = CLUSTER[c]): RecordSet[] => {
  const name = label ? `${label}.eks-${c}.devinfra.local` : `eks-${c}.devinfra.local`;
  return [aliasA(name, LB[c]), aliasA(name, LB[c], 'AAAA'), txt(`a-${name}`, reg(owner)), txt(`aaaa-${name}`, reg(owner))];
};
/** A production name as a live ExternalDNS writes it. */
const prod = (label: string, lb: string, owner: string | undefined): RecordSet[] => {
  const name = label ? `${label}.devinfra.local` : 'devinfra.local';
  return [aliasA(name, lb), aliasA(name, lb, 'AAAA'), ...(owner ? [txt(`a-${name}`, reg(owner)), txt(`aaaa-${name}`, reg(owner))] : [])];
};
const weighted = (label: string, w: { blue: number; green: number }): RecordSet[] =>
  (['blue', 'green'] as const).map((c) => ({ ...cname(`${label}.devinfra.local`, `${label}.eks-${c}.devinfra.local`, 60), setIdentifier: c, weight: w[c] }));

function inventory(records: RecordSet[], layout = LAYOUT) {
  const zones = new Map<string, RecordSet[]>();
  for (const r of records) zones.set(Z, [...(zones.get(Z) ?? []), r]);
  for (const id of [...new Set(layout.kinds.flatMap((k) => [k.zoneId, k.colours.blue.zoneId, k.colours.green.zoneId]))]) if (!zones.has(id)) zones.set(id, []);
  return takeInventory(layout, indexZones(zones));
}
const byName = (names: readonly ProductionName[]) => Object.fromEntries(names.map((n) => [n.name, n]));

const WORLD: RecordSet[] = [
  cname('api.devinfra.local', 'a1b2.gr7.eu-west-3.eks.amazonaws.com', 60),
  ...own('hello', 'blue'), ...own('hello', 'green'), ...prod('hello', LB.blue, LIVE.blue),
  ...own('world', 'blue'), ...own('world', 'green'), ...prod('world', LB.blue, LIVE.blue),
  ...own('blog', 'blue'), ...prod('blog', LB.blue, LIVE.blue),
  // Stale: green has a record for shop, but its cluster-scoped ExternalDNS does not own it (case 2).
  ...own('shop', 'blue'), ...own('shop', 'green', 'someone-else'), ...prod('shop', LB.blue, LIVE.blue),
  // Foreign and hand-made (cases 3 and 4), one without any colour counterpart.
  ...own('mail', 'blue'), ...own('mail', 'green'), ...prod('mail', LB.blue, 'other-team'),
  ...prod('legacy', '10.0.0.9.nip.io', undefined),
  // The apex, served by blue only (case 5); a wildcard as Route53 lists it (case 16).
  ...own('', 'blue'), ...prod('', LB.blue, LIVE.blue),
  ...own('\\052', 'blue'), ...own('\\052', 'green'), ...prod('\\052', LB.blue, LIVE.blue).map((r) => ({ ...r, name: normName(r.name) })),
];

describe('the inventory: every name under the shared domains, one way', () => {
  const names = byName(inventory(WORLD.map((r) => ({ ...r, name: normName(r.name) }))).names);

  it('lists the apex and every production name, in the normal form; never the API record nor the sub-domains', () => {
    expect(Object.keys(names)).toEqual(['*.devinfra.local', 'blog.devinfra.local', 'devinfra.local', 'hello.devinfra.local', 'legacy.devinfra.local', 'mail.devinfra.local', 'shop.devinfra.local', 'world.devinfra.local']);
  });

  it('a colour serves a name when its own record exists and its cluster-scoped ExternalDNS owns it', () => {
    expect(names['hello.devinfra.local']?.colours.green?.targets).toEqual([LB.green]);
    expect(names['shop.devinfra.local']?.colours.green).toBeUndefined();
    expect(names['shop.devinfra.local']?.unserved.green).toMatch(/shop\.eks-green\.devinfra\.local exists but is not owned by ingress-eks-green\.devinfra\.local .*owner someone-else/);
    expect(names['blog.devinfra.local']?.unserved.green).toBe('blog.eks-green.devinfra.local does not exist');
    expect(names['devinfra.local']?.colours.blue?.name).toBe('eks-blue.devinfra.local');
  });

  it('owners: a live colour, another owner, nobody', () => {
    expect(names['hello.devinfra.local']?.owner).toEqual({ kind: 'live', colour: 'blue', id: LIVE.blue });
    expect(names['mail.devinfra.local']?.owner).toEqual({ kind: 'other', id: 'other-team' });
    expect(names['legacy.devinfra.local']?.owner).toEqual({ kind: 'none' });
  });

  it('traffic: where the targets go, per colour', () => {
    expect(names['hello.devinfra.local']?.traffic).toEqual({ blue: 100, green: 0, elsewhere: 0 });
    expect(names['legacy.devinfra.local']?.traffic).toEqual({ blue: 0, green: 0, elsewhere: 100 });
    expect(names['hello.devinfra.local']?.ttl).toBe(60);
  });

  it('the plain switch and the weighted shift give one verdict for one fact (cases 2 to 5)', () => {
    const both = Object.values(names).map((n) => [n.name, switchVerdict(n, 'blue', 'green').action, shiftVerdict(n, 'blue', 'green').action]);
    expect(both).toEqual([
      ['*.devinfra.local', 'moves', 'converts'],
      ['blog.devinfra.local', 'orphan', 'orphan'],
      ['devinfra.local', 'orphan', 'orphan'],
      ['hello.devinfra.local', 'moves', 'converts'],
      ['legacy.devinfra.local', 'left-alone', 'left-alone'],
      ['mail.devinfra.local', 'left-alone', 'left-alone'],
      ['shop.devinfra.local', 'orphan', 'orphan'],
      ['world.devinfra.local', 'moves', 'converts'],
    ]);
  });

  it('--allow-orphan takes decoded names: the wildcard as people write it', () => {
    const verdicts = Object.values(names).map((n) => switchVerdict(n, 'blue', 'green'));
    const { refused, unknown } = orphansAgainst(verdicts, ['blog.devinfra.local', 'devinfra.local', 'nope.devinfra.local']);
    expect(refused.map((v) => v.name.name)).toEqual(['shop.devinfra.local']);
    expect(unknown).toEqual(['nope.devinfra.local']);
  });
});

describe('weighted production', () => {
  const base = [...own('hello', 'blue'), ...own('hello', 'green'), ...own('world', 'blue'), ...own('world', 'green')];
  it('a weighted pair is bascule\'s: its weights say where the traffic goes; 0/0 splits equally', () => {
    const names = byName(inventory([...base, ...weighted('hello', { blue: 30, green: 70 }), ...weighted('world', { blue: 0, green: 0 })]).names);
    expect(names['hello.devinfra.local']).toMatchObject({ owner: { kind: 'bascule' }, form: 'weighted', weights: { blue: 30, green: 70 }, traffic: { blue: 30, green: 70, elsewhere: 0 } });
    expect(names['world.devinfra.local']?.traffic).toEqual({ blue: 50, green: 50, elsewhere: 0 });
    expect(switchVerdict(names['hello.devinfra.local'] as ProductionName, 'blue', 'green').action).toBe('weighted');
    expect(shiftVerdict(names['hello.devinfra.local'] as ProductionName, 'blue', 'green').action).toBe('shifts');
  });
  it('weighted sets with other identifiers are not bascule\'s', () => {
    const sets = weighted('hello', { blue: 1, green: 1 }).map((s, i) => ({ ...s, setIdentifier: `eu-${i}` }));
    const n = byName(inventory([...base, ...sets]).names)['hello.devinfra.local'] as ProductionName;
    expect(n.owner).toEqual({ kind: 'none' });
    expect(switchVerdict(n, 'blue', 'green').action).toBe('left-alone');
  });
  it('a pair one colour no longer serves is an orphan of the shift', () => {
    const n = byName(inventory([...own('hello', 'blue'), ...weighted('hello', { blue: 50, green: 50 })]).names)['hello.devinfra.local'] as ProductionName;
    expect(shiftVerdict(n, 'blue', 'green')).toMatchObject({ action: 'orphan', reason: expect.stringMatching(/hello\.eks-green\.devinfra\.local does not exist/) });
  });
});

describe('layouts: sub-domains in their own zones, an entry that cannot be read', () => {
  it('reads each colour\'s records in its own zone', () => {
    const layout: ProductionLayout = { kinds: [kind({ blue: 'ZBLUE', green: 'ZGREEN' })], excluded: [] };
    const zones = new Map<string, RecordSet[]>([
      [Z, prod('hello', LB.blue, LIVE.blue)],
      ['ZBLUE', own('hello', 'blue')],
      ['ZGREEN', own('hello', 'green')],
    ]);
    const [n] = takeInventory(layout, indexZones(zones)).names;
    expect(n?.colours.green?.zoneId).toBe('ZGREEN');
    expect(switchVerdict(n as ProductionName, 'blue', 'green').action).toBe('moves');
  });
  it('an unreadable registry entry makes the owner unknown: left alone by both', () => {
    const records = [...own('hello', 'blue'), ...own('hello', 'green'), aliasA('hello.devinfra.local', LB.blue), txt('a-hello.devinfra.local', '"a2V5LWVuY3J5cHRlZC1ieS1leHRlcm5hbC1kbnM="')];
    const n = inventory(records).names[0] as ProductionName;
    expect(n.owner).toEqual({ kind: 'unreadable' });
    expect(switchVerdict(n, 'blue', 'green')).toMatchObject({ action: 'left-alone', reason: expect.stringMatching(/cannot be read/) });
    expect(shiftVerdict(n, 'blue', 'green').action).toBe('left-alone');
  });
});
