/**
 * bascule switch --weights end to end on loopback: moto as Route53 (behind
 * the validating proxy: atomic batches, Route53's refusals, PENDING before
 * INSYNC, weighted DELETE and StartRecordIdentifier paging done right), ELBv2
 * and CloudWatch. Production names are CNAMEs with a 1 s TTL so each stage's
 * hold (at least one TTL) takes about a second.
 *
 * In order: refusals before any change; a run killed mid-stage (the built
 * artefact, SIGKILL) resumed; rollback stage by stage; a paused run, promoted,
 * reverted by itself on an injected 5XX burst; rollback at once to exactly
 * what was there.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { startMoto } from '../support/moto.mjs';
import { startRoute53Proxy } from '../support/route53-proxy.mjs';
import { createZone } from '../support/route53-zone.js';
import { envKeys, KEYS, requireBuilt, ROOT, runInProcess } from '../support/run.js';
import { readRepoFile, tempDirs } from '../support/text.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REGION = 'eu-west-3';
const tempDir = tempDirs('bascule-shift-');
const BLUE_API = 'a1b2c3d4e5f60718293a4b5c6d7e8f90.gr7.eu-west-3.eks.amazonaws.com';
const GREEN_API = '0f9e8d7c6b5a49382716f5e4d3c2b1a0.yl4.eu-west-3.eks.amazonaws.com';

let moto: Awaited<ReturnType<typeof startMoto>>;
let proxy: Awaited<ReturnType<typeof startRoute53Proxy>>;
let dir: string;
let env: NodeJS.ProcessEnv;
let route53: Route53Client;
let cloudwatch: CloudWatchClient;
const zones = { local: '', fr: '', info: '' };
const lbs: Record<string, LoadBalancer> = {};
let original: ResourceRecordSet[] = [];
const credentials = { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey };

async function ec2(action: string): Promise<string> {
  const res = await fetch(moto.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0` },
    body: `Action=${action}&Version=2016-11-15`,
  });
  return res.text();
}

const all = async (): Promise<ResourceRecordSet[]> => {
  const out: ResourceRecordSet[] = [];
  for (const z of Object.values(zones)) out.push(...((await proxy.records(z)) as ResourceRecordSet[]));
  return out;
};
const weights = async (name: string) =>
  Object.fromEntries((await all()).filter((r) => r.Name === `${name}.` && r.SetIdentifier).map((r) => [r.SetIdentifier, r.Weight]));
const value = async (name: string, type: string) => (await all()).find((r) => r.Name === `${name}.` && r.Type === type)?.ResourceRecords?.map((r) => r.Value).join(' ');
const journalFile = () => join(dir, 'state', 'bascule', 'shift-devinfra.json');
const journal = () => JSON.parse(readFileSync(journalFile(), 'utf8'));
const canonical = (sets: ResourceRecordSet[]) => sets.map((s) => JSON.stringify(s)).sort();

async function put(metric: string, lb: LoadBalancer, value: number) {
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ApplicationELB',
      MetricData: [{ MetricName: metric, Dimensions: [{ Name: 'LoadBalancer', Value: (lb.LoadBalancerArn as string).split(':loadbalancer/')[1] as string }], Value: value, Timestamp: new Date(), Unit: 'Count' }],
    }),
  );
}

/** Waits for the next minute when less than 15 s are left of this one (at most 15 s). */
async function clearOfMinuteEdge() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startRoute53Proxy(moto.endpoint);
  const config = { region: REGION, endpoint: moto.endpoint, credentials, maxAttempts: 1 };
  route53 = new Route53Client({ ...config, endpoint: proxy.endpoint });
  cloudwatch = new CloudWatchClient(config);
  const direct = new Route53Client(config);
  [zones.local, zones.fr, zones.info] = await Promise.all([createZone(direct, 'devinfra.local'), createZone(direct, 'devinfra.fr'), createZone(direct, 'devinfra.info')]);
  direct.destroy();
  const subnets = await ec2('DescribeSubnets');
  const nets = [...subnets.matchAll(/<subnetId>([^<]+)</g)].map((m) => m[1] as string).slice(0, 2);
  const vpc = /<vpcId>([^<]+)</.exec(subnets)?.[1] as string;
  const elb = new ElasticLoadBalancingV2Client(config);
  for (const colour of ['blue', 'green']) {
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: `k8s-${colour}-web`, Type: 'application', Subnets: nets }))).LoadBalancers?.[0] as LoadBalancer;
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: `k8s-${colour}-web`, Protocol: 'HTTP', Port: 80, VpcId: vpc, TargetType: 'ip' }))).TargetGroups?.[0];
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg?.TargetGroupArn, Targets: [{ Id: colour === 'blue' ? '10.0.1.5' : '10.0.2.5', Port: 80 }] }));
    lbs[colour] = lb;
  }
  elb.destroy();
  const cname = (Name: string, Value: string, TTL = 1): ResourceRecordSet => ({ Name, Type: 'CNAME', TTL, ResourceRecords: [{ Value }] });
  const upsert = (zone: string, sets: ResourceRecordSet[]) =>
    route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: sets.map((ResourceRecordSet) => ({ Action: 'UPSERT', ResourceRecordSet })) } }));
  const dns = (c: string) => lbs[c]?.DNSName as string;
  await upsert(zones.fr, [
    cname('www.devinfra.fr', dns('blue')),
    { Name: 'cname-www.devinfra.fr', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"heritage=external-dns,external-dns/owner=live.eks-blue.devinfra.fr,external-dns/resource=ingress/web/www"' }] },
    cname('shop.devinfra.fr', dns('blue')),
    ...['blue', 'green'].flatMap((c) => [cname(`www.eks-${c}.devinfra.fr`, dns(c), 60), cname(`shop.eks-${c}.devinfra.fr`, dns(c), 60)]),
  ]);
  // The API record and the TXT carry the platform file's TTLs (60): the flip writes those.
  await upsert(zones.local, [cname('api.devinfra.local', BLUE_API, 60), cname('api.eks-blue.devinfra.local', BLUE_API, 60), cname('api.eks-green.devinfra.local', GREEN_API, 60)]);
  await upsert(zones.info, [{ Name: 'eks.devinfra.info', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"eks-blue"' }] }]);
  original = await all();

  dir = tempDir();
  for (const sub of ['ca', 'linkerd']) cpSync(join(ROOT, 'examples', sub), join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'platform.yaml'),
    readRepoFile('examples/platform.yaml').replaceAll('Z0DEVINFRALOCAL01', zones.local).replaceAll('Z0DEVINFRAFR02', zones.fr).replaceAll('Z0DEVINFRAINFO03', zones.info),
  );
  env = envKeys({ AWS_ENDPOINT_URL: moto.endpoint, AWS_ENDPOINT_URL_ROUTE_53: proxy.endpoint, XDG_STATE_HOME: join(dir, 'state') });
}, 180_000);

afterAll(async () => {
  route53?.destroy();
  cloudwatch?.destroy();
  await proxy?.close();
  await moto?.stop();
  if (env?.HOME) rmSync(env.HOME, { recursive: true, force: true });
});

const FAST = ['--poll-interval', '100ms', '--yes'];
const shift = (args: string[]) => runInProcess(['switch', '--config', join(dir, 'platform.yaml'), ...args], { env, cwd: dir });

describe('bascule switch --weights (moto Route53 behind the validating proxy, ELBv2, CloudWatch)', () => {
  it('refuses bad input before anything changes', async () => {
    const cases: [string[], RegExp, number][] = [
      [['--to', 'green', '--weights', '10,50'], /^error: --weights 10,50: the last stage must be 100/m, 2],
      [['--to', 'green', '--weights', '0,100'], /^error: --weights 0,100: a stage of 0 moves nothing/m, 2],
      [['--to', 'green', '--weights', '50,20,100'], /must increase \(50 then 20\)/, 2],
      [['--to', 'blue', '--weights', '10,100'], /^error: blue is already the live colour/m, 2],
      [['--to', 'green', '--hold', '1m'], /^error: --hold only apply to a weighted shift/m, 2],
      // green's ALB never got a request: CloudWatch has no metric for it
      [['--to', 'green', '--weights', '10,100'], /^error: the failure signals of green cannot be read:\n {2}- k8s-green-web: CloudWatch has no AWS\/ApplicationELB RequestCount metric/m, 1],
    ];
    for (const [args, message, code] of cases) {
      const r = await shift([...args, '--apply', ...FAST]);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(code);
    }
    await put('RequestCount', lbs.green as LoadBalancer, 5);
    // a name green does not serve: listed and refused, unless --allow-orphan
    await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zones.fr, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'old.devinfra.fr', Type: 'CNAME', TTL: 1, ResourceRecords: [{ Value: 'x.example' }] } }, { Action: 'CREATE', ResourceRecordSet: { Name: 'old.eks-blue.devinfra.fr', Type: 'CNAME', TTL: 1, ResourceRecords: [{ Value: 'x.example' }] } }] } }));
    const orphan = await shift(['--to', 'green', '--weights', '10,100', '--apply', ...FAST]);
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toMatch(/^error: 1 production name is served by one colour only:\n {2}- old\.devinfra\.fr: only blue \(old\.eks-green\.devinfra\.fr does not exist\)/m);
    expect(orphan.stderr).toMatch(/^hint: .*--allow-orphan old\.devinfra\.fr/m);
    const plan = await shift(['--to', 'green', '--weights', '10,100', '--allow-orphan', 'old.devinfra.fr']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/left as they are \(--allow-orphan\), on their colour:\n {4}old\.devinfra\.fr \(only blue\)/);
    const wrong = await shift(['--to', 'green', '--weights', '10,100', '--allow-orphan', 'www.devinfra.fr']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error: --allow-orphan www\.devinfra\.fr: not a production name served by one colour only/m);
    expect(plan.stdout).toMatch(/This is the plan; nothing was changed/);
    await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zones.fr, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: { Name: 'old.devinfra.fr', Type: 'CNAME', TTL: 1, ResourceRecords: [{ Value: 'x.example' }] } }, { Action: 'DELETE', ResourceRecordSet: { Name: 'old.eks-blue.devinfra.fr', Type: 'CNAME', TTL: 1, ResourceRecords: [{ Value: 'x.example' }] } }] } }));
    expect(canonical(await all())).toEqual(canonical(original));
    expect(existsSync(journalFile())).toBe(false);
  }, 60_000);

  it('the plan names the stages, the names, their targets and the signals', async () => {
    const r = await shift(['--to', 'green', '--weights', '10,50,100', '--hold', '2s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Weighted shift of devinfra: blue (eks-blue) -> green (eks-green)');
    expect(r.stdout).toContain('stages 10% -> 50% -> 100%, each held 2s and at least one TTL; the API record and the TXT flip at 100% (TTL 1s)');
    expect(r.stdout).toContain('2 production names, first converted to weighted records (one atomic batch per zone):');
    expect(r.stdout).toContain('www.devinfra.fr CNAME -> www.eks-blue.devinfra.fr / www.eks-green.devinfra.fr');
    expect(r.stdout).toContain('signals: k8s-green-web (1 target group, 5XX rate); revert above 1% 5XX (from 20 requests) or 0 unhealthy targets');
  });

  it('a run killed mid-stage (the built artefact, SIGKILL) resumes in that stage and completes; the API record and TXT flip at 100', async () => {
    const child = spawn(requireBuilt(), ['switch', '--config', join(dir, 'platform.yaml'), '--to', 'green', '--weights', '10,50,100', '--hold', '3s', '--apply', ...FAST], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 30_000;
    while (!/stage 50%: hold: holding/.test(output)) {
      if (Date.now() > deadline) throw new Error(`no hold at 50% within 30 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    const killed = journal();
    expect(killed).toMatchObject({ state: 'running', share: 10, stage: { index: 1, target: 50, phase: 'hold' } });
    expect(await weights('www.devinfra.fr')).toEqual({ blue: 50, green: 50 });

    const status = await shift(['--to', 'green', '--weights', '10,100', '--apply', ...FAST]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^error: a weighted shift is unfinished: weighted shift blue -> green interrupted: stage 2\/3 \(50%\) at hold/m);

    const started = Date.now();
    const r = await shift(['--resume', ...FAST]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^Resuming \(weighted shift blue -> green interrupted: stage 2\/3 \(50%\) at hold\)/m);
    expect(r.stdout).not.toMatch(/green weight 50/); // the stage's writes are not redone
    expect(r.stdout).toMatch(/stage 100%: API record and TXT now name green/);
    expect(r.stdout).toMatch(/Shifted to green: 100% of production/);
    expect(r.stdout).toMatch(/bascule drain --colour blue --watch 15m/);
    expect(r.stdout).toMatch(/platform\.yaml now says live: green \(line \d+\)/);
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toMatch(/^live: green/m);
    // the remaining hold of stage 50 and the 3 s of stage 100
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(await weights('www.devinfra.fr')).toEqual({ blue: 0, green: 100 });
    expect(await weights('shop.devinfra.fr')).toEqual({ blue: 0, green: 100 });
    expect(await value('api.devinfra.local', 'CNAME')).toBe(GREEN_API);
    expect(await value('eks.devinfra.info', 'TXT')).toBe('"eks-green"');
    expect(await value('cname-www.devinfra.fr', 'TXT')).toBeUndefined(); // no ExternalDNS owns the name any more
    expect(journal()).toMatchObject({ state: 'completed', share: 100, flipped: true });
    // never 0/0, never a moment without the name: every batch the proxy applied
    for (const h of proxy.history as { changes: { Action: string; ResourceRecordSet: ResourceRecordSet }[] }[]) {
      for (const c of h.changes) if (c.ResourceRecordSet.SetIdentifier) expect(c.ResourceRecordSet.Weight).toBeLessThanOrEqual(100);
    }
  }, 180_000);

  it('--rollback --gradual steps back stage by stage, flips back below the flip stage, restores the records exactly', async () => {
    const r = await shift(['--rollback', '--gradual', ...FAST]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const lines = r.stdout.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    // below the flip stage (100) at once: the API record and the TXT go back first
    expect(at(/API record and TXT back to blue/)).toBeGreaterThan(0);
    expect(at(/back to 50%: blue weight 50/)).toBeGreaterThan(at(/API record and TXT back to blue/));
    expect(at(/back to 50%: green weight 50/)).toBeGreaterThan(at(/back to 50%: blue weight 50/));
    expect(at(/rolled back to green 50%/)).toBeGreaterThan(at(/back to 50%: green weight 50/));
    expect(at(/rolled back to green 10%/)).toBeGreaterThan(at(/rolled back to green 50%/));
    expect(at(/rolled back to green 0%/)).toBeGreaterThan(at(/rolled back to green 10%/));
    expect(r.stdout).toMatch(/Rolled back: production as before the shift \(blue\)/);
    expect(r.stdout).toMatch(/platform\.yaml now says live: blue/);
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toMatch(/^live: blue/m);
    expect(canonical(await all())).toEqual(canonical(original));
    expect(journal().state).toBe('rolled-back');
  }, 60_000);

  it('--pause stops after each stage; a 5XX burst on green during the next hold reverts it by itself; --rollback restores exactly', async () => {
    const paused = await shift(['--to', 'green', '--weights', '10,50,100', '--hold', '2s', '--pause', '--apply', ...FAST]);
    expect(paused.code, paused.stderr + paused.stdout).toBe(0);
    expect(paused.stdout).toMatch(/Paused with green at 10%\. Promote with: bascule switch --resume --config /);
    expect(await weights('www.devinfra.fr')).toEqual({ blue: 90, green: 10 });
    expect(journal()).toMatchObject({ state: 'paused', share: 10 });
    // the switch lock (shared with the plain switch) is held while the shift is unfinished
    expect(await value('_bascule-lock.eks.devinfra.info', 'TXT')).toMatch(/^"bascule-lock platform=devinfra shift=blue->green by=/);

    // green starts failing: 60 of 100 requests answered 5XX. The shift reads the signals of whole
    // minutes since the stage began: the burst and the stage's start must fall in the same minute.
    await clearOfMinuteEdge();
    await put('RequestCount', lbs.green as LoadBalancer, 100);
    await put('HTTPCode_Target_5XX_Count', lbs.green as LoadBalancer, 60);
    const reverted = await shift(['--resume', ...FAST]);
    expect(reverted.code).toBe(3);
    expect(reverted.stderr).toMatch(/^error: stage 2 reverted by itself to green 10%: k8s-green-web answered 60 5XX of 10\d requests/m);
    expect(reverted.stderr).toMatch(/^hint: fix green, then retry the stage: bascule switch --resume/m);
    const lines = reverted.stdout.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/stage 50% failed: k8s-green-web answered/)).toBeGreaterThan(at(/stage 50%: Route53 holds green 50/));
    // blue raised first, green lowered second: never 0/0 on the way back
    expect(at(/back to 10%: blue weight 90/)).toBeGreaterThan(at(/stage 50% failed/));
    expect(at(/back to 10%: green weight 10/)).toBeGreaterThan(at(/back to 10%: blue weight 90/));
    expect(await weights('www.devinfra.fr')).toEqual({ blue: 90, green: 10 });
    expect(journal()).toMatchObject({ state: 'reverted', share: 10, flipped: false });
    expect(await value('api.devinfra.local', 'CNAME')).toBe(BLUE_API);

    const back = await shift(['--rollback', ...FAST]);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(canonical(await all())).toEqual(canonical(original));
  }, 60_000);
});
