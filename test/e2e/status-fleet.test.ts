/**
 * `bascule status --fleet`, the built binary, on a fleet of 50 platforms over
 * two AWS accounts × three hosted zones, 200 production names each
 * (fleet-world.ts: moto 5 behind the validating Route53 proxy, which answers
 * Throttling above 5 requests a second per account, as Route53 does):
 *
 * - each platform reported correctly: the healthy ones agree (200 names to
 *   blue); the split ones fail naming the split; the ones with orphans agree
 *   and list them; the one with an unfinished switch fails naming it and the
 *   lock it holds; the one whose API never answers fails its API checks,
 *   within its bound, and the 49 others go on;
 * - Route53 is read once per zone and page: the proxy counts exactly the
 *   pages of the six zones (ListResourceRecordSets, nothing else), never one
 *   request per platform, name or record; what it throttled was retried and
 *   never surfaced.
 *
 * What it measured (2 shared cores, the test prints it): seeding 60,081
 * record sets into moto (UPSERTs, batches of 500) 51 s; the status run 62 s
 * wall for 206 pages (the six zones' pages, each read once: about 100 per
 * account at 5 a second, and moto's own listing of each zone), 4 requests
 * throttled and retried. CREATEs would take minutes: moto checks each one
 * against every change the zone ever had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTS, startFleetWorld, type FleetWorld } from '../support/fleet-world.js';
import { runBuilt } from '../support/run.js';

const OPTIONS = { perAccount: 25, names: 200, split: ['a02', 'b02'], orphans: ['a03', 'b03'], unfinished: 'a05', silent: 'b04' };

let world: FleetWorld;
beforeAll(async () => {
  world = await startFleetWorld(OPTIONS);
}, 600_000);
afterAll(async () => {
  if (world) await world.stop().catch(() => undefined);
});

/** The pages a listing of this zone takes, 300 sets a page. */
async function pagesOf(zone: FleetWorld['zones'][number]): Promise<number> {
  return Math.ceil((await world.records(zone.id, zone.account)).length / 300);
}

describe('status --fleet over 50 platforms, 2 accounts x 3 zones, 200 names each', () => {
  it('reports each platform correctly, reads each zone once (its pages only), and never surfaces throttling', async () => {
    world.proxy.resetRequests();
    const calls = world.proxy.calls.length;
    const throttledBefore = world.proxy.throttled();
    const started = Date.now();
    const r = await runBuilt(['status', '--fleet', 'fleet.yaml', '-o', 'json', '--timeout', '2m', '--request-timeout', '3s', '--dns-timeout', '5s'], {
      env: { ...world.env, BASCULE_ROUTE53_RATE: '5' },
      cwd: world.dir,
      timeoutMs: 300_000,
    });
    const wallMs = Date.now() - started;
    const listings = world.proxy.calls.slice(calls).filter((c) => c.action === 'ListResourceRecordSets');
    const answered = listings.filter((c) => !c.throttled).length;
    const throttled = world.proxy.throttled() - throttledBefore;
    const pages = (await Promise.all(world.zones.map(pagesOf))).reduce((a, b) => a + b, 0);
    console.log(`status --fleet: ${wallMs} ms, ${answered} pages read (${pages} in the 6 zones), ${throttled} throttled and retried; seeding ${world.seededSets} sets took ${world.seedMs} ms`);

    expect(r.stderr).not.toMatch(/Throttl|Rate exceeded/);
    expect(r.code, r.stderr).toBe(3);
    const json = JSON.parse(r.stdout);
    const rows = new Map<string, any>(json.platforms.map((p: any) => [p.platform, p]));
    expect(rows.size).toBe(50);
    expect(JSON.stringify(json)).not.toMatch(/Throttl|Rate exceeded/);

    // The healthy ones: 200 names to blue, every check passed.
    for (const name of ['a01', 'a04', 'a25', 'b01', 'b05', 'b25']) {
      const p = rows.get(name);
      expect(p, name).toMatchObject({ ok: true, live: 'blue', error: null, failing: [], production: { counts: { names: 200, live: 200, split: 0, orphans: 0 } } });
    }
    expect(rows.get('b01').account).toBe(ACCOUNTS.b.id);
    // Split: the three weighted pairs, named with their percentages.
    for (const name of ['a02', 'b02']) {
      const p = rows.get(name);
      expect(p.ok).toBe(false);
      expect(p.production.counts).toMatchObject({ split: 3, live: 197 });
      expect(p.production.split.map((s: any) => [s.name, s.traffic])).toEqual(['n000', 'n001', 'n002'].map((l) => [`${l}.${name}.z2.devinfra.net`, { blue: 50, green: 50, elsewhere: 0 }]));
      expect(p.failing.map((c: any) => c.name)).toEqual(['production-split']);
    }
    // Orphans: listed, not a failure.
    for (const name of ['a03', 'b03']) {
      const p = rows.get(name);
      expect(p).toMatchObject({ ok: true, production: { counts: { orphans: 5, live: 200 } } });
      expect(p.production.orphans).toHaveLength(5);
    }
    // The unfinished switch: its journal here, the lock it holds in Route53.
    const u = rows.get('a05');
    expect(u.ok).toBe(false);
    expect(u.failing.map((c: any) => c.name)).toEqual(['switch']);
    expect(u.operations).toEqual([expect.objectContaining({ kind: 'switch', unfinished: true, description: 'switch blue -> green stopped at step dns (failed)' })]);
    expect(u.lock).toMatchObject({ record: '_bascule-lock.eks-a05.z2.devinfra.net', kind: 'switch', from: 'blue', to: 'green', step: 'dns' });
    expect(u.lock.journal).toMatch(/\/state\/bascule\/111111111111\/switch-a05\.json$/);
    // The silent API: its checks fail within their bound; production is still read.
    const s = rows.get('b04');
    expect(s.ok).toBe(false);
    expect(s.failing.map((c: any) => c.name)).toEqual(expect.arrayContaining(['api-blue', 'api-green']));
    expect(s.failing.find((c: any) => c.name === 'api-blue').message).toMatch(/no answer|timed out|timeout/i);
    expect(s.production.counts.live).toBe(200);
    // Everyone else agrees.
    expect(json.platforms.filter((p: any) => !p.ok).map((p: any) => p.platform).sort()).toEqual(['a02', 'a05', 'b02', 'b04']);

    // Route53: each zone once, page by page (throttled requests retried on top), nothing else.
    expect(world.proxy.requests()).toEqual({ ListResourceRecordSets: listings.length });
    expect(answered).toBe(pages);
    expect(json.route53).toEqual({ requests: listings.length, zonesListed: 6 });
  }, 400_000);
});
