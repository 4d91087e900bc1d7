#!/usr/bin/env node
// The loopback DNS server as its own process (for the benchmark, whose timed
// children would otherwise wait on a blocked event loop):
//   node test/support/dns-serve.mjs [--port 53] NAME=VALUE...
// Prints "ready 127.0.0.1:PORT" on stdout, serves until stdin closes.
import { startDnsServer } from './dns-server.mjs';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : 0;
const records = args.filter((a, i) => a.includes('=') && i !== portAt + 1);
try {
  const dns = await startDnsServer({ port });
  for (const record of records) {
    const eq = record.indexOf('=');
    dns.setTxt(record.slice(0, eq), [record.slice(eq + 1)]);
  }
  process.stdout.write(`ready ${dns.address}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await dns.close();
    process.exit(0);
  });
} catch (error) {
  process.stdout.write(`failed ${error.code ?? error.message}\n`);
  process.exit(1);
}
