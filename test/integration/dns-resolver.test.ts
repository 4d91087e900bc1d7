/**
 * The one resolver (src/dns/) against a scripted DNS server on loopback, for
 * what an ordinary zone cannot show: a slow resolver (heard within the whole
 * bound, not a third of it), a CNAME-only answer, a truncated UDP answer with
 * no TCP behind it, hostile bytes in a TXT value; and the IDN rules of -i.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupCnameVia, lookupTxtVia } from '../../src/dns/resolver.js';
import { wireTransport } from '../../src/dns/wire.js';
import { envKeys, runInProcess } from '../support/run.js';

type Script = { delayMs?: number; txt?: string[]; cname?: string; truncate?: boolean };

/** UDP only (no TCP listener: a truncated answer's TCP retry is refused). */
async function scriptedServer(script: Record<string, Script>) {
  const socket = dgram.createSocket('udp4');
  const timers = new Set<NodeJS.Timeout>();
  socket.on('message', (message, rinfo) => {
    let query;
    try {
      query = packet.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const s = script[question.name.toLowerCase()];
    const answers: packet.Answer[] = [];
    if (s?.cname) answers.push({ type: 'CNAME', name: question.name, ttl: 1, class: 'IN', data: s.cname });
    if (s?.txt && question.type === 'TXT') answers.push(...s.txt.map((t) => ({ type: 'TXT' as const, name: question.name, ttl: 1, class: 'IN' as const, data: [Buffer.from(t)] })));
    const flags = packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | (s ? 0 : 3) | (s?.truncate ? packet.TRUNCATED_RESPONSE : 0);
    const reply = packet.encode({ id: query.id, type: 'response', flags, questions: [question], answers: s?.truncate ? [] : answers });
    const timer = setTimeout(() => {
      timers.delete(timer);
      socket.send(reply, rinfo.port, rinfo.address);
    }, s?.delayMs ?? 0);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  // Nothing listens on TCP at this port: bind it ourselves and close, so the refusal is certain.
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        socket.close(() => resolve());
      }),
  };
}

let server: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  server = await scriptedServer({
    'slow.devinfra.info': { delayMs: 1500, txt: ['eks-green'] },
    'alias.devinfra.info': { cname: 'elsewhere.example.org' },
    'big.devinfra.info': { truncate: true },
    'hostile.devinfra.info': { txt: ['eks-\u009b31mgreen\u001b[2J'] },
  });
  // Make sure nothing listens on TCP at the UDP port (a truncated answer's retry must be refused).
  const port = Number(server.address.split(':')[1]);
  await new Promise<void>((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port });
    probe.on('connect', () => {
      probe.destroy();
      throw new Error(`something listens on TCP ${port}; rerun`);
    });
    probe.on('error', () => resolve());
  });
});
afterAll(() => server?.close());

describe.each([['our own client (both artefacts)', wireTransport]])('the resolver over %s', (_, transport) => {
  const lookupTxt = (name: string, options: { server: string | undefined; timeoutMs: number }) => lookupTxtVia(transport, name, options);
  const lookupCname = (name: string, options: { server: string | undefined; timeoutMs: number }) => lookupCnameVia(transport, name, options);
  it('hears a resolver that answers in 1.5 s under the 2 s default', async () => {
    const started = Date.now();
    expect(await lookupTxt('slow.devinfra.info', { server: server.address, timeoutMs: 2000 })).toEqual({ kind: 'records', records: [['eks-green']] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('bounds the whole lookup by the timeout, retries included', async () => {
    const started = Date.now();
    await expect(lookupTxt('slow.devinfra.info', { server: server.address, timeoutMs: 600 })).rejects.toThrow(/TXT lookup of slow\.devinfra\.info via DNS server 127\.0\.0\.1:\d+ failed: no answer within 600 ms/);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('reports a CNAME-only answer as such', async () => {
    expect(await lookupTxt('alias.devinfra.info', { server: server.address, timeoutMs: 1000 })).toEqual({ kind: 'cname', target: 'elsewhere.example.org' });
    expect(await lookupCname('alias.devinfra.info', { server: server.address, timeoutMs: 1000 })).toEqual({ kind: 'cname', target: 'elsewhere.example.org' });
  });

  it('says TCP when the retry of a truncated answer fails', async () => {
    await expect(lookupTxt('big.devinfra.info', { server: server.address, timeoutMs: 1000 })).rejects.toThrow(
      /TXT lookup of big\.devinfra\.info via DNS server 127\.0\.0\.1:\d+ failed over TCP \(the UDP answer was truncated\): 127\.0\.0\.1:\d+ refused the TCP connection/,
    );
  });
});

describe('bascule token: messages from DNS data', () => {
  const token = (id: string, extra: string[] = []) => runInProcess(['token', '-i', id, '--dns-server', server.address, '--token-only', '--no-cache', ...extra], { env: envKeys() });

  it.each([
    ['a slow resolver, default --dns-timeout', 'slow.devinfra.info', [], 0, /^k8s-aws-v1\./, ''],
    ['a CNAME-only answer', 'alias.devinfra.info', [], 1, /^$/, 'error: alias.devinfra.info is a CNAME to elsewhere.example.org, and the answer holds no TXT record naming a cluster\n'],
    ['control characters in a TXT value (C0 and C1) are escaped', 'hostile.devinfra.info', [], 1, /^$/, 'error: the TXT record at hostile.devinfra.info holds "eks-\\u009b31mgreen\\u001b[2J", which is not a valid EKS cluster name\n'],
    ['--dns-timeout takes units', 'slow.devinfra.info', ['--dns-timeout', '0.5s'], 1, /^$/, 'failed: no answer within 500 ms'],
  ] as const)('%s', async (_, id, extra, code, stdout, stderr) => {
    const r = await token(id, [...extra]);
    expect(r.code).toBe(code);
    expect(r.stdout).toMatch(stdout);
    if (stderr === '') expect(r.stderr).toBe('');
    else expect(r.stderr).toContain(stderr);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it.each([
    ['an invalid punycode label', 'xn--zz.x.test'],
    ['an empty label', 'eks..devinfra.info'],
    ['a label over 63 characters', `${'a'.repeat(64)}.devinfra.info`],
    ['a space', 'eks devinfra.info'],
  ])('refuses %s in -i as a usage error, before any query', async (_, id) => {
    const r = await token(id);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: -i ".*" is neither an EKS cluster name nor a valid DNS name/);
  });

  it('takes an IDN id (as punycode on the wire)', async () => {
    const r = await token('éks.devinfra.info');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no TXT record naming a cluster was found at éks\.devinfra\.info \(no such name \(NXDOMAIN\)\)/);
  });
});
