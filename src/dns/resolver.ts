/**
 * The one DNS resolver of bascule: TXT and CNAME questions, bounded as a
 * whole by one timeout, used by the token and the switch.
 *
 * Questions go through c-ares (node:dns, what kubectl's hot path already
 * loads), given the whole bound as one try: c-ares otherwise splits the time
 * into tries and drops an answer that arrives after its try's slice. c-ares
 * retries over TCP by itself when the UDP answer is truncated.
 *
 * Its errors do not say which transport failed, so a transport-level failure
 * (refused, malformed) is asked again, in the time left, with a small client
 * of our own (node:dgram, node:net: loaded only then) that says whether UDP,
 * or TCP after a truncated answer, failed. No cache of our own: every call
 * asks, so a switch is followed at once.
 */
import { readFileSync } from 'node:fs';
import { BasculeError } from '../errors.js';
import { asciiDnsName, escapeControl, splitDnsServer, type DnsServer } from '../platform/vocabulary.js';

/** What a TXT question found. Failures of the lookup itself are thrown as `dns` errors. */
export type TxtAnswer =
  | { readonly kind: 'records'; readonly records: readonly (readonly string[])[] }
  /** The name is an alias and the server gave no TXT record at its target. */
  | { readonly kind: 'cname'; readonly target: string }
  | { readonly kind: 'none'; readonly reason: 'NXDOMAIN' | 'NODATA' };

export type CnameAnswer = { readonly kind: 'cname'; readonly target: string } | { readonly kind: 'none'; readonly reason: 'NXDOMAIN' | 'NODATA' };

export interface LookupOptions {
  /** A DNS server as the vocabulary writes it (10.0.0.2, 127.0.0.1:5353, [::1]:53); undefined: /etc/resolv.conf's. */
  readonly server: string | undefined;
  /** Bound on the whole lookup, every retry and the TCP retry included. */
  readonly timeoutMs: number;
}

export type TxtLookup = (name: string, options: LookupOptions) => Promise<TxtAnswer>;
export type CnameLookup = (name: string, options: LookupOptions) => Promise<CnameAnswer>;

export const lookupTxt: TxtLookup = async (name, options) => {
  const fqdn = checkName(name, TYPE_TXT);
  const started = Date.now();
  // No TXT data: an alias whose target holds none (or that the server would not follow) is said as such.
  const aliasOrNone = async (): Promise<TxtAnswer> => {
    const left = options.timeoutMs - (Date.now() - started);
    const target = left > 0 ? await viaCares(fqdn, 'CNAME', { ...options, timeoutMs: left }).then((t) => t[0], () => undefined) : undefined;
    return target ? { kind: 'cname', target: target.toLowerCase().replace(/\.$/, '') } : { kind: 'none', reason: 'NODATA' };
  };
  let records: string[][];
  try {
    records = await viaCares(fqdn, 'TXT', options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return aliasOrNone();
    throw await explain(error, name, fqdn, TYPE_TXT, options, started);
  }
  // c-ares hands each byte over as one character (latin1): TXT data is UTF-8.
  if (records.length === 0) return aliasOrNone();
  return { kind: 'records', records: records.map((chunks) => chunks.map((c) => Buffer.from(c, 'latin1').toString('utf8'))) };
};

export const lookupCname: CnameLookup = async (name, options) => {
  const fqdn = checkName(name, TYPE_CNAME);
  const started = Date.now();
  try {
    const [target] = await viaCares(fqdn, 'CNAME', options);
    return target ? { kind: 'cname', target: target.toLowerCase().replace(/\.$/, '') } : { kind: 'none', reason: 'NODATA' };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return { kind: 'none', reason: 'NODATA' };
    throw await explain(error, name, fqdn, TYPE_CNAME, options, started);
  }
};

function checkName(name: string, type: number): string {
  const ascii = asciiDnsName(name);
  if (ascii === undefined) throw new BasculeError('usage', `${TYPE_NAMES[type]} lookup of ${JSON.stringify(escapeControl(name))}: not a valid DNS name`);
  return ascii;
}

/**
 * The question through c-ares (node:dns, already what the hot path loads):
 * one try given the whole bound, so a slow answer is still heard; c-ares
 * retries over TCP by itself when the UDP answer is truncated.
 */
async function viaCares(fqdn: string, rrtype: 'TXT', options: LookupOptions): Promise<string[][]>;
async function viaCares(fqdn: string, rrtype: 'CNAME', options: LookupOptions): Promise<string[]>;
async function viaCares(fqdn: string, rrtype: 'TXT' | 'CNAME', { server, timeoutMs }: LookupOptions): Promise<string[][] | string[]> {
  const { Resolver } = await import('node:dns/promises');
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  // setServers validates with node's IPv6 expression (~10 ms to compile) unless
  // given a bare IPv4 address: the vocabulary writes port 53 that way.
  if (server) resolver.setServers([server]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      resolver.cancel();
      reject(Object.assign(new Error('deadline'), { code: 'ETIMEOUT' }));
    }, timeoutMs);
  });
  try {
    // A trailing dot makes the name absolute: no search-domain expansion.
    return await Promise.race([rrtype === 'TXT' ? resolver.resolveTxt(`${fqdn}.`) : resolver.resolveCname(`${fqdn}.`), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const CARES_ANSWERS: Record<string, string> = {
  ESERVFAIL: 'answered SERVFAIL',
  EREFUSED: 'refused the query (REFUSED)',
  ENOTIMP: 'does not implement the query (NOTIMP)',
  EFORMERR: 'could not read the question (FORMERR)',
};

/**
 * Turns a failed lookup into an error naming the record, the server and what
 * failed. An answer (SERVFAIL, REFUSED) is reported as such; no answer in
 * time, as such; anything else at the transport level (a refused connection,
 * a malformed answer) is asked again with the small client below, in the time
 * left, to say which transport failed: UDP, or TCP after a truncated answer.
 */
async function explain(error: unknown, name: string, fqdn: string, type: number, options: LookupOptions, started: number): Promise<BasculeError> {
  if (error instanceof BasculeError) return error;
  const code = (error as { code?: string }).code ?? 'unknown error';
  const via = `${TYPE_NAMES[type]} lookup of ${escapeControl(name)} via ${describeServer(options.server)}`;
  const hint = hintFor(name);
  if (CARES_ANSWERS[code]) return new BasculeError('dns', `${via} failed: the server ${CARES_ANSWERS[code]}`, { hint });
  if (code === 'ETIMEOUT' || code === 'ECANCELLED') {
    return new BasculeError('dns', `${via} failed: no answer within ${options.timeoutMs} ms (over UDP, and TCP if the answer was truncated)`, { hint });
  }
  const left = options.timeoutMs - (Date.now() - started);
  if (left > 0) {
    try {
      await ask(name, fqdn, type, { ...options, timeoutMs: left }, via);
    } catch (precise) {
      if (precise instanceof BasculeError) return precise;
    }
  }
  return new BasculeError('dns', `${via} failed: ${code === 'ECONNREFUSED' ? 'connection refused' : code}`, { hint });
}

/** "the system resolver (10.0.0.2)" or "DNS server 10.0.0.2". */
export function describeServer(server: string | undefined): string {
  return server ? `DNS server ${server}` : 'the system resolver';
}

const hintFor = (name: string) =>
  `check that the DNS server is reachable and serves ${escapeControl(name)}, raise --dns-timeout, or pass --dns-server for a resolver that does`;

// ---------------------------------------------------------------- the exchange

const TYPE_CNAME = 5;
const TYPE_TXT = 16;
const TYPE_NAMES: Record<number, string> = { [TYPE_CNAME]: 'CNAME', [TYPE_TXT]: 'TXT' };

/** Where `/etc/resolv.conf` is, for tests. */
export const RESOLV_CONF = { path: '/etc/resolv.conf' };

function systemServers(): DnsServer[] {
  let text = '';
  try {
    text = readFileSync(RESOLV_CONF.path, 'utf8');
  } catch {
    // no resolv.conf: the local resolver, as glibc and c-ares assume
  }
  const servers: DnsServer[] = [];
  for (const [, address] of text.matchAll(/^\s*nameserver\s+(\S+)/gm)) {
    const parsed = splitDnsServer((address as string).replace(/%.*$/, '')); // fe80::1%eth0: the zone is dropped
    if (typeof parsed !== 'string') servers.push({ ...parsed, port: 53 });
  }
  return servers.length > 0 ? servers : [{ host: '127.0.0.1', port: 53, family: 4 }];
}

/** The small client: the question over UDP (sent again every quarter of the bound), then TCP if truncated. */
async function ask(name: string, fqdn: string, type: number, { server, timeoutMs }: LookupOptions, via: string): Promise<Message> {
  let servers: DnsServer[];
  if (server) {
    const parsed = splitDnsServer(server);
    if (typeof parsed === 'string') throw new BasculeError('usage', `DNS server ${JSON.stringify(server)} ${parsed}`);
    servers = [parsed];
  } else servers = systemServers();
  const deadline = Date.now() + timeoutMs;
  const id = Math.floor(Math.random() * 0x10000);
  const query = encodeQuery(id, fqdn, type);

  const udp = await exchangeUdp(query, id, fqdn, type, servers, deadline, timeoutMs);
  if (udp.kind === 'answer' && !udp.message.truncated) return udp.message;
  if (udp.kind === 'failed') throw new BasculeError('dns', `${via} failed over UDP: ${udp.problem}`, { hint: hintFor(name) });
  // Truncated: the same question over TCP, to the server that said so, in the time left.
  const tcp = await exchangeTcp(query, id, fqdn, type, udp.from, deadline);
  if (tcp.kind === 'failed') throw new BasculeError('dns', `${via} failed over TCP (the UDP answer was truncated): ${tcp.problem}`, { hint: hintFor(name) });
  return tcp.message;
}

type Exchange = { kind: 'answer'; message: Message; from: DnsServer } | { kind: 'failed'; problem: string };

const label = (s: DnsServer) => (s.family === 6 ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);

async function exchangeUdp(query: Buffer, id: number, fqdn: string, type: number, servers: readonly DnsServer[], deadline: number, timeoutMs: number): Promise<Exchange> {
  const dgram = await import('node:dgram');
  const total = Math.max(1, deadline - Date.now());
  return new Promise<Exchange>((resolve) => {
    const sockets: import('node:dgram').Socket[] = [];
    const refused = new Set<string>();
    let sent = 0;
    let retry: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (result: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(retry);
      clearTimeout(timer);
      for (const s of sockets) s.close();
      resolve(result);
    };
    const open = (server: DnsServer) => {
      const socket = dgram.createSocket(server.family === 6 ? 'udp6' : 'udp4');
      sockets.push(socket);
      // A connected socket hears ICMP "port unreachable" as ECONNREFUSED.
      socket.on('error', (error: NodeJS.ErrnoException) => {
        refused.add(label(server));
        if (refused.size === servers.length) {
          finish({ kind: 'failed', problem: error.code === 'ECONNREFUSED' ? `${servers.map(label).join(', ')} refused the connection (nothing listens there)` : `${error.code ?? error.message}` });
        }
      });
      socket.on('message', (data) => {
        const message = parseMessage(data);
        if (!message || message.id !== id || !message.isResponse || message.question !== `${fqdn}/${type}`) return; // not ours
        finish({ kind: 'answer', message, from: server });
      });
      return new Promise<import('node:dgram').Socket>((ready) => socket.connect(server.port, server.host, () => ready(socket)));
    };
    const connected = new Map<DnsServer, Promise<import('node:dgram').Socket>>();
    const send = () => {
      if (settled) return;
      const server = servers[sent % servers.length] as DnsServer;
      sent += 1;
      if (!connected.has(server)) connected.set(server, open(server));
      void (connected.get(server) as Promise<import('node:dgram').Socket>).then((s) => {
        if (!settled) s.send(query, () => undefined);
      });
      // Ask again every quarter of the bound (at least 250 ms apart); every answer counts until the bound.
      retry = setTimeout(send, Math.max(250, Math.floor(total / 4)));
    };
    const timer = setTimeout(
      () => finish({ kind: 'failed', problem: `no answer within ${timeoutMs} ms from ${servers.map(label).join(', ')} (asked ${sent} time${sent === 1 ? '' : 's'})` }),
      total,
    );
    send();
  });
}

async function exchangeTcp(query: Buffer, id: number, fqdn: string, type: number, server: DnsServer, deadline: number): Promise<Exchange> {
  const net = await import('node:net');
  const left = deadline - Date.now();
  if (left <= 0) return { kind: 'failed', problem: `no time left to ask ${label(server)}` };
  return new Promise<Exchange>((resolve) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (result: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ kind: 'failed', problem: `no answer within the ${left} ms left from ${label(server)}` }), left);
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({ kind: 'failed', problem: error.code === 'ECONNREFUSED' ? `${label(server)} refused the TCP connection` : `${label(server)}: ${error.code ?? error.message}` }),
    );
    socket.on('connect', () => {
      const framed = Buffer.alloc(2 + query.length);
      framed.writeUInt16BE(query.length, 0);
      query.copy(framed, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 2 || buffer.length < 2 + buffer.readUInt16BE(0)) return;
      const message = parseMessage(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
      if (!message || message.id !== id || message.question !== `${fqdn}/${type}`) finish({ kind: 'failed', problem: `${label(server)} sent a malformed answer` });
      else finish({ kind: 'answer', message, from: server });
    });
    socket.on('end', () => finish({ kind: 'failed', problem: `${label(server)} closed the connection without an answer` }));
  });
}

// ---------------------------------------------------------------- wire format (RFC 1035)

interface Record_ {
  readonly name: string;
  readonly type: number;
  readonly txt?: string[];
  readonly target?: string;
}

interface Message {
  readonly id: number;
  readonly isResponse: boolean;
  readonly truncated: boolean;
  readonly rcode: number;
  /** "name/type" of the first question, to match an answer to its query. */
  readonly question: string;
  readonly answers: readonly Record_[];
}

export function encodeQuery(id: number, fqdn: string, type: number): Buffer {
  const labels = fqdn.replace(/\.$/, '').split('.').filter(Boolean);
  const size = 12 + labels.reduce((n, l) => n + 1 + l.length, 0) + 1 + 4;
  const buf = Buffer.alloc(size);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(0x0100, 2); // RD
  buf.writeUInt16BE(1, 4); // QDCOUNT
  let at = 12;
  for (const l of labels) {
    buf.writeUInt8(l.length, at);
    buf.write(l, at + 1, 'latin1');
    at += 1 + l.length;
  }
  buf.writeUInt8(0, at);
  buf.writeUInt16BE(type, at + 1);
  buf.writeUInt16BE(1, at + 3); // IN
  return buf;
}

const utf8 = new TextDecoder('utf-8');

/** Reads a (possibly compressed) name at `at`: [name, offset after it]. Names are lower-cased, without the final dot. */
function readName(buf: Buffer, start: number): [string, number] {
  const labels: string[] = [];
  let at = start;
  let end = -1;
  for (let jumps = 0; jumps < 64; ) {
    const len = buf.readUInt8(at);
    if (len === 0) {
      if (end < 0) end = at + 1;
      return [labels.join('.').toLowerCase(), end];
    }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = at + 2;
      at = buf.readUInt16BE(at) & 0x3fff;
      jumps++;
      continue;
    }
    if (at + 1 + len > buf.length) throw new RangeError('label past the end');
    labels.push(buf.toString('latin1', at + 1, at + 1 + len));
    at += 1 + len;
  }
  throw new RangeError('compression loop');
}

/** A DNS message, or undefined when it cannot be read. */
export function parseMessage(buf: Buffer): Message | undefined {
  try {
    const id = buf.readUInt16BE(0);
    const flags = buf.readUInt16BE(2);
    const qd = buf.readUInt16BE(4);
    const an = buf.readUInt16BE(6);
    let at = 12;
    let question = '';
    for (let i = 0; i < qd; i++) {
      const [name, next] = readName(buf, at);
      if (i === 0) question = `${name}/${buf.readUInt16BE(next)}`;
      at = next + 4;
    }
    const answers: Record_[] = [];
    for (let i = 0; i < an; i++) {
      const [name, next] = readName(buf, at);
      const type = buf.readUInt16BE(next);
      const rdlength = buf.readUInt16BE(next + 8);
      const rdata = next + 10;
      if (rdata + rdlength > buf.length) return undefined;
      if (type === TYPE_TXT) {
        const txt: string[] = [];
        for (let p = rdata; p < rdata + rdlength; ) {
          const len = buf.readUInt8(p);
          txt.push(utf8.decode(buf.subarray(p + 1, p + 1 + len)));
          p += 1 + len;
        }
        answers.push({ name, type, txt });
      } else if (type === TYPE_CNAME) {
        answers.push({ name, type, target: readName(buf, rdata)[0] });
      } else answers.push({ name, type });
      at = rdata + rdlength;
    }
    return { id, isResponse: (flags & 0x8000) !== 0, truncated: (flags & 0x0200) !== 0, rcode: flags & 0x000f, question, answers };
  } catch {
    return undefined;
  }
}
