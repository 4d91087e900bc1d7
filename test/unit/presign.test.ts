/**
 * Golden vectors for the EKS token: fixed credentials and instant -> one exact
 * string per case. Each vector is also checked by the independent verifier
 * (test/support/eks-verifier.mjs) and, where the AWS CLI is installed, against
 * botocore's presigner for the same instant.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presignToken } from '../../src/aws/presign.js';
import { stsHost } from '../../src/vocabulary.js';
import { verifyToken } from '../support/eks-verifier.mjs';

interface Vector {
  name: string;
  region: string;
  partition: string;
  clusterName: string;
  sessionToken: string | null;
  token: string;
}
const golden = JSON.parse(readFileSync(new URL('../golden/tokens.json', import.meta.url), 'utf8')) as {
  accessKeyId: string;
  secretAccessKey: string;
  instant: string;
  vectors: Vector[];
};
const instant = new Date(golden.instant);

const decode = (token: string) => Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8');
const sortedParams = (url: string) => [...new URL(url).searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

const botocore = (() => {
  const probe = spawnSync('python3', ['-c', 'import botocore, awscli'], { stdio: 'ignore' });
  if (probe.error) return 'python3 is not installed';
  if (probe.status !== 0) return 'python3 has no botocore/awscli (the AWS CLI v1)';
  return undefined;
})();

describe('presignToken golden vectors', () => {
  for (const v of golden.vectors) {
    const credentials = {
      accessKeyId: golden.accessKeyId,
      secretAccessKey: golden.secretAccessKey,
      ...(v.sessionToken ? { sessionToken: v.sessionToken } : {}),
    };

    it(`${v.name}: exact token`, async () => {
      const t = await presignToken({ credentials, region: v.region, clusterName: v.clusterName, now: instant });
      expect(t.token).toBe(v.token);
      expect(t.signedAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
      expect(t.expiresAt.toISOString()).toBe('2026-01-02T03:18:05.000Z');
      expect(t.token).not.toMatch(/=/);
      const url = new URL(decode(t.token));
      expect(url.hostname).toBe(stsHost(v.region));
      expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
      expect(url.searchParams.get('X-Amz-Security-Token')).toBe(v.sessionToken);
    });

    it(`${v.name}: accepted by the independent verifier for its cluster only`, async () => {
      const lookupSecret = (id: string) =>
        id === golden.accessKeyId ? { secretAccessKey: golden.secretAccessKey, sessionToken: v.sessionToken ?? undefined, arn: 'arn:aws:iam::123456789012:user/golden' } : undefined;
      const now = new Date(instant.getTime() + 60_000);
      await expect(verifyToken(v.token, { clusterName: v.clusterName, partition: v.partition, now, lookupSecret })).resolves.toMatchObject({
        accessKeyId: golden.accessKeyId,
        region: v.region,
      });
      await expect(verifyToken(v.token, { clusterName: 'other-cluster', partition: v.partition, now, lookupSecret })).rejects.toThrow(/SignatureDoesNotMatch/);
    });

    it(`${v.name}: same URL as botocore (aws eks get-token) for the same instant`, () => {
      // Never a skip: .ci/run checks botocore is there; without it this cross-check fails and says why.
      expect(botocore, 'the botocore cross-check needs python3 with botocore/awscli').toBeUndefined();
      const out = execFileSync(
        'python3',
        [
          new URL('../support/botocore_token.py', import.meta.url).pathname,
          v.region,
          v.clusterName,
          golden.accessKeyId,
          golden.secretAccessKey,
          v.sessionToken ?? '-',
          golden.instant.replace(/\.\d+Z$/, 'Z'),
        ],
        { encoding: 'utf8' },
      ).trim();
      // Same parameters and signature; botocore writes X-Amz-Signature last,
      // bascule (like aws-iam-authenticator) sorts every key.
      expect(sortedParams(decode(out))).toEqual(sortedParams(decode(v.token)));
      expect(new URL(decode(out)).host).toBe(new URL(decode(v.token)).host);
    });
  }

  it('caps the expiry at the credentials own expiration', async () => {
    const expiration = new Date(instant.getTime() + 5 * 60_000);
    const t = await presignToken({
      credentials: { accessKeyId: golden.accessKeyId, secretAccessKey: golden.secretAccessKey, sessionToken: 'x', expiration },
      region: 'eu-west-1',
      clusterName: 'eks-green',
      now: instant,
    });
    expect(t.expiresAt).toEqual(expiration);
  });
});
