/**
 * The single binary asks DNS with bascule's own client (Bun's UDP socket,
 * TCP for a truncated answer); the Node bundle asks c-ares. Against the same
 * loopback server, for every outcome of the TXT lookup, both must say the
 * same thing: exit code and --verbose stderr (timestamps aside), so a user
 * cannot tell which artefact kubectl ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, startResolutionZone } from '../support/dns-server.mjs';
import { BINARY, envKeys, requireArtefact, runBundle, spawnAsync, type Result } from '../support/run.js';

let dns: Awaited<ReturnType<typeof startDnsServer>>;
let dns6: Awaited<ReturnType<typeof startDnsServer>>;
let deadAddress = '';
beforeAll(async () => {
  dns = await startResolutionZone();
  dns6 = await startDnsServer({ host: '::1' });
  dns6.setTxt('eks.devinfra.info', ['eks-green']);
  dns6.setFault('servfail.devinfra.info', 'servfail');
  const dead = await startDnsServer();
  deadAddress = dead.address;
  await dead.close();
});
afterAll(async () => {
  await dns?.close();
  await dns6?.close();
});

/** Times and signatures change from run to run; what was asked, found and said must not. */
const normalise = (r: Result) => ({
  code: r.code,
  stderr: r.stderr.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'),
  signed: r.stdout.startsWith('k8s-aws-v1.'),
});

const CASES: { what: string; id: string; extra?: string[]; server?: () => string }[] = [
  { what: 'a record naming the cluster, beside a registry record', id: 'eks.devinfra.info' },
  { what: 'a value in chunks', id: 'chunks.devinfra.info' },
  { what: 'an answer too big for UDP (asked again over TCP)', id: 'big.devinfra.info' },
  { what: 'two values', id: 'two.devinfra.info' },
  { what: 'a value that is not a cluster name', id: 'bad.devinfra.info' },
  { what: 'a name with other records only (NODATA)', id: 'a-only.devinfra.info' },
  { what: 'an alias without TXT data', id: 'alias.devinfra.info' },
  { what: 'no such name (NXDOMAIN)', id: 'nothing.devinfra.info' },
  { what: 'SERVFAIL', id: 'servfail.devinfra.info' },
  { what: 'REFUSED', id: 'refused.devinfra.info' },
  { what: 'a silent server', id: 'silent.devinfra.info', extra: ['--dns-timeout', '400ms'] },
  { what: 'nothing listening', id: 'eks.devinfra.info', server: () => deadAddress, extra: ['--dns-timeout', '1s'] },
  { what: 'a record, from a server on IPv6', id: 'eks.devinfra.info', server: () => dns6.address },
  { what: 'SERVFAIL, from a server on IPv6', id: 'servfail.devinfra.info', server: () => dns6.address },
  { what: 'nothing listening, over IPv6', id: 'eks.devinfra.info', server: () => `[::1]:${deadAddress.split(':')[1]}`, extra: ['--dns-timeout', '1s'] },
  { what: 'an id outside the allow-list', id: 'eks.devinfra.info', extra: ['--allow-cluster', 'eks-blue'] },
];

describe('the binary (own DNS client) and the bundle (c-ares) answer alike', () => {
  it.each(CASES)('$what', async ({ id, extra = [], server }) => {
    const args = ['token', '-i', id, '--dns-server', server ? server() : dns.address, '--token-only', '--no-cache', '--verbose', ...extra];
    const [binary, bundle] = await Promise.all([spawnAsync(requireArtefact(BINARY), args, { env: envKeys() }), runBundle(args, { env: envKeys() })]);
    expect(normalise(binary)).toEqual(normalise(bundle));
    expect(binary.stderr).toMatch(/^bascule: DNS server /); // --verbose was heard: the comparison has something to compare
  });

  it('the binary asks once per call, over the network, as the bundle does', async () => {
    const before = dns.queries.filter((q) => q.name === 'chunks.devinfra.info').length;
    const r = await spawnAsync(requireArtefact(BINARY), ['token', '-i', 'chunks.devinfra.info', '--dns-server', dns.address, '--token-only'], { env: envKeys() });
    expect(r.code, r.stderr).toBe(0);
    expect(dns.queries.filter((q) => q.name === 'chunks.devinfra.info').length - before).toBe(1);
  });
});
