/**
 * One vocabulary: the platform file accepts exactly what the flags accept.
 * Each value goes through the flag parser (bascule token's) and through the
 * platform schema (the example file with that one value changed); the two
 * verdicts must agree, and match the expected one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BasculeError } from '../../src/errors.js';
import { loadPlatform } from '../../src/platform/load.js';
import { asciiDnsName, durationMs, escapeControl, parseDnsServer, regionProblem, roleArnProblem, stsHost } from '../../src/vocabulary.js';
import { parseTokenInput } from '../../src/token/options.js';
import { replaceOnce } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLE = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');

const schemaAccepts = (text: string): boolean => {
  try {
    loadPlatform(text, { source: 'platform.yaml', baseDir: join(ROOT, 'examples') });
    return true;
  } catch (error) {
    if (error instanceof BasculeError) return false;
    throw error;
  }
};
const flagAccepts = (flags: Parameters<typeof parseTokenInput>[0]): boolean => {
  try {
    parseTokenInput({ clusterId: 'eks-green', ...flags }, {});
    return true;
  } catch (error) {
    if (error instanceof BasculeError && error.kind === 'usage') return false;
    throw error;
  }
};

describe('the platform file and the flags agree', () => {
  it.each([
    ['10.0.0.2', true],
    ['127.0.0.1:5353', true],
    ['[::1]:53', true],
    ['::1', true],
    ['999.0.0.1', false],
    ['10.0.0.2:99999', false],
    ['10.0.0.2:0', false],
    ['dns.example', false],
    ['[zz::1]:53', false],
  ])('DNS server %s: %s', (server, ok) => {
    const text = replaceOnce(EXAMPLE, '  # dnsServer: 10.0.0.2 ', `  dnsServer: "${server}" #`);
    expect(schemaAccepts(text), 'platform file').toBe(ok);
    expect(flagAccepts({ dnsServer: server }), '--dns-server').toBe(ok);
  });

  it.each([
    ['arn:aws:iam::123456789012:role/x', true],
    ['arn:aws-cn:iam::123456789012:role/x', true],
    ['arn:aws-us-gov:iam::123456789012:role/x', true],
    ['arn:aws-iso-b:iam::123456789012:role/x', true],
    ['arn:aws-eusc:iam::123456789012:role/x', true],
    ['arn:aws-mars:iam::123456789012:role/x', false],
    ['arn:aws:iam::12345:role/x', false],
    ['arn:aws:iam::123456789012:user/x', false],
  ])('role ARN %s: %s', (arn, ok) => {
    const text = replaceOnce(EXAMPLE, 'roleArn: arn:aws:iam::123456789012:role/eks-blue-external-dns', `roleArn: ${arn}`);
    expect(schemaAccepts(text), 'platform file').toBe(ok);
    expect(flagAccepts({ role: arn }), '--role').toBe(ok);
  });

  it.each([
    ['eu-west-3', true],
    ['us-gov-west-1', true],
    ['cn-north-1', true],
    ['us-isob-east-1', true],
    ['eusc-de-east-1', true],
    ['ap-southeast-5', true],
    ['mars-1', false],
    ['EU-WEST-3', false],
  ])('region %s: %s', (region, ok) => {
    const text = replaceOnce(EXAMPLE, '  region: eu-west-3\n', `  region: ${region}\n`);
    expect(schemaAccepts(text), 'platform file').toBe(ok);
    expect(flagAccepts({ region }), '--region').toBe(ok);
  });
});

describe('the rules', () => {
  it('durations: units everywhere, a bare number is milliseconds', () => {
    expect(['2000', '2s', '1.5s', '250ms', '1m30s', '1h'].map(durationMs)).toEqual([2000, 2000, 1500, 250, 90_000, 3_600_000]);
    expect(['', 's', '2 s', '-1s', '1d', '2,5s'].map(durationMs)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('DNS names: IDN to punycode, invalid punycode and bad labels refused', () => {
    expect(asciiDnsName('eks.devinfra.info.')).toBe('eks.devinfra.info');
    expect(asciiDnsName('ÉKS.devinfra.info')).toBe('xn--ks-9ia.devinfra.info');
    expect(asciiDnsName('_bascule.devinfra.info')).toBe('_bascule.devinfra.info');
    for (const bad of ['xn--zz.x.test', 'a..b', `${'a'.repeat(64)}.b`, 'a b.c', 'a%41.b', 'a/b', '']) expect(asciiDnsName(bad), bad).toBeUndefined();
  });

  it('every partition has its STS host', () => {
    expect(['eu-west-3', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1'].map(stsHost)).toEqual([
      'sts.eu-west-3.amazonaws.com',
      'sts.cn-north-1.amazonaws.com.cn',
      'sts.us-gov-west-1.amazonaws.com',
      'sts.us-iso-east-1.c2s.ic.gov',
      'sts.us-isob-east-1.sc2s.sgov.gov',
      'sts.eu-isoe-west-1.cloud.adc-e.uk',
      'sts.us-isof-south-1.csp.hci.ic.gov',
      'sts.eusc-de-east-1.amazonaws.eu',
    ]);
    expect(regionProblem('eusc-de-east-1')).toBeUndefined();
    expect(roleArnProblem('arn:aws-eusc:iam::123456789012:role/x')).toBeUndefined();
  });

  it('DNS servers are written one way', () => {
    expect(['10.0.0.2:53', ' 10.0.0.2 ', '::1', '[::1]', '127.0.0.1:5353'].map((s) => parseDnsServer(s))).toEqual(['10.0.0.2', '10.0.0.2', '[::1]:53', '[::1]:53', '127.0.0.1:5353']);
  });

  it('text from outside is escaped: C0, DEL, C1 and bidi overrides', () => {
    expect(escapeControl('a\u001b[31mb\u007fc\u009bd\u202ee\n')).toBe('a\\u001b[31mb\\u007fc\\u009bd\\u202ee\\u000a');
  });
});
