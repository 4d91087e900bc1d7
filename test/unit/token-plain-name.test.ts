/**
 * An id without a dot is a cluster name (EKS names cannot hold one): signed
 * for as is, with no TXT lookup. An id with a dot is a DNS name: looked up.
 */
import { describe, expect, it } from 'vitest';
import { isPlainClusterName } from '../../src/dns/cluster-name.js';
import { resolveClusterName } from '../../src/token/get-token.js';
import type { TokenInput } from '../../src/token/options.js';

const input = (id: string, extra: Partial<TokenInput> = {}): TokenInput => ({
  id,
  roleArn: undefined,
  sessionName: undefined,
  forwardSessionName: false,
  externalId: undefined,
  region: undefined,
  profile: undefined,
  durationSeconds: undefined,
  tokenOnly: false,
  dnsServer: undefined,
  allowClusters: [],
  allowServers: [],
  sourceIdentity: undefined,
  tags: [],
  noDns: false,
  dnsTimeoutMs: 2000,
  cache: false,
  cacheMinValidityMs: 0,
  awsTimeoutMs: 15_000,
  ...extra,
});

describe('an id without a dot', () => {
  it.each([
    ['eks-green', true],
    ['EKS_prod-2', true],
    ['eks.devinfra.info', false],
    ['eks-green.', false],
    ['-starts-with-dash', false],
  ])('%j is a plain cluster name: %s', (id, plain) => expect(isPlainClusterName(id)).toBe(plain));

  it('is signed for as is: no TXT lookup', async () => {
    const lookups: string[] = [];
    const lookupTxt = async (name: string) => {
      lookups.push(name);
      return { kind: 'records' as const, records: [['eks-blue']] };
    };
    expect(await resolveClusterName(input('eks-green'), { lookupTxt })).toEqual({ clusterName: 'eks-green', source: 'id' });
    expect(lookups).toEqual([]);
  });

  it('still meets the allow-list', async () => {
    const lookupTxt = async () => {
      throw new Error('no lookup expected');
    };
    await expect(resolveClusterName(input('eks-red', { allowClusters: ['eks-blue', 'eks-green'] }), { lookupTxt })).rejects.toThrow(
      /refusing to sign for cluster "eks-red": the id is a cluster outside --allow-cluster/,
    );
  });

  it('a DNS name is looked up', async () => {
    const lookups: string[] = [];
    const lookupTxt = async (name: string) => {
      lookups.push(name);
      return { kind: 'records' as const, records: [['eks-blue']] };
    };
    expect(await resolveClusterName(input('eks.devinfra.info'), { lookupTxt })).toEqual({ clusterName: 'eks-blue', source: 'txt' });
    expect(lookups).toEqual(['eks.devinfra.info']);
  });
});
