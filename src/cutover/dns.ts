/**
 * DNS as the switch and status see it: the one resolver (src/dns/), through
 * the configured server, bounded by --dns-timeout.
 */
import { describeServer, lookupCname, lookupTxt, type CnameAnswer, type TxtAnswer } from '../dns/resolver.js';
import { normName } from '../production/names.js';

export type { CnameAnswer };

export interface DnsPort {
  /** Who answers, for messages: "DNS server 10.0.0.2" or "the system resolver". */
  readonly where: string;
  txt(name: string): Promise<TxtAnswer>;
  cname(name: string): Promise<CnameAnswer>;
}

export function dnsPort(server: string | undefined, timeoutMs: number): DnsPort {
  return {
    where: describeServer(server),
    txt: (name) => lookupTxt(name, { server, timeoutMs }),
    cname: async (name) => {
      const answer = await lookupCname(name, { server, timeoutMs });
      return answer.kind === 'cname' ? { kind: 'cname', target: normName(answer.target) } : answer;
    },
  };
}
