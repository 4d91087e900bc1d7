/**
 * The token's AWS port, implemented with the AWS layer (src/aws/): the region
 * and the credential plan are decided from the environment and the shared
 * files alone (the cached path stops there); the credentials themselves, and
 * the role, are fetched only for a new token, inside one deadline.
 */
import { profileSettings, readAwsFiles, resolveRegion, selectedProfile, type AwsFiles } from '../aws/config-files.js';
import { describePlan, noCredentialsError, planCredentials, planIdentity, type CredentialPlan } from '../aws/credentials.js';
import { Deadline } from '../aws/deadline.js';
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
      const planInput = { env, profileFlag: request.profileFlag, files: awsFiles };
      const plan: CredentialPlan | undefined = planCredentials(planInput);
      const profileName = selectedProfile(request.profileFlag, env).name;
      return {
        identity: plan ? planIdentity(plan) : 'none',
        profile: plan === undefined || plan.kind === 'env' ? null : profileName,
        async credentials(role) {
          if (!plan) throw noCredentialsError(planInput);
          const { resolveWithin } = await import('../aws/credential-sources.js');
          const base = { env, files: awsFiles, region: request.region, interactive: request.interactive, prompt: request.prompt, verbose: request.verbose };
          const { context, ...source } = await resolveWithin(plan, role !== undefined, base, () => new Deadline(request.timeoutMs, { knob: '--aws-timeout' }));
          if (!role) return source;
          const { assumeRole } = await import('../aws/sts.js');
          const credentials = await assumeRole({ ...context, endpointProfile: profileName }, source, role);
          return { credentials, origin: `role ${role.roleArn} (assumed with ${describePlan(plan)})` };
        },
      };
    },
  };
}
