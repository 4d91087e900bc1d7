// Whole-process timing, interleaved: every round runs each command once, in
// turn, so a noisy neighbour slows all of them alike. Medians, not means.
import { spawnSync } from 'node:child_process';

export function measure(commands, { runs = 30, warmup = 3, env = process.env } = {}) {
  const times = commands.map(() => []);
  for (let round = 0; round < warmup + runs; round++) {
    commands.forEach((command, i) => {
      const start = process.hrtime.bigint();
      const result = spawnSync(command.argv[0], command.argv.slice(1), { env: command.env ?? env, stdio: ['ignore', 'pipe', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== 0 && !command.allowFailure) {
        throw new Error(`${command.name} exited ${result.status}: ${result.stderr}`);
      }
      if (round >= warmup) times[i].push(ms);
    });
  }
  return commands.map((command, i) => {
    const sorted = [...times[i]].sort((a, b) => a - b);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return { name: command.name, median: q(0.5), p10: q(0.1), p90: q(0.9), runs: sorted.length };
  });
}

// `node scripts/interleave.mjs 'cmd one' 'cmd two'`: quick comparisons by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = measure(process.argv.slice(2).map((c) => ({ name: c, argv: ['sh', '-c', `exec ${c}`] })), { runs: Number(process.env.RUNS ?? 30) });
  const base = rows[0].median;
  for (const r of rows) console.log(`${r.median.toFixed(1).padStart(7)} ms  x${(r.median / base).toFixed(2)}  ${r.name}`);
}
