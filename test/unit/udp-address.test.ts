/**
 * libc's sockets take the DNS server's address as bytes (src/dns/udp.ts):
 * held to Python's socket.inet_pton, the C library's own parser, for every
 * spelling the vocabulary lets through.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { addressBytes } from '../../src/dns/udp.js';
import { splitDnsServer, type DnsServer } from '../../src/vocabulary.js';

const SPELLINGS = [
  '127.0.0.1',
  '10.0.0.2',
  '255.255.255.255',
  '0.0.0.0',
  '169.254.169.253',
  '[::1]:53',
  '[::]:53',
  '[2001:db8::1]:5353',
  '[2001:DB8:0:0:0:0:0:1]:53',
  '[fe80::1:2:3:4]:53',
  '[1:2:3:4:5:6:7:8]:53',
  '[1::8]:53',
  '[1:2:3:4:5:6:7::]:53',
  '[::ffff:192.0.2.128]:53',
  '[::192.0.2.1]:53',
  '[fd00:ec2::253]:53',
  '[0001:0db8:0000:0000:0000:0000:0000:0001]:53',
];

const inetPton = (servers: DnsServer[]): string[] =>
  execFileSync(
    'python3',
    ['-c', 'import json,socket,sys\nfor h,f in json.load(sys.stdin): print(socket.inet_pton(socket.AF_INET6 if f == 6 else socket.AF_INET, h).hex())'],
    { input: JSON.stringify(servers.map((s) => [s.host, s.family])), encoding: 'utf8' },
  )
    .trim()
    .split('\n');

describe('addressBytes', () => {
  it('gives the bytes inet_pton gives, for every spelling', () => {
    const servers = SPELLINGS.map((spelling) => {
      const parsed = splitDnsServer(spelling);
      if (typeof parsed === 'string') throw new Error(`${spelling}: ${parsed}`);
      return parsed;
    });
    const ours = servers.map((s) => Buffer.from(addressBytes(s)).toString('hex'));
    expect(ours).toEqual(inetPton(servers));
    expect(ours.filter((hex) => hex.length === 32)).toHaveLength(12); // the IPv6 spellings were read as such
  });
});
