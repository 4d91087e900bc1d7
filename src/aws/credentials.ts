/**
 * The AWS credential chain, as botocore (the AWS CLI, `aws eks get-token`)
 * walks it. Two halves:
 *
 * - `planCredentials` (pure, no SDK, no call): which source signs, decided
 *   from the environment and the shared files in botocore's order:
 *     1. environment keys (AWS_ACCESS_KEY_ID...), unless --profile is given
 *        (botocore ignores them for `aws --profile`, not for AWS_PROFILE);
 *     2. the profile's role_arn (assume-role: source_profile or
 *        credential_source), unless it has web_identity_token_file;
 *     3. the profile's chain: web identity (AWS_WEB_IDENTITY_TOKEN_FILE /
 *        AWS_ROLE_ARN unless --profile, or the profile's), SSO
 *        (sso_account_id / sso_role_name), keys in the credentials file,
 *        credential_process, keys in the config file;
 *     4. container credentials (AWS_CONTAINER_CREDENTIALS_*_URI), then EC2
 *        instance metadata (unless AWS_EC2_METADATA_DISABLED=true).
 *   Kinds carry botocore's method names, so a table test compares the two.
 *
 * - `resolveCredentials` (./credential-sources.ts): runs the plan, only when
 *   credentials are needed; the cached token path stops at the plan.
 */
import { BasculeError } from '../errors.js';
import { quoteValue, ROLE_SESSION_SECONDS, roleArnProblem } from '../vocabulary.js';
import { echo } from '../text.js';
import { configSection, profileNames, profileSettings, selectedProfile, ssoSession, type AwsFiles, type Settings } from './config-files.js';
import type { AwsCredentials } from './eks-token.js';

export type CredentialPlan =
  | { readonly kind: 'env'; readonly credentials: AwsCredentials }
  | { readonly kind: 'shared-credentials-file' | 'config-file'; readonly profile: string; readonly credentials: AwsCredentials }
  | { readonly kind: 'custom-process'; readonly profile: string; readonly command: string }
  | {
      readonly kind: 'sso';
      readonly profile: string;
      readonly session: string | undefined;
      readonly startUrl: string;
      readonly ssoRegion: string;
      readonly accountId: string;
      readonly roleName: string;
    }
  | { readonly kind: 'assume-role-with-web-identity'; readonly profile: string; readonly roleArn: string; readonly tokenFile: string; readonly sessionName: string | undefined }
  | {
      readonly kind: 'assume-role';
      readonly profile: string;
      readonly roleArn: string;
      readonly sessionName: string | undefined;
      readonly externalId: string | undefined;
      readonly durationSeconds: number | undefined;
      readonly mfaSerial: string | undefined;
      readonly source: CredentialPlan;
    }
  | { readonly kind: 'container-role' }
  | { readonly kind: 'iam-role' };

export type CredentialKind = CredentialPlan['kind'];

export interface PlanInput {
  readonly env: NodeJS.ProcessEnv;
  /** --profile: names the profile and, as `aws --profile`, turns the environment keys off. */
  readonly profileFlag: string | undefined;
  readonly files: () => AwsFiles;
}

export const configError = (message: string, hint?: string) => new BasculeError('config', message, hint ? { hint } : {});
const has = (s: Settings | undefined, key: string) => s !== undefined && Object.hasOwn(s, key);
const nonEmpty = (v: string | undefined) => (v ? v : undefined);

function profileNotFound(name: string, files: AwsFiles, what: string): BasculeError {
  const names = profileNames(files);
  const paths = files.paths;
  return configError(`${what} "${echo(name)}" does not exist in ${paths.config} or ${paths.credentials}`, names.length ? `the profiles there are: ${names.map((n) => echo(n)).join(', ')}` : 'those files define no profile: run "aws configure" or check AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE');
}

function envPlan(env: NodeJS.ProcessEnv): CredentialPlan {
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? '';
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? '';
  if (!accessKeyId || !secretAccessKey) {
    throw configError(`partial AWS credentials in the environment: ${accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is ${env[accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'] === undefined ? 'not set' : 'empty'}`, 'export both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or unset both');
  }
  let expiration: Date | undefined;
  if (env.AWS_CREDENTIAL_EXPIRATION) {
    expiration = new Date(env.AWS_CREDENTIAL_EXPIRATION);
    if (Number.isNaN(expiration.getTime())) throw configError(`AWS_CREDENTIAL_EXPIRATION ${quoteValue(env.AWS_CREDENTIAL_EXPIRATION)} is not a date`, 'write it as an ISO 8601 time (2026-01-02T03:04:05Z), as the tool that set the keys does, or unset it');
  }
  return { kind: 'env', credentials: { accessKeyId, secretAccessKey, sessionToken: nonEmpty(env.AWS_SESSION_TOKEN) ?? nonEmpty(env.AWS_SECURITY_TOKEN), expiration } };
}

function staticKeys(section: Settings, profile: string, file: string): AwsCredentials {
  const accessKeyId = section.aws_access_key_id ?? '';
  const secretAccessKey = section.aws_secret_access_key ?? '';
  if (!accessKeyId || !secretAccessKey) {
    throw configError(`profile "${echo(profile)}" in ${file} has ${accessKeyId ? 'aws_access_key_id but no aws_secret_access_key' : 'aws_secret_access_key but no aws_access_key_id'}`, 'give both keys, or neither');
  }
  return { accessKeyId, secretAccessKey, sessionToken: nonEmpty(section.aws_session_token) };
}

/** Steps 3 of the chain for one profile; undefined when the profile holds no credentials. */
function profileChain(name: string, input: PlanInput, disableEnv: boolean): CredentialPlan | undefined {
  const files = input.files();
  const env = input.env;
  const s = profileSettings(files, name) ?? {};
  const tokenFile = (!disableEnv && nonEmpty(env.AWS_WEB_IDENTITY_TOKEN_FILE)) || nonEmpty(s.web_identity_token_file);
  if (tokenFile) {
    const roleArn = (!disableEnv && nonEmpty(env.AWS_ROLE_ARN)) || nonEmpty(s.role_arn);
    if (!roleArn) throw configError(`a web identity token file is set (${echo(tokenFile)}) but no role ARN`, 'set AWS_ROLE_ARN, or role_arn in the profile');
    return { kind: 'assume-role-with-web-identity', profile: name, roleArn, tokenFile, sessionName: (!disableEnv && nonEmpty(env.AWS_ROLE_SESSION_NAME)) || nonEmpty(s.role_session_name) };
  }
  if (has(s, 'sso_role_name') || has(s, 'sso_account_id')) return ssoPlan(name, s, files);
  const fromCredentialsFile = files.credentials.get(name);
  if (has(fromCredentialsFile, 'aws_access_key_id')) {
    return { kind: 'shared-credentials-file', profile: name, credentials: staticKeys(fromCredentialsFile as Settings, name, files.paths.credentials) };
  }
  if (s.credential_process) return { kind: 'custom-process', profile: name, command: s.credential_process };
  const fromConfig = configSection(files, name);
  if (has(fromConfig, 'aws_access_key_id')) {
    return { kind: 'config-file', profile: name, credentials: staticKeys(fromConfig as Settings, name, files.paths.config) };
  }
  return undefined;
}

function ssoPlan(name: string, s: Settings, files: AwsFiles): CredentialPlan {
  let resolved: Settings = s;
  if (s.sso_session) {
    const session = ssoSession(files, s.sso_session);
    if (!session) throw configError(`profile "${echo(name)}" names sso_session "${echo(s.sso_session)}", which has no [sso-session ${echo(s.sso_session)}] section in ${files.paths.config}`);
    resolved = { ...s, ...session };
  }
  const missing = ['sso_start_url', 'sso_region', 'sso_account_id', 'sso_role_name'].filter((k) => !resolved[k]);
  if (missing.length) throw configError(`profile "${echo(name)}" is configured for SSO but lacks ${missing.join(', ')}`, 'run "aws configure sso" for this profile');
  return {
    kind: 'sso',
    profile: name,
    session: s.sso_session,
    startUrl: resolved.sso_start_url as string,
    ssoRegion: resolved.sso_region as string,
    accountId: resolved.sso_account_id as string,
    roleName: resolved.sso_role_name as string,
  };
}

function postProfile(env: NodeJS.ProcessEnv): CredentialPlan | undefined {
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return { kind: 'container-role' };
  if (!/^true$/i.test(env.AWS_EC2_METADATA_DISABLED ?? '')) return { kind: 'iam-role' };
  return undefined;
}

const assumesRole = (s: Settings | undefined) => has(s, 'role_arn') && !has(s, 'web_identity_token_file');
const hasStatic = (s: Settings | undefined) => has(s, 'aws_access_key_id') || has(s, 'aws_secret_access_key');

function assumeRolePlan(name: string, input: PlanInput, visited: readonly string[]): CredentialPlan {
  const files = input.files();
  const s = profileSettings(files, name) as Settings;
  const roleArn = s.role_arn as string;
  const badArn = roleArnProblem(roleArn);
  if (badArn) throw configError(`role_arn of profile "${echo(name)}" ${badArn}`);
  let source: CredentialPlan;
  if (s.source_profile && s.credential_source) {
    throw configError(`profile "${echo(name)}" has both source_profile and credential_source`, 'keep one of them');
  } else if (s.source_profile) {
    const sp = s.source_profile;
    const spSettings = profileSettings(files, sp);
    if (!spSettings) throw profileNotFound(sp, files, `source_profile of profile "${echo(name)}":`);
    if (visited.includes(sp) && !(sp === name && hasStatic(spSettings))) {
      throw configError(`profiles ${[...visited, sp].map((p) => `"${echo(p)}"`).join(' -> ')} assume roles in a loop`, 'end the source_profile chain at a profile with credentials');
    }
    if (hasStatic(spSettings) || !assumesRole(spSettings)) {
      const chained = profileChain(sp, input, true);
      if (!chained) throw configError(`the source profile "${echo(sp)}" (of profile "${echo(name)}") has no credentials`, 'give it keys, SSO, a credential_process or a role of its own');
      source = chained;
    } else {
      source = assumeRolePlan(sp, input, [...visited, sp]);
    }
  } else if (s.credential_source) {
    switch (s.credential_source) {
      case 'Environment':
        source = envPlan(input.env);
        break;
      case 'EcsContainer':
        source = { kind: 'container-role' };
        break;
      case 'Ec2InstanceMetadata':
        source = { kind: 'iam-role' };
        break;
      default:
        throw configError(`credential_source "${echo(s.credential_source)}" of profile "${echo(name)}" is not one of Environment, EcsContainer, Ec2InstanceMetadata`);
    }
  } else {
    throw configError(`profile "${echo(name)}" has role_arn but neither source_profile nor credential_source`, 'say where the credentials that assume the role come from');
  }
  const duration = s.duration_seconds ? Number(s.duration_seconds) : undefined;
  const { min, max } = ROLE_SESSION_SECONDS;
  if (duration !== undefined && !(Number.isInteger(duration) && duration >= min && duration <= max)) {
    throw configError(`duration_seconds of profile "${echo(name)}" is not ${min}..${max}`);
  }
  return {
    kind: 'assume-role',
    profile: name,
    roleArn,
    sessionName: nonEmpty(s.role_session_name),
    externalId: nonEmpty(s.external_id),
    durationSeconds: duration,
    mfaSerial: nonEmpty(s.mfa_serial),
    source,
  };
}

/** Which credentials botocore would take (pure: reads only what `input` gives). */
export function planCredentials(input: PlanInput): CredentialPlan | undefined {
  const { env } = input;
  const profile = selectedProfile(input.profileFlag, env);
  // Keys in the environment and no profile named: no file can change the answer, so none is read.
  if (!profile.named && env.AWS_ACCESS_KEY_ID !== undefined) return envPlan(env);
  const files = input.files();
  const settings = profileSettings(files, profile.name);
  if (profile.named && !settings) throw profileNotFound(profile.name, files, input.profileFlag ? 'the AWS profile given with --profile,' : `the AWS profile named by ${env.AWS_DEFAULT_PROFILE ? 'AWS_DEFAULT_PROFILE' : 'AWS_PROFILE'},`);
  if (!profile.flag && env.AWS_ACCESS_KEY_ID !== undefined) return envPlan(env);
  if (assumesRole(settings)) return assumeRolePlan(profile.name, input, [profile.name]);
  return profileChain(profile.name, input, profile.flag) ?? postProfile(env);
}

/** For messages: where the credentials come from. */
export function describePlan(plan: CredentialPlan): string {
  switch (plan.kind) {
    case 'env':
      return 'the environment (AWS_ACCESS_KEY_ID)';
    case 'shared-credentials-file':
      return `profile ${plan.profile} (credentials file)`;
    case 'config-file':
      return `profile ${plan.profile} (config file)`;
    case 'custom-process':
      return `profile ${plan.profile} (credential_process)`;
    case 'sso':
      return `profile ${plan.profile} (SSO${plan.session ? ` session ${plan.session}` : ''})`;
    case 'assume-role-with-web-identity':
      return `web identity (${plan.tokenFile}, role ${plan.roleArn})`;
    case 'assume-role':
      return `profile ${plan.profile} (role ${plan.roleArn})`;
    case 'container-role':
      return 'container credentials (AWS_CONTAINER_CREDENTIALS_*_URI)';
    case 'iam-role':
      return 'EC2 instance metadata';
  }
}

/**
 * Identifies the signer for the token cache without a secret and without a
 * call: an access key id names exactly one secret; otherwise the plan's
 * non-secret settings (profile, role, process command, SSO account and role).
 */
export function planIdentity(plan: CredentialPlan): string {
  switch (plan.kind) {
    case 'env':
    case 'shared-credentials-file':
    case 'config-file':
      return `${plan.kind}:${'profile' in plan ? plan.profile : ''}:${plan.credentials.accessKeyId}`;
    case 'assume-role':
      return `assume-role:${plan.profile}:${plan.roleArn}:${plan.externalId ?? ''}:${plan.sessionName ?? ''}:${plan.durationSeconds ?? ''}<-${planIdentity(plan.source)}`;
    default:
      return `${plan.kind}:${JSON.stringify(plan)}`;
  }
}

/** No plan: what was looked at, in order, and how to give credentials. */
export function noCredentialsError(input: PlanInput): BasculeError {
  const profile = selectedProfile(input.profileFlag, input.env);
  return new BasculeError('credentials', 'no AWS credentials found', {
    hint:
      `looked, in botocore's order, at: ${input.profileFlag ? '' : 'the environment (AWS_ACCESS_KEY_ID), '}profile "${echo(profile.name)}" ` +
      '(role_arn, web identity, SSO, keys, credential_process), container credentials; EC2 instance metadata is off (AWS_EC2_METADATA_DISABLED). ' +
      'Export keys, set AWS_PROFILE or pass --profile, or run "aws configure"',
  });
}
