/**
 * bascule verify's pure parts: the authenticator's rules as a table (each
 * malformed token fails on its own rule, with its class), the golden tokens
 * pass, the identity EKS maps (canonical ARNs), STS's answers (JSON, XML,
 * errors), and the use case's failure classes against a scripted sender.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presignToken } from '../../src/aws/presign.js';
import { canonicalArn, parseStsAnswer, stsIdentity } from '../../src/verify/identity.js';
import { checkToken, isStsHostOf } from '../../src/verify/rules.js';
import { EXIT_CODES, verifyToken } from '../../src/verify/verify.js';
import { tokenFromArgument } from '../../src/verify/command.js';
import type { SendPresigned } from '../../src/verify/sts.js';
import { StsUnreachable } from '../../src/verify/sts.js';
import { KEYS } from '../support/run.js';

const now = new Date('2026-03-04T05:06:07Z');
const soon = new Date(now.getTime() + 30_000);
const good = (await presignToken({ credentials: KEYS, region: 'eu-west-1', clusterName: 'eks-green', now })).token;
const url = Buffer.from(good.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8');
const encode = (u: string) => `k8s-aws-v1.${Buffer.from(u).toString('base64url')}`;

describe('the authenticator rules', () => {
  it('accept a token bascule signed, until 15 minutes after X-Amz-Date', () => {
    const checked = checkToken(good, { partition: 'aws', now: soon });
    expect(checked).toMatchObject({ ok: true, host: 'sts.eu-west-1.amazonaws.com', region: 'eu-west-1', accessKeyId: KEYS.accessKeyId, hasSessionToken: false });
    expect(checked.ok && checked.expiresAt.toISOString()).toBe('2026-03-04T05:21:07.000Z');
    expect(checkToken(good, { partition: 'aws', now: new Date(now.getTime() + 15 * 60_000) }).ok).toBe(true);
  });

  it('accept every golden token, in its partition', () => {
    const golden = JSON.parse(readFileSync(new URL('../golden/tokens.json', import.meta.url), 'utf8'));
    for (const v of golden.vectors) {
      const r = checkToken(v.token, { partition: v.partition, now: new Date(golden.instant) });
      expect(r.ok, `${v.name}: ${JSON.stringify(r)}`).toBe(true);
    }
  });

  const cases: [string, () => string, RegExp, 'malformed' | 'expired', Date?][] = [
    ['over 4096 bytes', () => good + 'A'.repeat(4100), /bytes long; EKS refuses more than 4096/, 'malformed'],
    ['another prefix', () => good.replace('k8s-aws-v1.', 'k8s-aws-v2.'), /does not start with "k8s-aws-v1\."/, 'malformed'],
    ['base64 padding', () => `${good}==`, /with padding/, 'malformed'],
    ['standard (not url-safe) base64', () => `k8s-aws-v1.${Buffer.from(url).toString('base64').replace(/=+$/, '')}+/`, /not base64url/, 'malformed'],
    ['a truncated token', () => good.slice(0, -1 - ((good.length - 11) % 4 === 2 ? 0 : 1)), /not base64url|does not hold a URL|X-Amz-SignedHeaders|x-k8s-aws-id/, 'malformed'],
    ['http', () => encode(url.replace('https://', 'http://')), /scheme is "http", not https/, 'malformed'],
    ['a non-STS host', () => encode(url.replace('sts.eu-west-1.amazonaws.com', 'sts.eu-west-1.amazonaws.com.evil.example')), /not an STS endpoint of partition aws/, 'malformed'],
    ["another partition's STS host", () => encode(url.replace('sts.eu-west-1.amazonaws.com', 'sts.cn-north-1.amazonaws.com.cn')), /"sts\.cn-north-1\.amazonaws\.com\.cn", which is not an STS endpoint of partition aws/, 'malformed'],
    ['a port', () => encode(url.replace('amazonaws.com/', 'amazonaws.com:8443/')), /not an STS endpoint/, 'malformed'],
    ['a path', () => encode(url.replace('amazonaws.com/?', 'amazonaws.com/x?')), /path is "\/x", not "\/"/, 'malformed'],
    ['a duplicate parameter', () => encode(`${url}&Action=GetCallerIdentity`), /"Action" more than once/, 'malformed'],
    ['a duplicate parameter in another case', () => encode(`${url}&action=GetCallerIdentity`), /"action" more than once/, 'malformed'],
    ['an unknown parameter', () => encode(`${url}&X-Amz-Foo=1`), /query parameter "X-Amz-Foo", which EKS does not allow/, 'malformed'],
    ['another Action', () => encode(url.replace('Action=GetCallerIdentity', 'Action=GetSessionToken')), /Action is "GetSessionToken"/, 'malformed'],
    ['x-k8s-aws-id not signed', () => encode(url.replace('host%3Bx-k8s-aws-id', 'host')), /x-k8s-aws-id header is not signed/, 'malformed'],
    ['X-Amz-Expires over 900', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=901')), /X-Amz-Expires is "901"/, 'malformed'],
    ['X-Amz-Expires negative', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=-1')), /X-Amz-Expires is "-1"/, 'malformed'],
    ['X-Amz-Expires not a number', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=abc')), /X-Amz-Expires is "abc"/, 'malformed'],
    ['no X-Amz-Date', () => encode(url.replace(/&X-Amz-Date=[^&]+/, '')), /no X-Amz-Date/, 'malformed'],
    ['an impossible X-Amz-Date', () => encode(url.replace(/X-Amz-Date=\d{8}/, 'X-Amz-Date=20261340')), /is not a date/, 'malformed'],
    ['an X-Amz-Date older than 15 minutes', () => good, /expired at 2026-03-04T05:21:07\.000Z \(15 minutes later\)/, 'expired', new Date(now.getTime() + 15 * 60_000 + 1000)],
  ];
  it.each(cases)('refuse %s', (_, make, reason, cls, at) => {
    const r = checkToken(make(), { partition: 'aws', now: at ?? soon });
    expect(r).toMatchObject({ ok: false, class: cls });
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });

  it.each([
    ['aws', 'sts.amazonaws.com', true],
    ['aws', 'sts.eu-west-1.amazonaws.com', true],
    ['aws', 'sts-fips.us-east-1.amazonaws.com', true],
    ['aws', 'sts.cn-north-1.amazonaws.com.cn', false],
    ['aws', 'sts.us-gov-west-1.amazonaws.com', false],
    ['aws-cn', 'sts.cn-north-1.amazonaws.com.cn', true],
    ['aws-cn', 'sts.cn-north-1.amazonaws.com', false],
    ['aws-us-gov', 'sts.us-gov-west-1.amazonaws.com', true],
    ['aws-us-gov', 'sts.amazonaws.com', false],
    ['aws', 'STS.eu-west-1.amazonaws.com', false],
  ] as const)('STS host of %s: %s -> %s', (partition, host, expected) => {
    expect(isStsHostOf(partition, host)).toBe(expected);
  });
});

describe('the identity EKS maps', () => {
  it.each([
    ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/alice'],
    ['arn:aws:iam::123456789012:role/k8s-admin', 'arn:aws:iam::123456789012:role/k8s-admin'],
    ['arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:root'],
    ['arn:aws:sts::123456789012:assumed-role/k8s-admin/bob', 'arn:aws:iam::123456789012:role/k8s-admin'],
    ['arn:aws-cn:sts::123456789012:assumed-role/ops/x@example.com', 'arn:aws-cn:iam::123456789012:role/ops'],
    ['arn:aws:sts::123456789012:federated-user/carol', 'arn:aws:sts::123456789012:federated-user/carol'],
    ['arn:aws:sts::123456789012:user/moto', undefined],
    ['arn:aws:s3:::bucket', undefined],
    ['arn:aws-iso:iam::123456789012:user/alice', undefined],
  ])('%s -> %s', (arn, expected) => {
    expect(canonicalArn(arn)).toBe(expected);
  });

  it('splits the user id and session name', () => {
    expect(stsIdentity({ arn: 'arn:aws:sts::123456789012:assumed-role/k8s-admin/bob', account: '123456789012', userId: 'AROAEXAMPLE:bob' })).toEqual({
      arn: 'arn:aws:sts::123456789012:assumed-role/k8s-admin/bob',
      account: '123456789012',
      userId: 'AROAEXAMPLE',
      sessionName: 'bob',
      canonicalArn: 'arn:aws:iam::123456789012:role/k8s-admin',
    });
    expect(stsIdentity({ arn: 'arn:aws:iam::123456789012:user/alice', account: '123456789012', userId: 'a:b:c' })).toMatchObject({ error: expect.stringMatching(/malformed user id/) });
  });

  it("reads STS's answers: JSON (as EKS asks), XML, errors in both", () => {
    const json = '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:iam::123456789012:user/alice","UserId":"AIDA1","Account":"123456789012"},"ResponseMetadata":{"RequestId":"r"}}}';
    expect(parseStsAnswer(json)).toEqual({ kind: 'identity', arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDA1', account: '123456789012' });
    const xml = '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/a&amp;b</Arn><UserId>AIDA1</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>';
    expect(parseStsAnswer(xml)).toMatchObject({ kind: 'identity', arn: 'arn:aws:iam::123456789012:user/a&b' });
    expect(parseStsAnswer('<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error></ErrorResponse>')).toEqual({ kind: 'error', code: 'SignatureDoesNotMatch', message: 'no' });
    expect(parseStsAnswer('{"Error":{"Code":"InvalidClientTokenId","Message":"bad"}}')).toEqual({ kind: 'error', code: 'InvalidClientTokenId', message: 'bad' });
    expect(parseStsAnswer('<html>gateway</html>')).toEqual({ kind: 'unreadable' });
  });
});

describe('the verify use case against a scripted STS', () => {
  const identityJson = '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:sts::123456789012:assumed-role/k8s-admin/bob","UserId":"AROA1:bob","Account":"123456789012"}}}';
  const run = async (reply: { status: number; body: string } | Error, token = good) => {
    const sent: { url: string; cluster: string; endpoint: string | undefined }[] = [];
    const send: SendPresigned = async (u, cluster, { endpoint }) => {
      sent.push({ url: u, cluster, endpoint });
      if (reply instanceof Error) throw reply;
      return { ...reply, date: new Date(now.getTime() + 29_000) };
    };
    const result = await verifyToken({ token, clusterName: 'eks-green', partition: 'aws', stsEndpoint: 'http://127.0.0.1:1', timeoutMs: 1000 }, { now: () => soon, send });
    return { result, sent };
  };

  it('sends the URL as the token holds it, with the cluster name; maps the session to its role', async () => {
    const { result, sent } = await run({ status: 200, body: identityJson });
    expect(sent).toEqual([{ url, cluster: 'eks-green', endpoint: 'http://127.0.0.1:1' }]);
    expect(result).toMatchObject({ ok: true, sentTo: 'http://127.0.0.1:1', identity: { canonicalArn: 'arn:aws:iam::123456789012:role/k8s-admin', sessionName: 'bob' } });
  });

  it.each([
    ['SignatureDoesNotMatch: signed for another cluster', { status: 403, body: '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>x</Message></Error></ErrorResponse>' }, 'wrong-cluster', /not signed for eks-green/],
    ['InvalidClientTokenId', { status: 403, body: '<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>' }, 'sts-refused', /InvalidClientTokenId/],
    ['ExpiredToken', { status: 403, body: '<ErrorResponse><Error><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>' }, 'sts-refused', /ExpiredToken/],
    ['RequestExpired', { status: 403, body: '<ErrorResponse><Error><Code>RequestExpired</Code><Message>Request has expired</Message></Error></ErrorResponse>' }, 'expired', /RequestExpired/],
    ['503', { status: 503, body: '<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>down</Message></Error></ErrorResponse>' }, 'sts-unreachable', /ServiceUnavailable/],
    ['an answer that is not STS', { status: 200, body: '<html/>' }, 'sts-unreachable', /answered HTTP 200/],
    ['a network error', new StsUnreachable('http://127.0.0.1:1', 'ECONNREFUSED'), 'sts-unreachable', /cannot reach STS at http:\/\/127\.0\.0\.1:1: ECONNREFUSED/],
    ['an identity EKS cannot map', { status: 200, body: '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:sts::123456789012:user/x","UserId":"U","Account":"123456789012"}}}' }, 'sts-refused', /which EKS cannot map/],
  ] as const)('%s -> %s', async (_, reply, cls, reason) => {
    const { result } = await run(reply);
    expect(result).toMatchObject({ ok: false, class: cls });
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('never calls STS for a token the rules refuse', async () => {
    const { result, sent } = await run({ status: 200, body: identityJson }, `${good}==`);
    expect(result).toMatchObject({ ok: false, class: 'malformed' });
    expect(sent).toEqual([]);
  });

  it('has one exit code per class, none shared with usage (2), failures (1) or checks (3)', () => {
    const codes = Object.values(EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of [0, 1, 2, 3, 70]) expect(codes).not.toContain(c);
  });

  it('takes the token itself, or the ExecCredential bascule token prints', () => {
    expect(tokenFromArgument(` ${good}\n`)).toBe(good);
    expect(tokenFromArgument(JSON.stringify({ kind: 'ExecCredential', status: { token: good } }))).toBe(good);
    expect(() => tokenFromArgument('{"kind":"ExecCredential"}')).toThrow(/not an ExecCredential with status\.token/);
  });
});
