/**
 * The switch proves production moved, end to end, as the built artefact,
 * against the switch world: the article's example (hello and world served by
 * both colours, blog by blue only), the stand-in ExternalDNS reconciling each
 * colour's Services into Route53 behind the validating proxy.
 *
 *   the plan's inventory (table and JSON); orphans refused, then allowed and
 *   named; production moved and owned by green; green's live ExternalDNS
 *   denied writes -> the post-check names every name still on blue, rollback
 *   restores; blue revived after a switch owns nothing (the fence) and status
 *   fails; one operator: concurrent runs, two machines, changed inputs, edited
 *   journals.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBuilt, type Result } from '../support/run.js';
import { LB, LIVE, OWNER, startSwitchWorld, type SwitchWorld } from '../support/switch-world.js';

let world: SwitchWorld;
beforeAll(async () => {
  world = await startSwitchWorld();
}, 240_000);
afterAll(() => world?.stop());
beforeEach(() => world.reset(), 90_000);

const edns = () => {
  if (!world.edns) throw new Error('test: this world runs no stand-in ExternalDNS');
  return world.edns;
};
const FAST = ['--poll-interval', '50ms', '--timeout', '10s', '--dns-wait', '5s', '--request-timeout', '15s', '--dns-timeout', '10s'];
const bascule = (args: string[], env: NodeJS.ProcessEnv = world.env): Promise<Result> => runBuilt(args, { env, timeoutMs: 60_000 });
const sw = (...args: string[]) => bascule(['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, ...args]);
const ORPHAN = ['--allow-orphan', 'blog.devinfra.local'];

/** Green's API refuses the scale-up once: the switch stops at step 4, having changed things (journal failed, lock kept). */
const failStartTarget = () => world.stores.green.fail({ method: 'PATCH', path: /\/scale$/, status: 500, message: 'etcdserver: request timed out', times: 1 });

const onBlue = { hello: { target: LB.blue, owner: OWNER.blue }, world: { target: LB.blue, owner: OWNER.blue }, blog: { target: LB.blue, owner: OWNER.blue } };
const onGreen = { hello: { target: LB.green, owner: OWNER.green }, world: { target: LB.green, owner: OWNER.green }, blog: { target: LB.blue, owner: OWNER.blue } };

describe('the inventory and the post-check on production names', () => {
  it('the plan shows the table (and JSON); --apply refuses the orphan; with --allow-orphan production moves and the orphan is named', async () => {
    const plan = await sw('--to', 'green');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/hello\.devinfra\.local\s+A,AAAA\s+live-eks-blue\.devinfra\.local\s+moves\s+moves to green/);
    expect(plan.stdout).toMatch(/blog\.devinfra\.local\s+A,AAAA\s+live-eks-blue\.devinfra\.local\s+orphan\s+served by blue only/);
    const json = JSON.parse((await sw('--to', 'green', '--output', 'json')).stdout);
    expect(json.inventory.map((r: { name: string; verdict: string }) => [r.name, r.verdict])).toEqual([
      ['blog.devinfra.local', 'orphan'],
      ['hello.devinfra.local', 'moves'],
      ['world.devinfra.local', 'moves'],
    ]);
    expect(json.refusedOrphans).toEqual(['blog.devinfra.local']);
    expect(json.steps.map((s: { id: string }) => s.id)).toEqual(['preflight', 'stop-source', 'dns', 'start-target', 'postcheck', 'end-handover', 'record-live']);

    const refused = await sw('--to', 'green', '--apply', '--yes');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/1 production name is served by blue only: blog\.devinfra\.local\..*--allow-orphan blog\.devinfra\.local/s);
    expect(refused.stderr).toContain('nothing was changed');
    expect(await world.production()).toEqual(onBlue);

    const r = await sw('--to', 'green', '--apply', '--yes', ...ORPHAN);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Route53: hello.devinfra.local, world.devinfra.local target green\'s load balancers, owned by green\'s live ExternalDNS');
    expect(r.stdout).toMatch(/blog\.devinfra\.local is still served by blue only \(allowed with --allow-orphan\): do NOT delete blue's ingresses for it/);
    expect(await world.production()).toEqual(onGreen);
    // The hand-over is over: green's live instances run as `bascule manifests` generates them.
    for (const d of LIVE) expect(world.stores.green.args(d)?.some((a: string) => a.startsWith('--migrate-from-txt-owner'))).toBe(false);
    expect(world.journal()).toMatchObject({ state: 'completed', lock: null, before: { moves: ['hello.devinfra.local', 'world.devinfra.local'], orphans: ['blog.devinfra.local'] } });
  }, 240_000);

  it("green's live ExternalDNS cannot write: the switch stops at the post-check naming every name still on blue; --rollback restores", async () => {
    for (const d of LIVE) {
      world.proxy.fail({ method: 'POST', path: /\/rrset\/?$/, accessKeyId: edns().green.accessKeyId(d), status: 403, code: 'AccessDenied', message: 'not authorized to perform route53:ChangeResourceRecordSets' });
    }
    const r = await sw('--to', 'green', '--apply', '--yes', ...ORPHAN);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/switch step 5\/7 \(Post-check\) failed: 2 production names not on green after 3s \(3 ExternalDNS intervals of 1s\): hello\.devinfra\.local -> \S+ \(still on blue\); world\.devinfra\.local -> \S+ \(still on blue\)/);
    expect(r.stderr).toMatch(/check its IAM role may change the zones/);
    const j = world.journal();
    expect(j.state).toBe('failed');
    expect(j.steps.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'done', 'done', 'failed', 'pending', 'pending']);
    expect(readFileSync(world.platformFile, 'utf8')).toMatch(/^live: blue/m);

    world.proxy.clearFaults();
    const back = await sw('--rollback', '--yes');
    expect(back.code, back.stderr).toBe(0);
    expect(await world.production()).toEqual(onBlue);
    expect(world.journal()).toMatchObject({ state: 'rolled-back', lock: null });
    for (const d of LIVE) {
      expect(world.stores.blue.args(d)?.some((a: string) => a.startsWith('--migrate-from-txt-owner'))).toBe(false);
      expect(world.stores.green.get(d)?.replicas).toBe(0);
    }
  }, 240_000);

  it('blue revived after the switch owns nothing: production stays on green, and status fails naming it', async () => {
    const r = await sw('--to', 'green', '--apply', '--yes', ...ORPHAN);
    expect(r.code, r.stderr).toBe(0);
    // Someone re-applies the pre-switch manifests: blue's live ExternalDNS run again.
    for (const d of LIVE) world.stores.blue.scale(d, 1);
    await edns().blue.loops(3);
    expect(await world.production()).toEqual(onGreen);
    const status = await bascule(['status', '--config', world.platformFile, '--access', 'admin', '--request-timeout', '15s', '--dns-timeout', '10s']);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/FAIL\s+the old colour's live ExternalDNS run again \(blue: live-external-dns-private, blue: live-external-dns-public\) while green is live/);
  }, 240_000);
});

describe('one operator, one truth', () => {
  it('six concurrent --apply: exactly one switches, the others are refused', async () => {
    const runs = await Promise.all(Array.from({ length: 6 }, () => sw('--to', 'green', '--apply', '--yes', ...ORPHAN)));
    const ok = runs.filter((r) => r.code === 0);
    expect(ok, runs.map((r) => r.stderr).join('\n')).toHaveLength(1);
    for (const r of runs.filter((x) => x.code !== 0)) {
      expect(r.stderr).toMatch(/another bascule \(pid \d+ on .*\) is running an operation on this platform right now|a switch is unfinished|green is already the live colour|holds the cut-over lock/);
    }
    expect(await world.production()).toEqual(onGreen);
  }, 300_000);

  it('--resume and --rollback started together: exactly one runs', async () => {
    failStartTarget();
    const first = await sw('--to', 'green', '--apply', '--yes', ...ORPHAN);
    expect(first.code, first.stderr).toBe(1);
    const [resume, rollback] = await Promise.all([sw('--resume', '--yes'), sw('--rollback', '--yes')]);
    const codes = [resume.code, rollback.code].sort();
    expect(codes, `${resume.stderr}\n${rollback.stderr}`).toEqual([0, 1]);
    const loser = resume.code === 0 ? rollback : resume;
    expect(loser.stderr).toMatch(/is running an operation on this platform right now/);
    // One operation ran whole: the live ExternalDNS run in exactly one colour.
    const running = (['blue', 'green'] as const).filter((c) => LIVE.some((d) => (world.stores[c].get(d)?.replicas ?? 0) > 0));
    expect(running).toHaveLength(1);
  }, 300_000);

  it('a second machine (another state directory) is refused by the lock record, naming who holds it and since when', async () => {
    failStartTarget();
    const first = await sw('--to', 'green', '--apply', '--yes', ...ORPHAN);
    expect(first.code, first.stderr).toBe(1);
    const elsewhere = join(world.dir, 'other-machine');
    mkdirSync(elsewhere);
    const env = { ...world.env, XDG_STATE_HOME: elsewhere };
    const second = await bascule(['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, '--to', 'green', '--apply', '--yes', ...ORPHAN], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another bascule holds the cut-over lock of devinfra: \S+@\S+ \(pid \d+\), since \d{4}-\d\d-\d\dT[\d:.]+Z, for the switch blue -> green at step start-target \(TXT _bascule-lock\.eks\.devinfra\.info/);
    expect(second.stderr).toContain('--break-lock');
    // The first machine resumes with its own lock.
    const resumed = await sw('--resume', '--yes');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await world.production()).toEqual(onGreen);
  }, 300_000);

  it('the platform file changed between a failure and --resume: refused, naming what changed', async () => {
    failStartTarget();
    expect((await sw('--to', 'green', '--apply', '--yes', ...ORPHAN)).code).toBe(1);
    const text = readFileSync(world.platformFile, 'utf8');
    writeFileSync(world.platformFile, text.replace(/(  green:\n    name: eks-green\n    endpoint: )(\S+)/, '$1https://127.0.0.2:1'));
    const r = await sw('--resume', '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the platform file \S+ changed since the switch blue -> green started/);
    expect(r.stderr).toMatch(/green cluster: eks-green at https:\/\/127\.0\.0\.2:\d+ -> eks-green at https:\/\/127\.0\.0\.2:1/);
    expect(world.journal().state).toBe('failed');
  }, 240_000);

  it.each([
    ['reordered steps', (j: any) => ({ ...j, steps: [j.steps[0], j.steps[2], j.steps[1], ...j.steps.slice(3)] }), /its steps \(preflight, dns, stop-source, .*\) are not this switch's/],
    ['an edited before', (j: any) => ({ ...j, before: { ...j.before, api: { values: ['evil.example.com'], ttl: 60 } } }), /before values are not what a preflight can have recorded: the API record's value evil\.example\.com is not blue's endpoint/],
  ])('a journal with %s is refused, never obeyed', async (_, edit, message) => {
    failStartTarget();
    expect((await sw('--to', 'green', '--apply', '--yes', ...ORPHAN)).code).toBe(1);
    writeFileSync(world.journalFile, JSON.stringify(edit(world.journal())));
    for (const verb of ['--resume', '--rollback']) {
      const r = await sw(verb, '--yes');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('refused, not obeyed');
    }
    expect(await world.production()).toEqual(onBlue);
  }, 240_000);
});
