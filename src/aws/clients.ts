/**
 * The settings every SDK client of the cut-over commands shares (no SDK
 * import here): the region, the credentials, the endpoint `aws --profile`
 * would use for the service (AWS_ENDPOINT_URL_<SERVICE>, the profile's
 * services section, AWS_ENDPOINT_URL, its endpoint_url: config-files.ts), and
 * the proxies and timeouts of src/aws/sdk.ts. src/aws/route53.ts builds its
 * client the same way.
 */
import { BasculeError } from '../errors.js';
import { configuredEndpoint, readAwsFiles, selectedProfile, type ServiceId } from './config-files.js';
import type { AwsCredentials } from './eks-token.js';
import { awsError, isDenied } from './errors.js';
import { ENDPOINT_BY_BASCULE, requestHandler } from './sdk.js';

export interface AwsContext {
  readonly region: string;
  readonly env: NodeJS.ProcessEnv;
  /** --profile, for the endpoint a profile sets; absent: AWS_PROFILE, else default. */
  readonly profile?: string | undefined;
  readonly credentials: () => Promise<AwsCredentials>;
  /** The bound on each request (--aws-timeout; absent: 15 s). */
  readonly timeoutMs?: number;
}

/** The endpoint override in effect for a service, if any. */
export function serviceEndpoint(ctx: Pick<AwsContext, 'env' | 'profile'>, service: ServiceId): string | undefined {
  return configuredEndpoint(service, ctx.env, readAwsFiles(ctx.env), selectedProfile(ctx.profile, ctx.env).name);
}

/** An SDK client's configuration for a service. */
export function clientConfig(ctx: AwsContext, service: ServiceId) {
  const endpoint = serviceEndpoint(ctx, service);
  return { region: ctx.region, maxAttempts: 3, credentials: ctx.credentials, requestHandler: requestHandler(ctx.env, undefined, ctx.timeoutMs), ...ENDPOINT_BY_BASCULE, ...(endpoint ? { endpoint } : {}) };
}

/**
 * An SDK failure as bascule's error, through the one mapper (src/aws/errors.ts),
 * naming the endpoint override in use; when the call was denied, the hint
 * names the IAM permission it needs.
 */
export function callError(call: { service: string; operation: string; target: string; endpoint: string | undefined; permission: string }, error: unknown): BasculeError {
  const mapped = awsError({ service: call.service, operation: call.operation, target: call.target, ...(call.endpoint ? { endpoint: call.endpoint } : {}) }, error);
  if (isDenied(mapped)) return new BasculeError('aws', mapped.message, { hint: `the identity in use needs ${call.permission}`, awsCode: mapped.awsCode, httpStatus: mapped.httpStatus, cause: error });
  return mapped;
}
