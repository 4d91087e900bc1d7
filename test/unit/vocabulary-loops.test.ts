/**
 * The rules on kubectl's path are loops over char codes (src/vocabulary.ts
 * says why); the regular expressions they replaced are their specification.
 * Differential: every rule against its regular expression, on the edge cases
 * by hand and on 30,000 strings drawn (seeded) from alphabets of the
 * characters that matter.
 */
import { describe, expect, it } from 'vitest';
import { compileAllowList } from '../../src/dns/cluster-name.js';
import { asciiDnsName, CLUSTER_NAME_PATTERN, isIP, isValidClusterName, splitDnsServer } from '../../src/vocabulary.js';

// ---- the specification: the regular expressions, as they were
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
function specIsIP(host: string): 0 | 4 | 6 {
  if (IPV4.test(host)) return 4;
  if (!host.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(host)) return 0;
  try {
    return new URL(`http://[${host}]/`).hostname.length > 2 ? 6 : 0;
  } catch {
    return 0;
  }
}
function specAsciiDnsName(name: string): string | undefined {
  const trimmed = name.trim().replace(/\.$/, '');
  let ascii = trimmed.toLowerCase();
  if (!/^[\x21-\x7e]*$/.test(trimmed) || /(^|\.)xn--/i.test(trimmed)) {
    if (/[/?#@:%\\\s]/.test(trimmed)) return undefined;
    try {
      ascii = new URL(`http://${trimmed}/`).hostname;
    } catch {
      return undefined;
    }
  }
  return DNS_NAME.test(ascii) ? ascii : undefined;
}
function specSplitDnsServer(value: string): { host: string; port: number; family: number } | 'bad' {
  const trimmed = value.trim();
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(trimmed);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    host = bracketed[1] as string;
    port = bracketed[2];
  } else if (specIsIP(trimmed) === 6) {
    host = trimmed;
  } else {
    const parts = trimmed.split(':');
    if (parts.length > 2) return 'bad';
    host = parts[0] ?? '';
    port = parts[1];
  }
  const family = specIsIP(host);
  if (family === 0) return 'bad';
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return 'bad';
  return { host, port: port === undefined ? 53 : Number(port), family };
}
const specPatternOk = (pattern: string) => /^[0-9A-Za-z_*-]{1,100}$/.test(pattern);
const specAllowed = (patterns: string[], name: string) => patterns.some((p) => new RegExp(`^${p.split('*').join('[A-Za-z0-9_-]*')}$`).test(name));

// ---- seeded strings
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function strings(alphabet: readonly string[], count: number, maxLength: number, seed: number): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * random() * (maxLength + 1));
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
    return s;
  });
}
const NAME_CHARS = [...'abcXYZ019', '-', '_', '.', '*', ' ', 'é', '\n', '\u0130', 'K', '/'];
const IP_CHARS = [...'0123456789', '.', ':', '[', ']', 'a', 'F', ' ', '%'];

describe('the loops say what their regular expressions said', () => {
  it('cluster names (and the pattern the JSON Schema shows is the same expression)', () => {
    expect(CLUSTER_NAME_PATTERN.source).toBe(CLUSTER_NAME.source);
    const edges = ['a', 'A', '0', '-a', '_a', 'a-', 'a_', 'a'.repeat(100), 'a'.repeat(101), '', 'eks-green', 'eks.green', 'é', 'a\n', 'a b'];
    for (const s of [...edges, ...strings(NAME_CHARS, 10_000, 110, 1)]) expect([s, isValidClusterName(s)]).toEqual([s, CLUSTER_NAME.test(s)]);
  });

  it('IP addresses, v4 and v6', () => {
    const edges = ['0.0.0.0', '255.255.255.255', '256.0.0.1', '01.2.3.4', '1.2.3', '1.2.3.4.', '1.2.3.4.5', '00.1.1.1', '1..2.3', '127.0.0.1', '::1', 'fe80::1', '1:2:3:4:5:6:7:8', '1.2.3.4:53', 'a::b::c', ''];
    for (const s of [...edges, ...strings(IP_CHARS, 10_000, 20, 2)]) expect([s, isIP(s)]).toEqual([s, specIsIP(s)]);
  });

  it('DNS server specs (HOST[:PORT], [IPv6]:PORT)', () => {
    const edges = ['127.0.0.1', '127.0.0.1:5353', '127.0.0.1:', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:053', '[::1]:53', '[::1]', '::1', '[::1]:', ' 10.0.0.2 ', '1.2.3.4:123456'];
    for (const s of [...edges, ...strings(IP_CHARS, 5_000, 24, 3)]) {
      const ours = splitDnsServer(s);
      expect([s, typeof ours === 'string' ? 'bad' : ours]).toEqual([s, specSplitDnsServer(s)]);
    }
  });

  it('DNS names (trailing dot, case, labels of 63, 253 in all, IDN)', () => {
    const label = 'a'.repeat(63);
    const edges = ['eks.devinfra.info', 'EKS.DevInfra.Info.', '_bascule.x', '-a.b', 'a-.b', 'a..b', '.', '', ' a.b ', `${label}.b`, `${label}a.b`, [label, label, label, 'a'.repeat(61)].join('.'), [label, label, label, 'a'.repeat(62)].join('.'), 'xn--zz.example', 'XN--bcher-kva.example', 'bücher.example', 'a/b.c', 'a b.c'];
    for (const s of [...edges, ...strings(NAME_CHARS, 10_000, 80, 4)]) expect([s, asciiDnsName(s)]).toEqual([s, specAsciiDnsName(s)]);
  });

  it('--allow-cluster globs: which patterns are refused, and what each matches', () => {
    const random = prng(5);
    const patterns = strings([...'eksbg-_', '*', '*', '.', 'é'], 3_000, 8, 6);
    const names = strings([...'eksbg-_', 'x', '.', 'é'], 3_000, 10, 7);
    for (let i = 0; i < patterns.length; i++) {
      const pattern = patterns[i] as string;
      if (!specPatternOk(pattern)) {
        expect(() => compileAllowList([pattern]), pattern).toThrow('is not a cluster name or a glob of one');
        continue;
      }
      const allowed = compileAllowList([pattern]);
      for (let j = 0; j < 10; j++) {
        const name = names[Math.floor(random() * names.length)] as string;
        expect([pattern, name, allowed(name)]).toEqual([pattern, name, specAllowed([pattern], name)]);
      }
    }
    expect(compileAllowList(['eks-*', 'prod'])('prod')).toBe(true);
    expect(compileAllowList(['*a*a*'])('aa')).toBe(true);
    expect(compileAllowList(['*a*a*'])('a')).toBe(false);
    expect(compileAllowList(['ab*ba'])('aba')).toBe(false);
    expect(compileAllowList(['*ab*b'])('ab')).toBe(false);
    expect(compileAllowList(['*ab*b'])('abb')).toBe(true);
    expect(compileAllowList(['e*ks*s'])('eks')).toBe(false);
  });
});
