/**
 * AWS credentials for the commands that call AWS for a while (status, the
 * switch, the weighted shift, drain): the credential chain in botocore's
 * order, resolved once and again when what it gave is about to expire.
 */
import type { Io } from '../io.js';
import { readAwsFiles, selectedProfile, type AwsFiles } from './config-files.js';
import { noCredentialsError, planCredentials } from './credentials.js';
import { Deadline } from './deadline.js';
import type { AwsCredentials } from './eks-token.js';

export interface TokenContext {
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  readonly region: string;
  readonly interactive: boolean;
  readonly prompt: (question: string) => Promise<string>;
}

/** The session of a command run from a terminal (io), in a region. */
export function sessionContext(io: Pick<Io, 'env' | 'now' | 'stdinIsTTY' | 'prompt'>, region: string): TokenContext {
  return {
    env: io.env,
    now: io.now,
    region,
    get interactive() {
      return io.stdinIsTTY();
    },
    prompt: io.prompt,
  };
}

/** Bound on resolving the credentials (and assuming the role) once. */
const CREDENTIALS_TIMEOUT_MS = 30_000;

export function chain(ctx: TokenContext, profile: string | undefined) {
  let files: AwsFiles | undefined;
  const awsFiles = () => (files ??= readAwsFiles(ctx.env));
  const planInput = { env: ctx.env, profileFlag: profile, files: awsFiles };
  const base = { env: ctx.env, files: awsFiles, region: ctx.region, interactive: () => ctx.interactive, prompt: ctx.prompt };
  return {
    async source() {
      const plan = planCredentials(planInput);
      if (!plan) throw noCredentialsError(planInput);
      const { resolveWithin } = await import('./credential-sources.js'); // the signer chunk, loaded whole
      return { ...(await resolveWithin(plan, true, base, () => new Deadline(CREDENTIALS_TIMEOUT_MS, { knob: '' }))), plan };
    },
    endpointProfile: selectedProfile(profile, ctx.env).name,
  };
}

/** Resolves once, again after a failure or when what it gave is about to expire. */
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

/** Source credentials for a profile (or the chain's default): what Route53 calls start from. */
export function credentialSource(ctx: TokenContext, profile: string | undefined): () => Promise<AwsCredentials> {
  const c = chain(ctx, profile);
  return memo(ctx.now, async () => (await c.source()).credentials);
}

