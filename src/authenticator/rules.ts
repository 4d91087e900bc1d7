/**
 * What the EKS authenticator checks in a token before it asks STS, in its
 * order: aws-iam-authenticator pkg/token/token.go, tokenVerifier.Verify, as
 * pure rules of the token, the partition the cluster lives in, and the
 * instant (no network, no clock of its own). The token is read with Go's
 * rules, not the web's (go-text.ts: base64; go-url.ts: net/url), so a URL is
 * accepted or refused as the cluster would: written from the rules, not from
 * bascule's signer, so it catches the signer's mistakes too.
 *
 * What passes is also what EKS then sends to STS (the host, the request
 * target, and Basic credentials when the URL carries a user), so that
 * `verify` sends the same request.
 */
import { decodeRawUrlBase64, equalFoldAscii, goAtoi, goToLower, parseAmzDate } from './go-text.js';
import { goParseQuery, goUrlParse, quoteBytes } from './go-url.js';
import { stsHostProblem, type PartitionId } from './sts-hosts.js';

export { isStsHostOf, PARTITIONS, type PartitionId } from './sts-hosts.js';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** The authenticator refuses anything longer, before decoding it. */
export const MAX_TOKEN_BYTES = 4096;
/** STS accepts a presigned GetCallerIdentity this long after X-Amz-Date, whatever X-Amz-Expires says. */
export const PRESIGNED_URL_LIFETIME_MS = 15 * 60 * 1000;

/** token.go parameterWhitelist: compared with the key lower-cased. */
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

/** The GET the authenticator makes of a token's URL (http.NewRequest(parsedURL.String()), client.Do). */
export interface PresignedRequest {
  /** The Host header and the address: the URL's host as written (bytes). */
  readonly host: string;
  /** The request line's target: "/" and the raw query (bytes). */
  readonly target: string;
  /** "user:password" when the URL carries userinfo: Go's client then sends it as Basic credentials. */
  readonly basicAuth: string | undefined;
}

export interface CheckedToken {
  readonly ok: true;
  readonly request: PresignedRequest;
  /** The host, printable (bytes outside printable ASCII escaped). */
  readonly host: string;
  /** The region of the credential scope (else of the host). */
  readonly region: string;
  readonly accessKeyId: string;
  readonly signedAt: Date;
  /** X-Amz-Date + 15 minutes: when EKS stops accepting it. */
  readonly expiresAt: Date;
  readonly signedHeaders: readonly string[];
  readonly hasSessionToken: boolean;
}

const fail = (reason: string, cls: RuleFailure['class'] = 'malformed'): RuleFailure => ({ ok: false, class: cls, reason });
/** A byte string for a message: as is when printable ASCII, else Go-quoted. */
const printable = (bytes: string) => (/^[\x20-\x7e]*$/.test(bytes) ? bytes : quoteBytes(bytes).slice(1, -1));

/** Verify's first steps: the length, the prefix, base64 (RawURLEncoding), url.Parse, the scheme, the host, the path. */
function checkUrl(token: string, partition: PartitionId) {
  const raw = Buffer.from(token, 'utf8');
  if (raw.length > MAX_TOKEN_BYTES) return fail(`the token is ${raw.length} bytes long; EKS refuses more than ${MAX_TOKEN_BYTES}`);
  if (!token.startsWith(TOKEN_PREFIX)) return fail(`the token does not start with "${TOKEN_PREFIX}"`);
  // Go's decoder skips line breaks, but kubectl cannot send one in the Authorization header.
  if (/[\r\n]/.test(token)) return fail('the token holds a line break, which kubectl cannot send in an HTTP header');
  if (token.slice(TOKEN_PREFIX.length).includes('=')) return fail('the token is base64 with padding ("="); EKS wants base64url without padding');
  const decoded = decodeRawUrlBase64(raw.subarray(Buffer.byteLength(TOKEN_PREFIX)));
  if ('error' in decoded) return fail(`the token is not base64url (RFC 4648 §5, no padding): ${decoded.error}`);
  const url = goUrlParse(decoded.bytes.toString('latin1'));
  if ('error' in url) return fail(`the token does not hold a URL Go can parse: ${url.error}`);
  if (url.scheme !== 'https') return fail(`the presigned URL's scheme is ${quoteBytes(url.scheme)}, not https`);
  const hostProblem = stsHostProblem(partition, url.host);
  if (hostProblem) return fail(`the presigned URL's host ${quoteBytes(url.host)} ${hostProblem}: it is not an STS endpoint of partition ${partition}`);
  if (url.path !== '/') return fail(`the presigned URL's path is ${quoteBytes(url.path)}, not "/"`);
  return url;
}

/**
 * The query as Verify reads it: url.ParseQuery (any error refuses the token),
 * validateDuplicateParameters (a key twice, whatever its case), then each key
 * (Go visits a map in no set order; here in the URL's order) allowed once,
 * into a map of lower-cased keys (strings.ToLower, Go's case mapping).
 */
function checkQuery(rawQuery: string): Map<string, string> | RuleFailure {
  const { values, error } = goParseQuery(rawQuery);
  if (error) return fail(`the presigned URL has a malformed query (${error})`);
  const seen = new Set<string>();
  for (const key of values.keys()) {
    if (seen.has(goToLower(key))) return fail(`the presigned URL has query parameter ${quoteBytes(key)} more than once (in some case)`);
    seen.add(goToLower(key));
  }
  const params = new Map<string, string>();
  for (const [key, list] of values) {
    if (!ALLOWED_PARAMS.has(goToLower(key))) return fail(`the presigned URL has query parameter ${quoteBytes(key)}, which EKS does not allow`);
    if (list.length !== 1) return fail(`the presigned URL has query parameter ${quoteBytes(key)} more than once`);
    params.set(goToLower(key), list[0] as string);
  }
  return params;
}

/** The authenticator's rules, in its order. */
export function checkToken(token: string, options: { partition: PartitionId; now: Date }): CheckedToken | RuleFailure {
  const url = checkUrl(token, options.partition);
  if ('ok' in url) return url;
  const params = checkQuery(url.rawQuery);
  if (!(params instanceof Map)) return params;
  const get = (key: string) => params.get(key) ?? '';

  if (get('action') !== 'GetCallerIdentity') return fail(`the presigned URL's Action is ${quoteBytes(get('action'))}, not GetCallerIdentity`);
  const signedHeaders = get('x-amz-signedheaders').split(';');
  if (!signedHeaders.some((h) => equalFoldAscii(h, CLUSTER_ID_HEADER))) {
    return fail(`the ${CLUSTER_ID_HEADER} header is not signed (X-Amz-SignedHeaders is ${quoteBytes(get('x-amz-signedheaders'))}): the token names no cluster`);
  }
  const expires = goAtoi(get('x-amz-expires'));
  if (expires === undefined || expires < 0 || expires > 900) return fail(`X-Amz-Expires is ${quoteBytes(get('x-amz-expires'))}; EKS wants 0 to 900 seconds`);
  if (get('x-amz-date') === '') return fail('the presigned URL has no X-Amz-Date');
  const signedAt = parseAmzDate(get('x-amz-date'));
  if (!signedAt) return fail(`X-Amz-Date ${quoteBytes(get('x-amz-date'))} is not a date (YYYYMMDDTHHMMSSZ)`);
  const expiresAt = new Date(signedAt.getTime() + PRESIGNED_URL_LIFETIME_MS);
  if (options.now.getTime() > expiresAt.getTime()) {
    return fail(`the token was signed at ${signedAt.toISOString()} and expired at ${expiresAt.toISOString()} (15 minutes later)`, 'expired');
  }
  const [accessKeyId = '', , region = ''] = get('x-amz-credential').split('/');
  const user = url.user;
  return {
    ok: true,
    request: {
      host: url.host,
      target: `/?${url.rawQuery}`,
      basicAuth: user ? `${user.username}:${user.password ?? ''}` : undefined,
    },
    host: printable(url.host),
    region: printable(region || regionOfHost(url.host)),
    accessKeyId: printable(accessKeyId),
    signedAt,
    expiresAt,
    signedHeaders: signedHeaders.filter((h) => h !== '').map(printable),
    hasSessionToken: params.has('x-amz-security-token'),
  };
}

/** The region a host names when the credential scope has none (sts.amazonaws.com: us-east-1). */
const regionOfHost = (host: string) => (host === 'sts.amazonaws.com' ? 'us-east-1' : (host.split('.')[1] ?? ''));
