/**
 * The small DNS client of our own that says which transport failed: the
 * question over UDP (sent again every quarter of the bound), then over TCP
 * when the answer is truncated. The resolver (./resolver.ts) asks it again
 * only after c-ares failed at the transport level, to name the failure; so
 * it is not on the token's hot path (node:dgram and node:net load with it).
 */
import { readFileSync } from 'node:fs';
import { BasculeError } from '../errors.js';
import { splitDnsServer, type DnsServer } from '../platform/vocabulary.js';
import { TYPE_CNAME, TYPE_TXT } from './record-types.js';

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
export async function ask(fqdn: string, type: number, { server, timeoutMs }: { server: string | undefined; timeoutMs: number }, via: string, hint: string): Promise<Message> {
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
  if (udp.kind === 'failed') throw new BasculeError('dns', `${via} failed over UDP: ${udp.problem}`, { hint });
  // Truncated: the same question over TCP, to the server that said so, in the time left.
  const tcp = await exchangeTcp(query, id, fqdn, type, udp.from, deadline);
  if (tcp.kind === 'failed') throw new BasculeError('dns', `${via} failed over TCP (the UDP answer was truncated): ${tcp.problem}`, { hint });
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
