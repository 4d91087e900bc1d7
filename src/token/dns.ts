/**
 * DNS adapter: one TXT lookup, through the system's resolver or a given one,
 * bounded in time. No cache of our own: every call asks, so a switch is
 * followed at once.
 */
import { BasculeError, usageError } from '../errors.js';
import type { TxtAnswer } from './cluster-name.js';

/**
 * 4 or 6 for an IP address, else 0. (node:net's isIP would load the whole net
 * module on kubectl's hot path; the WHATWG URL parser is already loaded.)
 */
export function isIP(host: string): 0 | 4 | 6 {
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host)) return 4;
  if (!host.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(host)) return 0;
  try {
    return new URL(`http://[${host}]/`).hostname.length > 2 ? 6 : 0;
  } catch {
    return 0;
  }
}

/** `HOST[:PORT]` with an IP host: 10.0.0.2, 10.0.0.2:5353, ::1, [::1]:5353. */
export function parseDnsServer(value: string): string {
  const trimmed = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    host = bracketed[1] as string;
    port = bracketed[2];
  } else if (isIP(trimmed) === 6) {
    host = trimmed;
  } else {
    const [h, p, ...rest] = trimmed.split(':');
    if (rest.length > 0) throw usageError(`--dns-server ${JSON.stringify(value)} is not HOST[:PORT]`, 'write IPv6 servers as [::1]:53');
    host = h ?? '';
    port = p;
  }
  if (isIP(host) === 0) {
    throw usageError(`--dns-server ${JSON.stringify(value)}: "${host}" is not an IP address`, 'give the resolver as an IP address, e.g. 10.0.0.2 or 127.0.0.1:5353');
  }
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw usageError(`--dns-server ${JSON.stringify(value)}: port "${port}" is not between 1 and 65535`);
  }
  if (port === undefined || Number(port) === 53) return isIP(host) === 6 ? `[${host}]:53` : host;
  return isIP(host) === 6 ? `[${host}]:${Number(port)}` : `${host}:${Number(port)}`;
}

export interface TxtLookupOptions {
  /** From parseDnsServer; undefined: the system's resolvers (/etc/resolv.conf). */
  readonly server: string | undefined;
  readonly timeoutMs: number;
}

export type TxtLookup = (name: string, options: TxtLookupOptions) => Promise<TxtAnswer>;

const where = (server: string | undefined) => (server ? `DNS server ${server}` : 'the system resolver');

export const lookupTxt: TxtLookup = async (name, { server, timeoutMs }) => {
  const { Resolver } = await import('node:dns/promises');
  const tries = 2;
  const resolver = new Resolver({ timeout: Math.max(50, Math.floor(timeoutMs / (tries + 1))), tries });
  // setServers validates with node's IPv6 expression (~10 ms to compile) unless
  // given a bare IPv4 address: parseDnsServer writes port 53 that way.
  if (server) resolver.setServers([server]);
  // A trailing dot makes the name absolute: no search-domain expansion that
  // could turn "eks-green" into "eks-green.corp.example" and its records.
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      resolver.cancel();
      reject(dnsError(name, server, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const records = await Promise.race([resolver.resolveTxt(fqdn), deadline]);
    return { kind: 'records', records };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return { kind: 'none', reason: 'NODATA' };
    if (error instanceof BasculeError) throw error;
    throw dnsError(name, server, describeDnsCode(code, timeoutMs));
  } finally {
    clearTimeout(timer);
  }
};

function dnsError(name: string, server: string | undefined, problem: string): BasculeError {
  return new BasculeError('dns', `TXT lookup of ${name} via ${where(server)} failed: ${problem}`, {
    hint: server
      ? 'check that the DNS server is reachable and serves this zone, or raise --dns-timeout'
      : 'check your network and resolver, or pass --dns-server for a resolver that serves this zone',
  });
}

function describeDnsCode(code: string | undefined, timeoutMs: number): string {
  switch (code) {
    case 'ESERVFAIL':
      return 'the server answered SERVFAIL';
    case 'EREFUSED':
      return 'the server refused the query (REFUSED)';
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return `no answer within ${timeoutMs} ms`;
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EBADRESP':
    case 'EFORMERR':
      return 'the answer was malformed';
    case 'EBADNAME':
      return 'the name is not a valid DNS name';
    default:
      return code ?? 'unknown error';
  }
}
