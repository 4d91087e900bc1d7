// `status --fleet` at scale, for `npm run bench` (scripts/bench-fleet.mjs
// runs this with the pinned Bun, which reads the test support's TypeScript):
// the fleet world of test/e2e/status-fleet.test.ts (50 platforms over 2
// accounts × 3 zones, 200 production names each, moto behind the validating
// Route53 proxy answering Throttling above 5 requests/s per account), then
// `bascule status --fleet` run by the single binary with the rate limit on
// (BASCULE_ROUTE53_RATE unset: 5/s per account). Prints one JSON line: wall
// ms, Route53 requests (counted at the proxy), pages, throttled ones.
import { startFleetWorld } from '../test/support/fleet-world.js';
import { runBuilt } from '../test/support/run.js';

const runs = Number(process.env.BENCH_FLEET_RUNS ?? 3);
const world = await startFleetWorld({ perAccount: 25, names: 200, split: ['a02', 'b02'], orphans: ['a03', 'b03'], unfinished: 'a05', silent: 'b04' });
try {
  const env = { ...world.env };
  delete env.BASCULE_ROUTE53_RATE;
  const measured: { wallMs: number; requests: number; pages: number; throttled: number; code: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const before = world.proxy.calls.length;
    const throttled = world.proxy.throttled();
    const started = Date.now();
    const r = await runBuilt(['status', '--fleet', 'fleet.yaml', '-o', 'json', '--request-timeout', '3s', '--timeout', '2m'], { env, cwd: world.dir, timeoutMs: 600_000 });
    const wallMs = Date.now() - started;
    const calls = world.proxy.calls.slice(before);
    measured.push({ wallMs, requests: calls.length, pages: calls.filter((c) => c.action === 'ListResourceRecordSets' && !c.throttled).length, throttled: world.proxy.throttled() - throttled, code: r.code });
    if (/Throttl|Rate exceeded/.test(r.stdout + r.stderr)) throw new Error(`status --fleet surfaced throttling: ${r.stderr}`);
  }
  console.log(JSON.stringify({ platforms: world.platforms.length, names: 200, zones: world.zones.length, sets: world.seededSets, seedMs: world.seedMs, runs: measured }));
} finally {
  await world.stop();
}
