/**
 * Both artefacts ask DNS with bascule's own client: over Bun's UDP socket in
 * the single binary, node:dgram in the Node bundle (TCP for a truncated
 * answer). Against the same loopback server, for every outcome of the TXT
 * lookup, both must say the same thing: exit code and --verbose stderr
 * (timestamps aside), so a user cannot tell which artefact kubectl ran; and
 * for the hostile answers, what they say is checked too (the bundle once
 * signed for a record owned by another name).
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

/** Times and signatures change from run to run, and the sockets that asked; what was asked, found and said must not. */
const normalise = (r: Result) => ({
  code: r.code,
  stderr: r.stderr.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>').replace(/ over UDP \((libc sockets|node:dgram)\)/g, ' over UDP'),
  signed: r.stdout.startsWith('k8s-aws-v1.'),
});

const CASES: { what: string; id: string; extra?: string[]; server?: () => string; outcome?: { code: number; said: RegExp } }[] = [
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
  {
    what: 'a TXT record owned by another name only',
    id: 'othernameonly.devinfra.info',
    outcome: { code: 1, said: /^error: no TXT record naming a cluster was found at othernameonly\.devinfra\.info \(no TXT data\)$/m },
  },
  { what: "another name's record beside the name's own", id: 'mixed.devinfra.info', outcome: { code: 0, said: /^bascule: cluster eks-green \(named by the TXT record at mixed\.devinfra\.info\)$/m } },
  { what: 'a CNAME chain, given out of order', id: 'chain.devinfra.info', outcome: { code: 0, said: /^bascule: cluster eks-green \(named by the TXT record at chain\.devinfra\.info\)$/m } },
  {
    what: 'a CNAME, and a record owned by a name off its chain',
    id: 'chain-evil.devinfra.info',
    outcome: { code: 1, said: /^error: chain-evil\.devinfra\.info is a CNAME to target\.devinfra\.info, and the answer holds no TXT record naming a cluster$/m },
  },
  { what: 'an empty TXT record (no character-string)', id: 'empty.devinfra.info', outcome: { code: 1, said: /^error: the TXT record at empty\.devinfra\.info holds "", which is not a valid EKS cluster name$/m } },
  {
    what: 'a TXT character-string running past its record',
    id: 'malformed.devinfra.info',
    outcome: { code: 1, said: /^error: TXT lookup of malformed\.devinfra\.info via DNS server 127\.0\.0\.1:\d+ failed over UDP: 127\.0\.0\.1:\d+ sent a malformed answer \(a TXT character-string runs past its record\)$/m },
  },
];

describe('the binary and the bundle answer alike', () => {
  it.each(CASES)('$what', async ({ id, extra = [], server, outcome }) => {
    const args = ['token', '-i', id, '--dns-server', server ? server() : dns.address, '--token-only', '--no-cache', '--verbose', ...extra];
    const [binary, bundle] = await Promise.all([spawnAsync(requireArtefact(BINARY), args, { env: envKeys() }), runBundle(args, { env: envKeys() })]);
    expect(normalise(binary)).toEqual(normalise(bundle));
    expect(binary.stderr).toMatch(/^bascule: DNS server /); // --verbose was heard: the comparison has something to compare
    // The token's lookup: libc's sockets in the binary (src/dns/udp.ts), node:dgram in the bundle.
    if (/answered over UDP/.test(bundle.stderr)) {
      expect(binary.stderr).toMatch(/^bascule: DNS: \S+ answered over UDP \(libc sockets\)/m);
      expect(bundle.stderr).toMatch(/^bascule: DNS: \S+ answered over UDP \(node:dgram\)/m);
    }
    if (outcome) {
      expect(binary.code, binary.stderr).toBe(outcome.code);
      expect(binary.stderr).toMatch(outcome.said);
      expect(binary.stderr).not.toContain('eks-evil');
    }
  });

  it('the binary asks once per call, over the network, as the bundle does', async () => {
    const before = dns.queries.filter((q) => q.name === 'chunks.devinfra.info').length;
    const r = await spawnAsync(requireArtefact(BINARY), ['token', '-i', 'chunks.devinfra.info', '--dns-server', dns.address, '--token-only'], { env: envKeys() });
    expect(r.code, r.stderr).toBe(0);
    expect(dns.queries.filter((q) => q.name === 'chunks.devinfra.info').length - before).toBe(1);
  });
});
