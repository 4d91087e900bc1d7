/**
 * The design note's cases that concern the plain switch (shared/design/cutover.md),
 * end to end with the built binary on the cut-over world (moto behind the
 * validating Route53 proxy, stand-in clusters and ExternalDNS v0.22, real moto
 * ALBs). Each failed on ac30b44 (the assertion that did is named).
 *
 *   case 1   weighted production: the plain switch refuses, naming the weighted
 *            names, never "Switched" (ac30b44: exit 0, "Switched devinfra to blue")
 *   case 5   the zone apex is an orphan like any other name (ac30b44: absent from
 *            the inventory, --apply completed)
 *   case 9   the holder's machine lost: --break-lock from another machine recovers
 *            from what Route53 and the clusters show, finishing or undoing
 *            (ac30b44: "there is no switch to resume")
 *   case 16  names in one normal form: the wildcard and café as people write them,
 *            --allow-orphan '*.devinfra.local' matching (ac30b44: orphan named \052...,
 *            the flag matched nothing)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { APEX, CAFE, LIVE, OWNER, startCutoverWorld, WILDCARD, type CutoverWorld } from '../support/cutover-world.js';

let world: CutoverWorld;
beforeAll(async () => {
  world = await startCutoverWorld();
}, 240_000);
afterAll(async () => {
  if (world) await world.stop().catch(() => undefined);
});
beforeEach(() => world.reset(), 120_000);

const FAST = ['--poll-interval', '50ms', '--timeout', '10s', '--dns-wait', '5s', '--request-timeout', '15s', '--dns-timeout', '10s'];
const sw = (args: string[], env?: NodeJS.ProcessEnv) => world.run(['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, ...args], env ? { env } : {});
const ORPHAN = ['--allow-orphan', 'blog.devinfra.local'];
const bare = (name: string) => name.toLowerCase().replace(/\.$/, '');

describe('case 1: weighted production is production', () => {
  it('a plain switch over weighted pairs refuses, naming them and the way out; nothing changes; status fails', async () => {
    // What a weighted shift left half-way leaves: each name a pair pointing at each colour's own name.
    const pair = (label: string, w: { blue: number; green: number }): ResourceRecordSet[] =>
      (['blue', 'green'] as const).map((c) => ({ Name: `${label}.devinfra.local`, Type: 'CNAME', SetIdentifier: c, Weight: w[c], TTL: 60, ResourceRecords: [{ Value: `${label}.eks-${c}.devinfra.local` }] }));
    const before = await world.records('private');
    const simple = (label: string) => before.filter((r) => bare(r.Name as string) === `${label}.devinfra.local` || bare(r.Name as string).endsWith(`-${label}.devinfra.local`));
    for (const label of ['hello', 'world']) {
      await world.write('private', [...simple(label).map((s) => ({ Action: 'DELETE' as const, ResourceRecordSet: s })), ...pair(label, { blue: 0, green: 100 }).map((s) => ({ Action: 'CREATE' as const, ResourceRecordSet: s }))]);
    }
    for (const d of LIVE) world.stores.blue.scale(d, 0);
    const r = await sw(['--to', 'green', '--apply', '--yes', ...ORPHAN]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).not.toMatch(/Switched/);
    expect(r.stderr).toMatch(/production is weighted: hello\.devinfra\.local \(blue 0 \/ green 100\), world\.devinfra\.local \(blue 0 \/ green 100\)/);
    expect(r.stderr).toMatch(/--weights 100/);
    expect(r.stderr).toContain('nothing was changed');
    expect((await world.production())['hello.devinfra.local']).toMatchObject({ form: 'weighted', weights: { blue: 0, green: 100 } });
    expect((await world.state()).txt).toEqual(['"eks-blue"']);
    // The plan says so too, for scripts.
    const plan = JSON.parse((await sw(['--to', 'green', '--output', 'json'])).stdout);
    expect(plan.weighted).toEqual(['hello.devinfra.local', 'world.devinfra.local']);
  }, 240_000);
});

describe('case 5: the zone apex is a production name', () => {
  it('owned by blue\'s live ExternalDNS and served by blue only, it is an orphan: refused, then allowed and named', async () => {
    await world.addApex('blue');
    await world.addColourName('blue', '');
    const plan = JSON.parse((await sw(['--to', 'green', '--output', 'json'])).stdout);
    expect(plan.inventory.find((n: { name: string }) => n.name === APEX)).toMatchObject({ verdict: 'orphan', owner: OWNER.blue });
    const refused = await sw(['--to', 'green', '--apply', '--yes', ...ORPHAN]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/served by blue only: devinfra\.local\..*--allow-orphan devinfra\.local/s);
    const r = await sw(['--to', 'green', '--apply', '--yes', ...ORPHAN, '--allow-orphan', APEX]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/blog\.devinfra\.local, devinfra\.local are still served by blue only/);
    expect((await world.production())[APEX]).toMatchObject({ owner: OWNER.blue, traffic: { blue: 100 } });
  }, 240_000);
});

describe('case 16: names in one normal form', () => {
  it('the wildcard and café read as people write them; --allow-orphan takes them so', async () => {
    await world.addService('blue', '*');
    await world.addProduction(CAFE, 'blue');
    await world.addColourName('blue', 'café');
    const plan = JSON.parse((await sw(['--to', 'green', '--output', 'json'])).stdout);
    const orphans = plan.inventory.filter((n: { verdict: string }) => n.verdict === 'orphan').map((n: { name: string }) => n.name);
    expect(orphans).toEqual(expect.arrayContaining([WILDCARD, CAFE, 'blog.devinfra.local']));
    expect(JSON.stringify(plan)).not.toMatch(/\\\\052|\\\\303/);
    const r = await sw(['--to', 'green', '--apply', '--yes', ...ORPHAN, '--allow-orphan', WILDCARD, '--allow-orphan', CAFE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${['\\*\\.devinfra\\.local', 'blog\\.devinfra\\.local', 'café\\.devinfra\\.local'].join('.*')} are still served by blue only`));
  }, 240_000);
});

describe('case 9: the holder\'s machine is lost', () => {
  /** A switch that stopped after changing things (green refuses the scale-up once), its journal then lost with its machine. */
  async function interrupted() {
    world.stores.green.fail({ method: 'PATCH', path: /\/scale$/, status: 500, message: 'etcdserver: request timed out', times: 1 });
    const first = await sw(['--to', 'green', '--apply', '--yes', ...ORPHAN]);
    expect(first.code, first.stderr).toBe(1);
    const elsewhere = join(world.dir, 'other-machine');
    mkdirSync(elsewhere, { recursive: true });
    return { ...world.env, XDG_STATE_HOME: elsewhere };
  }

  it('elsewhere, --resume without --break-lock says who holds the lock and how to recover; with it, the switch is finished from what Route53 and the clusters show', async () => {
    const env = await interrupted();
    const refused = await sw(['--resume', '--yes'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/there is no switch to resume: no journal at .*other-machine/);
    expect(refused.stderr).toMatch(/add --break-lock to recover/);
    const r = await sw(['--resume', '--break-lock', '--yes', ...ORPHAN], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Recovery: the cut-over lock is held by \S+ \(pid \d+\), since \S+, for the switch blue -> green at step start-target; --break-lock takes it over/);
    expect(r.stderr).toMatch(/broke the cut-over lock held by/);
    expect(r.stdout).toMatch(/Switched devinfra to green/);
    expect((await world.production())['hello.devinfra.local']).toMatchObject({ owner: OWNER.green, traffic: { green: 100 } });
    const status = await world.status();
    expect(status.json?.live).toBe('green');
  }, 300_000);

  it('elsewhere, --rollback --break-lock undoes it: blue again, proven', async () => {
    const env = await interrupted();
    // Back to blue nothing is an orphan: blog is blue's own already.
    const r = await sw(['--rollback', '--break-lock', '--yes'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Switch devinfra from green \(eks-green\) to blue \(eks-blue\)/);
    expect((await world.state()).txt).toEqual(['"eks-blue"']);
    expect((await world.production())['hello.devinfra.local']).toMatchObject({ owner: OWNER.blue, traffic: { blue: 100 } });
    for (const d of LIVE) expect(world.stores.green.get(d)?.replicas).toBe(0);
  }, 300_000);
});
