// @ts-check
/**
 * Checks an EKS token the way the cluster's authenticator does
 * (aws-iam-authenticator pkg/token Verify), then does what STS would do with
 * the presigned URL: recomputes the SigV4 signature with the signer's secret
 * and checks the clock. Written from the rules, independently of bascule's
 * signer (node:crypto only), so it can catch bascule's mistakes.
 *
 * `lookupSecret(accessKeyId)` plays STS's key store: it returns the secret
 * (and session token, when the key is temporary) and who the key belongs to.
 */
import { createHash, createHmac } from 'node:crypto';

const PREFIX = 'k8s-aws-v1.';
const MAX_TOKEN_BYTES = 4096;
const ALLOWED_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

/** STS hosts per partition, as the authenticator builds them from the SDK's endpoint list. */
const PARTITION_SUFFIX = { aws: 'amazonaws.com', 'aws-cn': 'amazonaws.com.cn', 'aws-us-gov': 'amazonaws.com' };
/** @param {string} partition @param {string} host */
export function isStsHostOfPartition(partition, host) {
  const suffix = PARTITION_SUFFIX[/** @type {keyof typeof PARTITION_SUFFIX} */ (partition)];
  if (!suffix) return false;
  if (partition === 'aws' && host === 'sts.amazonaws.com') return true;
  const m = /^sts\.([a-z0-9-]+)\.(.+)$/.exec(host);
  if (!m || m[2] !== suffix) return false;
  const region = /** @type {string} */ (m[1]);
  if (partition === 'aws-cn') return /^cn-[a-z]+-\d$/.test(region);
  if (partition === 'aws-us-gov') return /^us-gov-[a-z]+-\d$/.test(region);
  return /^[a-z]{2}-[a-z]+-\d$/.test(region) && !region.startsWith('cn-') && !region.startsWith('us-gov-');
}

export class TokenRejected extends Error {}

/** RFC 3986 escaping, as SigV4 canonicalises. @param {string} s */
const escape = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** @param {string} s */
const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
/** @param {Buffer | string} key @param {string} s */
const hmac = (key, s) => createHmac('sha256', key).update(s, 'utf8').digest();

/**
 * @typedef {{ secretAccessKey: string, sessionToken?: string, arn: string }} KeyRecord
 * @typedef {{ arn: string, accessKeyId: string, clusterName: string, signedAt: Date, region: string }} Identity
 * @param {string} token
 * @param {{ clusterName: string, partition?: string, now?: Date,
 *           lookupSecret: (accessKeyId: string) => KeyRecord | undefined | Promise<KeyRecord | undefined> }} options
 * @returns {Promise<Identity>}
 */
export async function verifyToken(token, options) {
  const now = options.now ?? new Date();
  const partition = options.partition ?? 'aws';
  if (token.length > MAX_TOKEN_BYTES) throw new TokenRejected('token is too large');
  if (!token.startsWith(PREFIX)) throw new TokenRejected(`token is missing expected "${PREFIX}" prefix`);
  const body = token.slice(PREFIX.length);
  // Go's RawURLEncoding: the URL-safe alphabet, no padding, nothing else.
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) throw new TokenRejected('illegal base64 data');
  const decoded = Buffer.from(body, 'base64url').toString('utf8');
  /** @type {URL} */
  let url;
  try {
    url = new URL(decoded);
  } catch {
    throw new TokenRejected('not a URL');
  }
  if (url.protocol !== 'https:') throw new TokenRejected(`unexpected scheme "${url.protocol.replace(':', '')}" in pre-signed URL`);
  if (url.port !== '' || !isStsHostOfPartition(partition, url.hostname)) {
    throw new TokenRejected(`unexpected hostname "${url.host}" in pre-signed URL`);
  }
  if (url.pathname !== '/') throw new TokenRejected('unexpected path in pre-signed URL');

  const rawQuery = url.search.slice(1);
  /** @type {Map<string, string>} */
  const params = new Map();
  /** @type {[string, string][]} */
  const pairs = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key;
    let value;
    try {
      key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw new TokenRejected('malformed query parameter');
    }
    const lower = key.toLowerCase();
    if (!ALLOWED_PARAMS.has(lower)) throw new TokenRejected(`non-whitelisted query parameter "${key}"`);
    if (params.has(lower)) throw new TokenRejected('query parameter with multiple values not supported');
    params.set(lower, value);
    pairs.push([key, value]);
  }
  if (params.get('action') !== 'GetCallerIdentity') throw new TokenRejected('unexpected action parameter in pre-signed URL');
  const signedHeaders = (params.get('x-amz-signedheaders') ?? '').split(';');
  if (!signedHeaders.some((h) => h.toLowerCase() === 'x-k8s-aws-id')) {
    throw new TokenRejected('client did not sign the x-k8s-aws-id header in the pre-signed URL');
  }
  const expiresRaw = params.get('x-amz-expires') ?? '';
  const expires = /^-?\d+$/.test(expiresRaw) ? Number(expiresRaw) : NaN;
  if (!(expires >= 0 && expires <= 900)) throw new TokenRejected(`invalid X-Amz-Expires parameter in pre-signed URL: ${expiresRaw}`);
  const date = params.get('x-amz-date');
  if (!date) throw new TokenRejected('X-Amz-Date parameter must be present in pre-signed URL');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m) throw new TokenRejected(`error parsing X-Amz-Date parameter ${date}`);
  const [, y, mo, d, h, mi, se] = m.map(Number);
  const signedAt = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)));
  if (now.getTime() > signedAt.getTime() + 15 * 60 * 1000) throw new TokenRejected('X-Amz-Date parameter is expired (15 minute expiration)');

  // --- What STS does with the URL, sent with x-k8s-aws-id: <the server's own cluster name> ---
  if (params.get('version') !== '2011-06-15') throw new TokenRejected('STS: unknown Version');
  if (params.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw new TokenRejected('STS: unsupported X-Amz-Algorithm');
  if (signedAt.getTime() > now.getTime() + 5 * 60 * 1000) throw new TokenRejected('STS: signature not yet current');
  const credential = (params.get('x-amz-credential') ?? '').split('/');
  if (credential.length !== 5 || credential[4] !== 'aws4_request' || credential[3] !== 'sts') {
    throw new TokenRejected('STS: malformed X-Amz-Credential');
  }
  const [accessKeyId, shortDate, region] = /** @type {[string, string, string]} */ (credential);
  if (shortDate !== date.slice(0, 8)) throw new TokenRejected('STS: credential date does not match X-Amz-Date');
  if (!url.hostname.includes(`.${region}.`) && url.hostname !== 'sts.amazonaws.com') {
    throw new TokenRejected('STS: credential scope region does not match the host');
  }
  const key = await options.lookupSecret(accessKeyId);
  if (!key) throw new TokenRejected('STS: InvalidClientTokenId (unknown access key)');
  if ((key.sessionToken ?? undefined) !== (params.get('x-amz-security-token') ?? undefined)) {
    throw new TokenRejected('STS: session token missing or wrong');
  }
  /** @type {Record<string, string>} */
  const headers = { host: url.host, 'x-k8s-aws-id': options.clusterName };
  const headerNames = [...signedHeaders].sort();
  if (headerNames.join(';') !== params.get('x-amz-signedheaders')) throw new TokenRejected('STS: signed headers not in canonical order');
  for (const h of headerNames) if (!(h in headers)) throw new TokenRejected(`STS: signed header ${h} not sent`);
  const canonicalQuery = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => ({ k: escape(k), v: escape(v) }))
    .sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.v < y.v ? -1 : x.v > y.v ? 1 : 0))
    .map(({ k, v }) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    headerNames.map((h) => `${h}:${headers[h]}\n`).join(''),
    headerNames.join(';'),
    sha256(''),
  ].join('\n');
  const scope = `${shortDate}/${region}/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, shortDate), region), 'sts'), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  if (expected !== params.get('x-amz-signature')) {
    throw new TokenRejected('STS: SignatureDoesNotMatch (wrong key, or signed for another cluster)');
  }
  return { arn: key.arn, accessKeyId, clusterName: options.clusterName, signedAt, region };
}
