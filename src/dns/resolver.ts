/**
 * The one DNS resolver of bascule: TXT and CNAME questions, bounded as a
 * whole by one timeout, used by the token and the switch. No cache of our
 * own: every call asks, so a switch is followed at once.
 *
 * One client in both artefacts: bascule's own (./wire.ts), over libc's or
 * Bun's UDP sockets in the single binary and node:dgram in the Node bundle (./udp.ts), so the two
 * accept the same answers and say the same thing. Not c-ares (node:dns) in
 * the bundle: it takes TXT records owned by any name in the answer (an
 * answer for evil.example to a question for eks.example), calls an empty TXT
 * record a bad response where the binary read it, and cannot say which
 * transport failed; and in Bun, node:dns costs ~5 ms on every kubectl call.
 */
import { BasculeError } from '../errors.js';
import { asciiDnsName } from '../vocabulary.js';
import { echo } from '../text.js';
import { TYPE_CNAME, TYPE_NAMES, TYPE_TXT } from './record-types.js';
import { WireFailure, wireTransport, type Transport } from './wire.js';

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
  /** Work of the caller's to do while the answer travels: called once the first question is sent. */
  readonly whileWaiting?: () => void;
  /**
   * Nothing else runs in the process meanwhile (`bascule token`): the lookup
   * may wait for its answer in a blocking poll(2) on libc's sockets (the
   * Linux binary), which would hold up every other timer and socket.
   */
  readonly mayBlock?: boolean;
  /** -v: which server answered, over what. */
  readonly verbose?: (line: string) => void;
}

export type TxtLookup = (name: string, options: LookupOptions) => Promise<TxtAnswer>;
export type CnameLookup = (name: string, options: LookupOptions) => Promise<CnameAnswer>;

export const lookupTxt: TxtLookup = (name, options) => lookupTxtVia(wireTransport, name, options);
export const lookupCname: CnameLookup = (name, options) => lookupCnameVia(wireTransport, name, options);

export async function lookupTxtVia(transport: Transport, name: string, options: LookupOptions): Promise<TxtAnswer> {
  const fqdn = checkName(name, TYPE_TXT);
  const started = Date.now();
  // No TXT data: an alias whose target holds none (or that the server would not follow) is said as such.
  const aliasOrNone = async (): Promise<TxtAnswer> => {
    const left = options.timeoutMs - (Date.now() - started);
    // The caller's work was done during the first question: not again.
    const { whileWaiting: _done, ...rest } = options;
    return cnameAnswer(left > 0 ? await transport.cname(fqdn, { ...rest, timeoutMs: left }).then((t) => t[0], () => undefined) : undefined);
  };
  let records: string[][];
  try {
    records = await transport.txt(fqdn, options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return aliasOrNone();
    throw explain(error, name, TYPE_TXT, options);
  }
  if (records.length === 0) return aliasOrNone();
  return { kind: 'records', records };
}

export async function lookupCnameVia(transport: Transport, name: string, options: LookupOptions): Promise<CnameAnswer> {
  const fqdn = checkName(name, TYPE_CNAME);
  try {
    return cnameAnswer((await transport.cname(fqdn, options))[0]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return { kind: 'none', reason: 'NODATA' };
    throw explain(error, name, TYPE_CNAME, options);
  }
}

/** A CNAME target as an answer: lower case, without the final dot; none, NODATA. */
const cnameAnswer = (target: string | undefined): CnameAnswer => (target ? { kind: 'cname', target: target.toLowerCase().replace(/\.$/, '') } : { kind: 'none', reason: 'NODATA' });

function checkName(name: string, type: number): string {
  const ascii = asciiDnsName(name);
  if (ascii === undefined) throw new BasculeError('usage', `${TYPE_NAMES[type]} lookup of "${echo(name)}": not a valid DNS name`);
  return ascii;
}

/** What the server answered, by the code the transport gives it (c-ares's names). */
const ANSWERS: Record<string, string> = {
  ESERVFAIL: 'answered SERVFAIL',
  EREFUSED: 'refused the query (REFUSED)',
  ENOTIMP: 'does not implement the query (NOTIMP)',
  EFORMERR: 'could not read the question (FORMERR)',
};

/**
 * Turns a failed lookup into an error naming the record, the server and what
 * failed: an answer (SERVFAIL, REFUSED) as such; no answer in time, as such;
 * a failure of the transport (a refused connection, a malformed answer) with
 * the transport that failed: UDP, or TCP after a truncated answer.
 */
function explain(error: unknown, name: string, type: number, options: LookupOptions): BasculeError {
  if (error instanceof BasculeError) return error;
  const code = (error as { code?: string }).code ?? 'unknown error';
  const via = `${TYPE_NAMES[type]} lookup of ${echo(name)} via ${describeServer(options.server)}`;
  // The lookup's failure, typed (errno: ESERVFAIL, ETIMEOUT, ECONNREFUSED...): its message names the record and the server.
  const typed = { hint: hintFor(name), errno: (error as { code?: string }).code ?? 'EUNKNOWN', cause: error };
  if (ANSWERS[code]) return new BasculeError('dns', `${via} failed: the server ${ANSWERS[code]}`, typed);
  if (code === 'ETIMEOUT') return new BasculeError('dns', `${via} failed: no answer within ${options.timeoutMs} ms (over UDP, and TCP if the answer was truncated)`, typed);
  if (error instanceof WireFailure) {
    return new BasculeError('dns', `${via} failed over ${error.transport === 'UDP' ? 'UDP' : 'TCP (the UDP answer was truncated)'}: ${error.problem}`, typed);
  }
  return new BasculeError('dns', `${via} failed: ${echo(code === 'unknown error' ? String((error as Error)?.message ?? error) : code)}`, typed);
}

/** "the system resolver (10.0.0.2)" or "DNS server 10.0.0.2". */
export function describeServer(server: string | undefined): string {
  return server ? `DNS server ${server}` : 'the system resolver';
}

const hintFor = (name: string) => `check that the DNS server is reachable and serves ${echo(name)}, raise --dns-timeout, or pass --dns-server for a resolver that does`;
