/**
 * The doctor's credentials port, on bascule's AWS layer (src/aws): the chain
 * in botocore's order (planCredentials), its resolution inside a deadline,
 * then AssumeRole as a second step (the doctor reports the source and the
 * role as two links). The same code the token runs: what the doctor says is
 * what the plugin will do. Loaded lazily (STS brings the SDK chunk).
 */
import { noCredentialsError, planCredentials } from '../aws/credentials.js';
import { Deadline } from '../aws/deadline.js';
import { BasculeError } from '../errors.js';
import type { CredentialsPort } from './ports.js';
import { readAwsFiles, selectedProfile, type AwsFiles } from './token-rules.js';

export function credentialsPort(): CredentialsPort {
  const files = new Map<NodeJS.ProcessEnv, AwsFiles>();
  const awsFiles = (env: NodeJS.ProcessEnv) => () => {
    let f = files.get(env);
    if (!f) files.set(env, (f = readAwsFiles(env)));
    return f;
  };
  const chain = (ctx: Parameters<CredentialsPort['plan']>[0]) => ({
    env: ctx.env,
    files: awsFiles(ctx.env),
    region: ctx.region,
    deadline: new Deadline(ctx.timeoutMs, { knob: '--timeout' }),
    interactive: () => false,
    prompt: async (): Promise<string> => {
      throw new BasculeError('credentials', 'the doctor does not prompt');
    },
  });
  return {
    plan(ctx) {
      const input = { env: ctx.env, profileFlag: ctx.profileFlag, files: awsFiles(ctx.env) };
      const plan = planCredentials(input);
      if (!plan) throw noCredentialsError(input);
      return plan;
    },
    async source(ctx, plan) {
      const { prepareFor, resolveCredentials } = await import('../aws/credential-sources.js');
      await prepareFor(plan, false);
      return resolveCredentials(plan, chain(ctx));
    },
    async assumeRole(ctx, source, role) {
      const { assumeRole, DEFAULT_SESSION_NAME } = await import('../aws/sts.js');
      const credentials = await assumeRole({ ...chain(ctx), endpointProfile: selectedProfile(ctx.profileFlag, ctx.env).name }, source, role);
      return { credentials, sessionName: role.forwardSessionName ? undefined : (role.sessionName ?? DEFAULT_SESSION_NAME) };
    },
  };
}
