import { describe, expect, it } from 'vitest';
import { assertAllowed, clusterNameFromTxt, compileAllowList, isValidClusterName, type TxtAnswer } from '../../src/dns/cluster-name.js';
import { BasculeError } from '../../src/errors.js';

const records = (...values: (string | string[])[]): TxtAnswer => ({
  kind: 'records',
  records: values.map((v) => (Array.isArray(v) ? v : [v])),
});
const ID = 'eks.devinfra.info';

describe('cluster names', () => {
  it.each([
    ['eks-green', true],
    ['a', true],
    ['9lives', true],
    ['under_score', true],
    ['x'.repeat(100), true],
    ['x'.repeat(101), false],
    ['', false],
    ['-leading', false],
    ['_leading', false],
    ['has.dot', false],
    ['has space', false],
    ['ünïcode', false],
    ['eks-green\n', false],
  ])('%j valid: %s', (name, valid) => expect(isValidClusterName(name)).toBe(valid));
});

describe('clusterNameFromTxt', () => {
  it('takes the one value', () => {
    expect(clusterNameFromTxt(ID, records('eks-green'))).toEqual({ clusterName: 'eks-green', source: 'txt' });
  });
  it('joins the character-strings of one record', () => {
    expect(clusterNameFromTxt(ID, records(['eks-', 'green']))).toEqual({ clusterName: 'eks-green', source: 'txt' });
  });
  it('skips ExternalDNS registry records at the same name', () => {
    const answer = records('heritage=external-dns,external-dns/owner=ingress.devinfra.local,external-dns/resource=service/default/api', 'eks-blue');
    expect(clusterNameFromTxt(ID, answer).clusterName).toBe('eks-blue');
  });
  it('treats two identical values as one', () => {
    expect(clusterNameFromTxt(ID, records('eks-blue', 'eks-blue')).clusterName).toBe('eks-blue');
  });
  it('falls back to the id when it is a cluster name and nothing is there', () => {
    expect(clusterNameFromTxt('eks-green', { kind: 'none', reason: 'NXDOMAIN' })).toEqual({ clusterName: 'eks-green', source: 'id' });
    expect(clusterNameFromTxt('eks-green', { kind: 'none', reason: 'NODATA' })).toEqual({ clusterName: 'eks-green', source: 'id' });
    expect(clusterNameFromTxt('eks-green', records('heritage=external-dns,external-dns/owner=x'))).toEqual({ clusterName: 'eks-green', source: 'id' });
  });

  const failures: [string, string, TxtAnswer, RegExp][] = [
    ['NXDOMAIN at a DNS name', ID, { kind: 'none', reason: 'NXDOMAIN' }, /no TXT record naming a cluster was found at eks\.devinfra\.info \(no such name \(NXDOMAIN\)\)/],
    ['no TXT data at a DNS name', ID, { kind: 'none', reason: 'NODATA' }, /no TXT record .* at eks\.devinfra\.info \(no TXT data\)/],
    ['only registry records', ID, records('heritage=external-dns,external-dns/owner=x'), /only ExternalDNS registry records/],
    ['two different values', ID, records('eks-blue', 'eks-green'), /holds 2 different values \("eks-blue", "eks-green"\); exactly one/],
    ['an invalid value', ID, records('eks green'), /holds "eks green", which is not a valid EKS cluster name/],
    ['an over-long value', ID, records('x'.repeat(101)), /is 101 characters long \(at most 100\)/],
    ['a value with a dot', ID, records('eks.green'), /not a valid EKS cluster name/],
    ['an empty value', ID, records(''), /holds "", which is not a valid/],
  ];
  it.each(failures)('refuses %s', (_, id, answer, message) => {
    let error: unknown;
    try {
      clusterNameFromTxt(id, answer);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BasculeError);
    expect((error as BasculeError).kind).toBe('dns');
    expect((error as BasculeError).message).toMatch(message);
  });

  it('bounds and quotes hostile values in messages', () => {
    expect(() => clusterNameFromTxt(ID, records(`x${'\u001b[31m'.repeat(50)}`))).toThrow(/holds "x(\\u001b\[31m){11}\\u001b\[3…"/);
  });
});

describe('allow-list', () => {
  it('accepts names and globs', () => {
    const allowed = compileAllowList(['eks-blue', 'eks-green', 'staging-*']);
    expect(['eks-blue', 'eks-green', 'staging-1', 'staging-'].map(allowed)).toEqual([true, true, true, true]);
    expect(['eks-red', 'prod', 'xstaging-1', 'eks-blue2'].map(allowed)).toEqual([false, false, false, false]);
  });
  it('allows everything when empty', () => expect(compileAllowList([])('anything')).toBe(true));
  it.each(['eks.green', 'a b', '', 'x'.repeat(101), '[abc]', '?'])('refuses the pattern %j', (p) => {
    expect(() => compileAllowList([p])).toThrow(/--allow-cluster .* is not a cluster name or a glob/);
  });
  it('names the record and the list when refusing', () => {
    expect(() => assertAllowed({ clusterName: 'eks-prod', source: 'txt' }, ID, ['eks-blue', 'eks-green'])).toThrow(
      /refusing to sign for cluster "eks-prod": the TXT record at eks\.devinfra\.info names a cluster outside --allow-cluster \(eks-blue, eks-green\)/,
    );
  });
});
