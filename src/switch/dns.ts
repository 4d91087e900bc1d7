/**
 * DNS as the switch and status see it, through the configured resolver: the
 * TXT lookup of the token path (token/dns.ts), and a CNAME lookup for the
 * stable API name, which only the switch needs (kept off the token path).
 */
import { BasculeError } from '../errors.js';
import type { TxtAnswer } from '../token/cluster-name.js';
import { lookupTxt } from '../token/dns.js';
import { normName } from './spec.js';

export type CnameAnswer = { readonly kind: 'cname'; readonly target: string } | { readonly kind: 'none'; readonly reason: 'NXDOMAIN' | 'NODATA' };

export interface DnsPort {
  /** Who answers, for messages: "DNS server 10.0.0.2" or "the system resolver". */
  readonly where: string;
  txt(name: string): Promise<TxtAnswer>;
  cname(name: string): Promise<CnameAnswer>;
}

export async function lookupCname(name: string, options: { server: string | undefined; timeoutMs: number }): Promise<CnameAnswer> {
  const { Resolver } = await import('node:dns/promises');
  const resolver = new Resolver({ timeout: Math.max(50, Math.floor(options.timeoutMs / 3)), tries: 2 });
  if (options.server) resolver.setServers([options.server]);
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  let timer: NodeJS.Timeout | undefined;
  const where = options.server ? `DNS server ${options.server}` : 'the system resolver';
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      resolver.cancel();
      reject(new BasculeError('dns', `CNAME lookup of ${name} via ${where} failed: no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
  });
  try {
    const targets = await Promise.race([resolver.resolveCname(fqdn), deadline]);
    const target = targets[0];
    return target ? { kind: 'cname', target: normName(target) } : { kind: 'none', reason: 'NODATA' };
  } catch (error) {
    if (error instanceof BasculeError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ENOTFOUND') return { kind: 'none', reason: 'NXDOMAIN' };
    if (code === 'ENODATA') return { kind: 'none', reason: 'NODATA' };
    throw new BasculeError('dns', `CNAME lookup of ${name} via ${where} failed: ${code ?? String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

export function dnsPort(server: string | undefined, timeoutMs: number): DnsPort {
  return {
    where: server ? `DNS server ${server}` : 'the system resolver',
    txt: (name) => lookupTxt(name, { server, timeoutMs }),
    cname: (name) => lookupCname(name, { server, timeoutMs }),
  };
}
