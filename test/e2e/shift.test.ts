/**
 * bascule switch --weights end to end, as the built artefact, on the unified
 * cut-over world (test/support/cutover-world.ts): moto Route53 behind the
 * validating proxy, the resolver following it, the stand-in EKS API servers
 * with each colour's four ExternalDNS Deployments and the stand-in ExternalDNS
 * reconciling their Services into Route53, a real moto ALB per colour behind
 * those Services, CloudWatch datapoints put by the test.
 *
 * The fence (case 17) runs on the world as reset: hello and world served by
 * both colours through Services (alias records, TTL 60: one stage of 60 s),
 * blog by blue only. The other cases replace that production, as blue's live
 * ExternalDNS would have left it, by CNAMEs with a 1 s TTL (a stage's hold, at
 * least one TTL, lasts about a second): www (each colour's own record at its
 * ALB: watched), shop (at an address no signal can watch), stale (green's
 * record is not its cluster-scoped ExternalDNS'), foreign (another owner),
 * hand (hand-made, no colour counterpart).
 *
 * Each test is named after the design note's case it covers
 * (../shared/design/cutover.md).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { CLUSTER_OWNER, LIVE, OWNER, startCutoverWorld, type CutoverWorld } from '../support/cutover-world.js';
import { requireBuilt, type Result } from '../support/run.js';

let world: CutoverWorld;
const SERVED = { blue: ['hello', 'world', 'blog'], green: ['hello', 'world'] };
const reg = (owner: string) => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=ingress/web/app"`;
const bare = (name: string | undefined) => (name ?? '').toLowerCase().replace(/\.$/, '');

beforeAll(async () => {
  world = await startCutoverWorld();
  await world.reset();
  // green's ALB has been sent test traffic: its RequestCount metric exists (a 5XX rate that cannot be read is refused)
  await world.putTraffic('green', { requests: 5 });
}, 240_000);

afterAll(async () => {
  if (world) await world.stop().catch(() => undefined);
});

const cname = (Name: string, Value: string, TTL = 1): ResourceRecordSet => ({ Name, Type: 'CNAME', TTL, ResourceRecords: [{ Value }] });
const txt = (Name: string, value: string): ResourceRecordSet => ({ Name, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: value }] });
async function write(sets: ResourceRecordSet[], Action: Change['Action'] = 'UPSERT') {
  for (let i = 0; i < sets.length; i += 300) await world.write('private', sets.slice(i, i + 300).map((ResourceRecordSet) => ({ Action, ResourceRecordSet })));
}

/** The CNAME production of most cases, in place of the Services' alias records. */
async function cnameProduction(): Promise<void> {
  for (const colour of ['blue', 'green'] as const) for (const label of SERVED[colour]) world.removeService(colour, label);
  await world.edns?.blue.loops(2); // blue's live ExternalDNS (upsert-only) saw them go: it writes nothing more
  const old = (await world.records('private')).filter((r) => /^(a-|aaaa-)?(hello|world|blog)\./.test(r.Name as string));
  await write(old, 'DELETE');
  const dns = (c: 'blue' | 'green') => world.lbs[c].dnsName;
  const own = (label: string, c: 'blue' | 'green', target: string, owner: string = CLUSTER_OWNER[c]) => [cname(`${label}.eks-${c}.devinfra.local`, target), txt(`cname-${label}.eks-${c}.devinfra.local`, reg(owner))];
  await write([
    cname('www.devinfra.local', dns('blue')),
    txt('cname-www.devinfra.local', reg(OWNER.blue)),
    ...own('www', 'blue', dns('blue')),
    ...own('www', 'green', dns('green')),
    cname('shop.devinfra.local', 'shop-blue.example.com'),
    txt('cname-shop.devinfra.local', reg(OWNER.blue)),
    ...own('shop', 'blue', 'shop-blue.example.com'),
    ...own('shop', 'green', 'shop-green.example.com'),
    cname('stale.devinfra.local', dns('blue')),
    txt('cname-stale.devinfra.local', reg(OWNER.blue)),
    ...own('stale', 'blue', dns('blue')),
    ...own('stale', 'green', dns('green'), 'someone-else'),
    cname('foreign.devinfra.local', 'elsewhere.example.com'),
    txt('cname-foreign.devinfra.local', reg('another-team')),
    cname('hand.devinfra.local', 'hand.example.com'),
  ]);
}

let original: string[] = [];
const canonical = (sets: ResourceRecordSet[]) => sets.filter((s) => !s.Name?.startsWith('_bascule-lock')).map((s) => JSON.stringify(s)).sort();
const records = async () => [...(await world.records('private')), ...(await world.records('public')), ...(await world.records('txt'))];
const at = async (name: string) => (await records()).filter((r) => bare(r.Name) === name);
const lockRecord = async () => (await at('_bascule-lock.eks.devinfra.info'))[0]?.ResourceRecords?.[0]?.Value;
const shiftJournal = () => world.shiftJournalFile;
const journal = () => world.journal('shift');

beforeEach(async () => {
  await world.reset();
}, 120_000);

/** The CNAME production, and what Route53 holds then. */
async function cnames(): Promise<void> {
  await cnameProduction();
  original = canonical(await records());
}

const FAST = ['--poll-interval', '50ms', '--timeout', '10s', '--dns-wait', '5s', '--signal-interval', '200ms', '--request-timeout', '15s', '--dns-timeout', '10s'];
const sw = (...args: string[]): Promise<Result> => world.run(['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, ...args], { timeoutMs: 240_000 });
const ALLOWED = ['--allow-orphan', 'stale.devinfra.local', '--allow-unwatched', 'shop.devinfra.local'];
const START = ['--to', 'green', '--weights', '50,100', ...ALLOWED, '--apply', '--yes'];

describe('bascule switch --weights on the one production model (the design note\'s cases)', () => {
  it('cases 2, 3, 4: one verdict for one fact: a stale green record is an orphan; foreign and hand-made names are named and left alone, their registry untouched; a hand-made name blocks nothing', async () => {
    await cnames();
    const plan = await sw('--to', 'green', '--weights', '50,100', '--allow-unwatched', 'shop.devinfra.local');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/stale\.devinfra\.local\s+CNAME\s+orphan\s+-\s+not served by both colours: stale\.eks-green\.devinfra\.local exists but is not owned by ingress-eks-green\.devinfra\.local .*refused \(--allow-orphan to leave it\)/);
    expect(plan.stdout).toMatch(/foreign\.devinfra\.local\s+CNAME\s+left-alone\s+-\s+owned by another-team: not this platform's live ExternalDNS: left alone, never converted/);
    expect(plan.stdout).toMatch(/hand\.devinfra\.local\s+CNAME\s+left-alone\s+-\s+no ExternalDNS registry entry \(hand-made\): left alone, never converted/);
    expect(plan.stdout).toMatch(/www\.devinfra\.local\s+CNAME\s+converts\s+k8s-green-web/);
    const refused = await sw('--to', 'green', '--weights', '50,100', '--allow-unwatched', 'shop.devinfra.local', '--apply', '--yes');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error: the weighted shift is refused \(one problem\):\n {2}- a production name is not served by both colours: stale\.devinfra\.local .*--allow-orphan stale\.devinfra\.local$/m);
    expect(canonical(await records())).toEqual(original);
    const r = await sw(...START);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const untouched = (name: string) => original.filter((s) => JSON.parse(s).Name === `${name}.`);
    const now = canonical(await records());
    for (const name of ['foreign.devinfra.local', 'cname-foreign.devinfra.local', 'hand.devinfra.local', 'stale.devinfra.local', 'cname-stale.devinfra.local']) {
      expect(now.filter((s) => JSON.parse(s).Name === `${name}.`), name).toEqual(untouched(name));
    }
  }, 120_000);

  it('case 12: signals per shifted name: a name no load balancer of the region serves is named and refused unless --allow-unwatched; the holds read the ALB of the others', async () => {
    await cnames();
    const plan = await sw('--to', 'green', '--weights', '50,100', '--allow-orphan', 'stale.devinfra.local');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^Refused \(--apply will not run until each is resolved\):\n {2}- no failure signal can watch shop\.devinfra\.local \(green: shop-green\.example\.com is no load balancer of the region.*--allow-unwatched shop\.devinfra\.local$/m);
    expect(plan.stdout).toMatch(/^Signals: k8s-green-web \(1 target group, 5XX rate\)/m);
    const refused = await sw('--to', 'green', '--weights', '50,100', '--allow-orphan', 'stale.devinfra.local', '--apply', '--yes');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/shop\.devinfra\.local/);
    expect(existsSync(shiftJournal())).toBe(false);
    const r = await sw(...START);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/stage 50%: hold: holding \(1\/1 targets healthy; k8s-green-web: \d+ requests/);
  }, 120_000);

  it('case 15: a conversion that does not fit one Route53 batch is refused in the plan, before the lock and the journal', async () => {
    await cnames();
    const dns = world.lbs.blue.dnsName;
    const many: ResourceRecordSet[] = [];
    for (let i = 0; i < 300; i++) {
      const label = `n${i}-${'x'.repeat(40)}`;
      many.push(cname(`${label}.devinfra.local`, dns), txt(`cname-${label}.devinfra.local`, reg(OWNER.blue)));
      for (const c of ['blue', 'green'] as const) many.push(cname(`${label}.eks-${c}.devinfra.local`, world.lbs[c].dnsName), txt(`cname-${label}.eks-${c}.devinfra.local`, reg(CLUSTER_OWNER[c])));
    }
    await write(many);
    const before = canonical(await records());
    const r = await sw(...START);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ {2}- the conversion: zone \S+: \d+ changes \(\d+ records, \d+ characters\) do not fit one Route53 batch \(1000 records, 32000 characters\)$/m);
    expect(r.stderr).toMatch(/nothing was changed \(no lock taken, no journal written\)/);
    expect(canonical(await records())).toEqual(before);
    expect(await lockRecord()).toBeUndefined();
    expect(existsSync(shiftJournal())).toBe(false);
    await write(many, 'DELETE');
  }, 180_000);

  it('cases 17 and 13: the shift ends settled and fenced: green\'s live ExternalDNS own production, blue\'s stopped and, revived, take nothing back; `switch --rollback` finds the shift without --journal and restores exactly', async () => {
    const before = canonical(await world.records('private'));
    const r = await sw('--to', 'green', '--weights', '100', '--allow-orphan', 'blog.devinfra.local', '--apply', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/the fence: blue's live ExternalDNS stopped/);
    for (const d of LIVE) {
      expect(world.stores.blue.get(d)).toMatchObject({ replicas: 0, pods: 0 });
      expect(world.stores.green.get(d)).toMatchObject({ replicas: 1 });
    }
    const onGreen = async () => {
      const p = await world.production();
      return Object.fromEntries(Object.entries(p).map(([name, v]) => [name, { owner: v.owner, traffic: v.traffic, form: v.form }]));
    };
    const settled = {
      'blog.devinfra.local': { owner: OWNER.blue, traffic: { blue: 100 }, form: 'simple' },
      'hello.devinfra.local': { owner: OWNER.green, traffic: { green: 100 }, form: 'simple' },
      'world.devinfra.local': { owner: OWNER.green, traffic: { green: 100 }, form: 'simple' },
    };
    expect(await onGreen()).toEqual(settled);
    expect(await lockRecord()).toBeUndefined();
    expect(journal()).toMatchObject({ state: 'completed', updatedAt: expect.any(String), lock: null });
    expect(readFileSync(world.platformFile, 'utf8')).toMatch(/^live: green/m);
    // green's live ExternalDNS own what the settle wrote: their loops change nothing; blue's, revived, take nothing back
    const writes = world.proxy.history.length;
    await world.edns?.green.loops(2);
    expect(world.proxy.history.length).toBe(writes);
    for (const d of LIVE) world.stores.blue.scale(d, 1);
    await world.edns?.blue.loops(2);
    expect(await onGreen()).toEqual(settled);
    for (const d of LIVE) world.stores.blue.scale(d, 0);

    const back = await sw('--rollback', '--yes');
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(back.stdout).toMatch(/Rolled back: production as before the shift \(blue\)/);
    expect(canonical(await world.records('private'))).toEqual(before);
    for (const d of LIVE) {
      expect(world.stores.blue.get(d)).toMatchObject({ replicas: 1 });
      expect(world.stores.green.get(d)).toMatchObject({ replicas: 0 });
    }
    expect(readFileSync(world.platformFile, 'utf8')).toMatch(/^live: blue/m);
  }, 480_000);

  it('cases 6 and 7: --resume and --rollback refuse a changed platform file, an edited journal, Route53 changed under it, each by name; then restore exactly', async () => {
    await cnames();
    const paused = await sw(...START, '--pause');
    expect(paused.code, paused.stderr + paused.stdout).toBe(0);
    expect(journal()).toMatchObject({ state: 'paused', share: 50 });
    const file = readFileSync(world.platformFile, 'utf8');
    writeFileSync(world.platformFile, file.replace(/^ {2}ttl: 5$/m, '  ttl: 7'));
    const changed = await sw('--resume', '--yes');
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/^error: the platform file .* changed since the weighted shift blue -> green started \(journal .*\):\n {2}- api record: api\.devinfra\.local in zone \S+, TTL 5 -> api\.devinfra\.local in zone \S+, TTL 7$/m);
    writeFileSync(world.platformFile, file);

    const text = readFileSync(shiftJournal(), 'utf8');
    const edited = JSON.parse(text);
    edited.before.names.find((n: { name: string }) => n.name === 'www.devinfra.local').sets[0].values = ['evil.example.com'];
    writeFileSync(shiftJournal(), JSON.stringify(edited));
    const evil = await sw('--rollback', '--yes');
    expect(evil.code).toBe(1);
    expect(evil.stderr).toMatch(/^error: the journal .*shift-devinfra\.json does not match the evidence its lock record in Route53 holds/m);
    writeFileSync(shiftJournal(), text);

    const pair = (await at('www.devinfra.local')).find((s) => s.SetIdentifier === 'green') as ResourceRecordSet;
    await write([{ ...pair, Weight: 77 }]);
    const moved = await sw('--rollback', '--yes');
    expect(moved.code).toBe(3);
    expect(moved.stderr).toMatch(/- www\.devinfra\.local \(zone \S+\): Route53 holds .*\[green 77\].*; the shift left its records of before the shift, the weighted pair at green 50 \/ blue 50/);
    await write([pair]);
    const back = await sw('--rollback', '--yes');
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(canonical(await records())).toEqual(original);
  }, 180_000);

  it('case 8: two --resume at once on one machine: exactly one runs', async () => {
    await cnames();
    expect((await sw(...START, '--pause')).code).toBe(0);
    const both = await Promise.all([sw('--resume', '--yes'), sw('--resume', '--yes')]);
    expect(both.map((r) => r.code).sort()).toEqual([0, 1]);
    expect(both.find((r) => r.code === 1)?.stderr).toMatch(/another bascule \(pid \d+ on .*\) is running an operation on this platform right now/);
    expect(journal()).toMatchObject({ state: 'completed' });
  }, 180_000);

  it('case 9: the holder\'s machine lost mid-stage: --weights 100 --break-lock prints the recovery plan, takes production to green whole and settles', async () => {
    await cnames();
    const child = spawn(requireBuilt(), ['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, ...START, '--hold', '30s'], { env: world.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 60_000;
    while (!/stage 50%: hold: holding/.test(output)) {
      if (Date.now() > deadline) throw new Error(`no hold at 50% within 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    rmSync(shiftJournal()); // the machine is gone, and its journal with it
    expect(await lockRecord()).toMatch(/kind=shift op=shift from=blue to=green step=stage-1-hold/);
    const plain = await sw('--to', 'green', '--apply', '--yes');
    expect(plain.code).not.toBe(0);
    const r = await sw('--to', 'green', '--weights', '100', ...ALLOWED, '--break-lock', '--apply', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout.indexOf('Recovery: the cut-over lock is held by')).toBeGreaterThan(-1);
    expect(r.stdout.indexOf('Recovery: the cut-over lock is held by')).toBeLessThan(r.stdout.indexOf('[1/7]'));
    expect(r.stdout).toMatch(/www\.devinfra\.local\s+CNAME\s+shifts\s+k8s-green-web\s+a weighted pair \(blue 50 \/ green 50\)/);
    expect((await at('www.devinfra.local')).map((s) => [s.SetIdentifier, s.ResourceRecords?.[0]?.Value])).toEqual([[undefined, world.lbs.green.dnsName]]);
    expect(journal()).toMatchObject({ state: 'completed', recovery: { broke: expect.stringMatching(/stage-1-hold/) } });
  }, 180_000);
});
