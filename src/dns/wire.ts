/**
 * bascule's own DNS client: the question over UDP (sent again every quarter
 * of the bound, to each server in turn), then over TCP when the answer is
 * truncated; it knows which transport failed, and how.
 *
 * Both artefacts ask with it (`wireTransport`; ./resolver.ts says why not
 * c-ares), over the sockets ./udp.ts gives: libc's or Bun's own in the
 * single binary, node:dgram in the Node bundle. Only records owned by
 * the question's name, or by its CNAME chain in the answer, count. Its
 * errors carry c-ares's codes (the names the resolver's messages know).
 */
import { readTextFile } from '../libc.js';
import { splitDnsServer, type DnsServer } from '../vocabulary.js';
import { TYPE_CNAME, TYPE_TXT } from './record-types.js';
import { udpSockets } from './udp.js';
import { utf8Text } from '../utf8.js';

/** How a question travels; errors carry c-ares's codes (ENOTFOUND, ENODATA, ESERVFAIL, ETIMEOUT...). */
export interface Transport {
  /** The TXT records (UTF-8 chunks) of the name, CNAMEs in the answer followed. */
  txt(fqdn: string, options: WireOptions): Promise<string[][]>;
  /** The CNAME target(s) of the name. */
  cname(fqdn: string, options: WireOptions): Promise<string[]>;
}

export interface WireOptions {
  readonly server: string | undefined;
  readonly timeoutMs: number;
  /** Called once, when the first question is sent (LookupOptions.whileWaiting). */
  readonly whileWaiting?: () => void;
  /** LookupOptions.mayBlock. */
  readonly mayBlock?: boolean;
  /** -v: which server answered, over what. */
  readonly verbose?: (line: string) => void;
}

/** The exchange failed at the transport level: which one, and what happened. */
export class WireFailure extends Error {
  constructor(
    readonly transport: 'UDP' | 'TCP',
    readonly problem: string,
    /** c-ares's code for the same failure. */
    readonly code: 'ECONNREFUSED' | 'ETIMEOUT' | 'EBADRESP',
  ) {
    super(problem);
  }
}

const RCODES: Record<number, string> = { 1: 'EFORMERR', 2: 'ESERVFAIL', 3: 'ENOTFOUND', 4: 'ENOTIMP', 5: 'EREFUSED' };
const coded = (code: string) => Object.assign(new Error(code), { code });

export const wireTransport: Transport = {
  async txt(fqdn, options) {
    const found: string[][] = [];
    for (const r of recordsOf(await exchange(fqdn, TYPE_TXT, options), fqdn, TYPE_TXT)) found.push(r.txt as string[]);
    return found;
  },
  async cname(fqdn, options) {
    const found: string[] = [];
    for (const r of recordsOf(await exchange(fqdn, TYPE_CNAME, options), fqdn, TYPE_CNAME)) found.push(r.target as string);
    return found;
  },
};

/** The answer's records of `type` for the name, through the CNAMEs the answer holds; c-ares's codes when there are none. */
function recordsOf(message: Message, fqdn: string, type: number): Record_[] {
  const rcode = RCODES[message.rcode];
  if (rcode) throw coded(rcode);
  if (message.rcode !== 0) throw coded('EBADRESP');
  // Only records owned by the question's name, or by a name its CNAME chain in the answer reaches (in any order):
  // anything else in the answer (a record for evil.example to a question for eks.example) is not an answer.
  const names = new Set([fqdn.toLowerCase()]);
  for (let grew = type !== TYPE_CNAME; grew; ) {
    grew = false;
    for (const r of message.answers) {
      if (r.type === TYPE_CNAME && names.has(r.name) && !names.has(r.target as string)) {
        names.add(r.target as string);
        grew = true;
      }
    }
  }
  // A loop, not filter(): array callbacks are JavaScript builtins compiled on first use, on kubectl's path.
  const found: Record_[] = [];
  for (const r of message.answers) if (r.type === type && names.has(r.name)) found.push(r);
  if (found.length === 0) throw coded('ENODATA');
  return found;
}

/** The question and its answer, by UDP then TCP if truncated; a WireFailure when neither gave one. */
export async function exchange(fqdn: string, type: number, options: WireOptions): Promise<Message> {
  const { server, timeoutMs } = options;
  let servers: DnsServer[];
  if (server) {
    const parsed = splitDnsServer(server);
    if (typeof parsed === 'string') throw new Error(`DNS server ${JSON.stringify(server)} ${parsed}`); // the vocabulary checked it before
    servers = [parsed];
  } else servers = systemServers();
  const deadline = Date.now() + timeoutMs;
  const id = Math.floor(Math.random() * 0x10000);
  const query = encodeQuery(id, fqdn, type);

  const udp = await exchangeUdp(query, id, fqdn, type, servers, deadline, timeoutMs, options);
  if (udp.kind === 'failed') throw new WireFailure('UDP', udp.problem, udp.code);
  if (!udp.message.truncated) return udp.message;
  // Truncated: the same question over TCP, to the server that said so, in the time left.
  const tcp = await exchangeTcp(query, id, fqdn, type, udp.from, deadline);
  if (tcp.kind === 'failed') throw new WireFailure('TCP', tcp.problem, tcp.code);
  options.verbose?.(`DNS: ${label(tcp.from)} answered over TCP`);
  return tcp.message;
}

type Exchange = { kind: 'answer'; message: Message; from: DnsServer } | { kind: 'failed'; problem: string; code: WireFailure['code'] };

const label = (s: DnsServer) => (s.family === 6 ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);

async function exchangeUdp(query: Uint8Array, id: number, fqdn: string, type: number, servers: readonly DnsServer[], deadline: number, timeoutMs: number, options: WireOptions): Promise<Exchange> {
  const total = Math.max(1, deadline - Date.now());
  // Ask again every quarter of the bound (at least 250 ms apart), each server in turn; every answer counts until the bound.
  const interval = Math.max(250, Math.floor(total / 4));
  const sockets = udpSockets(options.mayBlock === true);
  const refused = new Set<string>();
  let whileWaiting = options.whileWaiting;
  let sent = 0;
  let nextSend = 0;
  try {
    for (;;) {
      const now = Date.now();
      if (now >= deadline) return { kind: 'failed', problem: `no answer within ${timeoutMs} ms from ${servers.map(label).join(', ')} (asked ${sent} time${sent === 1 ? '' : 's'})`, code: 'ETIMEOUT' };
      if (now >= nextSend) {
        nextSend = now + interval;
        await sockets.send(servers[sent++ % servers.length] as DnsServer, query);
        const work = whileWaiting;
        whileWaiting = undefined;
        try {
          work?.();
        } catch {
          // the caller's work, never the lookup's failure
        }
      }
      const event = await sockets.next(Math.min(nextSend, deadline));
      if (!event) continue;
      const { server } = event;
      if ('error' in event) {
        if (event.opening) return { kind: 'failed', problem: `${label(server)}: ${event.error}`, code: 'ECONNREFUSED' };
        refused.add(label(server));
        if (refused.size === servers.length) {
          const problem = event.error === 'ECONNREFUSED' ? `${servers.map(label).join(', ')} refused the connection (nothing listens there)` : event.error;
          return { kind: 'failed', problem, code: 'ECONNREFUSED' };
        }
        continue;
      }
      const message = parseMessage(event.data);
      if (!message || message.id !== id || !message.isResponse || message.question !== `${fqdn}/${type}`) continue; // not ours
      if (message.malformed) return { kind: 'failed', problem: `${label(server)} sent a malformed answer (${message.malformed})`, code: 'EBADRESP' };
      options.verbose?.(`DNS: ${label(server)} answered over UDP (${sockets.name})${message.truncated ? ', truncated' : ''}`);
      return { kind: 'answer', message, from: server };
    }
  } finally {
    sockets.close();
  }
}

function systemServers(): DnsServer[] {
  let text = '';
  try {
    text = readTextFile('/etc/resolv.conf');
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

async function exchangeTcp(query: Uint8Array, id: number, fqdn: string, type: number, server: DnsServer, deadline: number): Promise<Exchange> {
  const net = await import('node:net');
  const left = deadline - Date.now();
  if (left <= 0) return { kind: 'failed', problem: `no time left to ask ${label(server)}`, code: 'ETIMEOUT' };
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
    const timer = setTimeout(() => finish({ kind: 'failed', problem: `no answer within the ${left} ms left from ${label(server)}`, code: 'ETIMEOUT' }), left);
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({ kind: 'failed', problem: error.code === 'ECONNREFUSED' ? `${label(server)} refused the TCP connection` : `${label(server)}: ${error.code ?? error.message}`, code: 'ECONNREFUSED' }),
    );
    socket.on('connect', () => {
      const framed = Buffer.alloc(2 + query.length);
      framed.writeUInt16BE(query.length, 0);
      framed.set(query, 2);
      socket.write(framed);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 2 || buffer.length < 2 + buffer.readUInt16BE(0)) return;
      const message = parseMessage(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
      if (!message || message.id !== id || message.question !== `${fqdn}/${type}` || message.malformed) {
        finish({ kind: 'failed', problem: `${label(server)} sent a malformed answer${message?.malformed ? ` (${message.malformed})` : ''}`, code: 'EBADRESP' });
      }
      else finish({ kind: 'answer', message, from: server });
    });
    socket.on('end', () => finish({ kind: 'failed', problem: `${label(server)} closed the connection without an answer`, code: 'EBADRESP' }));
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
  /** The header and question could be read, the records not: what is wrong with them. */
  readonly malformed?: string;
}

/**
 * The question: header (id, RD, one question), the name as length-prefixed
 * labels (an ASCII DNS name: checkName made it one), type, class IN. Bytes
 * set one by one, in a Uint8Array: Buffer is one more piece of the runtime
 * to start on the way to a cached token (src/utf8.ts).
 */
function encodeQuery(id: number, fqdn: string, type: number): Uint8Array {
  const buf = new Uint8Array(12 + fqdn.length + 2 + 4);
  buf[0] = id >> 8;
  buf[1] = id & 0xff;
  buf[2] = 0x01; // RD
  buf[5] = 1; // QDCOUNT
  let at = 12;
  let length = at;
  for (let i = 0; i <= fqdn.length; i++) {
    const c = i < fqdn.length ? fqdn.charCodeAt(i) : 0x2e;
    if (c !== 0x2e) {
      buf[++at] = c;
      continue;
    }
    const label = at - length;
    if (label > 0) {
      buf[length] = label;
      length = ++at;
    }
  }
  buf[length] = 0;
  buf[length + 1] = type >> 8;
  buf[length + 2] = type & 0xff;
  buf[length + 4] = 1; // IN
  return buf.subarray(0, length + 5);
}

/**
 * The reading below works on bytes: each Buffer method (readUInt16BE,
 * toString, TextDecoder) is one more piece of the runtime to load on the way
 * to a cached token, and a cut message is said in our words, not a method's.
 */
const u8 = (buf: Uint8Array, at: number): number => {
  if (at >= buf.length) throw new RangeError('the message ends inside a record');
  return buf[at] as number;
};
const u16 = (buf: Uint8Array, at: number): number => (u8(buf, at) << 8) | u8(buf, at + 1);

/** Bytes as one char each (a label's, or ASCII text). */
function latin1(buf: Uint8Array, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += String.fromCharCode(buf[i] as number);
  return text;
}

/** Reads a (possibly compressed) name at `at`: [name, offset after it]. Names are lower-cased, without the final dot. */
function readName(buf: Uint8Array, start: number): [string, number] {
  const labels: string[] = [];
  let at = start;
  let end = -1;
  for (let jumps = 0; jumps < 64; ) {
    const len = u8(buf, at);
    if (len === 0) {
      if (end < 0) end = at + 1;
      return [labels.join('.').toLowerCase(), end];
    }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = at + 2;
      at = u16(buf, at) & 0x3fff;
      jumps++;
      continue;
    }
    if (at + 1 + len > buf.length) throw new RangeError('label past the end');
    labels.push(latin1(buf, at + 1, at + 1 + len));
    at += 1 + len;
  }
  throw new RangeError('compression loop');
}

/**
 * A DNS message; undefined when its header or question cannot be read (not
 * an answer to anything), `malformed` when its records cannot.
 */
function parseMessage(buf: Uint8Array): Message | undefined {
  let header: Omit<Message, 'answers'>;
  let at = 12;
  try {
    const flags = u16(buf, 2);
    const qd = u16(buf, 4);
    let question = '';
    for (let i = 0; i < qd; i++) {
      const [name, next] = readName(buf, at);
      if (i === 0) question = `${name}/${u16(buf, next)}`;
      at = next + 4;
    }
    header = { id: u16(buf, 0), isResponse: (flags & 0x8000) !== 0, truncated: (flags & 0x0200) !== 0, rcode: flags & 0x000f, question };
  } catch {
    return undefined;
  }
  const answers: Record_[] = [];
  try {
    const an = u16(buf, 6);
    for (let i = 0; i < an; i++) {
      const [name, next] = readName(buf, at);
      const type = u16(buf, next);
      const rdlength = u16(buf, next + 8);
      const rdata = next + 10;
      if (rdata + rdlength > buf.length) throw new RangeError('a record runs past the end of the message');
      if (type === TYPE_TXT) answers.push({ name, type, txt: characterStrings(buf, rdata, rdata + rdlength) });
      else if (type === TYPE_CNAME) answers.push({ name, type, target: readName(buf, rdata)[0] });
      else answers.push({ name, type });
      at = rdata + rdlength;
    }
  } catch (error) {
    return { ...header, answers: [], malformed: error instanceof RangeError ? error.message : 'unreadable records' };
  }
  return { ...header, answers };
}

/**
 * A TXT record's character-strings (UTF-8), in buf from `from` to `to`. Empty
 * RDATA, which RFC 1035 does not allow but servers send, reads as one empty
 * string, as dig shows it.
 */
function characterStrings(buf: Uint8Array, from: number, to: number): string[] {
  if (from === to) return [''];
  const strings: string[] = [];
  for (let p = from; p < to; ) {
    const len = buf[p] as number;
    if (p + 1 + len > to) throw new RangeError('a TXT character-string runs past its record');
    let ascii = true;
    for (let i = p + 1; ascii && i < p + 1 + len; i++) ascii = (buf[i] as number) < 0x80;
    strings.push(ascii ? latin1(buf, p + 1, p + 1 + len) : utf8Text(buf.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
  return strings;
}
