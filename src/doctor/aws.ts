/**
 * The doctor's credentials port, on the one AWS identity (src/aws/identity.ts):
 * the chain in botocore's order, its resolution inside the deadline
 * (--aws-timeout), then AssumeRole as a second step in a deadline of its own
 * (the doctor reports the source and the role as two links). The same code
 * the token runs: what the doctor says is what the plugin will do. The code
 * that runs a plan (credential_process, the SDK, STS) loads only when a link
 * needs it.
 */
import { awsIdentity, type AwsIdentity } from '../aws/identity.js';
import type { CredentialContext, CredentialsPort } from './ports.js';
import { readAwsFiles, type AwsFiles } from './token-rules.js';

export function credentialsPort(): CredentialsPort {
  // The exec entry's environment decides the files; each is read once.
  const files = new Map<NodeJS.ProcessEnv, AwsFiles>();
  const awsFiles = (env: NodeJS.ProcessEnv) => () => {
    let f = files.get(env);
    if (!f) files.set(env, (f = readAwsFiles(env)));
    return f;
  };
  const identity = (ctx: CredentialContext): AwsIdentity =>
    awsIdentity({ env: ctx.env, region: ctx.region, timeoutMs: ctx.timeoutMs }, ctx.profileFlag, awsFiles(ctx.env));
  return {
    plan: (ctx) => identity(ctx).requirePlan(),
    async source(ctx, plan) {
      const { credentials, origin } = await identity(ctx).source({ plan });
      return { credentials, origin };
    },
    async assumeRole(ctx, source, role) {
      const credentials = await identity(ctx).assumeRole(source, role);
      const { DEFAULT_SESSION_NAME } = await import('../aws/sts.js');
      return { credentials, sessionName: role.forwardSessionName ? undefined : (role.sessionName ?? DEFAULT_SESSION_NAME) };
    },
  };
}
