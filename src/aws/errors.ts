/**
 * The one mapper from an AWS SDK (or network) failure to bascule's error:
 * which call on what failed, the real cause, what to do. Never a secret: the
 * SDK's message is redacted and its control characters escaped, and only its
 * first line is kept.
 */
import { BasculeError, type TypedCause } from '../errors.js';
import { echo } from '../text.js';

export interface AwsCall {
  /** "STS", "Route53", "EKS" */
  readonly service: string;
  /** "AssumeRole", "ListResourceRecordSets" */
  readonly operation: string;
  /** What the call was about: a role ARN, "in zone Z123", a cluster name. */
  readonly target: string;
  /** Where the credentials in use came from, for "expired"/"not accepted" messages: "profile dev (credential_process)". */
  readonly credentials?: string;
  /** The endpoint override in effect, if any (AWS_ENDPOINT_URL_STS, a profile's endpoint_url). */
  readonly endpoint?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROXY']);

/** Error names that are JavaScript's or the SDK's own, not a code AWS answered. */
const NOT_AWS = new Set(['Error', 'TypeError', 'RangeError', 'TimeoutError', 'AbortError']);

/** AWS's codes for "this identity may not do that". */
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedException', 'UnauthorizedOperation']);

/** Was it AWS refusing the identity (AccessDenied and its kin)? From the error's AWS code, never its words. */
export const isDenied = (error: unknown): boolean => DENIED.has((error instanceof BasculeError ? error.awsCode : (error as { name?: string } | null)?.name) ?? '');

/** An SDK error's message, fit to print: its first line, by the echo rule (redacted, escaped; AWS's sentences are long: 300 characters). */
export function outsideMessage(error: unknown): string {
  const raw = String((error as { message?: unknown })?.message ?? error);
  return echo(raw.split('\n')[0] ?? '', 300);
}

function networkCode(error: unknown): string | undefined {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.cause, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  }
  return undefined;
}

/** The AWS error code (the SDK's error name), the HTTP status and the errno an SDK failure carries. */
function causeOf(error: unknown): TypedCause {
  const name = (error as { name?: unknown })?.name;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } })?.$metadata?.httpStatusCode;
  const errno = networkCode(error);
  return {
    ...(typeof name === 'string' && !NOT_AWS.has(name) && !errno ? { awsCode: name } : {}),
    ...(typeof status === 'number' ? { httpStatus: status } : {}),
    ...(errno ? { errno } : {}),
  };
}

export function awsError(call: AwsCall, error: unknown): BasculeError {
  if (error instanceof BasculeError) return error;
  const typed = { ...causeOf(error), cause: error };
  const name = String((error as { name?: string })?.name ?? 'Error');
  const message = outsideMessage(error);
  const what = `${call.service} ${call.operation} ${call.target}`.trim();
  const attempts = Number((error as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 0);
  const after = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (DENIED.has(name)) {
    return new BasculeError('aws', `${what} was denied: ${message}`, {
      ...typed,
      hint:
        (call.service === 'STS'
          ? "check the role's trust policy allows your identity (and the external id, if any)"
          : `the identity in use needs the ${call.service} permission for ${call.operation}`) + (call.credentials ? `; the identity comes from ${call.credentials}` : ''),
    });
  }
  switch (name) {
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'RequestExpired':
    case 'TokenRefreshRequired':
      return new BasculeError('credentials', `${what} failed: the credentials${call.credentials ? ` from ${call.credentials}` : ''} have expired`, {
        ...typed,
        hint: 'refresh them (aws sso login, a new session token, the credential_process) and retry',
      });
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'IncompleteSignature':
      return new BasculeError('credentials', `${what} failed: AWS does not accept the credentials${call.credentials ? ` from ${call.credentials}` : ''} (${name})`, {
        ...typed,
        hint: 'check the access key, secret and session token in use (and that they belong to this partition)',
      });
    case 'Throttling':
    case 'ThrottlingException':
    case 'TooManyRequestsException':
    case 'PriorRequestNotComplete':
      return new BasculeError('aws', `${what} was throttled by ${call.service}${after} (${name})`, { ...typed, hint: 'wait a moment and retry' });
    case 'RegionDisabledException':
      return new BasculeError('aws', `${what} failed: STS is not activated in this region`, { ...typed, hint: 'activate STS for the region in IAM account settings, or use another --region' });
    case 'NoSuchHostedZone':
      return new BasculeError('aws', `${what}: no such hosted zone`, { ...typed, hint: 'check api.zoneId / clusterNameRecord.zoneId, and the account your credentials reach' });
    case 'InvalidChangeBatch':
      return new BasculeError('aws', `${what} was refused: InvalidChangeBatch: ${message}`, {
        ...typed,
        hint: 'a record of another type (or a weighted/alias record) may already sit at that name; look at the zone, fix it, then resume',
      });
    case 'ResourceNotFoundException':
      return new BasculeError('aws', `${what}: not found (${message})`, { ...typed, hint: 'check the name, the region and the account your credentials reach' });
    case 'AbortError':
      return new BasculeError('aws', `${what} was cancelled: it did not answer in time`, { ...typed, hint: 'check the network (and HTTPS_PROXY / NO_PROXY), or allow more time' });
    default: {
      const code = typed.errno;
      if (code || name === 'TimeoutError') {
        const where = call.endpoint ? `the endpoint ${echo(call.endpoint)}` : call.service;
        return new BasculeError('aws', `${what} failed: cannot reach ${where} (${code ?? name}: ${message})`, {
          ...typed,
          hint: `check the network, HTTPS_PROXY / NO_PROXY, and any AWS_ENDPOINT_URL_${call.service === 'Route53' ? 'ROUTE_53' : call.service.toUpperCase()} or endpoint_url override`,
        });
      }
      return new BasculeError('aws', `${what} failed: ${name}: ${message}`, typed);
    }
  }
}
