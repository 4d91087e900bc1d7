/**
 * bascule drain against moto on loopback, Route53 behind the validating proxy
 * (test/support/route53-proxy.mjs: Route53's paging): zones with blue's and
 * green's cluster-scoped names (alias A to an ALB, CNAME to an NLB), ELBv2
 * load balancers, and CloudWatch datapoints the test puts (PutMetricData)
 * relative to the real clock. A second platform (its own zones and load
 * balancers, metrics that are zero) holds production names: case 14 of the
 * cut-over findings, a production CNAME (TTL 86400) still pointing at blue's ALB.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client, type LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, Route53Client, type Change } from '@aws-sdk/client-route-53';
import { startMoto } from '../support/moto.mjs';
import { startRoute53Proxy } from '../support/route53-proxy.mjs';
import { createZone } from '../support/route53-zone.js';
import { envKeys, KEYS, ROOT, runBuilt, runInProcess } from '../support/run.js';
import { readRepoFile, replaceOnce, tempDirs } from '../support/text.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REGION = 'eu-west-3';
const MIN = 60_000;
const tempDir = tempDirs('bascule-drain-');

let moto: Awaited<ReturnType<typeof startMoto>>;
let proxy: Awaited<ReturnType<typeof startRoute53Proxy>>;
let dir: string;
let env: NodeJS.ProcessEnv;
let route53: Route53Client;
let cloudwatch: CloudWatchClient;
const zones = { local: '', fr: '' };
/** The second platform's zones: production lives there. */
const prodZones = { local: '', fr: '' };
const lbs: Record<string, LoadBalancer> = {};

const credentials = { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey };

/** moto's default subnets in the region (EC2 DescribeSubnets; no EC2 client is a dependency). */
async function subnets(endpoint: string): Promise<string[]> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0` },
    body: 'Action=DescribeSubnets&Version=2016-11-15',
  });
  return [...(await res.text()).matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1] as string).slice(0, 2);
}

const dimension = (lb: LoadBalancer) => (lb.LoadBalancerArn as string).split(':loadbalancer/')[1] as string;

async function put(namespace: string, metric: string, lb: LoadBalancer, points: [number, number][]) {
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: points.map(([agoMs, value]) => ({ MetricName: metric, Dimensions: [{ Name: 'LoadBalancer', Value: dimension(lb) }], Value: value, Timestamp: new Date(Date.now() - agoMs), Unit: 'Count' })),
    }),
  );
}

async function upsert(zone: string, changes: Change['ResourceRecordSet'][]) {
  await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: changes.map((ResourceRecordSet) => ({ Action: 'UPSERT', ResourceRecordSet })) } }));
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRoute53Proxy(moto.endpoint);
  const config = { region: REGION, endpoint: moto.endpoint, credentials, maxAttempts: 1 };
  route53 = new Route53Client({ ...config, endpoint: proxy.endpoint });
  cloudwatch = new CloudWatchClient(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const direct = new Route53Client(config);
  [zones.local, zones.fr, prodZones.local, prodZones.fr] = (await Promise.all(['devinfra.local', 'devinfra.fr', 'devinfra.local', 'devinfra.fr'].map((name) => createZone(direct, name)))) as [string, string, string, string];
  direct.destroy();
  const nets = await subnets(moto.endpoint);
  for (const [key, name, type] of [
    ['blueWeb', 'k8s-blue-web', 'application'],
    ['blueTcp', 'k8s-blue-tcp', 'network'],
    ['greenWeb', 'k8s-green-web', 'application'],
    ['prodBlue', 'p-blue-web', 'application'],
    ['prodGreen', 'p-green-web', 'application'],
  ] as const) {
    const made = await elb.send(new CreateLoadBalancerCommand({ Name: name, Type: type, Subnets: nets }));
    lbs[key] = made.LoadBalancers?.[0] as LoadBalancer;
  }
  elb.destroy();
  const alias = (lb: LoadBalancer) => ({ DNSName: `dualstack.${lb.DNSName}.`, HostedZoneId: lb.CanonicalHostedZoneId as string, EvaluateTargetHealth: true });
  await upsert(zones.fr, [
    { Name: 'www.eks-blue.devinfra.fr', Type: 'A', AliasTarget: alias(lbs.blueWeb as LoadBalancer) },
    { Name: 'a-www.eks-blue.devinfra.fr', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"heritage=external-dns,external-dns/owner=ingress-eks-blue.devinfra.fr"' }] },
    { Name: 'www.eks-green.devinfra.fr', Type: 'A', AliasTarget: alias(lbs.greenWeb as LoadBalancer) },
  ]);
  await upsert(zones.local, [
    { Name: 'tcp.eks-blue.devinfra.local', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: lbs.blueTcp?.DNSName as string }] },
    { Name: 'api.eks-blue.devinfra.local', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'abc.gr7.eu-west-3.eks.amazonaws.com' }] },
  ]);
  // Blue's ALB served 12 requests two minutes ago; its NLB held flows 30 minutes ago; green's ALB 40 minutes ago.
  await put('AWS/ApplicationELB', 'RequestCount', lbs.blueWeb as LoadBalancer, [[2 * MIN, 12]]);
  await put('AWS/NetworkELB', 'ActiveFlowCount', lbs.blueTcp as LoadBalancer, [[30 * MIN, 4]]);
  await put('AWS/ApplicationELB', 'RequestCount', lbs.greenWeb as LoadBalancer, [[40 * MIN, 100], [39 * MIN, 0]]);

  // The second platform: blue and green serve www (their own records, owned by their cluster-scoped
  // ExternalDNS); production's www.devinfra.fr is a hand-made CNAME (TTL 86400) to blue's ALB.
  const owned = (name: string, owner: string) => ({ Name: `a-${name}`, Type: 'TXT' as const, TTL: 300, ResourceRecords: [{ Value: `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=ingress/web/www"` }] });
  await upsert(prodZones.fr, [
    { Name: 'www.eks-blue.devinfra.fr', Type: 'A', AliasTarget: alias(lbs.prodBlue as LoadBalancer) },
    owned('www.eks-blue.devinfra.fr', 'ingress-eks-blue.devinfra.fr'),
    { Name: 'www.eks-green.devinfra.fr', Type: 'A', AliasTarget: alias(lbs.prodGreen as LoadBalancer) },
    owned('www.eks-green.devinfra.fr', 'ingress-eks-green.devinfra.fr'),
    { Name: 'www.devinfra.fr', Type: 'CNAME', TTL: 86_400, ResourceRecords: [{ Value: lbs.prodBlue?.DNSName as string }] },
  ]);
  // Blue's ALB there: zero for the last minutes, 40 requests 25 hours ago (outside even a 24h8m window).
  await put('AWS/ApplicationELB', 'RequestCount', lbs.prodBlue as LoadBalancer, [[25 * 60 * MIN, 40], [10 * MIN, 0], [2 * MIN, 0]]);

  dir = tempDir();
  for (const sub of ['ca', 'linkerd']) cpSync(join(ROOT, 'examples', sub), join(dir, sub), { recursive: true });
  const example = readRepoFile('examples/platform.yaml');
  writeFileSync(join(dir, 'platform.yaml'), example.replaceAll('Z0DEVINFRALOCAL01', zones.local).replaceAll('Z0DEVINFRAFR02', zones.fr));
  writeFileSync(join(dir, 'production.yaml'), example.replaceAll('Z0DEVINFRALOCAL01', prodZones.local).replaceAll('Z0DEVINFRAFR02', prodZones.fr));
  writeFileSync(join(dir, 'no-external-dns.yaml'), replaceOnce(example.replaceAll('Z0DEVINFRALOCAL01', prodZones.local).replaceAll('Z0DEVINFRAFR02', prodZones.fr), '\nexternalDns:\n', '\nexternalDns:\n  enabled: false\n'));
  env = envKeys({ AWS_ENDPOINT_URL: moto.endpoint, AWS_ENDPOINT_URL_ROUTE_53: proxy.endpoint });
}, 180_000);

afterAll(async () => {
  route53?.destroy();
  cloudwatch?.destroy();
  await proxy?.close();
  await moto?.stop();
  if (env?.HOME) rmSync(env.HOME, { recursive: true, force: true });
});

const drain = (args: string[]) => runInProcess(['drain', '--config', join(dir, 'platform.yaml'), ...args], { env, cwd: dir });

describe('bascule drain (moto: Route53, ELBv2, CloudWatch)', () => {
  it('blue is still receiving on its ALB: exit 3, names it and its records', async () => {
    const r = await drain(['--colour', 'blue']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^Drain of blue \(eks-blue\): 2 load balancers behind 2 records under eks-blue\.devinfra\.local, eks-blue\.devinfra\.fr$/m);
    expect(r.stdout).toMatch(/Window: the last 9m \(TTL 1m \+ quiet 5m \+ metrics lag 3m\)/);
    expect(r.stdout).toMatch(/receiving\s+k8s-blue-web \(ALB\)\s+12 requests in the window/);
    expect(r.stdout).toMatch(/names: www\.eks-blue\.devinfra\.fr/);
    expect(r.stdout).toMatch(/drained\s+k8s-blue-tcp \(NLB\)\s+no traffic in the window/);
    expect(r.stdout).toMatch(/names: tcp\.eks-blue\.devinfra\.local/);
    expect(r.stdout).not.toContain('api.eks-blue');
    expect(r.stderr).toMatch(/^note: .*blue is live/m);
    expect(r.stderr).toMatch(/^error: blue is still receiving traffic on k8s-blue-web$/m);
    expect(r.stderr).toMatch(/^hint: watch until it is quiet: bascule drain --colour blue --watch 15m$/m);
  });

  it('--output json: the same verdicts, machine-readable', async () => {
    const r = await drain(['--colour', 'blue', '--output', 'json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.result).toBe('receiving');
    expect(doc.window).toEqual({ seconds: 540, ttlSeconds: 60, quietSeconds: 300, lagSeconds: 180, colourTtlSeconds: 60, ttlFrom: null });
    expect(doc.production).toEqual({ read: true, domains: ['devinfra.local', 'devinfra.fr'], notRead: [], namesRead: 0, sending: 0, names: [] });
    const byName = Object.fromEntries(doc.loadBalancers.map((l: { name: string }) => [l.name, l]));
    expect(byName['k8s-blue-web']).toMatchObject({ state: 'receiving', total: 12, type: 'application', arn: lbs.blueWeb?.LoadBalancerArn, names: ['www.eks-blue.devinfra.fr'] });
    expect(byName['k8s-blue-web'].metric).toEqual({ namespace: 'AWS/ApplicationELB', name: 'RequestCount', stat: 'Sum', loadBalancer: dimension(lbs.blueWeb as LoadBalancer) });
    expect(byName['k8s-blue-tcp']).toMatchObject({ state: 'drained', type: 'network', names: ['tcp.eks-blue.devinfra.local'] });
    expect(byName['k8s-blue-tcp'].metric.namespace).toBe('AWS/NetworkELB');
  });

  it('a shorter quiet window: the NLB flows 30 minutes ago are outside it, a longer one catches them', async () => {
    const long = await drain(['--colour', 'blue', '--quiet', '40m', '--output', 'json']);
    const doc = JSON.parse(long.stdout);
    expect(doc.loadBalancers.find((l: { name: string }) => l.name === 'k8s-blue-tcp')).toMatchObject({ state: 'receiving', total: 4 });
  });

  it('green, quiet for 40 minutes, is drained: exit 0', async () => {
    const r = await drain(['--colour', 'green']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/drained\s+k8s-green-web \(ALB\)\s+no traffic in the window/);
    expect(r.stdout).toMatch(/^green is drained: none of its load balancers got traffic in the last 9m\.$/m);
    expect(r.stderr).toBe('');
  });

  // The clock is a port: this run's clock goes 60 times faster than the real one
  // (a --poll-interval of 1s real is a minute of it), so minutes of watching take seconds.
  const fast = () => {
    const origin = Date.now();
    return () => new Date(origin + (Date.now() - origin) * 60);
  };

  it('--watch looks again every --poll-interval until the window is quiet, then exit 0', async () => {
    const r = await runInProcess(['drain', '--config', join(dir, 'platform.yaml'), '--colour', 'blue', '--watch', '15m', '--poll-interval', '1s'], { env, cwd: dir, now: fast() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/look 1: still receiving: k8s-blue-web/);
    expect(r.stderr).toMatch(/look 2: still receiving: k8s-blue-web/);
    expect(r.stderr).toMatch(/look \d+: drained\n/);
    expect(r.stdout).toMatch(/\(look \d+, watching since /);
    expect(r.stdout).toMatch(/^blue is drained/m);
  }, 60_000);

  it('--watch stops at once when the traffic cannot be quiet long enough before it ends: exit 3', async () => {
    const r = await runInProcess(['drain', '--config', join(dir, 'platform.yaml'), '--colour', 'blue', '--watch', '3m', '--poll-interval', '1s'], { env, cwd: dir, now: fast() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/look 1: still receiving: k8s-blue-web/);
    expect(r.stderr).not.toMatch(/look 2/);
    expect(r.stderr).toMatch(/^error: blue is still receiving traffic on k8s-blue-web after watching /m);
  });

  it('a name that points at no load balancer makes green unknown (exit 3), listed with its target', async () => {
    await upsert(zones.local, [{ Name: 'old.eks-green.devinfra.local', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'k8s-deleted-1.eu-west-3.elb.amazonaws.com' }] }]);
    try {
      const r = await drain(['--colour', 'green']);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/unknown\s+old\.eks-green\.devinfra\.local\s+-> k8s-deleted-1\.eu-west-3\.elb\.amazonaws\.com: no load balancer of the region/);
      expect(r.stderr).toMatch(/^error: green's drain is not proven: 1 name or load balancer could not be read\.$/m);
    } finally {
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zones.local,
          ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: { Name: 'old.eks-green.devinfra.local', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'k8s-deleted-1.eu-west-3.elb.amazonaws.com' }] } }] },
        }),
      );
    }
  });

  it('the built artefact loads the drain chunk and its clients', async () => {
    const r = await runBuilt(['drain', '--colour', 'green', '--config', join(dir, 'platform.yaml'), '--output', 'json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).result).toBe('drained');
  });

  it('an unreachable CloudWatch is an AWS failure (exit 1) naming the call', async () => {
    const down = await runInProcess(['drain', '--config', join(dir, 'platform.yaml'), '--colour', 'green'], {
      env: { ...env, AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:9' },
      cwd: dir,
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: CloudWatch GetMetricData failed: cannot reach the endpoint http:\/\/127\.0\.0\.1:9 /m);
  });
});

describe('bascule drain reads production (case 14: a production CNAME, TTL 86400, still at blue\'s ALB)', () => {
  const drainIn = (file: string, args: string[]) => runInProcess(['drain', '--config', join(dir, file), ...args], { env, cwd: dir });
  const setWww = (target: string) => upsert(prodZones.fr, [{ Name: 'www.devinfra.fr', Type: 'CNAME', TTL: 86_400, ResourceRecords: [{ Value: target }] }]);

  it('blue\'s metrics are zero, but production names it: exit 3 naming the record, its TTL and share; the window counts 86400 s', async () => {
    const r = await drainIn('production.yaml', ['--colour', 'blue', '-v']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^Drain of blue \(eks-blue\): 1 load balancer behind 1 record under eks-blue\.devinfra\.local, eks-blue\.devinfra\.fr$/m);
    expect(r.stdout).toMatch(/^Window: the last 24h8m \(TTL 24h of www\.devinfra\.fr \+ quiet 5m \+ metrics lag 3m\)/m);
    expect(r.stdout).toMatch(/drained\s+p-blue-web \(ALB\)\s+no traffic in the window/);
    expect(r.stdout).toMatch(/^Production under devinfra\.local, devinfra\.fr: 1 name still sends traffic to blue$/m);
    expect(r.stdout).toMatch(/^ {2}sends {2}www\.devinfra\.fr {2}CNAME -> p-blue-web-[^,]+, TTL 24h, blue 100%, no ExternalDNS registry entry \(hand-made\); blue serves it$/m);
    expect(r.stderr).toMatch(/^error: blue is still receiving traffic: production still points at it: www\.devinfra\.fr \(CNAME, TTL 24h, blue 100%\)$/m);
    expect(r.stderr).toMatch(/^hint: point those names away from blue .*the window counts their TTL$/m);
    expect(r.stderr).toMatch(/^bascule: production: devinfra\.fr read from zone /m);
    expect(r.stderr).toMatch(/^bascule: production: 1 name read; naming blue: 1; still sending it traffic: 1$/m);

    const json = await drainIn('production.yaml', ['--colour', 'blue', '--output', 'json']);
    expect(json.code).toBe(3);
    const doc = JSON.parse(json.stdout);
    expect(doc.result).toBe('receiving');
    expect(doc.window).toEqual({ seconds: 86_880, ttlSeconds: 86_400, quietSeconds: 300, lagSeconds: 180, colourTtlSeconds: 60, ttlFrom: 'www.devinfra.fr' });
    expect(doc.loadBalancers.map((l: { name: string; state: string }) => [l.name, l.state])).toEqual([['p-blue-web', 'drained']]);
    expect(doc.production).toMatchObject({ read: true, domains: ['devinfra.local', 'devinfra.fr'], notRead: [], namesRead: 1, sending: 1 });
    expect(doc.production.names).toEqual([
      { name: 'www.devinfra.fr', zoneId: prodZones.fr, types: ['CNAME'], form: 'simple', owner: { kind: 'none' }, targets: [(lbs.prodBlue?.DNSName as string).toLowerCase()], ttlSeconds: 86_400, share: 100, sendsTraffic: true, servedByColour: true },
    ]);
  });

  it('without production configured (externalDns disabled): today\'s verdict, and -v and the JSON say production was not read', async () => {
    const r = await drainIn('no-external-dns.yaml', ['--colour', 'blue', '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Window: the last 9m \(TTL 1m \+ quiet 5m \+ metrics lag 3m\)/m);
    expect(r.stdout).not.toMatch(/Production/);
    expect(r.stderr).toMatch(/^bascule: production not read: externalDns is disabled in .*no-external-dns\.yaml/m);
    const doc = JSON.parse((await drainIn('no-external-dns.yaml', ['--colour', 'blue', '--output', 'json'])).stdout);
    expect(doc.production).toMatchObject({ read: false, domains: [], notRead: [expect.stringMatching(/^externalDns is disabled/)] });
  });

  it('once www points elsewhere, blue is drained: its metrics are quiet for TTL + quiet + lag (blue serves www: its 24h count)', async () => {
    await setWww(lbs.prodGreen?.DNSName as string);
    const r = await drainIn('production.yaml', ['--colour', 'blue']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Production under devinfra\.local, devinfra\.fr: no name sends traffic to blue$/m);
    expect(r.stdout).toMatch(/^ {2}ttl {2}www\.devinfra\.fr {2}CNAME -> p-green-web-[^,]+, TTL 24h, blue 0%, .*; blue serves it$/m);
    expect(r.stdout).toMatch(/^blue is drained: none of its load balancers got traffic in the last 24h8m\.$/m);
  });

  it('two requests three hours ago are inside that window: exit 3 on the ALB, drained a day after them at the earliest', async () => {
    await put('AWS/ApplicationELB', 'RequestCount', lbs.prodBlue as LoadBalancer, [[3 * 60 * MIN, 2]]);
    const r = await drainIn('production.yaml', ['--colour', 'blue', '--output', 'json']);
    expect(r.code).toBe(3);
    const [lb] = JSON.parse(r.stdout).loadBalancers;
    expect(lb).toMatchObject({ name: 'p-blue-web', state: 'receiving', total: 2 });
    const earliest = Date.parse(lb.drainedAtEarliest);
    expect(earliest).toBeGreaterThan(Date.now() + 20 * 60 * MIN);
    expect(earliest).toBeLessThan(Date.now() + 22 * 60 * MIN);
  });
});
