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
 * of our own (./wire.ts: node:dgram, node:net, loaded only then) that says whether UDP,
 * or TCP after a truncated answer, failed. No cache of our own: every call
 * asks, so a switch is followed at once.
 */
import { BasculeError } from '../errors.js';
import { asciiDnsName, escapeControl } from '../platform/vocabulary.js';
import { TYPE_CNAME, TYPE_NAMES, TYPE_TXT } from './record-types.js';

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
 * a malformed answer) is asked again with our small client (./wire.ts), in the time
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
      const { ask } = await import('./wire.js');
      await ask(fqdn, type, { ...options, timeoutMs: left }, via, hint);
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
