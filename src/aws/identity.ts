/**
 * Who signs, for every command that calls AWS: the credential chain in
 * botocore's order (./credentials.ts decides, ./credential-sources.ts runs
 * it), then the role when one is asked, under one deadline (--aws-timeout),
 * memoised until shortly before the credentials expire.
 *
 * The plan (which source signs) is decided from the environment and the
 * shared files alone, without a call: the token's cached path stops there.
 * The code that runs a plan (credential_process, the SDK's providers, STS)
 * loads only when credentials are needed, and before the deadline starts, so
 * the deadline times the AWS work, not the parsing of the SDK. Static imports
 * here are the ones the token's hot file already holds.
 */
import type { Io } from '../io.js';
import { parseDurationFlag } from '../vocabulary.js';
import { readAwsFiles, selectedProfile, type AwsFiles } from './config-files.js';
import type { ChainContext, ResolvedCredentials } from './credential-sources.js';
import { describePlan, noCredentialsError, planCredentials, type CredentialPlan, type PlanInput } from './credentials.js';
import { Deadline } from './deadline.js';
import type { AwsCredentials } from './eks-token.js';
import type { AssumeRoleInput } from './sts.js';

/** The one deadline of a command's AWS work: its flag, default and bounds. */
export const AWS_TIMEOUT = { flag: '--aws-timeout', defaultMs: 15_000, min: 100, max: 600_000 } as const;

/** --aws-timeout's value in milliseconds (the vocabulary's duration rule); absent: `fallbackMs`. */
export function parseAwsTimeout(value: string | undefined, fallbackMs: number = AWS_TIMEOUT.defaultMs): number {
  return value === undefined ? fallbackMs : parseDurationFlag(AWS_TIMEOUT.flag, value, AWS_TIMEOUT);
}

/** What an identity is resolved with: the environment, the region, the terminal, the deadline. */
export interface IdentityContext {
  readonly env: NodeJS.ProcessEnv;
  /** The clock that says when memoised credentials are about to expire (default: the system's). */
  readonly now?: () => Date;
  readonly region: string;
  /** The bound on each resolution (the credentials, then the role): --aws-timeout. */
  readonly timeoutMs: number;
  /** The flag that changes the bound, for the hint on expiry (default --aws-timeout; '' for none). */
  readonly knob?: string;
  /** May a prompt be shown (an MFA code)? Absent: never. */
  readonly interactive?: () => boolean;
  readonly prompt?: (question: string) => Promise<string>;
  /** --verbose: what a credential_process said on stderr. */
  readonly verbose?: (message: string) => void;
}

/** The context of a command run from a terminal (io), in a region, within --aws-timeout. */
export function commandIdentity(io: Pick<Io, 'env' | 'now' | 'stdinIsTTY' | 'prompt'>, region: string, timeoutMs: number): IdentityContext {
  return { env: io.env, now: io.now, region, timeoutMs, interactive: () => io.stdinIsTTY(), prompt: io.prompt };
}

/** A role to assume on top of the source credentials (STS AssumeRole). */
export type RoleRequest = AssumeRoleInput;

export interface AwsIdentity {
  /** The profile whose endpoint settings apply ("default" when none is named). */
  readonly endpointProfile: string;
  /** Which source signs, from the environment and the files alone (no call); undefined: none. */
  plan(): CredentialPlan | undefined;
  /** The plan, or the error that says where bascule looked. */
  requirePlan(): CredentialPlan;
  /**
   * The source's credentials in a deadline of their own (`role`: load the
   * role's code first too; `plan`: one this identity gave already); the
   * context comes back for a role assumed next, in the same deadline.
   */
  source(options?: { readonly role?: boolean; readonly plan?: CredentialPlan }): Promise<ResolvedCredentials & { readonly plan: CredentialPlan; readonly context: ChainContext }>;
  /** The credentials that sign: the source's, then the role's when one is given, in one deadline. */
  credentials(role?: RoleRequest): Promise<ResolvedCredentials>;
  /** A role assumed from source credentials already in hand, in a deadline of its own (the doctor's second link). */
  assumeRole(source: ResolvedCredentials, role: RoleRequest): Promise<AwsCredentials>;
}

const never = async (): Promise<string> => {
  throw new Error('no prompt here');
};

/**
 * The identity of `profile` (--profile; absent: AWS_PROFILE, else the
 * chain's default). `files`: the shared files, when the caller read them
 * already (read once, when first needed, otherwise).
 */
export function awsIdentity(ctx: IdentityContext, profile: string | undefined, files?: () => AwsFiles): AwsIdentity {
  let read: AwsFiles | undefined;
  const awsFiles = files ?? (() => (read ??= readAwsFiles(ctx.env)));
  const planInput: PlanInput = { env: ctx.env, profileFlag: profile, files: awsFiles };
  const endpointProfile = selectedProfile(profile, ctx.env).name;
  const deadline = () => new Deadline(ctx.timeoutMs, { knob: ctx.knob ?? AWS_TIMEOUT.flag });
  const base: Omit<ChainContext, 'deadline'> = {
    env: ctx.env,
    files: awsFiles,
    region: ctx.region,
    interactive: ctx.interactive ?? (() => false),
    prompt: ctx.prompt ?? never,
    ...(ctx.verbose ? { verbose: ctx.verbose } : {}),
  };
  let planned: { plan: CredentialPlan | undefined } | undefined;
  const plan = () => (planned ??= { plan: planCredentials(planInput) }).plan;
  const requirePlan = () => {
    const p = plan();
    if (!p) throw noCredentialsError(planInput);
    return p;
  };
  const source = async (options: { readonly role?: boolean; readonly plan?: CredentialPlan } = {}) => {
    const p = options.plan ?? requirePlan();
    const { resolveWithin } = await import('./credential-sources.js'); // the signer chunk, loaded whole
    return { ...(await resolveWithin(p, options.role ?? false, base, deadline)), plan: p };
  };
  return {
    endpointProfile,
    plan,
    requirePlan,
    source,
    async credentials(role) {
      const { context, plan: p, ...resolved } = await source({ role: role !== undefined });
      if (!role) return resolved;
      const { assumeRole } = await import('./sts.js');
      const credentials = await assumeRole({ ...context, endpointProfile }, resolved, role);
      return { credentials, origin: `role ${role.roleArn} (assumed with ${describePlan(p)})` };
    },
    async assumeRole(resolved, role) {
      const { assumeRole } = await import('./sts.js');
      return assumeRole({ ...base, deadline: deadline(), endpointProfile }, resolved, role);
    },
  };
}

/** Resolves once; again after a failure, or when what it gave expires within a minute. */
export function memo(now: () => Date, make: () => Promise<AwsCredentials>): () => Promise<AwsCredentials> {
  let pending: Promise<AwsCredentials> | undefined;
  return async () => {
    if (pending) {
      const held = await pending.catch(() => undefined);
      if (!held || (held.expiration && held.expiration.getTime() - now().getTime() < 60_000)) pending = undefined;
    }
    pending ??= make();
    return pending;
  };
}

/**
 * The credentials that sign a command's AWS calls (Route53, ELBv2,
 * CloudWatch, a cluster's token): the profile's source, then the role when
 * one is given; resolved once, again when they are about to expire.
 */
export function signingCredentials(ctx: IdentityContext, profile: string | undefined, role?: RoleRequest): () => Promise<AwsCredentials> {
  const who = awsIdentity(ctx, profile);
  return memo(ctx.now ?? (() => new Date()), async () => (await who.credentials(role)).credentials);
}
