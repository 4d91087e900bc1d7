/**
 * The TXT lookup against a real DNS server on loopback (UDP, TCP for big
 * answers): every outcome the resolution rules distinguish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resolver } from 'node:dns/promises';
import { lookupTxtVia } from '../../src/dns/resolver.js';
import { wireTransport } from '../../src/dns/wire.js';
import { isIP, parseDnsServer } from '../../src/vocabulary.js';
import { startDnsServer, startResolutionZone } from '../support/dns-server.mjs';
import { envKeys, runInProcess } from '../support/run.js';

let dns: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  dns = await startResolutionZone();
});
afterAll(() => dns.close());

const opts = () => ({ server: parseDnsServer(dns.address), timeoutMs: 1500 });

// Both artefacts ask with bascule's own client (src/dns/resolver.ts says why not c-ares).
describe.each([['our own client', wireTransport]])('lookupTxt over %s', (_, transport) => {
  const lookupTxt = (name: string, options: { server: string | undefined; timeoutMs: number }) => lookupTxtVia(transport, name, options);
  it('returns the records, chunks kept apart', async () => {
    expect(await lookupTxt('eks.devinfra.info', opts())).toEqual({
      kind: 'records',
      records: [['eks-green'], ['heritage=external-dns,external-dns/owner=ingress.devinfra.local']],
    });
    expect(await lookupTxt('chunks.devinfra.info', opts())).toEqual({ kind: 'records', records: [['eks-', 'gr', 'een']] });
  });
  it('runs the caller\'s whileWaiting once, when the question is sent; a throw there is not the lookup\'s', async () => {
    let calls = 0;
    const asked = dns.queries.length;
    const answer = await lookupTxtVia(transport, 'eks.devinfra.info', {
      ...opts(),
      whileWaiting: () => {
        calls += 1;
        throw new Error('the caller\'s own failure');
      },
    });
    expect(calls).toBe(1);
    expect(dns.queries.length).toBe(asked + 1);
    expect(answer.kind).toBe('records');
  });
  it('gets answers too big for UDP over TCP', async () => {
    const answer = await lookupTxt('big.devinfra.info', opts());
    expect(answer.kind === 'records' && answer.records.length).toBe(41);
  });
  it('tells NXDOMAIN from no TXT data', async () => {
    expect(await lookupTxt('nothing.devinfra.info', opts())).toEqual({ kind: 'none', reason: 'NXDOMAIN' });
    expect(await lookupTxt('a-only.devinfra.info', opts())).toEqual({ kind: 'none', reason: 'NODATA' });
  });
  it('fails on SERVFAIL and REFUSED, naming the record and the server', async () => {
    await expect(lookupTxt('servfail.devinfra.info', opts())).rejects.toThrow(`TXT lookup of servfail.devinfra.info via DNS server ${dns.address} failed: the server answered SERVFAIL`);
    await expect(lookupTxt('refused.devinfra.info', opts())).rejects.toThrow(/failed: the server refused the query \(REFUSED\)/);
  });
  it('gives up on a silent server within the bound', async () => {
    const started = Date.now();
    await expect(lookupTxt('silent.devinfra.info', { ...opts(), timeoutMs: 300 })).rejects.toThrow(/no answer within 300 ms/);
    // A bound, not a benchmark: far above 300 ms, far below "hangs".
    expect(Date.now() - started).toBeLessThan(5000);
  });
  it('asks every time: a changed record is seen at once', async () => {
    const asked = () => dns.queries.filter((q) => q.name === 'moving.devinfra.info').length;
    const before = asked();
    dns.setTxt('moving.devinfra.info', ['eks-blue']);
    expect(await lookupTxt('moving.devinfra.info', opts())).toEqual({ kind: 'records', records: [['eks-blue']] });
    dns.setTxt('moving.devinfra.info', ['eks-green']);
    expect(await lookupTxt('moving.devinfra.info', opts())).toEqual({ kind: 'records', records: [['eks-green']] });
    expect(asked() - before).toBe(2);
  });
  it('reports an unreachable server', async () => {
    const dead = await startDnsServer();
    const address = dead.address;
    await dead.close();
    await expect(lookupTxt('eks.devinfra.info', { server: parseDnsServer(address), timeoutMs: 500 })).rejects.toThrow(/via DNS server 127\.0\.0\.1:\d+ failed over UDP: (127\.0\.0\.1:\d+ refused the connection \(nothing listens there\)|no answer within 500 ms)/);
  });
});

describe('only records owned by the question name, or by its CNAME chain in the answer, count', () => {
  it.each([
    ['a record owned by another name only', 'othernameonly.devinfra.info', { kind: 'none', reason: 'NODATA' }],
    ["another name's record beside the name's own", 'mixed.devinfra.info', { kind: 'records', records: [['eks-green']] }],
    ['a CNAME chain given out of order', 'chain.devinfra.info', { kind: 'records', records: [['eks-green']] }],
    ['a CNAME and a record off its chain', 'chain-evil.devinfra.info', { kind: 'cname', target: 'target.devinfra.info' }],
    ['an empty TXT record: one empty string', 'empty.devinfra.info', { kind: 'records', records: [['']] }],
  ])('%s', async (_, name, answer) => {
    expect(await lookupTxtVia(wireTransport, name, opts())).toEqual(answer);
  });
  it('a character-string running past its record is a malformed answer, said at once', async () => {
    await expect(lookupTxtVia(wireTransport, 'malformed.devinfra.info', opts())).rejects.toThrow(
      `TXT lookup of malformed.devinfra.info via DNS server ${dns.address} failed over UDP: ${dns.address} sent a malformed answer (a TXT character-string runs past its record)`,
    );
  });
});

describe('c-ares (node:dns), a reference for ordinary answers, reads them as our client does', () => {
  it.each(['eks.devinfra.info', 'chunks.devinfra.info', 'big.devinfra.info', 'two.devinfra.info', 'bad.devinfra.info'])('%s', async (name) => {
    const resolver = new Resolver({ timeout: 1500, tries: 1 });
    resolver.setServers([dns.address]);
    // c-ares hands each byte over as one character (latin1): the data is UTF-8.
    const reference = (await resolver.resolveTxt(`${name}.`)).map((chunks) => chunks.map((c) => Buffer.from(c, 'latin1').toString('utf8')));
    expect(reference.length).toBeGreaterThan(0);
    expect(await lookupTxtVia(wireTransport, name, opts())).toEqual({ kind: 'records', records: reference });
  });
});

describe('bascule token resolves through the TXT record', () => {
  const token = (id: string, extra: string[] = []) =>
    runInProcess(['token', '-i', id, '--dns-server', dns.address, '--token-only', '--no-cache', '--dns-timeout', '500', ...extra], { env: envKeys() });
  const signedFor = async (id: string) => {
    const r = await token(id);
    expect(r.stderr).toBe('');
    return r;
  };
  it('signs for the cluster the record names', async () => {
    expect((await signedFor('eks.devinfra.info')).code).toBe(0);
    expect((await signedFor('chunks.devinfra.info')).code).toBe(0);
  });
  it.each([
    ['two.devinfra.info', /holds 2 different values/],
    ['servfail.devinfra.info', /SERVFAIL/],
    ['silent.devinfra.info', /no answer within 500 ms/],
    ['nothing.devinfra.info', /no TXT record naming a cluster was found at nothing\.devinfra\.info \(no such name \(NXDOMAIN\)\)/],
    ['a-only.devinfra.info', /no TXT data/],
  ])('refuses %s', async (id, message) => {
    const r = await token(id);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
  it('refuses a spoofed record naming a cluster outside the allow-list', async () => {
    dns.setTxt('spoofed.devinfra.info', ['eks-prod']);
    const r = await token('spoofed.devinfra.info', ['--allow-cluster', 'eks-blue', '--allow-cluster', 'eks-green']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/refusing to sign for cluster "eks-prod": the TXT record at spoofed\.devinfra\.info names a cluster outside --allow-cluster/);
  });
  it('falls back to the id when it is a cluster name without a record', async () => {
    expect((await token('eks-blue')).code).toBe(0);
  });
});

describe('--dns-server parsing', () => {
  it.each([
    ['10.0.0.2', '10.0.0.2'],
    ['10.0.0.2:53', '10.0.0.2'],
    ['127.0.0.1:5353', '127.0.0.1:5353'],
    ['::1', '[::1]:53'],
    ['[::1]:5353', '[::1]:5353'],
    ['[fd00::53]', '[fd00::53]:53'],
  ])('%s -> %s', (input, output) => expect(parseDnsServer(input)).toBe(output));
  it.each(['dns.example', '10.0.0.256', '10.0.0.2:0', '10.0.0.2:x', '1:2:3', '[::1', '', '[zz::1]:53'])('refuses %j', (input) => {
    expect(() => parseDnsServer(input)).toThrow(/--dns-server/);
  });
  it.each([
    ['1.2.3.4', 4],
    ['::', 6],
    ['fe80::1', 6],
    ['2001:db8::1:0:0:1', 6],
    ['::ffff:1.2.3.4', 6],
    ['1.2.3', 0],
    ['1::2::3', 0],
    ['localhost', 0],
  ])('isIP(%s) = %d', (host, version) => expect(isIP(host)).toBe(version));
});
