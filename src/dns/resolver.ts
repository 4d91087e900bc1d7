/**
 * The one DNS resolver of bascule: TXT and CNAME questions, bounded as a
 * whole by one timeout, used by the token and the switch. No cache of our
 * own: every call asks, so a switch is followed at once.
 *
 * Two transports give the same answers and the same errors. Under Node,
 * c-ares (node:dns), given the whole bound as one try: c-ares otherwise
 * splits the time into tries and drops an answer that arrives after its
 * try's slice; it retries over TCP by itself when the UDP answer is
 * truncated. Under Bun (the single binary), our own client (./wire.ts): Bun's
 * node:dns costs ~5 ms to load and set up on every kubectl call.
 *
 * c-ares's errors do not say which transport failed, so a transport-level
 * failure (refused, malformed) is asked again, in the time left, with our
 * own client, which says whether UDP, or TCP after a truncated answer,
 * failed; our client says so at once.
 */
import { BasculeError } from '../errors.js';
import { asciiDnsName, escapeControl } from '../platform/vocabulary.js';
import { TYPE_CNAME, TYPE_NAMES, TYPE_TXT } from './record-types.js';
import { exchange, WireFailure, wireTransport, type Transport } from './wire.js';

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

/** The runtime's transport: our own client under Bun, c-ares under Node. */
const runtimeTransport = (): Transport => (process.versions.bun ? wireTransport : caresTransport);

export const lookupTxt: TxtLookup = (name, options) => lookupTxtVia(runtimeTransport(), name, options);
export const lookupCname: CnameLookup = (name, options) => lookupCnameVia(runtimeTransport(), name, options);

export async function lookupTxtVia(transport: Transport, name: string, options: LookupOptions): Promise<TxtAnswer> {
  const fqdn = checkName(name, TYPE_TXT);
  const started = Date.now();
  // No TXT data: an alias whose target holds none (or that the server would not follow) is said as such.
  const aliasOrNone = async (): Promise<TxtAnswer> => {
    const left = options.timeoutMs - (Date.now() - started);
    return cnameAnswer(left > 0 ? await transport.cname(fqdn, { ...options, timeoutMs: left }).then((t) => t[0], () => undefined) : undefined);
  };
  let records: string[][];
  try {
    records = await transport.txt(fqdn, options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return aliasOrNone();
    throw await explain(error, name, fqdn, TYPE_TXT, options, started);
  }
  if (records.length === 0) return aliasOrNone();
  return { kind: 'records', records };
}

export async function lookupCnameVia(transport: Transport, name: string, options: LookupOptions): Promise<CnameAnswer> {
  const fqdn = checkName(name, TYPE_CNAME);
  const started = Date.now();
  try {
    return cnameAnswer((await transport.cname(fqdn, options))[0]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return { kind: 'none', reason: 'NODATA' };
    throw await explain(error, name, fqdn, TYPE_CNAME, options, started);
  }
}

/** A CNAME target as an answer: lower case, without the final dot; none, NODATA. */
const cnameAnswer = (target: string | undefined): CnameAnswer => (target ? { kind: 'cname', target: target.toLowerCase().replace(/\.$/, '') } : { kind: 'none', reason: 'NODATA' });

function checkName(name: string, type: number): string {
  const ascii = asciiDnsName(name);
  if (ascii === undefined) throw new BasculeError('usage', `${TYPE_NAMES[type]} lookup of ${JSON.stringify(escapeControl(name))}: not a valid DNS name`);
  return ascii;
}

/** c-ares (node:dns) as a transport. It hands each byte of TXT data over as one character (latin1): the data is UTF-8. */
export const caresTransport: Transport = {
  txt: async (fqdn, options) => (await viaCares(fqdn, 'TXT', options)).map((chunks) => chunks.map((c) => Buffer.from(c, 'latin1').toString('utf8'))),
  cname: (fqdn, options) => viaCares(fqdn, 'CNAME', options),
};

/**
 * The question through c-ares: one try given the whole bound, so a slow
 * answer is still heard; c-ares retries over TCP by itself when the UDP
 * answer is truncated.
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
 * a malformed answer) is named by our own client: at once when it asked, else
 * by asking again in the time left: UDP failed, or TCP after a truncated answer.
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
  const precise = (failure: WireFailure) =>
    new BasculeError('dns', `${via} failed over ${failure.transport === 'UDP' ? 'UDP' : 'TCP (the UDP answer was truncated)'}: ${failure.problem}`, { hint });
  if (error instanceof WireFailure) return precise(error);
  const left = options.timeoutMs - (Date.now() - started);
  if (left > 0) {
    try {
      await exchange(fqdn, type, { ...options, timeoutMs: left });
    } catch (failure) {
      if (failure instanceof WireFailure) return precise(failure);
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
