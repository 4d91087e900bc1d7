/**
 * bascule verify's pure parts: the authenticator's rules as a table (each
 * malformed token fails on its own rule, with its class), the golden tokens
 * pass, the identity EKS maps (canonical ARNs), STS's answers (JSON, XML,
 * errors), and the use case's failure classes against a scripted sender.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presignToken } from '../../src/aws/presign.js';
import { canonicalArn, parseStsAnswer, stsIdentity } from '../../src/authenticator/identity.js';
import { checkToken, isStsHostOf } from '../../src/authenticator/rules.js';
import { verifyToken } from '../../src/authenticator/verify.js';
import { EXIT_CODES, tokenFromArgument } from '../../src/verify/command.js';
import type { SendPresigned } from '../../src/authenticator/sts.js';
import type { PresignedRequest } from '../../src/authenticator/rules.js';
import { StsUnreachable } from '../../src/authenticator/sts.js';
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
    expect(checked.ok && checked.request).toEqual({ host: 'sts.eu-west-1.amazonaws.com', target: url.slice('https://sts.eu-west-1.amazonaws.com'.length), basicAuth: undefined });
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

  /**
   * Every row is one form of token and the verdict aws-iam-authenticator's
   * source gives it (pkg/token/token.go at v0.7, Go 1.26's net/url): `true`
   * for accepted (then STS is asked), else the reason bascule prints. `why`
   * names the line of the source that decides.
   */
  const ACCEPT = true;
  const host = 'sts.eu-west-1.amazonaws.com';
  const withHost = (h: string) => () => encode(url.replace(host, h));
  const lastBitsSet = () => {
    const body = good.slice(11);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(body.at(-1) as string);
    expect(body.length % 4).not.toBe(0); // there are unused bits to set
    return `k8s-aws-v1.${body.slice(0, -1)}${alphabet[last | 1]}`;
  };
  const rows: [string, () => string, true | RegExp, string, Date?][] = [
    // --- the nine forms WHATWG URL repairs and Go keeps: refused by the cluster ---
    ['an empty path', () => encode(url.replace('amazonaws.com/?', 'amazonaws.com?')), /path is "", not "\/"/, 'Verify: parsedURL.Path != "/" (net/url keeps the path empty)'],
    ['an upper-case host', withHost('STS.EU-WEST-1.AMAZONAWS.COM'), /host "STS\.EU-WEST-1\.AMAZONAWS\.COM" is not a name the AWS SDK gives an STS endpoint/, 'verifySTSHostnameFormat: not among the resolver\'s hosts (net/url keeps the case)'],
    ['an upper-case domain', withHost('sts.eu-west-1.AMAZONAWS.COM'), /not a name the AWS SDK gives/, 'verifySTSHostnameFormat: slices.Contains(resolvedHosts, host) is false'],
    ['port 443', withHost(`${host}:443`), /host "sts\.eu-west-1\.amazonaws\.com:443" is not a name/, 'verifyHost gets parsedURL.Host, port included (net/url drops no default port)'],
    ['"/./" as the path', () => encode(url.replace('amazonaws.com/?', 'amazonaws.com/./?')), /path is "\/\.\/", not "\/"/, 'Verify: parsedURL.Path != "/" (net/url resolves no dot segment)'],
    ['"/a/../" as the path', () => encode(url.replace('amazonaws.com/?', 'amazonaws.com/a/../?')), /path is "\/a\/\.\.\/"/, 'Verify: parsedURL.Path != "/"'],
    ['a raw ";" in the query', () => encode(url.replace('host%3Bx-k8s-aws-id', 'host;x-k8s-aws-id')), /malformed query \(invalid semicolon separator in query\)/, 'Verify: url.ParseQuery error -> "malformed query parameter" (Go >= 1.17)'],
    ['backslashes for slashes', () => encode(url.replace('https://', 'https:\\\\').replace('amazonaws.com/?', 'amazonaws.com\\?')), /host "" is empty/, 'net/url: "https:\\\\..." is opaque, Host ""; getStsRegion: host is empty'],
    ['a backslash after the host', () => encode(url.replace('amazonaws.com/?', 'amazonaws.com\\/?')), /Go can parse: invalid character "\\\\" in host name/, 'url.Parse: unescape(host, encodeHost) refuses "\\"'],
    ['"%2E" in the host', withHost('sts%2Eeu-west-1.amazonaws.com'), /Go can parse: invalid URL escape "%2E"/, 'url.Parse: a host may %-escape only bytes >= 0x80'],
    ['a tab in the host', withHost('sts.eu-west-1.amazon\taws.com'), /Go can parse: net\/url: invalid control character in URL/, 'url.Parse: stringContainsCTLByte'],
    // --- the four forms the old rules refused and the cluster accepts (one of the is refused: see the row) ---
    ['a parameter in another case', () => encode(url.replace('Action=', 'ACTION=')), ACCEPT, 'Verify: parameterWhitelist[strings.ToLower(key)]'],
    ['a duplicate parameter in another case', () => encode(`${url}&action=GetCallerIdentity`), /"action" more than once \(in some case\)/, 'validateDuplicateParameters lower-cases every key: refused (since 2022, c4a3a96e), whatever the issue said'],
    ['"İ" for "I" in a key (Go lower-cases it to "i", JS to two code points)', () => encode(url.replace('Action=', 'Act%C4%B0on=')), ACCEPT, 'strings.ToLower: unicode.ToLower(U+0130) is "i"'],
    ['userinfo before the host', () => encode(url.replace('https://', 'https://user:pass@')), ACCEPT, 'verifyHost reads parsedURL.Host only; Go\'s client sends the user as Basic credentials'],
    ['"%FF" in a value', () => encode(url.replace('Version=2011-06-15', 'Version=2011-06-15%FF')), ACCEPT, 'url.QueryUnescape takes any %XX (bytes, not UTF-8)'],
    ['non-zero unused bits in the last base64 character', lastBitsSet, ACCEPT, 'base64.RawURLEncoding is not Strict: decodeQuantum ignores them'],
    // --- the rules as they were (each still refused, for its own reason) ---
    ['over 4096 bytes', () => good + 'A'.repeat(4100), /bytes long; EKS refuses more than 4096/, 'Verify: len(token) > maxTokenLenBytes'],
    ['another prefix', () => good.replace('k8s-aws-v1.', 'k8s-aws-v2.'), /does not start with "k8s-aws-v1\."/, 'Verify: strings.HasPrefix(token, v1Prefix)'],
    ['base64 padding', () => `${good}==`, /with padding/, 'RawURLEncoding: "=" is an illegal byte'],
    ['standard (not url-safe) base64', () => `k8s-aws-v1.${Buffer.from(url).toString('base64').replace(/=+$/, '')}+/`, /not base64url .*illegal base64 data at input byte/, 'RawURLEncoding: "+" and "/" are not in the alphabet'],
    ['a line break inside', () => `${good.slice(0, 40)}\n${good.slice(40)}`, /line break, which kubectl cannot send/, 'base64 would skip it, but no HTTP header carries it to the authenticator'],
    ['a truncated token', () => good.slice(0, -1 - ((good.length - 11) % 4 === 2 ? 0 : 1)), /not base64url|Go can parse|X-Amz-SignedHeaders|x-k8s-aws-id/, 'RawURLEncoding: a lone last character; or a cut parameter'],
    ['http', () => encode(url.replace('https://', 'http://')), /scheme is "http", not https/, 'Verify: parsedURL.Scheme != "https"'],
    ['an upper-case scheme', () => encode(url.replace('https://', 'HTTPS://')), ACCEPT, 'net/url lower-cases the scheme'],
    ['no "//" after the scheme', () => encode(url.replace('https://', 'https:')), /host "" is empty/, 'net/url: opaque URL, Host ""'],
    ['"///" after the scheme', () => encode(url.replace('https://', 'https:///')), /host "" is empty/, 'net/url: empty authority'],
    ['a non-STS host', withHost(`${host}.evil.example`), /not a name the AWS SDK gives an STS endpoint/, 'verifySTSHostnameFormat'],
    ["another partition's STS host", withHost('sts.cn-north-1.amazonaws.com.cn'), /"sts\.cn-north-1\.amazonaws\.com\.cn" belongs to another partition: it is not an STS endpoint of partition aws/, 'verifySTSHostnameFormat: actualDomain != expectedDomain'],
    ['GovCloud\'s host (same domain as aws)', withHost('sts.us-gov-west-1.amazonaws.com'), ACCEPT, 'GetSTSPartitionDomain: aws and aws-us-gov are both amazonaws.com'],
    ['a region in capitals', withHost('sts.EU-WEST-1.amazonaws.com'), ACCEPT, 'the SDK resolver files an unknown region under aws and builds sts.EU-WEST-1.amazonaws.com'],
    ['a port', withHost(`${host}:8443`), /is not a name the AWS SDK gives/, 'verifyHost: the port stays in Host'],
    ['a path', () => encode(url.replace('amazonaws.com/?', 'amazonaws.com/x?')), /path is "\/x", not "\/"/, 'Verify: parsedURL.Path != "/"'],
    ['a fragment', () => encode(`${url}#anything`), ACCEPT, 'url.Parse cuts the fragment off; Verify never reads it'],
    ['a bad escape in the fragment', () => encode(`${url}#%zz`), /Go can parse: invalid URL escape "%zz"/, 'url.Parse: setFragment unescapes it'],
    ['a duplicate parameter', () => encode(`${url}&Action=GetCallerIdentity`), /"Action" more than once/, 'Verify: len(values) != 1'],
    ['a parameter escaped in its key', () => encode(url.replace('Action=', '%41ction=')), ACCEPT, 'url.ParseQuery unescapes keys'],
    ['empty pairs', () => encode(url.replace('&Version', '&&&Version')), ACCEPT, 'url.ParseQuery skips an empty pair'],
    ['a bad escape in the query', () => encode(url.replace('Version=2011-06-15', 'Version=%zz')), /malformed query \(invalid URL escape "%zz"\)/, 'Verify: url.ParseQuery error'],
    ['an unknown parameter', () => encode(`${url}&X-Amz-Foo=1`), /query parameter "X-Amz-Foo", which EKS does not allow/, 'Verify: parameterWhitelist'],
    ['another Action', () => encode(url.replace('Action=GetCallerIdentity', 'Action=GetSessionToken')), /Action is "GetSessionToken"/, 'Verify: queryParamsLower.Get("action") != "GetCallerIdentity"'],
    ['x-k8s-aws-id not signed', () => encode(url.replace('host%3Bx-k8s-aws-id', 'host')), /x-k8s-aws-id header is not signed/, 'hasSignedClusterIDHeader'],
    ['x-k8s-aws-id signed in capitals', () => encode(url.replace('host%3Bx-k8s-aws-id', 'host%3BX-K8S-AWS-ID')), ACCEPT, 'hasSignedClusterIDHeader: strings.EqualFold'],
    ['x-k8s-aws-id with a Kelvin sign and a long s', () => encode(url.replace('host%3Bx-k8s-aws-id', 'host%3Bx-%E2%84%AA8%C5%BF-aws-id')), ACCEPT, 'strings.EqualFold folds U+212A to k and U+017F to s'],
    ['X-Amz-Expires over 900', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=901')), /X-Amz-Expires is "901"/, 'Verify: expires > 900'],
    ['X-Amz-Expires negative', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=-1')), /X-Amz-Expires is "-1"/, 'Verify: expires < 0'],
    ['X-Amz-Expires not a number', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=abc')), /X-Amz-Expires is "abc"/, 'Verify: strconv.Atoi error'],
    ['X-Amz-Expires with a sign and zeros', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=%2B0060')), ACCEPT, 'strconv.Atoi("+0060") is 60'],
    ['X-Amz-Expires past int64', () => encode(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=9223372036854775808')), /X-Amz-Expires is "9223372036854775808"/, 'strconv.Atoi: out of range'],
    ['no X-Amz-Date', () => encode(url.replace(/&X-Amz-Date=[^&]+/, '')), /no X-Amz-Date/, 'Verify: date == ""'],
    ['an impossible X-Amz-Date', () => encode(url.replace(/X-Amz-Date=\d{8}/, 'X-Amz-Date=20261340')), /is not a date/, 'time.Parse: month out of range'],
    ['29 February of a common year', () => encode(url.replace(/X-Amz-Date=\d{8}/, 'X-Amz-Date=20260229')), /is not a date/, 'time.Parse: day out of range'],
    ['second 60', () => encode(url.replace(/(X-Amz-Date=\d{8}T\d{4})\d\d/, '$160')), /is not a date/, 'time.Parse: second out of range'],
    ['a fraction of a second in X-Amz-Date', () => encode(url.replace(/(X-Amz-Date=\d{8}T\d{6})Z/, '$1.5Z')), ACCEPT, 'time.Parse reads a fraction after the seconds though the layout has none'],
    ['an X-Amz-Date older than 15 minutes', () => good, /expired at 2026-03-04T05:21:07\.000Z \(15 minutes later\)/, 'Verify: now.After(expiration)', new Date(now.getTime() + 15 * 60_000 + 1000)],
  ];
  it.each(rows)('%s', (_, make, verdict, why, at) => {
    const r = checkToken(make(), { partition: 'aws', now: at ?? soon });
    if (verdict === ACCEPT) {
      expect(r.ok, `${why}: ${JSON.stringify(r)}`).toBe(true);
      return;
    }
    expect(r, why).toMatchObject({ ok: false, class: at ? 'expired' : 'malformed' });
    expect(r.ok ? '' : r.reason, why).toMatch(verdict);
  });

  it('send what EKS sends: the host as written, "/" and the raw query, Basic credentials for a user', () => {
    const capital = checkToken(encode(url.replace(host, 'sts.EU-WEST-1.amazonaws.com')), { partition: 'aws', now: soon });
    expect(capital.ok && capital.request.host).toBe('sts.EU-WEST-1.amazonaws.com');
    const user = checkToken(encode(url.replace('https://', 'https://us%65r:p%40ss@')), { partition: 'aws', now: soon });
    expect(user.ok && user.request.basicAuth).toBe('user:p@ss');
    expect(user.ok && user.host).toBe(host); // the user is never shown
    const bits = checkToken(lastBitsSet(), { partition: 'aws', now: soon });
    const plain = checkToken(good, { partition: 'aws', now: soon });
    expect(bits.ok && bits.request).toEqual(plain.ok && plain.request);
    const ff = checkToken(encode(url.replace('Version=2011-06-15', 'Version=2011-06-15%FF')), { partition: 'aws', now: soon });
    expect(ff.ok && ff.request.target).toContain('Version=2011-06-15%FF&');
  });

  it.each([
    ['aws', 'sts.amazonaws.com', true],
    ['aws', 'sts.eu-west-1.amazonaws.com', true],
    ['aws', 'sts-fips.us-east-1.amazonaws.com', true],
    ['aws', 'sts.eu-west-1.api.aws', true], // dual-stack
    ['aws', 'sts-fips.us-east-1.api.aws', true],
    ['aws', 'sts.cn-north-1.amazonaws.com.cn', false],
    ['aws', 'sts.us-gov-west-1.amazonaws.com', true], // GetSTSPartitionDomain("aws") == GetSTSPartitionDomain("aws-us-gov")
    ['aws', 'sts-fips.us-gov-west-1.amazonaws.com', false], // the SDK's FIPS name in GovCloud is sts.REGION.amazonaws.com
    ['aws', 'sts.not-a-region.amazonaws.com', true], // "Does not run any validation" (verifyHost's comment)
    ['aws', 'sts.global.amazonaws.com', true], // getStsRegion gives "global": accepted at once in aws
    ['aws', 'host.global.example', true], // the same line: any host whose second label is "global"
    ['aws', 'sts.us-iso-east-1.amazonaws.com', false], // the SDK files us-iso-* under aws-iso (c2s.ic.gov)
    ['aws', 'sts.aws-global.amazonaws.com', false], // aws-global resolves to sts.amazonaws.com
    ['aws', 'sts.eu_west-1.amazonaws.com', false], // validateInputRegion
    ['aws-cn', 'sts.cn-north-1.amazonaws.com.cn', true],
    ['aws-cn', 'sts.cn-north-1.api.amazonwebservices.com.cn', true],
    ['aws-cn', 'sts.cn-north-1.amazonaws.com', false],
    ['aws-cn', 'host.global.example', false], // global endpoint unsupported in partition aws-cn
    ['aws-us-gov', 'sts.us-gov-west-1.amazonaws.com', true],
    ['aws-us-gov', 'sts.eu-west-1.amazonaws.com', true], // the shared domain, both ways
    ['aws-us-gov', 'sts.amazonaws.com', false],
    ['aws', 'STS.eu-west-1.amazonaws.com', false],
    ['aws', 'sts.amazonaws.com:443', false],
  ] as const)('STS host of %s: %s -> %s', (partition, h, expected) => {
    expect(isStsHostOf(partition, h)).toBe(expected);
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
    ['arn:aws-iso:iam::123456789012:user/alice', 'arn:aws-iso:iam::123456789012:user/alice'], // pkg/endpoints PARTITIONS has aws-iso
    ['arn:aws-iso-x:iam::123456789012:user/alice', undefined],
    ['arn:aws:sts::123456789012:assumed-role/k8s-admin', undefined], // assumed-role without a role
    ['arn:aws:iam:eu-west-1:123:role/x', 'arn:aws:iam:eu-west-1:123:role/x'], // arn.Parse checks six sections, nothing more
    ['arn:aws:sts::123456789012:assumed-role/path/k8s-admin/bob', 'arn:aws:iam::123456789012:role/path/k8s-admin'],
    ['arn:aws:iam::123456789012', undefined],
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
    // getIdentityFromSTSResponse: a user keeps its whole user id; a session needs exactly one colon.
    expect(stsIdentity({ arn: 'arn:aws:iam::123456789012:user/alice', account: '123456789012', userId: 'a:b:c' })).toMatchObject({ userId: 'a:b:c', sessionName: undefined });
    expect(stsIdentity({ arn: 'arn:aws:sts::123456789012:assumed-role/r/s', account: '123456789012', userId: 'a:b:c' })).toMatchObject({ error: expect.stringMatching(/malformed user id/) });
    expect(stsIdentity({ arn: 'arn:aws:sts::123456789012:assumed-role/r/s', account: '123456789012', userId: 'AROA1' })).toMatchObject({ error: expect.stringMatching(/malformed user id/) });
  });

  it("reads STS's answers: JSON (as EKS asks), XML, errors in both", () => {
    const json = '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:iam::123456789012:user/alice","UserId":"AIDA1","Account":"123456789012"},"ResponseMetadata":{"RequestId":"r"}}}';
    expect(parseStsAnswer(json)).toEqual({ kind: 'identity', arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDA1', account: '123456789012' });
    const xml = '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/a&amp;b</Arn><UserId>AIDA1</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>';
    expect(parseStsAnswer(xml)).toMatchObject({ kind: 'identity', arn: 'arn:aws:iam::123456789012:user/a&b' });
    expect(parseStsAnswer('<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error></ErrorResponse>')).toEqual({ kind: 'error', code: 'SignatureDoesNotMatch', message: 'no' });
    expect(parseStsAnswer('{"Error":{"Code":"InvalidClientTokenId","Message":"bad"}}')).toEqual({ kind: 'error', code: 'InvalidClientTokenId', message: 'bad' });
    expect(parseStsAnswer('<html>gateway</html>')).toEqual({ kind: 'unreadable', what: 'XML <html>' });
  });

  it('reads them as Go (JSON keys in any case) and as emulators write them (XML with a namespace, a prolog, entities)', () => {
    expect(parseStsAnswer('{"getCallerIdentityResponse":{"GETCALLERIDENTITYRESULT":{"arn":"arn:aws:iam::1:root","userid":"1","account":null}}}')).toEqual({ kind: 'identity', arn: 'arn:aws:iam::1:root', userId: '1', account: '' });
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <GetCallerIdentityResult>\n    <Arn>arn:aws:sts::000000000000:assumed-role/r/s&#x40;x</Arn>\n    <UserId>AROA1:s@x</UserId>\n    <Account>000000000000</Account>\n  </GetCallerIdentityResult>\n</GetCallerIdentityResponse>`;
    expect(parseStsAnswer(xml)).toEqual({ kind: 'identity', arn: 'arn:aws:sts::000000000000:assumed-role/r/s@x', userId: 'AROA1:s@x', account: '000000000000' });
    expect(parseStsAnswer('<sts:GetCallerIdentityResponse><sts:GetCallerIdentityResult><sts:Arn><![CDATA[arn:aws:iam::1:user/a&b]]></sts:Arn></sts:GetCallerIdentityResult></sts:GetCallerIdentityResponse>')).toMatchObject({ arn: 'arn:aws:iam::1:user/a&b' });
    // What moto_server answers to a presigned GET: S3's ListBuckets.
    expect(parseStsAnswer('<?xml version="1.0" encoding="utf-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets/></ListAllMyBucketsResult>')).toEqual({ kind: 'unreadable', what: 'XML <ListAllMyBucketsResult>' });
    expect(parseStsAnswer('{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":7}}}')).toMatchObject({ kind: 'unreadable' }); // json.Unmarshal: a number into a string
    expect(parseStsAnswer('{"Get')).toMatchObject({ kind: 'unreadable', what: expect.stringMatching(/does not parse/) });
    expect(parseStsAnswer('')).toEqual({ kind: 'unreadable', what: 'an empty body' });
    expect(parseStsAnswer('OK')).toEqual({ kind: 'unreadable', what: 'text that is neither JSON nor XML' });
  });
});

describe('the verify use case against a scripted STS', () => {
  const identityJson = '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:sts::123456789012:assumed-role/k8s-admin/bob","UserId":"AROA1:bob","Account":"123456789012"}}}';
  const run = async (reply: { status: number; body: string } | Error, token = good) => {
    const sent: { request: PresignedRequest; cluster: string; endpoint: string | undefined }[] = [];
    const send: SendPresigned = async (request, cluster, { endpoint }) => {
      sent.push({ request, cluster, endpoint });
      if (reply instanceof Error) throw reply;
      return { ...reply, date: new Date(now.getTime() + 29_000) };
    };
    const result = await verifyToken({ token, clusterName: 'eks-green', partition: 'aws', stsEndpoint: 'http://127.0.0.1:1', timeoutMs: 1000 }, { now: () => soon, send });
    return { result, sent };
  };

  it('sends the URL as the token holds it, with the cluster name; maps the session to its role', async () => {
    const { result, sent } = await run({ status: 200, body: identityJson });
    expect(sent).toEqual([{ request: { host: 'sts.eu-west-1.amazonaws.com', target: url.slice('https://sts.eu-west-1.amazonaws.com'.length), basicAuth: undefined }, cluster: 'eks-green', endpoint: 'http://127.0.0.1:1' }]);
    expect(result).toMatchObject({ ok: true, sentTo: 'http://127.0.0.1:1', identity: { canonicalArn: 'arn:aws:iam::123456789012:role/k8s-admin', sessionName: 'bob' } });
  });

  it.each([
    ['SignatureDoesNotMatch: signed for another cluster', { status: 403, body: '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>x</Message></Error></ErrorResponse>' }, 'wrong-cluster', /not signed for eks-green/],
    ['InvalidClientTokenId', { status: 403, body: '<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>' }, 'sts-refused', /InvalidClientTokenId/],
    ['ExpiredToken', { status: 403, body: '<ErrorResponse><Error><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>' }, 'sts-refused', /ExpiredToken/],
    ['RequestExpired', { status: 403, body: '<ErrorResponse><Error><Code>RequestExpired</Code><Message>Request has expired</Message></Error></ErrorResponse>' }, 'expired', /RequestExpired/],
    ['503', { status: 503, body: '<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>down</Message></Error></ErrorResponse>' }, 'sts-unreachable', /ServiceUnavailable/],
    ['a 200 that is not STS (a captive portal)', { status: 200, body: '<html/>' }, 'sts-unreadable', /^STS at http:\/\/127\.0\.0\.1:1 answered HTTP 200 with XML <html>, not a GetCallerIdentity result$/],
    ['a 200 that is S3 (moto_server)', { status: 200, body: '<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>' }, 'sts-unreadable', /answered HTTP 200 with XML <ListAllMyBucketsResult>/],
    ['a 200 with an empty body', { status: 200, body: '' }, 'sts-unreadable', /answered HTTP 200 with an empty body/],
    ['a 200 holding an error', { status: 200, body: '{"Error":{"Code":"Weird","Message":"m"}}' }, 'sts-unreadable', /answered HTTP 200 with an error \(Weird\)/],
    ['a 502 that is not STS (a proxy)', { status: 502, body: '<html/>' }, 'sts-unreachable', /answered HTTP 502/],
    ['Throttling', { status: 400, body: '{"Error":{"Code":"Throttling","Message":"Rate exceeded","Type":"Sender"}}' }, 'sts-refused', /Throttling: Rate exceeded/],
    ['an XML identity (an emulator that ignores accept)', { status: 200, body: '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>AIDA</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>' }, 'ok', /./],
    ['a network error', new StsUnreachable('http://127.0.0.1:1', 'ECONNREFUSED'), 'sts-unreachable', /cannot reach STS at http:\/\/127\.0\.0\.1:1: ECONNREFUSED/],
    ['an identity EKS cannot map', { status: 200, body: '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:sts::123456789012:user/x","UserId":"U","Account":"123456789012"}}}' }, 'sts-refused', /which EKS cannot map/],
  ] as const)('%s -> %s', async (_, reply, cls, reason) => {
    const { result } = await run(reply);
    if (cls === 'ok') return expect(result).toMatchObject({ ok: true, identity: { arn: 'arn:aws:iam::1:user/u' } });
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
