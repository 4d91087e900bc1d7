/**
 * The cut-over world itself (test/support/cutover-world.ts), before any case
 * runs on it: each colour's stand-in ExternalDNS writes alias records to its
 * real moto ALB, ELBv2 maps them, CloudWatch gives back a datapoint put for
 * blue's ALB, the proxy lists names as Route53 does (`\052`, `caf\303\251`),
 * the helpers add what the design note's cases need, the recording of the bench
 * is what the stand-in ExternalDNS writes, bascule's requests are counted, and
 * stopping leaves no process, port or directory behind.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { APEX, CAFE, CLUSTER_OWNER, OWNER, startCutoverWorld, WILDCARD, type CutoverWorld } from '../support/cutover-world.js';
import { productionView, type Layout } from '../support/production-view.js';
import { productionSets } from '../support/route53-recording.mjs';
import { KEYS } from '../support/run.js';

let world: CutoverWorld;
beforeAll(async () => {
  world = await startCutoverWorld();
  await world.reset();
}, 240_000);
afterAll(async () => {
  if (world) await world.stop().catch(() => undefined);
});

const canonical = (sets: unknown[]) => sets.map((s) => JSON.stringify(s)).sort();
const bare = (name: string) => name.toLowerCase().replace(/\.$/, '');

describe('the cut-over world', () => {
  it("writes each colour's names as alias records to its real moto ALB, which ELBv2 maps", async () => {
    const production = await world.production();
    expect(Object.keys(production)).toEqual(['blog.devinfra.local', 'hello.devinfra.local', 'world.devinfra.local']);
    expect(production['hello.devinfra.local']).toMatchObject({ form: 'simple', types: ['A', 'AAAA'], targets: [bare(world.lbs.blue.dnsName)], traffic: { blue: 100 }, owner: OWNER.blue, ttl: undefined });
    const green = await world.colourNames('green');
    expect(Object.keys(green)).toEqual(['hello.eks-green.devinfra.local', 'world.eks-green.devinfra.local']);
    expect(green['hello.eks-green.devinfra.local']).toMatchObject({ targets: [bare(world.lbs.green.dnsName)], traffic: { green: 100 }, owner: CLUSTER_OWNER.green });
    const described = (await world.aws.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const byDns = new Map(described.map((lb) => [bare(lb.DNSName as string), lb.LoadBalancerName]));
    const aliases = (await world.records('private')).flatMap((r) => (r.AliasTarget?.DNSName ? [bare(r.AliasTarget.DNSName)] : []));
    expect(aliases.length).toBeGreaterThanOrEqual(10);
    expect(new Set(aliases.map((a) => byDns.get(a)))).toEqual(new Set(['k8s-blue-web', 'k8s-green-web']));
  });

  it('is what the recording of the bench serves for the same names', async () => {
    const loadBalancers = { blue: world.lbs.blue.dnsName, green: world.lbs.green.dnsName };
    const recorded = productionSets({ labels: ['hello', 'world'], domain: 'devinfra.local', live: 'blue', loadBalancers });
    const names = new Set(recorded.map((s: { Name: string }) => s.Name));
    expect(canonical((await world.records('private')).filter((r) => names.has(r.Name as string)))).toEqual(canonical(recorded));
  });

  it("gives back a CloudWatch datapoint put for blue's ALB", async () => {
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    await world.putTraffic('blue', { requests: 42, target5xx: 3 }, at);
    const query = (metric: string) => ({ Id: metric.toLowerCase().replace(/[^a-z0-9]/g, ''), MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metric, Dimensions: [{ Name: 'LoadBalancer', Value: world.lbs.blue.dimension }] }, Period: 60, Stat: 'Sum' } });
    const data = await world.aws.cloudwatch.send(
      new GetMetricDataCommand({ StartTime: new Date(at.getTime() - 60_000), EndTime: new Date(at.getTime() + 120_000), MetricDataQueries: [query('RequestCount'), query('HTTPCode_Target_5XX_Count')] }),
    );
    expect(data.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([
      ['requestcount', [42]],
      ['httpcodetarget5xxcount', [3]],
    ]);
  });

  it('lists *.devinfra.local as \\052.devinfra.local. (written by the stand-in ExternalDNS, then left alone) and café escaped', async () => {
    await world.addService('blue', '*');
    const proxied = new Route53Client({ region: 'us-east-1', endpoint: world.proxy.endpoint, credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey }, maxAttempts: 1 });
    const listed = async () => ((await proxied.send(new ListResourceRecordSetsCommand({ HostedZoneId: world.zones.api }))).ResourceRecordSets ?? []).map((r) => `${r.Name} ${r.Type}`);
    expect(await listed()).toEqual(expect.arrayContaining(['\\052.devinfra.local. A', '\\052.devinfra.local. AAAA', 'a-\\052.devinfra.local. TXT', '\\052.eks-blue.devinfra.local. A']));
    // Settled: the stand-in reads \052 back as * and writes nothing more.
    const writes = world.proxy.history.length;
    await world.edns?.blue.loops(2);
    expect(world.proxy.history.length).toBe(writes);
    expect((await world.production())[WILDCARD]).toMatchObject({ listed: '\\052.devinfra.local.', owner: OWNER.blue, traffic: { blue: 100 } });

    await world.addProduction(CAFE, 'blue');
    for (const colour of ['blue', 'green'] as const) await world.addColourName(colour, 'café');
    expect(await listed()).toEqual(expect.arrayContaining(['caf\\303\\251.devinfra.local. A', 'aaaa-caf\\303\\251.devinfra.local. TXT']));
    expect((await world.production())[CAFE]).toMatchObject({ owner: OWNER.blue, traffic: { blue: 100 } });
    expect((await world.colourNames('green'))['café.eks-green.devinfra.local']).toMatchObject({ owner: CLUSTER_OWNER.green });
    proxied.destroy();
  });

  it('adds the apex, hand-made, foreign-owned and stale names, and a Service in one colour only', async () => {
    await world.addApex('blue');
    await world.addProduction('legacy.devinfra.local', 'blue', { owner: null });
    await world.addProduction('shop.devinfra.local', 'green', { owner: 'someone-else' });
    await world.addColourName('green', 'blog', { owner: 'ingress-eks-old.devinfra.local' });
    await world.addService('green', 'api2');
    const production = await world.production();
    expect(production[APEX]).toMatchObject({ types: ['A', 'AAAA'], owner: OWNER.blue, traffic: { blue: 100 } });
    expect(production['legacy.devinfra.local']).toMatchObject({ owner: undefined, traffic: { blue: 100 } });
    expect(production['shop.devinfra.local']).toMatchObject({ owner: 'someone-else', traffic: { green: 100 } });
    expect(production['api2.devinfra.local']).toBeUndefined(); // green's live ExternalDNS does not run
    const green = await world.colourNames('green');
    expect(green['blog.eks-green.devinfra.local']).toMatchObject({ owner: 'ingress-eks-old.devinfra.local' });
    expect(green['api2.eks-green.devinfra.local']).toMatchObject({ owner: CLUSTER_OWNER.green, traffic: { green: 100 } });
  }, 60_000);

  it("counts bascule's Route53 requests per action: a plan reads and writes nothing", async () => {
    world.resetRoute53Requests();
    const r = await world.run(['switch', '--to', 'green', '--config', world.platformFile, '--access', 'admin', '--output', 'json', '--allow-orphan', 'blog.devinfra.local']);
    expect(r.stdout.length, r.stderr).toBeGreaterThan(0);
    const requests = world.route53Requests();
    expect(requests.ListResourceRecordSets).toBeGreaterThan(0);
    expect(requests.ChangeResourceRecordSets).toBeUndefined();
    const status = await world.status();
    expect([0, 3]).toContain(status.code);
    expect(status.json).toEqual(expect.objectContaining({ checks: expect.any(Array) }));
  }, 60_000);

  it('reset brings the article example back', async () => {
    await world.reset();
    expect(Object.keys(await world.production())).toEqual(['blog.devinfra.local', 'hello.devinfra.local', 'world.devinfra.local']);
    expect(world.objects.green.list('Service').map((s: { metadata: { name: string } }) => s.metadata.name).sort()).toEqual(['hello', 'world']);
    expect(await world.state()).toMatchObject({ api: ['127.0.0.1'], txt: ['"eks-blue"'], live: 'blue', blue: { 'live-external-dns-private': { replicas: 1 } }, green: { 'live-external-dns-private': { replicas: 0 } } });
    expect(world.route53Requests()).toEqual({});
  }, 90_000);

  it('stops whole: moto, the proxy and the API servers refuse connections, its directories are gone', async () => {
    const dirs = [world.dir, world.cas.blue.dir, world.cas.green.dir, world.env.HOME as string];
    const endpoints = [world.moto.endpoint, world.proxy.endpoint, world.api.blue.url.replace('https', 'http')];
    expect(dirs.every((d) => existsSync(d))).toBe(true);
    await world.stop();
    for (const d of dirs) expect(existsSync(d), d).toBe(false);
    for (const e of endpoints) await expect(fetch(e, { signal: AbortSignal.timeout(5000) }), e).rejects.toThrow();
  }, 60_000);
});

describe('production as the world reads it (pure)', () => {
  const layout: Layout = {
    domains: ['devinfra.local', 'devinfra.fr'],
    subdomains: { blue: ['eks-blue.devinfra.local', 'eks-blue.devinfra.fr'], green: ['eks-green.devinfra.local', 'eks-green.devinfra.fr'] },
    loadBalancers: { blue: ['k8s-blue-web-1.eu-west-3.elb.amazonaws.com'], green: ['k8s-green-web-1.eu-west-3.elb.amazonaws.com'] },
    own: ['api.devinfra.local'],
  };
  const weighted = (name: string, id: string, weight: number, target: string) => ({ Name: name, Type: 'CNAME', SetIdentifier: id, Weight: weight, TTL: 60, ResourceRecords: [{ Value: target }] });
  const txt = (name: string, owner: string) => ({ Name: name, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=service/default/x"` }] });
  it.each([
    ['weighted 90/10 to the colours\' own names', [weighted('www.devinfra.fr.', 'blue', 90, 'www.eks-blue.devinfra.fr'), weighted('www.devinfra.fr.', 'green', 10, 'www.eks-green.devinfra.fr')], { blue: 90, green: 10 }],
    ['weighted 0/0: split evenly, as Route53 does', [weighted('www.devinfra.fr.', 'blue', 0, 'www.eks-blue.devinfra.fr'), weighted('www.devinfra.fr.', 'green', 0, 'www.eks-green.devinfra.fr')], { blue: 50, green: 50 }],
    ['weighted 100/0', [weighted('www.devinfra.fr.', 'blue', 100, 'www.eks-blue.devinfra.fr'), weighted('www.devinfra.fr.', 'green', 0, 'www.eks-green.devinfra.fr')], { blue: 100 }],
    ['simple alias, dualstack and upper case', [{ Name: 'www.devinfra.fr.', Type: 'A', AliasTarget: { DNSName: 'dualstack.K8S-GREEN-WEB-1.eu-west-3.elb.amazonaws.com.' } }], { green: 100 }],
    ['simple CNAME elsewhere', [{ Name: 'www.devinfra.fr.', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'shop.example.com' }] }], { other: 100 }],
  ])('%s', (_, sets, traffic) => {
    expect(productionView(layout, sets)['www.devinfra.fr']?.traffic).toEqual(traffic);
  });
  it('reads names decoded, the apex included, its owner from either registry format, and leaves out sub-domains and its own records', () => {
    const alias = (name: string) => ({ Name: name, Type: 'A', AliasTarget: { DNSName: 'k8s-blue-web-1.eu-west-3.elb.amazonaws.com.' } });
    const view = productionView(layout, [
      alias('\\052.devinfra.local.'),
      txt('a-\\052.devinfra.local.', 'live-eks-blue.devinfra.local'),
      alias('caf\\303\\251.devinfra.local.'),
      alias('devinfra.local.'),
      txt('devinfra.local.', 'old-owner'),
      alias('hello.eks-blue.devinfra.local.'),
      { Name: 'api.devinfra.local.', Type: 'CNAME', TTL: 5, ResourceRecords: [{ Value: '127.0.0.1' }] },
    ]);
    expect(Object.keys(view)).toEqual(['*.devinfra.local', 'café.devinfra.local', 'devinfra.local']);
    expect(view['*.devinfra.local']).toMatchObject({ listed: '\\052.devinfra.local.', owner: 'live-eks-blue.devinfra.local', form: 'simple', types: ['A'] });
    expect(view['café.devinfra.local']?.owner).toBeUndefined();
    expect(view['devinfra.local']?.owner).toBe('old-owner');
  });
});
