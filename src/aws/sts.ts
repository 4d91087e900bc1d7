/**
 * STS AssumeRole (and GetCallerIdentity for --forward-session-name), through
 * the endpoint the profile configures (AWS_ENDPOINT_URL_STS, services
 * sections, endpoint_url), the proxies, and inside the deadline.
 */
import { BasculeError } from '../errors.js';
import { configuredEndpoint, type AwsFiles } from './config-files.js';
import type { Deadline } from './deadline.js';
import type { AwsCredentials } from './eks-token.js';
import { echo } from '../text.js';
import { awsError } from './errors.js';

export interface StsContext {
  readonly env: NodeJS.ProcessEnv;
  readonly files: () => AwsFiles;
  readonly region: string;
  readonly deadline: Deadline;
  /** The profile whose endpoint settings apply ("default" when none is named). */
  readonly endpointProfile: string;
}

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string | undefined;
  readonly forwardSessionName: boolean;
  readonly externalId: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly mfa?: { readonly serial: string; readonly code: string } | undefined;
  /** STS SourceIdentity: kept by every session chained from this one, shown in CloudTrail. */
  readonly sourceIdentity?: string | undefined;
  /** Session tags ([key, value]): the role's policies and CloudTrail see them. */
  readonly tags?: readonly (readonly [string, string])[];
}

export const DEFAULT_SESSION_NAME = 'bascule';
const MAX_ATTEMPTS = 4;

/** A forwarded session name may hold characters STS refuses; keep the allowed ones, at most 64. */
export function sanitiseSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : DEFAULT_SESSION_NAME;
}

/**
 * STS's AccessDenied for a session bascule marked, in STS's own words ("User:
 * ARN is not authorized to perform: sts:TagSession on resource: ROLE"): the
 * role's trust policy lacks the action the marking needs. Said as such, with
 * the action to add; undefined for any other failure.
 */
export function sessionRefusal(input: Pick<AssumeRoleInput, 'roleArn' | 'sourceIdentity' | 'tags'>, error: unknown): BasculeError | undefined {
  const name = String((error as { name?: unknown })?.name ?? '');
  if (name !== 'AccessDenied' && name !== 'AccessDeniedException') return undefined;
  const message = String((error as { message?: unknown })?.message ?? '');
  const action = /not authorized to perform: (sts:TagSession|sts:SetSourceIdentity)\b/.exec(message)?.[1];
  if (!action) return undefined;
  const who = /^User: (\S+) is not authorized/.exec(message)?.[1];
  const asked =
    action === 'sts:TagSession'
      ? `session tags (${(input.tags ?? []).map(([k]) => k).join(', ') || 'none asked'})`
      : `the source identity ${JSON.stringify(input.sourceIdentity ?? '')}`;
  const flag = action === 'sts:TagSession' ? '--tag' : '--source-identity';
  return new BasculeError('aws', `STS AssumeRole ${input.roleArn} was denied: the role's trust policy does not allow ${action}${who ? ` to ${echo(who)}` : ''}, needed for ${asked}`, {
    hint: `add "${action}" beside "sts:AssumeRole" in the Action of the trust policy statement that lets you assume ${input.roleArn}, or drop ${flag} (and the access level's ${action === 'sts:TagSession' ? 'tags' : 'sourceIdentity'} in the platform file)`,
  });
}

export function stsEndpoint(ctx: Pick<StsContext, 'env' | 'files' | 'endpointProfile'>): string | undefined {
  return configuredEndpoint('sts', ctx.env, ctx.files(), ctx.endpointProfile);
}

export async function assumeRole(ctx: StsContext, source: { credentials: AwsCredentials; origin: string }, input: AssumeRoleInput): Promise<AwsCredentials> {
  // The SDK chunk, loaded here: a static import would be hoisted into the hot file's ES-module form (the binary).
  const { AssumeRoleCommand, ENDPOINT_BY_BASCULE, GetCallerIdentityCommand, requestHandler, STSClient } = await import('./sdk.js');
  const endpoint = stsEndpoint(ctx);
  const client = new STSClient({
    region: ctx.region,
    credentials: source.credentials,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: requestHandler(ctx.env, ctx.deadline),
    ...ENDPOINT_BY_BASCULE,
    ...(endpoint ? { endpoint } : {}),
  });
  const call = (operation: string, target: string) => ({ service: 'STS', operation, target, credentials: source.origin, ...(endpoint ? { endpoint } : {}) });
  const where = endpoint ? `STS at ${endpoint}` : `STS (${ctx.region})`;
  try {
    let sessionName = input.sessionName ?? DEFAULT_SESSION_NAME;
    if (input.forwardSessionName) {
      const identity = await ctx.deadline
        .run(`${where}, asked GetCallerIdentity for --forward-session-name,`, (abortSignal) => client.send(new GetCallerIdentityCommand({}), { abortSignal }))
        .catch((error: unknown) => {
          throw awsError(call('GetCallerIdentity', '(for --forward-session-name)'), error);
        });
      const parts = (identity.UserId ?? '').split(':');
      if (parts.length === 2 && parts[1]) sessionName = sanitiseSessionName(parts[1]);
    }
    const response = await ctx.deadline
      .run(`${where}, asked AssumeRole ${input.roleArn},`, (abortSignal) =>
        client.send(
          new AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: sessionName,
            ...(input.externalId ? { ExternalId: input.externalId } : {}),
            ...(input.durationSeconds ? { DurationSeconds: input.durationSeconds } : {}),
            ...(input.mfa ? { SerialNumber: input.mfa.serial, TokenCode: input.mfa.code } : {}),
            ...(input.sourceIdentity ? { SourceIdentity: input.sourceIdentity } : {}),
            ...(input.tags?.length ? { Tags: input.tags.map(([Key, Value]) => ({ Key, Value })) } : {}),
          }),
          { abortSignal },
        ),
      )
      .catch((error: unknown) => {
        throw sessionRefusal(input, error) ?? awsError(call('AssumeRole', input.roleArn), error);
      });
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new BasculeError('aws', `STS AssumeRole ${input.roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } finally {
    client.destroy();
  }
}
