/**
 * The validating Route53 proxy in front of moto: it refuses what Route53
 * refuses (with Route53's messages) and changes nothing then, applies batches
 * whole, reports PENDING before INSYNC, pages record sets itself (from one
 * listing of moto), deletes only the named weighted set, holds and lists names
 * as Route53 does (escaped, lower case) and counts requests per API action.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type ResourceRecordSet,
  type RRType,
} from '@aws-sdk/client-route-53';
import { startMoto } from '../support/moto.mjs';
import { decodeName, encodeName, nameSortKey } from '../support/route53-names.mjs';
import { startRoute53Proxy } from '../support/route53-proxy.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let moto: Awaited<ReturnType<typeof startMoto>>;
let proxy: Awaited<ReturnType<typeof startRoute53Proxy>>;
let client: Route53Client;
let direct: Route53Client;
let zone = '';
let zoneCount = 0;

const credentials = { accessKeyId: 'AKIDPROXYTEST', secretAccessKey: 'secret' };

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRoute53Proxy(moto.endpoint);
  client = new Route53Client({ region: 'us-east-1', endpoint: proxy.endpoint, credentials, maxAttempts: 1 });
  direct = new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  direct?.destroy();
  await proxy?.close();
  await moto?.stop();
});

/** A fresh zone per test: devinfra.local as Route53 would hold it. */
beforeEach(async () => {
  const made = await direct.send(new CreateHostedZoneCommand({ Name: 'devinfra.local', CallerReference: `ref-${++zoneCount}-${Date.now()}` }));
  zone = (made.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  proxy.clearFaults();
});

const set = (name: string, type: string, values: string[], extra: Partial<ResourceRecordSet> = {}): ResourceRecordSet => ({
  Name: name,
  Type: type as ResourceRecordSet['Type'],
  TTL: 300,
  ResourceRecords: values.map((Value) => ({ Value })),
  ...extra,
});
const weighted = (name: string, id: string, weight: number, value: string): ResourceRecordSet => set(name, 'CNAME', [value], { SetIdentifier: id, Weight: weight });
const send = (changes: Change[]) => client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: changes } }));
const create = (...sets: ResourceRecordSet[]) => send(sets.map((ResourceRecordSet) => ({ Action: 'CREATE', ResourceRecordSet })));
/** What moto itself holds (not through the proxy), without the zone's NS and SOA. */
const held = async () =>
  ((await direct.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? [])
    .filter((r) => r.Type !== 'NS' && r.Type !== 'SOA')
    .map((r) => `${r.Name} ${r.Type}${r.SetIdentifier ? ` ${r.SetIdentifier}/${r.Weight}` : ''} ${r.AliasTarget ? `ALIAS ${r.AliasTarget.DNSName}` : (r.ResourceRecords ?? []).map((v) => v.Value).join(',')}`)
    .sort();

async function refused(changes: Change[], code: string, message: string | RegExp) {
  const before = await held();
  const error = await send(changes).then(
    () => undefined,
    (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );
  expect(error, 'the batch was accepted').toBeDefined();
  expect(error?.name).toBe(code);
  expect(error?.$metadata.httpStatusCode).toBe(400);
  if (typeof message === 'string') expect(error?.message).toBe(message);
  else expect(error?.message).toMatch(message);
  expect(await held()).toEqual(before);
}

describe('refuses what Route53 refuses, and changes nothing', () => {
  it('CREATE of a record set that exists', async () => {
    await create(set('hello.devinfra.local', 'CNAME', ['a.elb.amazonaws.com']));
    await refused(
      [{ Action: 'CREATE', ResourceRecordSet: set('hello.devinfra.local', 'CNAME', ['b.elb.amazonaws.com']) }],
      'InvalidChangeBatch',
      "[Tried to create resource record set [name='hello.devinfra.local.', type='CNAME'] but it already exists]",
    );
  });
  it('DELETE whose values differ from the current ones, or of a missing set', async () => {
    await create(set('hello.devinfra.local', 'CNAME', ['a.elb.amazonaws.com']));
    await refused(
      [{ Action: 'DELETE', ResourceRecordSet: set('hello.devinfra.local', 'CNAME', ['b.elb.amazonaws.com']) }],
      'InvalidChangeBatch',
      "[Tried to delete resource record set [name='hello.devinfra.local.', type='CNAME'] but the values provided do not match the current values]",
    );
    await refused(
      [{ Action: 'DELETE', ResourceRecordSet: set('hello.devinfra.local', 'CNAME', ['a.elb.amazonaws.com'], { TTL: 60 }) }],
      'InvalidChangeBatch',
      /values provided do not match/,
    );
    await refused(
      [{ Action: 'DELETE', ResourceRecordSet: set('nothing.devinfra.local', 'TXT', ['"x"']) }],
      'InvalidChangeBatch',
      "[Tried to delete resource record set [name='nothing.devinfra.local.', type='TXT'] but it was not found]",
    );
  });
  it('a CNAME at the zone apex', async () => {
    await refused(
      [{ Action: 'UPSERT', ResourceRecordSet: set('devinfra.local', 'CNAME', ['a.elb.amazonaws.com']) }],
      'InvalidChangeBatch',
      '[RRSet of type CNAME with DNS name devinfra.local. is not permitted at apex in zone devinfra.local.]',
    );
  });
  it('a CNAME beside another type at the same name, either way round', async () => {
    await create(set('eks.devinfra.local', 'TXT', ['"eks-blue"']));
    await refused(
      [{ Action: 'UPSERT', ResourceRecordSet: set('eks.devinfra.local', 'CNAME', ['a.elb.amazonaws.com']) }],
      'InvalidChangeBatch',
      '[RRSet of type CNAME with DNS name eks.devinfra.local. is not permitted as it conflicts with other records with the same DNS name in zone devinfra.local.]',
    );
    await create(set('api.devinfra.local', 'CNAME', ['127.0.0.1']));
    await refused(
      [{ Action: 'CREATE', ResourceRecordSet: set('api.devinfra.local', 'TXT', ['"heritage=external-dns,external-dns/owner=x"']) }],
      'InvalidChangeBatch',
      '[RRSet of type TXT with DNS name api.devinfra.local. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone devinfra.local.]',
    );
  });
  it('simple and weighted sets at one name and type, either way round', async () => {
    await create(set('hello.devinfra.local', 'CNAME', ['a.elb.amazonaws.com']));
    await refused(
      [{ Action: 'CREATE', ResourceRecordSet: weighted('hello.devinfra.local', 'green', 10, 'b.elb.amazonaws.com') }],
      'InvalidChangeBatch',
      '[RRSet with DNS name hello.devinfra.local., type CNAME, SetIdentifier green cannot be created as a non-weighted set exists with the same name and type.]',
    );
    await create(weighted('world.devinfra.local', 'blue', 10, 'a.elb.amazonaws.com'));
    await refused(
      [{ Action: 'UPSERT', ResourceRecordSet: set('world.devinfra.local', 'CNAME', ['b.elb.amazonaws.com']) }],
      'InvalidChangeBatch',
      '[RRSet with DNS name world.devinfra.local., type CNAME cannot be created as other RRSets exist with the same name and type.]',
    );
  });
  it('a weight outside 0..255', async () => {
    await refused(
      [{ Action: 'CREATE', ResourceRecordSet: weighted('hello.devinfra.local', 'blue', 256, 'a.elb.amazonaws.com') }],
      'InvalidInput',
      "1 validation error detected: Value '256' at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255",
    );
  });
  it('more than 1000 records (an UPSERT counts twice)', async () => {
    const values = Array.from({ length: 501 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`);
    await refused([{ Action: 'UPSERT', ResourceRecordSet: set('many.devinfra.local', 'A', values) }], 'InvalidChangeBatch', '[Number of records limit of 1000 exceeded.]');
    await create(set('many.devinfra.local', 'A', values));
    expect(await held()).toHaveLength(1);
  });
  it('a whole batch, when one change of it is refused; every message is reported', async () => {
    await create(set('hello.devinfra.local', 'CNAME', ['a.elb.amazonaws.com']));
    await refused(
      [
        { Action: 'UPSERT', ResourceRecordSet: set('world.devinfra.local', 'CNAME', ['b.elb.amazonaws.com']) },
        { Action: 'CREATE', ResourceRecordSet: set('hello.devinfra.local', 'CNAME', ['b.elb.amazonaws.com']) },
        { Action: 'UPSERT', ResourceRecordSet: set('devinfra.local', 'CNAME', ['b.elb.amazonaws.com']) },
      ],
      'InvalidChangeBatch',
      "[Tried to create resource record set [name='hello.devinfra.local.', type='CNAME'] but it already exists, RRSet of type CNAME with DNS name devinfra.local. is not permitted at apex in zone devinfra.local.]",
    );
    expect(await held()).toEqual(['hello.devinfra.local. CNAME a.elb.amazonaws.com']);
  });
  it('one record set changed twice in a batch, but DELETE then CREATE replaces', async () => {
    await refused(
      [
        { Action: 'UPSERT', ResourceRecordSet: set('hello.devinfra.local', 'TXT', ['"a"']) },
        { Action: 'UPSERT', ResourceRecordSet: set('hello.devinfra.local', 'TXT', ['"b"']) },
      ],
      'InvalidChangeBatch',
      "[The request contains an invalid set of changes for a resource record set 'TXT hello.devinfra.local.']",
    );
    await create(set('hello.devinfra.local', 'A', ['10.0.0.1']));
    await send([
      { Action: 'DELETE', ResourceRecordSet: set('hello.devinfra.local', 'A', ['10.0.0.1']) },
      { Action: 'CREATE', ResourceRecordSet: set('hello.devinfra.local', 'CNAME', ['b.elb.amazonaws.com']) },
    ]);
    expect(await held()).toEqual(['hello.devinfra.local. CNAME b.elb.amazonaws.com']);
  });
  it('a name outside the zone', async () => {
    await refused(
      [{ Action: 'UPSERT', ResourceRecordSet: set('hello.devinfra.fr', 'TXT', ['"a"']) }],
      'InvalidChangeBatch',
      '[RRSet with DNS name hello.devinfra.fr. is not permitted in zone devinfra.local.]',
    );
  });
});

describe('what moto gets wrong, done right', () => {
  it('reports PENDING on submission and on the first GetChange, then INSYNC', async () => {
    const { ChangeInfo } = await create(set('hello.devinfra.local', 'TXT', ['"a"']));
    expect(ChangeInfo?.Status).toBe('PENDING');
    const poll = async () => (await client.send(new GetChangeCommand({ Id: ChangeInfo?.Id }))).ChangeInfo?.Status;
    expect(await poll()).toBe('PENDING');
    expect(await poll()).toBe('INSYNC');
    expect(await poll()).toBe('INSYNC');
    await expect(client.send(new GetChangeCommand({ Id: '/change/CNOSUCHCHANGE' }))).rejects.toMatchObject({ name: 'NoSuchChange' });
  });
  it('deletes only the named weighted set: siblings and same-identifier sets at other names stay', async () => {
    await create(
      weighted('hello.devinfra.local', 'blue', 100, 'blue.elb.amazonaws.com'),
      weighted('hello.devinfra.local', 'green', 0, 'green.elb.amazonaws.com'),
      weighted('world.devinfra.local', 'blue', 100, 'blue.elb.amazonaws.com'),
    );
    await send([{ Action: 'DELETE', ResourceRecordSet: weighted('hello.devinfra.local', 'blue', 100, 'blue.elb.amazonaws.com') }]);
    expect(await held()).toEqual(['hello.devinfra.local. CNAME green/0 green.elb.amazonaws.com', 'world.devinfra.local. CNAME blue/100 blue.elb.amazonaws.com']);
    // A weighted DELETE with the wrong weight is refused like any other mismatch.
    await refused(
      [{ Action: 'DELETE', ResourceRecordSet: weighted('world.devinfra.local', 'blue', 5, 'blue.elb.amazonaws.com') }],
      'InvalidChangeBatch',
      "[Tried to delete resource record set [name='world.devinfra.local.', type='CNAME', set-identifier='blue'] but the values provided do not match the current values]",
    );
  });
  it('pages record sets with MaxItems, honouring StartRecordName/Type/Identifier', async () => {
    const sets = [
      ...Array.from({ length: 7 }, (_, i) => weighted('hello.devinfra.local', `id-${i}`, i, `lb-${i}.elb.amazonaws.com`)),
      ...Array.from({ length: 5 }, (_, i) => set(`n${i}.devinfra.local`, 'TXT', [`"v${i}"`])),
      set('a.devinfra.local', 'A', ['10.0.0.1']),
    ];
    await create(...sets);
    const pages: ResourceRecordSet[][] = [];
    let from: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
    for (let i = 0; i < 20; i++) {
      const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, MaxItems: 2, ...from }));
      pages.push(page.ResourceRecordSets ?? []);
      if (!page.IsTruncated) break;
      from = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
    }
    const seen = pages.flat().map((r) => `${r.Name}|${r.Type}|${r.SetIdentifier ?? ''}`);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(sets.length + 2); // + NS and SOA
    // Route53's order: names with labels reversed, then type, then identifier.
    expect(seen.indexOf('devinfra.local.|NS|')).toBeLessThan(seen.indexOf('a.devinfra.local.|A|'));
    expect(seen.indexOf('a.devinfra.local.|A|')).toBeLessThan(seen.indexOf('hello.devinfra.local.|CNAME|id-0'));
    expect(seen.filter((s) => s.startsWith('hello.'))).toEqual(Array.from({ length: 7 }, (_, i) => `hello.devinfra.local.|CNAME|id-${i}`));
    // A page in the middle of a weighted set carries NextRecordIdentifier.
    const middle = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: 'hello.devinfra.local', StartRecordType: 'CNAME', StartRecordIdentifier: 'id-3', MaxItems: 2 }));
    expect(middle.ResourceRecordSets?.map((r) => r.SetIdentifier)).toEqual(['id-3', 'id-4']);
    expect(middle).toMatchObject({ IsTruncated: true, NextRecordName: 'hello.devinfra.local.', NextRecordType: 'CNAME', NextRecordIdentifier: 'id-5' });
  });
  it('still injects faults, also for one access key only', async () => {
    proxy.fail({ method: 'POST', path: /\/rrset\/?$/, accessKeyId: 'AKIDOTHER', status: 403, code: 'AccessDenied', message: 'not authorized to perform: route53:ChangeResourceRecordSets' });
    await create(set('hello.devinfra.local', 'TXT', ['"a"'])); // another key: not refused
    const other = new Route53Client({ region: 'us-east-1', endpoint: proxy.endpoint, credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 's' }, maxAttempts: 1 });
    await expect(
      other.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: set('x.devinfra.local', 'TXT', ['"b"']) }] } })),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    other.destroy();
    proxy.fail({ method: 'POST', path: /\/rrset\/?$/, code: 'Throttling', message: 'Rate exceeded', times: 1 });
    await expect(create(set('y.devinfra.local', 'TXT', ['"c"']))).rejects.toMatchObject({ name: 'Throttling' });
    await create(set('y.devinfra.local', 'TXT', ['"c"']));
    expect(await held()).toEqual(['hello.devinfra.local. TXT "a"', 'y.devinfra.local. TXT "c"']);
  });
  it('restores the zone when moto fails in the middle of a batch it had to split', async () => {
    await create(set('keep.devinfra.local', 'TXT', ['"kept"']));
    const before = await held();
    // 852 values for Route53, but 1002 for moto (the proxy UPSERTs the 150): two moto requests; the second fails.
    const big = (n: number, third: number) => Array.from({ length: n }, (_, i) => `10.${third}.${Math.floor(i / 250)}.${i % 250}`);
    proxy.failMotoWrite(2);
    const error = await send([
      { Action: 'CREATE', ResourceRecordSet: set('big.devinfra.local', 'A', big(700, 1)) },
      { Action: 'CREATE', ResourceRecordSet: set('other.devinfra.local', 'A', big(150, 2)) },
      { Action: 'UPSERT', ResourceRecordSet: set('keep.devinfra.local', 'TXT', ['"changed"']) },
    ]).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // moto's refusal comes back as it is; what its first request did is undone.
    expect(error?.name).toBe('InvalidChangeBatch');
    expect(error?.message).toMatch(/moto refused write request/);
    expect(await held()).toEqual(before);
  });
  it('keeps alias records exactly, and deletes them with their alias target', async () => {
    const alias: ResourceRecordSet = {
      Name: 'hello.devinfra.local',
      Type: 'A',
      AliasTarget: { HostedZoneId: 'Z3Q77PNBQS71R4', DNSName: 'k8s-blue.elb.eu-west-3.amazonaws.com', EvaluateTargetHealth: true },
    };
    await create(alias);
    expect(await held()).toEqual(['hello.devinfra.local. A ALIAS k8s-blue.elb.eu-west-3.amazonaws.com.']);
    await refused(
      [{ Action: 'DELETE', ResourceRecordSet: { ...alias, AliasTarget: { ...alias.AliasTarget!, EvaluateTargetHealth: false } } }],
      'InvalidChangeBatch',
      /values provided do not match/,
    );
    await send([{ Action: 'DELETE', ResourceRecordSet: alias }]);
    expect(await held()).toEqual([]);
  });
});

describe('names as Route53 holds them', () => {
  it.each([
    ['hello.devinfra.local', 'hello.devinfra.local.', 'hello.devinfra.local'],
    ['Hello.DevInfra.Local.', 'hello.devinfra.local.', 'hello.devinfra.local'],
    ['*.devinfra.local', '\\052.devinfra.local.', '*.devinfra.local'],
    ['\\052.devinfra.local.', '\\052.devinfra.local.', '*.devinfra.local'],
    ['café.devinfra.local', 'caf\\303\\251.devinfra.local.', 'café.devinfra.local'],
    ['CAF\\303\\251.devinfra.local', 'caf\\303\\251.devinfra.local.', 'café.devinfra.local'],
    ['\\101pi.devinfra.local', 'api.devinfra.local.', 'api.devinfra.local'],
    ['_dmarc.a-b.devinfra.local', '_dmarc.a-b.devinfra.local.', '_dmarc.a-b.devinfra.local'],
    ['a\\056b.devinfra.local', 'a\\056b.devinfra.local.', 'a\\056b.devinfra.local'],
    ['a\\ b.devinfra.local', 'a\\040b.devinfra.local.', 'a b.devinfra.local'],
  ])('%s is listed %s (%s for people)', (given, listed, decoded) => {
    expect(encodeName(given)).toBe(listed);
    expect(decodeName(given)).toBe(decoded);
  });
  it('sorts by the escaped name with labels reversed and the final dot kept', () => {
    const names = ['caf\u00e9.devinfra.local', 'a.devinfra.local', 'devinfra.local', 'a-b.devinfra.local', '*.devinfra.local'];
    expect([...names].sort((x, y) => (nameSortKey(x) < nameSortKey(y) ? -1 : 1)).map(encodeName)).toEqual([
      'devinfra.local.',
      '\\052.devinfra.local.',
      'a-b.devinfra.local.', // '-' sorts before '.'
      'a.devinfra.local.',
      'caf\\303\\251.devinfra.local.',
    ]);
  });
  it('lists *, café and upper case escaped and in lower case; any spelling of a name names the same set', async () => {
    await create(set('*.devinfra.local', 'A', ['10.0.0.1']), set('Caf\u00e9.DevInfra.local', 'A', ['10.0.0.2']), set('a-b.devinfra.local', 'A', ['10.0.0.3']));
    const listed = async () => ((await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? []).map((r) => `${r.Name} ${r.Type}`);
    expect(await listed()).toEqual(['devinfra.local. NS', 'devinfra.local. SOA', '\\052.devinfra.local. A', 'a-b.devinfra.local. A', 'caf\\303\\251.devinfra.local. A']);
    // moto itself holds the escaped form (it refuses bytes above 127).
    expect(await held()).toEqual(['\\052.devinfra.local. A 10.0.0.1', 'a-b.devinfra.local. A 10.0.0.3', 'caf\\303\\251.devinfra.local. A 10.0.0.2']);
    await refused(
      [{ Action: 'CREATE', ResourceRecordSet: set('\\052.devinfra.local', 'A', ['10.0.0.9']) }],
      'InvalidChangeBatch',
      "[Tried to create resource record set [name='\\052.devinfra.local.', type='A'] but it already exists]",
    );
    await send([{ Action: 'UPSERT', ResourceRecordSet: set('*.DEVINFRA.local.', 'A', ['10.0.0.4']) }]);
    await send([{ Action: 'DELETE', ResourceRecordSet: set('caf\\303\\251.devinfra.local', 'A', ['10.0.0.2']) }]);
    expect(await held()).toEqual(['\\052.devinfra.local. A 10.0.0.4', 'a-b.devinfra.local. A 10.0.0.3']);
    const from = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: '*.devinfra.local', StartRecordType: 'A', MaxItems: 1 }));
    expect(from).toMatchObject({ ResourceRecordSets: [{ Name: '\\052.devinfra.local.' }], IsTruncated: true, NextRecordName: 'a-b.devinfra.local.', NextRecordType: 'A' });
  });
  it('lists a set written to moto directly under another spelling by its Route53 name, and changes it there', async () => {
    await direct.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set('*.Raw.devinfra.local', 'TXT', ['"x"']) }] } }));
    expect((await proxy.records(zone)).filter((r) => r.Type === 'TXT').map((r) => r.Name)).toEqual(['\\052.raw.devinfra.local.']);
    await send([{ Action: 'UPSERT', ResourceRecordSet: set('\\052.raw.devinfra.local', 'TXT', ['"y"']) }]);
    expect(await held()).toEqual(['\\052.raw.devinfra.local. TXT "y"']);
    await send([{ Action: 'DELETE', ResourceRecordSet: set('*.raw.devinfra.local', 'TXT', ['"y"']) }]);
    expect(await held()).toEqual([]);
  });
});

describe('requests counted, paging from one listing of moto', () => {
  it('counts requests per API action and access key, until reset', async () => {
    const other = new Route53Client({ region: 'us-east-1', endpoint: proxy.endpoint, credentials: { accessKeyId: 'AKIDCOUNTED', secretAccessKey: 's' }, maxAttempts: 1 });
    proxy.resetRequests();
    const { ChangeInfo } = await other.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set('n.devinfra.local', 'TXT', ['"v"']) }] } }));
    await other.send(new GetChangeCommand({ Id: ChangeInfo?.Id }));
    await other.send(new GetHostedZoneCommand({ Id: zone }));
    await other.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }));
    await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }));
    other.destroy();
    expect(proxy.requests({ accessKeyId: 'AKIDCOUNTED' })).toEqual({ ChangeResourceRecordSets: 1, GetChange: 1, GetHostedZone: 1, ListResourceRecordSets: 1 });
    expect(proxy.requests()).toEqual({ ChangeResourceRecordSets: 1, GetChange: 1, GetHostedZone: 1, ListResourceRecordSets: 2 });
    proxy.resetRequests();
    expect(proxy.requests()).toEqual({});
  });
  it('pages a zone of 1002 sets by 300 from one listing of moto; a batch between pages shows on the next page, a direct write on the next lookup', async () => {
    await create(...Array.from({ length: 1000 }, (_, i) => set(`n${String(i).padStart(4, '0')}.devinfra.local`, 'TXT', [`"${i}"`])));
    const listings = proxy.motoListings;
    const first = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }));
    const names = (first.ResourceRecordSets ?? []).map((r) => `${r.Name} ${r.Type}`);
    let page = first;
    for (let i = 0; i < 10 && page.IsTruncated; i++) {
      page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType }));
      names.push(...(page.ResourceRecordSets ?? []).map((r) => `${r.Name} ${r.Type}`));
    }
    expect(names).toHaveLength(1002);
    expect(new Set(names).size).toBe(1002);
    expect(first.ResourceRecordSets).toHaveLength(300);
    expect(proxy.motoListings - listings).toBe(1);
    // A batch through the proxy drops the snapshot: the page after it is read from moto again, and shows it.
    await create(set('n0999a.devinfra.local', 'TXT', ['"late"']));
    const after = proxy.motoListings;
    const last = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: 'n0999.devinfra.local', StartRecordType: 'TXT' }));
    expect(last.ResourceRecordSets?.map((r) => r.Name)).toEqual(['n0999.devinfra.local.', 'n0999a.devinfra.local.']);
    expect(proxy.motoListings - after).toBe(1);
    // A lookup at a name that continues no listing reads moto again: a set written there directly shows.
    await direct.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set('n0500a.devinfra.local', 'TXT', ['"direct"']) }] } }));
    const lookup = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: 'n0500a.devinfra.local', StartRecordType: 'TXT', MaxItems: 1 }));
    expect(lookup.ResourceRecordSets?.map((r) => r.Name)).toEqual(['n0500a.devinfra.local.']);
  }, 60_000);
});
