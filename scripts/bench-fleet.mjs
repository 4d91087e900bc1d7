// `status --fleet` at scale, for `npm run bench`: scripts/bench-fleet.ts run
// by the pinned Bun (the fleet world is the test support's TypeScript), its
// one JSON line turned into the README's row: wall time and Route53 requests
// of `bascule status --fleet` over 50 platforms × 200 names, with Route53's
// rate limit on at both ends (bascule's budget, 5/s per account; the proxy's
// Throttling above 5/s per account).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hostBun } from './bun.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchFleet({ root }) {
  const r = spawnSync(hostBun(root).exe, [join(root, 'scripts', 'bench-fleet.ts')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`bench-fleet.ts exited ${r.status}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  const wallMs = median(out.runs.map((x) => x.wallMs));
  const requests = median(out.runs.map((x) => x.requests));
  const pages = median(out.runs.map((x) => x.pages));
  const throttled = median(out.runs.map((x) => x.throttled));
  const result = { ...out, wallMs, requests, pages, throttled };
  const lines = [
    '',
    `A fleet: \`bascule status --fleet\` over ${out.platforms} platforms (2 accounts × ${out.zones / 2} zones, ${out.names} production names each, ${out.sets} record sets) against moto behind the validating Route53 proxy, which answers Throttling above 5 requests/s per account; bascule's own budget on (5/s per account); median of ${out.runs.length} runs, the single binary:`,
    '',
    '| fleet | wall s | Route53 requests | zone pages | throttled (retried) | requests per platform |',
    '|---|---:|---:|---:|---:|---:|',
    `| ${out.platforms} platforms × ${out.names} names | ${(wallMs / 1000).toFixed(1)} | ${requests} | ${pages} | ${throttled} | ${(requests / out.platforms).toFixed(1)} |`,
  ];
  return { result, lines };
}

// `node scripts/bench-fleet.mjs`: this table alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(new URL('..', import.meta.url).pathname);
  console.log(benchFleet({ root }).lines.join('\n'));
}
