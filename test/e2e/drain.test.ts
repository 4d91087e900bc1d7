/**
 * bascule drain against moto on loopback: Route53 zones with blue's and
 * green's cluster-scoped names (alias A to an ALB, CNAME to an NLB), ELBv2
 * load balancers, and CloudWatch datapoints the test puts (PutMetricData)
 * relative to the real clock.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client, type LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, Route53Client, type Change } from '@aws-sdk/client-route-53';
import { startMoto } from '../support/moto.mjs';
import { createZone } from '../support/route53-zone.js';
import { envKeys, KEYS, ROOT, runBuilt, runInProcess } from '../support/run.js';
import { readRepoFile, tempDirs } from '../support/text.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REGION = 'eu-west-3';
const MIN = 60_000;
const tempDir = tempDirs('bascule-drain-');

let moto: Awaited<ReturnType<typeof startMoto>>;
let dir: string;
let env: NodeJS.ProcessEnv;
let route53: Route53Client;
let cloudwatch: CloudWatchClient;
const zones = { local: '', fr: '' };
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
  const config = { region: REGION, endpoint: moto.endpoint, credentials, maxAttempts: 1 };
  route53 = new Route53Client(config);
  cloudwatch = new CloudWatchClient(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  [zones.local, zones.fr] = await Promise.all([createZone(route53, 'devinfra.local'), createZone(route53, 'devinfra.fr')]);
  const nets = await subnets(moto.endpoint);
  for (const [key, name, type] of [
    ['blueWeb', 'k8s-blue-web', 'application'],
    ['blueTcp', 'k8s-blue-tcp', 'network'],
    ['greenWeb', 'k8s-green-web', 'application'],
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

  dir = tempDir();
  for (const sub of ['ca', 'linkerd']) cpSync(join(ROOT, 'examples', sub), join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'platform.yaml'),
    readRepoFile('examples/platform.yaml').replaceAll('Z0DEVINFRALOCAL01', zones.local).replaceAll('Z0DEVINFRAFR02', zones.fr),
  );
  env = envKeys({ AWS_ENDPOINT_URL: moto.endpoint });
}, 180_000);

afterAll(async () => {
  route53?.destroy();
  cloudwatch?.destroy();
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
    expect(doc.window).toEqual({ seconds: 540, ttlSeconds: 60, quietSeconds: 300, lagSeconds: 180 });
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
    expect(down.stderr).toMatch(/^error: CloudWatch GetMetricData failed: cannot reach CloudWatch/m);
  });
});
