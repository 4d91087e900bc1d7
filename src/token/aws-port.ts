/**
 * The token's AWS port, on the one identity of the AWS layer
 * (src/aws/identity.ts): the region and the credential plan are decided from
 * the environment and the shared files alone (the cached path stops there);
 * the credentials themselves, and the role, are fetched only for a new token,
 * inside one deadline (--aws-timeout).
 */
import { profileSettings, readAwsFiles, resolveRegion, selectedProfile, type AwsFiles } from '../aws/config-files.js';
import { planIdentity } from '../aws/credentials.js';
import { awsIdentity } from '../aws/identity.js';
import type { AwsPort } from './get-token.js';

export function awsPort(env: NodeJS.ProcessEnv): AwsPort {
  let files: AwsFiles | undefined;
  const awsFiles = () => (files ??= readAwsFiles(env));
  return {
    region: (regionFlag, profileFlag) =>
      resolveRegion(regionFlag, env, () => {
        const profile = selectedProfile(profileFlag, env).name;
        return { profile, region: profileSettings(awsFiles(), profile)?.region };
      }),
    signer(request) {
      const who = awsIdentity(
        { env, region: request.region, timeoutMs: request.timeoutMs, interactive: request.interactive, prompt: request.prompt, ...(request.verbose ? { verbose: request.verbose } : {}) },
        request.profileFlag,
        awsFiles,
      );
      const plan = who.plan();
      return {
        identity: plan ? planIdentity(plan) : 'none',
        profile: plan === undefined || plan.kind === 'env' ? null : who.endpointProfile,
        credentials: (role) => who.credentials(role),
      };
    },
  };
}
