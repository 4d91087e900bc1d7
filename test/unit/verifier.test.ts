/**
 * The stand-in's verifier is itself tested: bascule's tokens pass it, and a
 * table of malformed tokens fails it, each on the rule the EKS authenticator
 * applies. (A verifier that accepts anything would make every end-to-end
 * test meaningless.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { presignToken } from '../../src/aws/presign.js';
import { verifyToken } from '../support/eks-verifier.mjs';
import { KEYS } from '../support/run.js';

const now = new Date('2026-03-04T05:06:07Z');
const lookupSecret = (id: string) => (id === KEYS.accessKeyId ? { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn } : undefined);
const verify = (token: string, at = new Date(now.getTime() + 30_000), clusterName = 'eks-green') =>
  verifyToken(token, { clusterName, partition: 'aws', now: at, lookupSecret });

let good: string;
let url: string;
const encode = (u: string) => `k8s-aws-v1.${Buffer.from(u).toString('base64url')}`;

beforeAll(async () => {
  good = (await presignToken({ credentials: KEYS, region: 'eu-west-1', clusterName: 'eks-green', now })).token;
  url = Buffer.from(good.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8');
});

describe('verifier', () => {
  it('accepts a token bascule signed, for its cluster, within 15 minutes', async () => {
    await expect(verify(good)).resolves.toMatchObject({ arn: KEYS.arn, accessKeyId: KEYS.accessKeyId });
    await expect(verify(good, new Date(now.getTime() + 14 * 60_000))).resolves.toBeDefined();
  });

  const cases: [string, () => string, RegExp, Date?][] = [
    ['over 4096 bytes', () => good + 'A'.repeat(4100), /too large/],
    ['another prefix', () => good.replace('k8s-aws-v1.', 'k8s-aws-v2.'), /missing expected "k8s-aws-v1\." prefix/],
    ['base64 padding', () => `${good}==`, /illegal base64/],
    ['standard (not url-safe) base64', () => `k8s-aws-v1.${Buffer.from(url).toString('base64').replace(/=+$/, '')}+/`, /illegal base64/],
    ['http', () => encode(url.replace('https://', 'http://')), /unexpected scheme "http"/],
    ['a non-STS host', () => encode(url.replace('sts.eu-west-1.amazonaws.com', 'sts.eu-west-1.amazonaws.com.evil.example')), /unexpected hostname/],
    ['another partition\'s STS host', () => encode(url.replace('sts.eu-west-1.amazonaws.com', 'sts.cn-north-1.amazonaws.com.cn')), /unexpected hostname/],
    ['a port', () => encode(url.replace('amazonaws.com/', 'amazonaws.com:8443/')), /unexpected hostname/],
    ['a path', () => encode(url.replace('amazonaws.com/?', 'amazonaws.com/x?')), /unexpected path/],
    ['a duplicate parameter', () => encode(`${url}&Action=GetCallerIdentity`), /multiple values/],
    ['a duplicate parameter in another case', () => encode(`${url}&action=GetCallerIdentity`), /multiple values/],
    ['an unknown parameter', () => encode(`${url}&X-Amz-Foo=1`), /non-whitelisted query parameter "X-Amz-Foo"/],
    ['another Action', () => encode(url.replace('Action=GetCallerIdentity', 'Action=GetSessionToken')), /unexpected action/],
    ['x-k8s-aws-id not signed', () => encode(url.replace('host%3Bx-k8s-aws-id', 'host')), /did not sign the x-k8s-aws-id header/],
    ['X-Amz-Expires over 900', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=901')), /invalid X-Amz-Expires/],
    ['X-Amz-Expires negative', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=-1')), /invalid X-Amz-Expires/],
    ['X-Amz-Expires not a number', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=abc')), /invalid X-Amz-Expires/],
    ['no X-Amz-Date', () => encode(url.replace(/&X-Amz-Date=[^&]+/, '')), /X-Amz-Date parameter must be present/],
    ['an X-Amz-Date older than 15 minutes', () => good, /expired/, new Date(now.getTime() + 15 * 60_000 + 1000)],
    ['a tampered signature', () => encode(url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`)), /SignatureDoesNotMatch/],
    ['an unknown access key', () => encode(url.replace('AKIDEXAMPLE', 'AKIDUNKNOWN')), /InvalidClientTokenId/],
    ['a session token the key does not have', () => encode(`${url}&X-Amz-Security-Token=abc`), /session token/],
  ];
  it.each(cases)('rejects %s', async (_, make, message, at) => {
    await expect(verify(make(), at)).rejects.toThrow(message);
  });

  it('rejects a token signed for another cluster', async () => {
    await expect(verify(good, undefined, 'eks-blue')).rejects.toThrow(/SignatureDoesNotMatch/);
  });
});
