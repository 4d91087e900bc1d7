/**
 * What the EKS authenticator checks in a token before it asks STS
 * (aws-iam-authenticator pkg/token Verify), as pure rules of the token, the
 * partition the cluster lives in, and the instant: no network, no clock of
 * its own. Written from the rules, not from bascule's signer, so it catches
 * the signer's mistakes too.
 */
import { partitionOf } from '../platform/vocabulary.js';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** The authenticator refuses anything longer, before decoding it. */
export const MAX_TOKEN_BYTES = 4096;
/** STS accepts a presigned GetCallerIdentity this long after X-Amz-Date, whatever X-Amz-Expires says. */
export const PRESIGNED_URL_LIFETIME_MS = 15 * 60 * 1000;
/** The partitions the authenticator knows (its --partition). */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type PartitionId = (typeof PARTITIONS)[number];

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

/** A token the authenticator would refuse before STS: `expired` apart, since its fix differs. */
export interface RuleFailure {
  readonly ok: false;
  readonly class: 'malformed' | 'expired';
  readonly reason: string;
}

export interface CheckedToken {
  readonly ok: true;
  /** The presigned URL, exactly as the token carries it. */
  readonly url: string;
  readonly host: string;
  /** The region of the credential scope (and of the host). */
  readonly region: string;
  readonly accessKeyId: string;
  readonly signedAt: Date;
  /** X-Amz-Date + 15 minutes: when EKS stops accepting it. */
  readonly expiresAt: Date;
  readonly signedHeaders: readonly string[];
  readonly hasSessionToken: boolean;
}

const fail = (reason: string, cls: RuleFailure['class'] = 'malformed'): RuleFailure => ({ ok: false, class: cls, reason });

/**
 * Is `host` an STS endpoint of the partition, as the authenticator lists them
 * from the SDK's endpoints (the global name, each region's, FIPS ones)?
 */
export function isStsHostOf(partition: PartitionId, host: string): boolean {
  if (partition === 'aws' && host === 'sts.amazonaws.com') return true;
  const m = /^sts(-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?)$/.exec(host);
  if (!m) return false;
  const [, fips, region, suffix] = m as unknown as [string, string | undefined, string, string];
  let p;
  try {
    p = partitionOf(region);
  } catch {
    return false;
  }
  if (p.name !== partition) return false;
  if (fips && partition === 'aws-cn') return false;
  return suffix === p.dnsSuffix;
}

/** Go's base64.RawURLEncoding: the URL-safe alphabet, no padding, no stray bits. */
function decodeRawUrlBase64(body: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) return undefined;
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.toString('base64url') !== body) return undefined; // non-canonical trailing bits
  return bytes.toString('utf8');
}

/** The authenticator's rules, in its order. */
export function checkToken(token: string, options: { partition: PartitionId; now: Date }): CheckedToken | RuleFailure {
  if (Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) return fail(`the token is ${Buffer.byteLength(token, 'utf8')} bytes long; EKS refuses more than ${MAX_TOKEN_BYTES}`);
  if (!token.startsWith(TOKEN_PREFIX)) return fail(`the token does not start with "${TOKEN_PREFIX}"`);
  const body = token.slice(TOKEN_PREFIX.length);
  if (body.includes('=')) return fail('the token is base64 with padding ("="); EKS wants base64url without padding');
  const decoded = decodeRawUrlBase64(body);
  if (decoded === undefined) return fail('the token is not base64url (RFC 4648 §5, no padding)');
  let url: URL;
  try {
    url = new URL(decoded);
  } catch {
    return fail('the token does not hold a URL');
  }
  if (url.protocol !== 'https:') return fail(`the presigned URL's scheme is "${url.protocol.slice(0, -1)}", not https`);
  if (url.port !== '' || url.username !== '' || url.password !== '' || !isStsHostOf(options.partition, url.hostname)) {
    return fail(`the presigned URL names host "${url.host}", which is not an STS endpoint of partition ${options.partition}`);
  }
  if (url.pathname !== '/') return fail(`the presigned URL's path is "${url.pathname}", not "/"`);

  const params = new Map<string, string>();
  for (const part of url.search.slice(1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return fail('the presigned URL has a malformed query parameter');
    }
    const lower = key.toLowerCase();
    if (!ALLOWED_PARAMS.has(lower)) return fail(`the presigned URL has query parameter "${key}", which EKS does not allow`);
    if (params.has(lower)) return fail(`the presigned URL has query parameter "${key}" more than once`);
    params.set(lower, value);
  }
  if (params.get('action') !== 'GetCallerIdentity') return fail(`the presigned URL's Action is ${JSON.stringify(params.get('action') ?? '')}, not GetCallerIdentity`);
  const signedHeaders = (params.get('x-amz-signedheaders') ?? '').split(';').filter((h) => h !== '');
  if (!signedHeaders.some((h) => h.toLowerCase() === CLUSTER_ID_HEADER)) {
    return fail(`the ${CLUSTER_ID_HEADER} header is not signed (X-Amz-SignedHeaders is ${JSON.stringify(signedHeaders.join(';'))}): the token names no cluster`);
  }
  const expiresRaw = params.get('x-amz-expires') ?? '';
  const expires = /^[+-]?\d+$/.test(expiresRaw) ? Number(expiresRaw) : Number.NaN;
  if (!(expires >= 0 && expires <= 900)) return fail(`X-Amz-Expires is ${JSON.stringify(expiresRaw)}; EKS wants 0 to 900 seconds`);
  const date = params.get('x-amz-date') ?? '';
  if (date === '') return fail('the presigned URL has no X-Amz-Date');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  const signedAt = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
  if (!signedAt || Number.isNaN(signedAt.getTime()) || signedAt.toISOString().replace(/[-:]|\.000/g, '') !== date) {
    return fail(`X-Amz-Date ${JSON.stringify(date)} is not a date (YYYYMMDDTHHMMSSZ)`);
  }
  const expiresAt = new Date(signedAt.getTime() + PRESIGNED_URL_LIFETIME_MS);
  if (options.now.getTime() > expiresAt.getTime()) {
    return fail(`the token was signed at ${signedAt.toISOString()} and expired at ${expiresAt.toISOString()} (15 minutes later)`, 'expired');
  }
  const credential = (params.get('x-amz-credential') ?? '').split('/');
  const [accessKeyId = '', , region = ''] = credential;
  return {
    ok: true,
    url: decoded,
    host: url.hostname,
    region: region || regionOfHost(url.hostname),
    accessKeyId,
    signedAt,
    expiresAt,
    signedHeaders,
    hasSessionToken: params.has('x-amz-security-token'),
  };
}

function regionOfHost(host: string): string {
  return /^sts(?:-fips)?\.([a-z0-9-]+)\./.exec(host)?.[1] ?? 'us-east-1';
}
