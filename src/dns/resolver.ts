/**
 * The one DNS resolver of bascule: TXT and CNAME questions, over UDP with a
 * TCP retry for truncated answers, bounded as a whole by one timeout.
 *
 * Its own small client rather than c-ares (node:dns): c-ares splits the time
 * into tries and drops an answer that arrives after its try's slice, and its
 * errors do not say which transport failed. Here the UDP question is sent
 * again every quarter of the bound, and an answer to any of them is taken up
 * to the bound itself. No cache of our own: every call asks, so a switch is
 * followed at once.
 *
 * Only node:dgram is loaded on the way (node:net only for a truncated answer).
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
  const { message, fqdn, via } = await ask(name, TYPE_TXT, options);
  const records: string[][] = [];
  const owner = followCnames(message, fqdn);
  for (const r of message.answers) if (r.type === TYPE_TXT && r.name === owner) records.push(r.txt as string[]);
  if (records.length > 0) return { kind: 'records', records };
  if (owner !== fqdn) return { kind: 'cname', target: owner };
  return none(message, name, via);
};

export const lookupCname: CnameLookup = async (name, options) => {
  const { message, fqdn, via } = await ask(name, TYPE_CNAME, options);
  const cname = message.answers.find((r) => r.type === TYPE_CNAME && r.name === fqdn);
  if (cname) return { kind: 'cname', target: cname.target as string };
  return none(message, name, via);
};

function none(message: Message, name: string, via: string): { kind: 'none'; reason: 'NXDOMAIN' | 'NODATA' } {
  if (message.rcode === 3) return { kind: 'none', reason: 'NXDOMAIN' };
  if (message.rcode === 0) return { kind: 'none', reason: 'NODATA' };
  throw new BasculeError('dns', `${via} failed: the server ${RCODES[message.rcode] ?? `answered rcode ${message.rcode}`}`, { hint: hintFor(name) });
}

/** The end of the CNAME chain the answer holds for `fqdn` (fqdn itself when none). */
function followCnames(message: Message, fqdn: string): string {
  let current = fqdn;
  for (let hops = 0; hops < 8; hops++) {
    const next = message.answers.find((r) => r.type === TYPE_CNAME && r.name === current);
    if (!next) break;
    current = next.target as string;
  }
  return current;
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
const RCODES: Record<number, string> = { 1: 'could not read the question (FORMERR)', 2: 'answered SERVFAIL', 4: 'does not implement the query (NOTIMP)', 5: 'refused the query (REFUSED)' };

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

async function ask(name: string, type: number, { server, timeoutMs }: LookupOptions): Promise<{ message: Message; fqdn: string; via: string }> {
  const ascii = asciiDnsName(name);
  const what = `${TYPE_NAMES[type]} lookup of ${escapeControl(name)}`;
  if (ascii === undefined) throw new BasculeError('usage', `${what}: ${JSON.stringify(escapeControl(name))} is not a valid DNS name`);
  const fqdn = ascii.toLowerCase();
  let servers: DnsServer[];
  if (server) {
    const parsed = splitDnsServer(server);
    if (typeof parsed === 'string') throw new BasculeError('usage', `DNS server ${JSON.stringify(server)} ${parsed}`);
    servers = [parsed];
  } else servers = systemServers();
  const via = `${what} via ${describeServer(server)}`;
  const deadline = Date.now() + timeoutMs;
  const id = Math.floor(Math.random() * 0x10000);
  const query = encodeQuery(id, fqdn, type);

  const udp = await exchangeUdp(query, id, fqdn, type, servers, deadline, timeoutMs);
  if (udp.kind === 'answer' && !udp.message.truncated) return { message: udp.message, fqdn, via };
  if (udp.kind === 'failed') {
    throw new BasculeError('dns', `${via} failed over UDP: ${udp.problem}`, { hint: hintFor(name) });
  }
  // Truncated: the same question over TCP, to the server that said so, in the time left.
  const tcp = await exchangeTcp(query, id, fqdn, type, udp.from, deadline);
  if (tcp.kind === 'failed') {
    throw new BasculeError('dns', `${via} failed over TCP (the UDP answer was truncated): ${tcp.problem}`, { hint: hintFor(name) });
  }
  return { message: tcp.message, fqdn, via };
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
