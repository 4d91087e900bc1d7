/**
 * `bascule status` sees production, both kinds of operation and the lock
 * record, run as the built artefact on the cut-over world
 * (cutover-world.ts: moto behind the validating Route53 proxy, real moto ALBs
 * behind the clusters' Services, a resolver following Route53, stand-in
 * clusters and ExternalDNS v0.22 writing the article's example: hello and
 * world served by both colours, blog by blue only). Each failed on ac30b44
 * (the assertion that did is named).
 *
 *   case 10  production split 50/50 by a weighted shift whose machine is lost:
 *            the split with its percentages, the lock's holder and the recovery
 *            (ac30b44: exit 0)
 *   case 11  a writer with blue's fenced live owner id takes hello back after a
 *            switch to green: a failed check naming the record and its owner
 *            (ac30b44: exit 0)
 *   case 9   a switch whose machine is lost holds the lock: status elsewhere
 *            names holder, kind, from -> to, step and since, and the recovery it
 *            prints finishes the switch from there (ac30b44: no line about the lock)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../support/run.js';
import { LIVE, OWNER, startCutoverWorld, TXT_NAME, type CutoverWorld } from '../support/cutover-world.js';

let world: CutoverWorld;
beforeAll(async () => {
  world = await startCutoverWorld();
}, 240_000);
afterAll(async () => {
  if (world) await world.stop().catch(() => undefined);
});
beforeEach(() => world.reset(), 120_000);

const FAST = ['--poll-interval', '50ms', '--timeout', '10s', '--dns-wait', '5s', '--request-timeout', '15s', '--dns-timeout', '10s'];
const status = (env: NodeJS.ProcessEnv = world.env, ...args: string[]): Promise<Result> =>
  world.run(['status', '--config', world.platformFile, '--access', 'admin', '--request-timeout', '15s', '--dns-timeout', '10s', ...args], { env });
const sw = (env: NodeJS.ProcessEnv, ...args: string[]) => world.run(['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, ...args], { env });
const ORPHAN = ['--allow-orphan', 'blog.devinfra.local'];

/** Another machine: its own state directory (no journal). */
function elsewhere(): NodeJS.ProcessEnv {
  const dir = join(world.dir, 'other-machine');
  mkdirSync(dir, { recursive: true });
  return { ...world.env, XDG_STATE_HOME: dir };
}

/** The private zone's sets at these names (as Route53 lists them). */
const at = async (...names: string[]) => (await world.records('private')).filter((r) => names.some((n) => r.Name === `${n}.`));

describe('case 10: production split by a weighted shift whose machine is lost', () => {
  it('FAIL naming the split with its percentages; the lock: holder, kind, from -> to, step, since, and how to take production to one colour', async () => {
    // What an interrupted shift leaves: hello converted to the weighted pair (blue 50 / green 50, each aiming at the
    // colour's own name, no registry entry) in one batch; its lock record, held by a machine that is gone.
    const zone = world.zones.api;
    const current = await at('hello.devinfra.local');
    const registry = await at('a-hello.devinfra.local', 'aaaa-hello.devinfra.local');
    expect(current.map((s) => s.Type).sort()).toEqual(['A', 'AAAA']);
    const pair = current.flatMap((s) =>
      (['blue', 'green'] as const).map((c): ResourceRecordSet => ({ Name: s.Name, Type: s.Type, SetIdentifier: c, Weight: 50, AliasTarget: { HostedZoneId: zone, DNSName: `hello.eks-${c}.devinfra.local`, EvaluateTargetHealth: true } })),
    );
    await world.write('private', [...[...current, ...registry].map((s): Change => ({ Action: 'DELETE', ResourceRecordSet: s })), ...pair.map((s): Change => ({ Action: 'CREATE', ResourceRecordSet: s }))]);
    const value = '"bascule-lock v=2 platform=devinfra kind=shift op=shift from=blue to=green step=stage-2 by=alice@lost-laptop pid=4242 since=2026-11-30T20:00:00.000Z id=3f9c00aa11bb sha=9b1e"';
    await world.write('txt', [{ Action: 'CREATE', ResourceRecordSet: { Name: `_bascule-lock.${TXT_NAME}`, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: value }] } }]);
    world.resetRoute53Requests();

    const r = await status();
    expect(r.code, r.stdout).toBe(3); // ac30b44: 0 (status read neither production nor the lock)
    // Each shared zone listed once, the lock read at its name: three ListResourceRecordSets, nothing else.
    expect(world.route53Requests()).toEqual({ ListResourceRecordSets: 3 });
    expect(r.stdout).toContain('FAIL  production is split while blue is live: hello.devinfra.local blue 50% / green 50%');
    expect(r.stdout).toMatch(/hello\.devinfra\.local\s+blue 50% \/ green 50%\s+split: blue 50% \/ green 50%: a weighted shift left half-way/);
    expect(r.stdout).toMatch(
      /FAIL {2}the cut-over lock _bascule-lock\.eks\.devinfra\.info \(zone \w+\) is held by alice@lost-laptop \(pid 4242\), since 2026-11-30T20:00:00\.000Z, for the weighted shift blue -> green at step stage-2 \([^)]+ ago\), and no journal here holds it/,
    );
    expect(r.stdout).toContain(`take production to one colour from here: bascule switch --to green --weights 100 --break-lock --apply --config ${world.platformFile} --access admin`);
    expect(r.stdout).toContain('ok    a cut-over is unfinished: the live ExternalDNS are blue: live-external-dns-private 1/1, live-external-dns-public 1/1; green: stopped');
    expect(r.stderr).toContain('error: status: 2 checks failed (production-split, lock)');

    const json = JSON.parse((await status(world.env, '--output', 'json')).stdout);
    const hello = json.production.domains[0].names.find((n: { name: string }) => n.name === 'hello.devinfra.local');
    expect(hello).toMatchObject({ verdict: 'split', form: 'weighted', owner: { kind: 'bascule' }, weights: { blue: 50, green: 50 }, traffic: { blue: 50, green: 50, elsewhere: 0 }, servedBy: ['blue', 'green'] });
    expect(json.lock).toMatchObject({ kind: 'shift', from: 'blue', to: 'green', step: 'stage-2', by: 'alice@lost-laptop', since: '2026-11-30T20:00:00.000Z', journal: null });
    expect(json).toMatchObject({ ok: false, live: 'blue', underway: true, operations: [] });
  }, 120_000);
});

describe('case 11: the fenced owner id takes a name back', () => {
  it("after a switch to green, a writer with blue's live owner id rewrites hello: FAIL naming the record and its owner", async () => {
    const done = await sw(world.env, '--to', 'green', '--apply', '--yes', ...ORPHAN);
    expect(done.code, done.stderr).toBe(0);
    const clean = await status();
    expect(clean.code, clean.stdout).toBe(0); // green live, production follows green, blog an orphan (listed, allowed)

    // The writer: hello back on blue's load balancer, its registry entries naming blue's live owner id.
    const blueOwned = (s: ResourceRecordSet): ResourceRecordSet =>
      s.Type === 'TXT'
        ? { ...s, ResourceRecords: (s.ResourceRecords ?? []).map((v) => ({ Value: (v.Value as string).replace(OWNER.green, OWNER.blue) })) }
        : { ...s, AliasTarget: { ...(s.AliasTarget as NonNullable<ResourceRecordSet['AliasTarget']>), DNSName: world.lbs.blue.dnsName } };
    const hello = await at('hello.devinfra.local', 'a-hello.devinfra.local', 'aaaa-hello.devinfra.local');
    await world.write('private', hello.map((s): Change => ({ Action: 'UPSERT', ResourceRecordSet: blueOwned(s) })));
    // Green's live ExternalDNS do not own it any more: they leave it.
    if (world.edns) await world.edns.green.loops(2);
    expect((await world.production())['hello.devinfra.local']).toMatchObject({ owner: OWNER.blue, traffic: { blue: 100 } });

    const r = await status();
    expect(r.code, r.stdout).toBe(3); // ac30b44: 0 (DNS, the file and the live ExternalDNS all say green)
    expect(r.stdout).toContain(
      "FAIL  production names owned by live-eks-blue.devinfra.local, blue's fenced live owner id, though green is live and serves them: hello.devinfra.local (A, AAAA, registry a-hello.devinfra.local, aaaa-hello.devinfra.local) sends blue 100%",
    );
    expect(r.stdout).toContain('--migrate-from-txt-owner=live-eks-blue.devinfra.local');
    expect(r.stdout).toMatch(/blog\.devinfra\.local\s+blue 100%\s+orphan: sends all its traffic to blue; green does not serve it/);
    expect(r.stderr).toContain('error: status: 1 check failed (production-fenced)');
    const json = JSON.parse((await status(world.env, '-o', 'json')).stdout);
    const verdicts = Object.fromEntries(json.production.domains[0].names.map((n: { name: string; verdict: string }) => [n.name, n.verdict]));
    expect(verdicts).toEqual({ 'blog.devinfra.local': 'orphan', 'hello.devinfra.local': 'fenced', 'world.devinfra.local': 'ok' });
  }, 240_000);
});

describe('case 9: a switch whose machine is lost holds the lock', () => {
  it('status elsewhere names holder, kind, from -> to, step and since; the recovery it prints finishes the switch', async () => {
    // The first machine: green's API refuses the scale-up once; the switch stops at step 4, DNS repointed, lock kept.
    world.stores.green.fail({ method: 'PATCH', path: /\/scale$/, status: 500, message: 'etcdserver: request timed out', times: 1 });
    const first = await sw(world.env, '--to', 'green', '--apply', '--yes', ...ORPHAN);
    expect(first.code, first.stderr).toBe(1);
    // That machine is lost: an operator elsewhere, without its journal.
    const other = elsewhere();
    const r = await status(other);
    expect(r.code, r.stdout).toBe(3);
    // ac30b44 fails here: its status said nothing of the lock (it exited 3 too, for the file's live: against DNS).
    expect(r.stdout).toMatch(
      /FAIL {2}the cut-over lock _bascule-lock\.eks\.devinfra\.info \(zone \w+\) is held by \S+@\S+ \(pid \d+\), since \d{4}-\d\d-\d\dT[\d:.]+Z, for the switch blue -> green at step start-target( \([^)]+ ago\))?, and no journal here holds it: an operation runs on another machine, or its machine was lost/,
    );
    // blog is served by blue only: the printed recovery allows it by name, as the switch itself had to.
    const finish = `bascule switch --resume --break-lock --allow-orphan blog.devinfra.local --config ${world.platformFile} --access admin`;
    expect(r.stdout).toContain(`        wait for it to finish; if its machine is lost, finish it from here: ${finish}\n`);
    expect(r.stdout).toContain(`        or undo it: bascule switch --rollback --break-lock --config ${world.platformFile} --access admin\n`);
    // DNS moved, production not yet: the file and production disagree with green, the lock names the lost switch.
    expect(r.stdout).toContain(
      'FAIL  production names green serves, not yet handed over to it while green is live (a cut-over is unfinished): hello.devinfra.local (owned by live-eks-blue.devinfra.local) sends blue 100%; world.devinfra.local (owned by live-eks-blue.devinfra.local) sends blue 100%',
    );
    expect(r.stderr).toContain('error: status: 3 checks failed (platform-file, production-handover, lock)');
    const json = JSON.parse((await status(other, '-o', 'json')).stdout);
    expect(json.lock).toMatchObject({ kind: 'switch', op: 'switch', from: 'blue', to: 'green', step: 'start-target', journal: null });

    // The printed recovery, run there as printed, finishes the switch; status there then agrees with Route53.
    const recovered = await world.run([...finish.split(' ').slice(1), ...FAST, '--yes'], { env: other });
    expect(recovered.code, recovered.stderr).toBe(0);
    expect((await world.production())['hello.devinfra.local']).toMatchObject({ owner: OWNER.green, traffic: { green: 100 } });
    const after = await status(other);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('ok    production follows green: 2 names to green');
    expect(after.stdout).toMatch(/ok {4}no cut-over holds the lock: _bascule-lock\.eks\.devinfra\.info \(zone \w+\) is free/);
    for (const d of LIVE) expect(world.stores.green.get(d)?.replicas).toBe(1);
  }, 300_000);
});
