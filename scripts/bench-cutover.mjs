// The cut-over at scale, for `npm run bench`: the plain switch's plan over a
// zone of N production names (default 4,000: 48,000 record sets, each name
// served by both colours as ExternalDNS v0.22 writes them), against a
// recording of Route53 on loopback that answers at once
// (test/support/route53-recording.mjs), so what is timed is bascule's own work:
// its wall time, its peak RSS above the same plan over a 10-name zone (the
// command's own footprint), and the Route53 requests it makes (counted by the
// recording), with what they cost at Route53's 5 requests/s per account.
// BASCULE_ROUTE53_RATE=0 for these runs: the budget would make the wall time
// the rate limit's.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Starts the recording with `names` names; resolves with its endpoint and a stop. */
function startRecording(root, names) {
  const child = spawn(process.execPath, [join(root, 'test/support/route53-recording.mjs'), '--names', String(names)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (line) => {
      const { endpoint } = JSON.parse(line.toString());
      resolve({ endpoint, stop: () => child.stdin.end() });
    });
  });
}

/** Wall ms and peak RSS KiB of each run, through /usr/bin/time. */
function timed(argv, env, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const last = r.stderr.toString().trim().split('\n').pop() ?? '';
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    const [s, user, sys, kib] = last.split(' ').map(Number);
    out.push({ ms: s * 1000, cpuMs: (user + sys) * 1000, kib });
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchCutover({ root, binary, env, names = Number(process.env.BENCH_NAMES ?? 4000), runs = Number(process.env.BENCH_PLAN_RUNS ?? 5) }) {
  const big = await startRecording(root, names);
  const small = await startRecording(root, 10);
  try {
    const plan = [binary, 'switch', '--to', 'green', '--config', join(root, 'examples/platform.yaml'), '--output', 'json'];
    const envFor = (endpoint) => ({ ...env, AWS_ENDPOINT_URL_ROUTE_53: endpoint, BASCULE_ROUTE53_RATE: '0' });
    const base = timed(plan, envFor(small.endpoint), 3);
    await fetch(`${big.endpoint}/__recording/requests`, { method: 'DELETE' });
    const runsBig = timed(plan, envFor(big.endpoint), runs);
    const counts = await (await fetch(`${big.endpoint}/__recording/requests`)).json();
    const requests = Object.values(counts).reduce((n, c) => n + c, 0) / runs;
    const wallMs = median(runsBig.map((r) => r.ms));
    const cpuMs = median(runsBig.map((r) => r.cpuMs));
    const peakMiB = median(runsBig.map((r) => r.kib)) / 1024;
    const baseMiB = median(base.map((r) => r.kib)) / 1024;
    const result = { names, runs, wallMs, cpuMs, peakMiB, baseMiB, aboveBaseMiB: peakMiB - baseMiB, requests, apiSecondsAt5PerSecond: requests / 5 };
    const targets = [
      { what: `switch plan over ${names} names ≤ 1 s`, ok: wallMs <= 1000, shown: `${(wallMs / 1000).toFixed(2)} s` },
      { what: 'its peak RSS ≤ 100 MiB above the same plan over 10 names', ok: result.aboveBaseMiB <= 100, shown: `+${result.aboveBaseMiB.toFixed(0)} MiB` },
    ];
    const lines = [
      '',
      `The cut-over at scale: \`bascule switch --to green\` (the plan) over ${names} production names (${names * 12} record sets, each name served by both colours), against a recording of Route53 on loopback that answers at once; median of ${runs} runs, the single binary:`,
      '',
      '| plan | wall s | CPU s | peak RSS MiB | above 10 names MiB | Route53 requests | those requests at 5/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| ${names} names | ${(wallMs / 1000).toFixed(2)} | ${(cpuMs / 1000).toFixed(2)} | ${peakMiB.toFixed(0)} | ${result.aboveBaseMiB.toFixed(0)} | ${requests} | ${result.apiSecondsAt5PerSecond.toFixed(1)} s |`,
      '',
      '| target | this run | |',
      '|---|---:|---|',
      ...targets.map((t) => `| ${t.what} | ${t.shown} | ${t.ok ? 'met' : '**missed**'} |`),
    ];
    return { result, targets, lines };
  } finally {
    big.stop();
    small.stop();
  }
}

// `node scripts/bench-cutover.mjs`: this table alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(new URL('..', import.meta.url).pathname);
  const { HOST } = await import('./bun.mjs');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const home = mkdtempSync(join(tmpdir(), 'bascule-bench-'));
  try {
    const env = { PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_REGION: 'eu-west-3', AWS_CONFIG_FILE: join(home, 'c'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'k'), AWS_EC2_METADATA_DISABLED: 'true' };
    const { lines } = await benchCutover({ root, binary: join(root, 'dist', `bascule-${HOST}`), env });
    console.log(lines.join('\n'));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
