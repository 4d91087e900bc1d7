/**
 * The ExternalDNS registry as ExternalDNS v0.22 reads it (registry/mapper,
 * endpoint/labels), and the inventory of production names built on it.
 */
import { describe, expect, it } from 'vitest';
import { formatInventory, inventoryJson, positionOf, takeInventory, unallowedOrphans, type InventoryZone, type RecordSet } from '../../src/switch/inventory.js';
import { affixesFromArgs, argValue, argValues, registryLabels, registryName, registryTarget } from '../../src/switch/registry.js';

describe('registry values', () => {
  it.each([
    ['"heritage=external-dns,external-dns/owner=ingress.devinfra.local,external-dns/resource=ingress/web/hello"', { owner: 'ingress.devinfra.local', resource: 'ingress/web/hello' }],
    ['heritage=external-dns,external-dns/owner=x', { owner: 'x' }],
    // Keys without the heritage prefix and tokens without = are ignored, as labels.go does.
    ['"heritage=external-dns,foo=bar,lonely,external-dns/owner=o"', { owner: 'o' }],
  ])('%s is a registry value', (value, labels) => {
    expect(registryLabels(value)).toEqual(labels);
  });

  it.each([['"eks-blue"'], ['"heritage=other,external-dns/owner=x"'], ['"external-dns/owner=x"'], ['"AbCdEf0123=="']])('%s is not', (value) => {
    expect(registryLabels(value)).toBeUndefined();
  });
});

describe('registry names (both formats, prefix and suffix)', () => {
  it.each([
    // [txt name, prefix, suffix, claims name, type]
    ['hello.devinfra.local', '', '', 'hello.devinfra.local', ''],
    ['a-hello.devinfra.local', '', '', 'hello.devinfra.local', 'A'],
    ['cname-hello.devinfra.local', '', '', 'hello.devinfra.local', 'CNAME'],
    ['aaaa-hello.devinfra.local.', '', '', 'hello.devinfra.local', 'AAAA'],
    ['CNAME-Hello.DevInfra.local', '', '', 'hello.devinfra.local', 'CNAME'],
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

  it('a prefix that is absent claims nothing; ToTXTName and the parser agree', () => {
    expect(registryTarget('a-hello.devinfra.local', { prefix: 'reg-', suffix: '' })).toBeUndefined();
    for (const affixes of [
      { prefix: '', suffix: '' },
      { prefix: 'reg-', suffix: '' },
      { prefix: '%{record_type}-reg.', suffix: '' },
      { prefix: '', suffix: '-sfx' },
      { prefix: '', suffix: '-%{record_type}' },
    ]) {
      for (const type of ['A', 'AAAA', 'CNAME']) {
        expect(registryTarget(registryName('hello.devinfra.local', type, affixes), affixes)).toEqual({ name: 'hello.devinfra.local', type });
      }
    }
  });

  it('reads the flags from a container\'s args, the last one winning', () => {
    const args = ['--txt-prefix=a-', '--txt-owner-id', 'one', '--txt-owner-id=two', '--exclude-domains=x', '--exclude-domains', 'y'];
    expect(affixesFromArgs(args)).toEqual({ prefix: 'a-', suffix: '' });
    expect(argValue(args, 'txt-owner-id')).toBe('two');
    expect(argValue(args, 'policy')).toBeUndefined();
    expect(argValues(args, 'exclude-domains')).toEqual(['x', 'y']);
  });
});

const LIVE = 'ingress.devinfra.local';
const BLUE = 'eks-blue.devinfra.local';
const GREEN = 'eks-green.devinfra.local';
const LB = { blue: 'k8s-blue-123.elb.eu-west-3.amazonaws.com', green: 'k8s-green-456.elb.eu-west-3.amazonaws.com' };
const reg = (owner: string, resource = 'ingress/web/x') => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${resource}"`;
const alias = (name: string, target: string): RecordSet => ({ name: `${name}.`, type: 'A', ttl: undefined, values: [`${target}.`], alias: true, setIdentifier: undefined });
const txt = (name: string, value: string): RecordSet => ({ name: `${name}.`, type: 'TXT', ttl: 300, values: [value], alias: false, setIdentifier: undefined });
const cname = (name: string, target: string): RecordSet => ({ name, type: 'CNAME', ttl: 60, values: [target], alias: false, setIdentifier: undefined });

/** The article's example: hello and world served by both colours, blog only by blue, plus a foreign and a hand-made name. */
function articleZone(overrides: Partial<InventoryZone> = {}): InventoryZone {
  const records: RecordSet[] = [
    cname('api.devinfra.local', 'a1b2.gr7.eu-west-3.eks.amazonaws.com'),
    // Production, written by blue's live ExternalDNS (owner shared by the live instances).
    alias('hello.devinfra.local', LB.blue),
    txt('a-hello.devinfra.local', reg(LIVE)),
    alias('world.devinfra.local', LB.blue),
    txt('world.devinfra.local', reg(LIVE)), // the old format only
    alias('blog.devinfra.local', LB.blue),
    txt('a-blog.devinfra.local', reg(LIVE)),
    alias('shop.devinfra.local', 'other-lb.elb.amazonaws.com'),
    txt('a-shop.devinfra.local', reg('another-team')),
    cname('legacy.devinfra.local', 'old.example.com'),
    // Each colour's cluster-scoped ExternalDNS, in the same zone.
    alias(`hello.${BLUE}`, LB.blue),
    txt(`a-hello.${BLUE}`, reg(BLUE)),
    alias(`world.${BLUE}`, LB.blue),
    txt(`a-world.${BLUE}`, reg(BLUE)),
    alias(`blog.${BLUE}`, LB.blue),
    txt(`a-blog.${BLUE}`, reg(BLUE)),
    alias(`hello.${GREEN}`, LB.green),
    txt(`a-hello.${GREEN}`, reg(GREEN)),
    alias(`world.${GREEN}`, LB.green),
    txt(`a-world.${GREEN}`, reg(GREEN)),
    // A record under green's sub-domain that green's ExternalDNS does not own does not count.
    alias(`blog.${GREEN}`, LB.green),
  ];
  return {
    kind: 'private',
    zoneId: 'Z0DEVINFRALOCAL01',
    domain: 'devinfra.local',
    clusterDomains: { blue: BLUE, green: GREEN },
    liveOwners: [LIVE],
    clusterOwners: { blue: BLUE, green: GREEN },
    affixes: { prefix: '', suffix: '' },
    excluded: ['api.devinfra.local'],
    records,
    clusterRecords: { blue: [], green: [] },
    ...overrides,
  };
}

describe('the inventory', () => {
  it('classifies each production name: moves, orphan, foreign, hand-made', () => {
    const inv = takeInventory([articleZone()], 'blue', 'green');
    expect(inv.rows.map((r) => [r.name, r.verdict, r.owner])).toEqual([
      ['blog.devinfra.local', 'orphan', LIVE],
      ['hello.devinfra.local', 'moves', LIVE],
      ['legacy.devinfra.local', 'hand-made', undefined],
      ['shop.devinfra.local', 'foreign', 'another-team'],
      ['world.devinfra.local', 'moves', LIVE],
    ]);
    const hello = inv.rows.find((r) => r.name === 'hello.devinfra.local');
    expect(hello).toMatchObject({ targets: [LB.blue], colours: { blue: [LB.blue], green: [LB.green] } });
    expect(positionOf(hello!, 'blue', 'green')).toBe('blue');
  });

  it('follows the switch back: from green to blue, blog moves and nothing is an orphan', () => {
    const inv = takeInventory([articleZone()], 'green', 'blue');
    expect(inv.rows.filter((r) => r.verdict === 'orphan')).toEqual([]);
    expect(inv.rows.filter((r) => r.verdict === 'moves').map((r) => r.name)).toEqual(['blog.devinfra.local', 'hello.devinfra.local', 'world.devinfra.local']);
  });

  it('says where a moving name points once the target colour took it over', () => {
    const zone = articleZone();
    const moved = zone.records.map((r) => (r.name === 'hello.devinfra.local.' ? alias('hello.devinfra.local', LB.green) : r));
    const inv = takeInventory([{ ...zone, records: moved }], 'blue', 'green');
    const hello = inv.rows.find((r) => r.name === 'hello.devinfra.local')!;
    expect(positionOf(hello, 'blue', 'green')).toBe('green');
    expect(positionOf({ ...hello, targets: ['somewhere.else'] }, 'blue', 'green')).toBe('elsewhere');
  });

  it('honours a --txt-prefix, and reads cluster sub-domains kept in their own zones', () => {
    const zone = articleZone();
    const prefixed = zone.records.map((r) => (r.type === 'TXT' && r.name.endsWith('.devinfra.local.') && !r.name.includes('eks-') ? { ...r, name: `reg-${r.name}` } : r));
    const own = prefixed.filter((r) => r.name.includes(GREEN));
    const inv = takeInventory([{ ...zone, affixes: { prefix: 'reg-', suffix: '' }, records: prefixed.filter((r) => !r.name.includes(GREEN)), clusterRecords: { blue: [], green: own } }], 'blue', 'green');
    expect(inv.rows.map((r) => [r.name, r.verdict])).toEqual([
      ['blog.devinfra.local', 'orphan'],
      ['hello.devinfra.local', 'moves'],
      ['legacy.devinfra.local', 'hand-made'],
      ['shop.devinfra.local', 'foreign'],
      ['world.devinfra.local', 'moves'],
    ]);
  });

  it('refuses orphans not named by --allow-orphan, and names given that are no orphan', () => {
    const inv = takeInventory([articleZone()], 'blue', 'green');
    expect(unallowedOrphans(inv, [])).toEqual({ missing: ['blog.devinfra.local'], unknown: [] });
    expect(unallowedOrphans(inv, ['Blog.devinfra.local.'])).toEqual({ missing: [], unknown: [] });
    expect(unallowedOrphans(inv, ['blog.devinfra.local', 'hello.devinfra.local'])).toEqual({ missing: [], unknown: ['hello.devinfra.local'] });
  });

  it('prints a table, and JSON for scripts', () => {
    const inv = takeInventory([articleZone()], 'blue', 'green');
    const table = formatInventory(inv);
    expect(table).toContain('Production records (5):');
    expect(table).toMatch(/hello\.devinfra\.local\s+A\s+ingress\.devinfra\.local\s+moves\s+moves to green/);
    expect(table).toMatch(/blog\.devinfra\.local\s+A\s+ingress\.devinfra\.local\s+orphan\s+served by blue only/);
    expect(table).toMatch(/legacy\.devinfra\.local\s+CNAME\s+-\s+hand-made/);
    expect(inventoryJson(inv)[1]).toEqual({
      name: 'hello.devinfra.local',
      zoneId: 'Z0DEVINFRALOCAL01',
      kind: 'private',
      types: ['A'],
      owner: LIVE,
      verdict: 'moves',
      targets: [LB.blue],
      blue: [LB.blue],
      green: [LB.green],
    });
    expect(formatInventory(takeInventory([], 'blue', 'green'))).toMatch(/none/);
  });
});
