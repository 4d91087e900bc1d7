/**
 * AWS adapter of the token path: the source credentials (the standard chain)
 * and the role assumption. Environment keys and plain static profiles are read
 * directly; everything else (SSO, credential_process, web identity, assume-role
 * profiles, container and instance metadata) goes through the AWS SDK, which
 * is loaded only then.
 *
 * The SDK reads process.env itself; `run()` passes process.env in production.
 */
import { BasculeError, redact } from '../errors.js';
import type { AwsCredentials } from './eks-token.js';
import { profileSettings, selectedProfile, staticProfileCredentials, type AwsFiles } from './aws-config.js';

export interface CredentialContext {
  readonly env: NodeJS.ProcessEnv;
  readonly profileFlag: string | undefined;
  readonly region: string;
  /** May we prompt on the terminal (MFA)? */
  readonly interactive: boolean;
  /** Asks a question on stderr and reads one line from the terminal. */
  readonly prompt: (question: string) => Promise<string>;
  /** Lazily read AWS files, shared with region resolution. */
  readonly awsFiles: () => AwsFiles;
}

export interface SourceCredentials {
  readonly credentials: AwsCredentials;
  /** Where they came from, for messages: "environment", "profile dev". */
  readonly origin: string;
}

/** Which credentials the chain would take, decided without the SDK where possible. */
export type SourcePlan =
  | { readonly kind: 'env'; readonly credentials: AwsCredentials }
  | { readonly kind: 'static-profile'; readonly profile: string; readonly credentials: AwsCredentials }
  | { readonly kind: 'sdk'; readonly profile: string; readonly explicit: boolean };

export function planSourceCredentials(ctx: Pick<CredentialContext, 'env' | 'profileFlag' | 'awsFiles'>): SourcePlan {
  const { env } = ctx;
  const profile = selectedProfile(ctx.profileFlag, env);
  // The SDK's order: environment keys first, unless a profile is named.
  if (!profile.explicit && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const expiration = env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined;
    if (expiration && Number.isNaN(expiration.getTime())) {
      throw new BasculeError('config', `AWS_CREDENTIAL_EXPIRATION ${JSON.stringify(env.AWS_CREDENTIAL_EXPIRATION)} is not a date`);
    }
    return {
      kind: 'env',
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN || undefined,
        expiration,
      },
    };
  }
  const statics = staticProfileCredentials(profileSettings(ctx.awsFiles(), profile.name));
  if (statics) return { kind: 'static-profile', profile: profile.name, credentials: statics };
  return { kind: 'sdk', profile: profile.name, explicit: profile.explicit };
}

/** Keeps the SDK's Node-version notice off stderr: kubectl shows stderr to users. */
function quietSdk(env: NodeJS.ProcessEnv): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

function mfaCodeProvider(ctx: CredentialContext, profile: string) {
  return async (serial: string): Promise<string> => {
    if (!ctx.interactive) {
      throw new BasculeError('credentials', `AWS profile "${profile}" needs an MFA code (mfa_serial ${serial}), but bascule may not prompt: kubectl runs it non-interactively`, {
        hint: 'set interactiveMode: IfAvailable in the kubeconfig user, or run "bascule token" once in a terminal',
      });
    }
    const code = (await ctx.prompt(`MFA code for ${serial}: `)).trim();
    if (!/^\d{6}$/.test(code)) throw new BasculeError('credentials', 'the MFA code must be 6 digits');
    return code;
  };
}

export async function resolveSourceCredentials(ctx: CredentialContext, plan: SourcePlan): Promise<SourceCredentials> {
  if (plan.kind === 'env') return { credentials: plan.credentials, origin: 'environment variables' };
  if (plan.kind === 'static-profile') return { credentials: plan.credentials, origin: `profile ${plan.profile}` };
  quietSdk(ctx.env);
  const { fromNodeProviderChain } = await import('./aws-sdk.js');
  const provider = fromNodeProviderChain({
    ...(plan.explicit ? { profile: plan.profile } : {}),
    mfaCodeProvider: mfaCodeProvider(ctx, plan.profile),
    clientConfig: { region: ctx.region },
  });
  try {
    const c = await provider();
    return {
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration },
      origin: `profile ${plan.profile}`,
    };
  } catch (error) {
    if (error instanceof BasculeError) throw error;
    throw new BasculeError('credentials', `no usable AWS credentials: ${redact((error as Error).message ?? String(error))}`, {
      hint:
        `tried, in order: environment variables (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), ` +
        `the shared config and credentials files (profile "${plan.profile}"), SSO, credential_process, ` +
        'web identity (AWS_WEB_IDENTITY_TOKEN_FILE), container credentials and EC2 instance metadata; ' +
        'run "aws sso login", set AWS_PROFILE, or export keys',
    });
  }
}

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string | undefined;
  readonly forwardSessionName: boolean;
  readonly externalId: string | undefined;
  readonly durationSeconds: number | undefined;
}

export const DEFAULT_SESSION_NAME = 'bascule';
const MAX_ATTEMPTS = 4;

/** Maps an STS failure to a message naming the call, never a secret. */
export function stsError(call: string, target: string, error: unknown): BasculeError {
  const name = (error as { name?: string }).name ?? 'Error';
  const code = (error as { code?: string }).code;
  const message = redact(String((error as { message?: string }).message ?? error)).split('\n')[0];
  switch (name) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new BasculeError('aws', `${call} ${target} was denied: ${message}`, {
        hint: "check the role's trust policy allows your identity (and the external id, if any)",
      });
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'RequestExpired':
      return new BasculeError('credentials', `${call} ${target} failed: the source AWS credentials have expired`, {
        hint: 'refresh them (aws sso login, a new session token) and retry',
      });
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'UnrecognizedClientException':
      return new BasculeError('credentials', `${call} ${target} failed: AWS does not accept the source credentials (${name})`, {
        hint: 'check the access key, secret and session token in use',
      });
    case 'Throttling':
    case 'ThrottlingException':
    case 'TooManyRequestsException':
      return new BasculeError('aws', `${call} ${target} was throttled by STS after ${MAX_ATTEMPTS} attempts`, {
        hint: 'wait a moment and retry; the token cache avoids most calls',
      });
    case 'RegionDisabledException':
      return new BasculeError('aws', `${call} ${target} failed: STS is not activated in this region`, {
        hint: 'activate STS for the region in IAM account settings, or use another --region',
      });
    default:
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || name === 'TimeoutError') {
        return new BasculeError('aws', `${call} ${target} failed: cannot reach STS (${code ?? name})`, {
          hint: 'check the network and any AWS_ENDPOINT_URL_STS / endpoint_url override',
        });
      }
      return new BasculeError('aws', `${call} ${target} failed: ${name}: ${message}`);
  }
}

export async function assumeRole(ctx: CredentialContext, source: AwsCredentials, input: AssumeRoleInput, plan: SourcePlan): Promise<AwsCredentials> {
  quietSdk(ctx.env);
  const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = await import('./aws-sdk.js');
  const client = new STSClient({
    region: ctx.region,
    credentials: source,
    maxAttempts: MAX_ATTEMPTS,
    // The profile still matters for endpoint_url / services sections.
    ...(plan.kind !== 'env' ? { profile: plan.profile } : {}),
  });
  try {
    let sessionName = input.sessionName ?? DEFAULT_SESSION_NAME;
    if (input.forwardSessionName) {
      let identity;
      try {
        identity = await client.send(new GetCallerIdentityCommand({}));
      } catch (error) {
        throw stsError('GetCallerIdentity', '(for --forward-session-name)', error);
      }
      const parts = (identity.UserId ?? '').split(':');
      if (parts.length === 2 && parts[1]) sessionName = sanitiseSessionName(parts[1]);
    }
    let response;
    try {
      response = await client.send(
        new AssumeRoleCommand({
          RoleArn: input.roleArn,
          RoleSessionName: sessionName,
          ...(input.externalId ? { ExternalId: input.externalId } : {}),
          ...(input.durationSeconds ? { DurationSeconds: input.durationSeconds } : {}),
        }),
      );
    } catch (error) {
      throw stsError('AssumeRole', input.roleArn, error);
    }
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new BasculeError('aws', `AssumeRole ${input.roleArn} returned no credentials`);
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } finally {
    client.destroy();
  }
}

/** A forwarded session name may hold characters STS refuses; keep the allowed ones, at most 64. */
export function sanitiseSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : DEFAULT_SESSION_NAME;
}

/** The adapter as the token use case sees it. */
export const credentialsPort = {
  plan: planSourceCredentials,
  source: resolveSourceCredentials,
  assumeRole: (ctx: CredentialContext, source: AwsCredentials, input: AssumeRoleInput, plan: SourcePlan) => assumeRole(ctx, source, input, plan),
};
