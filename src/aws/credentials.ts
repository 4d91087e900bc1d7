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
 * - `resolveCredentials`: runs the plan inside the command's deadline.
 *   Environment and file keys are read directly; credential_process is run
 *   here (its exit code and output checked, killed at the deadline); SSO, web
 *   identity, container and instance metadata go through the SDK's providers,
 *   and role assumption through STS (./sts.ts): the SDK chunk loads only then.
 */
import { BasculeError, redact } from '../errors.js';
import { escapeControl, roleArnProblem } from '../platform/vocabulary.js';
import { awsFilePaths, configSection, configuredEndpoint, profileNames, profileSettings, selectedProfile, ssoSession, type AwsFiles, type Settings } from './config-files.js';
import type { Deadline } from './deadline.js';
import type { AwsCredentials } from './eks-token.js';

export type { AwsCredentials };

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

const configError = (message: string, hint?: string) => new BasculeError('config', message, hint ? { hint } : {});
const has = (s: Settings | undefined, key: string) => s !== undefined && Object.hasOwn(s, key);
const nonEmpty = (v: string | undefined) => (v ? v : undefined);

function profileNotFound(name: string, files: AwsFiles, what: string): BasculeError {
  const names = profileNames(files);
  const paths = files.paths;
  return configError(`${what} "${escapeControl(name)}" does not exist in ${paths.config} or ${paths.credentials}`, names.length ? `the profiles there are: ${names.map(escapeControl).join(', ')}` : 'those files define no profile: run "aws configure" or check AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE');
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
    if (Number.isNaN(expiration.getTime())) throw configError(`AWS_CREDENTIAL_EXPIRATION ${JSON.stringify(escapeControl(env.AWS_CREDENTIAL_EXPIRATION))} is not a date`);
  }
  return { kind: 'env', credentials: { accessKeyId, secretAccessKey, sessionToken: nonEmpty(env.AWS_SESSION_TOKEN) ?? nonEmpty(env.AWS_SECURITY_TOKEN), expiration } };
}

function staticKeys(section: Settings, profile: string, file: string): AwsCredentials {
  const accessKeyId = section.aws_access_key_id ?? '';
  const secretAccessKey = section.aws_secret_access_key ?? '';
  if (!accessKeyId || !secretAccessKey) {
    throw configError(`profile "${escapeControl(profile)}" in ${file} has ${accessKeyId ? 'aws_access_key_id but no aws_secret_access_key' : 'aws_secret_access_key but no aws_access_key_id'}`, 'give both keys, or neither');
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
    if (!roleArn) throw configError(`a web identity token file is set (${escapeControl(tokenFile)}) but no role ARN`, 'set AWS_ROLE_ARN, or role_arn in the profile');
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
    if (!session) throw configError(`profile "${escapeControl(name)}" names sso_session "${escapeControl(s.sso_session)}", which has no [sso-session ${escapeControl(s.sso_session)}] section in ${files.paths.config}`);
    resolved = { ...s, ...session };
  }
  const missing = ['sso_start_url', 'sso_region', 'sso_account_id', 'sso_role_name'].filter((k) => !resolved[k]);
  if (missing.length) throw configError(`profile "${escapeControl(name)}" is configured for SSO but lacks ${missing.join(', ')}`, 'run "aws configure sso" for this profile');
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
  if (badArn) throw configError(`role_arn of profile "${escapeControl(name)}" ${badArn}`);
  let source: CredentialPlan;
  if (s.source_profile && s.credential_source) {
    throw configError(`profile "${escapeControl(name)}" has both source_profile and credential_source`, 'keep one of them');
  } else if (s.source_profile) {
    const sp = s.source_profile;
    const spSettings = profileSettings(files, sp);
    if (!spSettings) throw profileNotFound(sp, files, `source_profile of profile "${escapeControl(name)}":`);
    if (visited.includes(sp) && !(sp === name && hasStatic(spSettings))) {
      throw configError(`profiles ${[...visited, sp].map((p) => `"${escapeControl(p)}"`).join(' -> ')} assume roles in a loop`, 'end the source_profile chain at a profile with credentials');
    }
    if (hasStatic(spSettings) || !assumesRole(spSettings)) {
      const chained = profileChain(sp, input, true);
      if (!chained) throw configError(`the source profile "${escapeControl(sp)}" (of profile "${escapeControl(name)}") has no credentials`, 'give it keys, SSO, a credential_process or a role of its own');
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
        throw configError(`credential_source "${escapeControl(s.credential_source)}" of profile "${escapeControl(name)}" is not one of Environment, EcsContainer, Ec2InstanceMetadata`);
    }
  } else {
    throw configError(`profile "${escapeControl(name)}" has role_arn but neither source_profile nor credential_source`, 'say where the credentials that assume the role come from');
  }
  const duration = s.duration_seconds ? Number(s.duration_seconds) : undefined;
  if (duration !== undefined && !(Number.isInteger(duration) && duration >= 900 && duration <= 43200)) {
    throw configError(`duration_seconds of profile "${escapeControl(name)}" is not 900..43200`);
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

// ---------------------------------------------------------------- resolution

export interface ChainContext {
  readonly env: NodeJS.ProcessEnv;
  readonly files: () => AwsFiles;
  readonly region: string;
  readonly deadline: Deadline;
  /** May we prompt on the terminal (MFA)? */
  readonly interactive: () => boolean;
  readonly prompt: (question: string) => Promise<string>;
}

export interface ResolvedCredentials {
  readonly credentials: AwsCredentials;
  /** Where they came from, for messages. */
  readonly origin: string;
}

export function noCredentialsError(input: PlanInput): BasculeError {
  const profile = selectedProfile(input.profileFlag, input.env);
  return new BasculeError('credentials', 'no AWS credentials found', {
    hint:
      `looked, in botocore's order, at: ${input.profileFlag ? '' : 'the environment (AWS_ACCESS_KEY_ID), '}profile "${escapeControl(profile.name)}" ` +
      '(role_arn, web identity, SSO, keys, credential_process), container credentials; EC2 instance metadata is off (AWS_EC2_METADATA_DISABLED). ' +
      'Export keys, set AWS_PROFILE or pass --profile, or run "aws configure"',
  });
}

/**
 * Loads the code a plan (and a role) will run, so that the deadline, started
 * after this, times the AWS work only, not the parsing of the SDK on a busy
 * machine.
 */
export async function prepareFor(plan: CredentialPlan, role: boolean): Promise<void> {
  const kinds = new Set<CredentialKind>();
  for (let p: CredentialPlan | undefined = plan; p; p = p.kind === 'assume-role' ? p.source : undefined) kinds.add(p.kind);
  const loads: Promise<unknown>[] = [];
  if (role || kinds.has('assume-role')) loads.push(import('./sts.js'));
  if (['sso', 'assume-role-with-web-identity', 'container-role', 'iam-role'].some((k) => kinds.has(k as CredentialKind))) loads.push(import('./sdk.js'), import('./errors.js'));
  if (kinds.has('custom-process')) loads.push(import('node:child_process'));
  await Promise.all(loads);
}

export async function resolveCredentials(plan: CredentialPlan, ctx: ChainContext): Promise<ResolvedCredentials> {
  const origin = describePlan(plan);
  switch (plan.kind) {
    case 'env':
    case 'shared-credentials-file':
    case 'config-file':
      return { credentials: plan.credentials, origin };
    case 'custom-process':
      return { credentials: await runCredentialProcess(plan.profile, plan.command, ctx), origin };
    case 'assume-role': {
      const source = await resolveCredentials(plan.source, ctx);
      const { assumeRole } = await import('./sts.js');
      let mfa: { serial: string; code: string } | undefined;
      if (plan.mfaSerial) mfa = { serial: plan.mfaSerial, code: await mfaCode(ctx, plan.profile, plan.mfaSerial) };
      const credentials = await assumeRole(
        { env: ctx.env, files: ctx.files, region: ctx.region, deadline: ctx.deadline, endpointProfile: plan.profile },
        source,
        { roleArn: plan.roleArn, sessionName: plan.sessionName, externalId: plan.externalId, durationSeconds: plan.durationSeconds, forwardSessionName: false, mfa },
      );
      return { credentials, origin };
    }
    case 'sso':
      return { credentials: await ssoCredentials(plan, ctx), origin };
    case 'assume-role-with-web-identity':
    case 'container-role':
    case 'iam-role':
      return { credentials: await sdkProvider(plan, ctx), origin };
  }
}

async function mfaCode(ctx: ChainContext, profile: string, serial: string): Promise<string> {
  if (!ctx.interactive()) {
    throw new BasculeError('credentials', `AWS profile "${escapeControl(profile)}" needs an MFA code (mfa_serial ${escapeControl(serial)}), but bascule may not prompt: kubectl runs it non-interactively`, {
      hint: 'set interactiveMode: IfAvailable in the kubeconfig user, or run "bascule token" once in a terminal',
    });
  }
  const code = (await ctx.prompt(`MFA code for ${serial}: `)).trim();
  if (!/^\d{6}$/.test(code)) throw new BasculeError('credentials', 'the MFA code must be 6 digits');
  return code;
}

/** botocore's split of credential_process (POSIX shell words, no shell run). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw configError('credential_process has an unterminated single quote');
      word += command.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === '\\' && j + 1 < command.length && '"\\$`\n'.includes(command[j + 1] as string)) j++;
        word += command[j];
      }
      if (j >= command.length) throw configError('credential_process has an unterminated double quote');
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

async function runCredentialProcess(profile: string, command: string, ctx: ChainContext): Promise<AwsCredentials> {
  const argv = splitCommand(command);
  const program = argv[0];
  const what = `the credential_process of profile "${escapeControl(profile)}" (${escapeControl(program ?? '')})`;
  if (!program) throw configError(`credential_process of profile "${escapeControl(profile)}" is empty`);
  const { spawn } = await import('node:child_process');
  const result = await ctx.deadline.run(what, (signal) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(program, argv.slice(1), { env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') return; // the deadline speaks
        reject(
          new BasculeError('credentials', `${what} could not be started: ${error.code === 'ENOENT' ? 'no such program' : (error.code ?? error.message)}`, {
            hint: 'check credential_process in the AWS config file (the command is run without a shell)',
          }),
        );
      });
      child.once('close', (code, sig) => resolve({ code, signal: sig, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    }),
  );
  if (result.code !== 0) {
    const said = escapeControl(redact(result.stderr.trim().split('\n').filter(Boolean).pop() ?? '')).slice(0, 300);
    throw new BasculeError('credentials', `${what} ${result.code === null ? `was killed (${result.signal})` : `exited with code ${result.code}`}${said ? `: ${said}` : ''}`, {
      hint: 'run that command yourself to see why; bascule uses what it prints on stdout when it exits 0',
    });
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
  } catch {
    throw new BasculeError('credentials', `${what} printed no valid JSON on stdout`, {
      hint: 'it must print {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ..., "Expiration": ...}',
    });
  }
  if (parsed.Version !== 1) throw new BasculeError('credentials', `${what} printed Version ${escapeControl(JSON.stringify(parsed.Version ?? null))}; only Version 1 is supported`);
  for (const key of ['AccessKeyId', 'SecretAccessKey'] as const) {
    if (typeof parsed[key] !== 'string' || !parsed[key]) throw new BasculeError('credentials', `${what} printed no ${key}`);
  }
  let expiration: Date | undefined;
  if (parsed.Expiration !== undefined) {
    expiration = new Date(String(parsed.Expiration));
    if (Number.isNaN(expiration.getTime())) throw new BasculeError('credentials', `${what} printed an Expiration that is not a date`);
  }
  return {
    accessKeyId: parsed.AccessKeyId as string,
    secretAccessKey: parsed.SecretAccessKey as string,
    sessionToken: typeof parsed.SessionToken === 'string' && parsed.SessionToken ? parsed.SessionToken : undefined,
    expiration,
  };
}

async function ssoCredentials(plan: Extract<CredentialPlan, { kind: 'sso' }>, ctx: ChainContext): Promise<AwsCredentials> {
  const login = plan.session ? `aws sso login --sso-session ${plan.session}` : `aws sso login --profile ${plan.profile}`;
  const who = plan.session ? `the SSO session "${escapeControl(plan.session)}"` : `the SSO login of profile "${escapeControl(plan.profile)}"`;
  // The token the AWS CLI cached at login: ~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const { join, dirname } = await import('node:path');
  const home = ctx.env.HOME || dirname(dirname(awsFilePaths(ctx.env).config));
  const file = join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(plan.session ?? plan.startUrl).digest('hex')}.json`);
  let token: { accessToken?: string; expiresAt?: string } | undefined;
  try {
    token = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    token = undefined;
  }
  if (!token?.accessToken) throw new BasculeError('credentials', `${who} has no login on this machine (no token in ${file})`, { hint: `run "${login}"` });
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now()) {
    throw new BasculeError('credentials', `${who} expired at ${escapeControl(token.expiresAt)}`, { hint: `run "${login}"` });
  }
  return sdkProvider(plan, ctx);
}

async function sdkProvider(plan: CredentialPlan, ctx: ChainContext): Promise<AwsCredentials> {
  const sdk = await import('./sdk.js');
  const { awsError } = await import('./errors.js');
  const origin = describePlan(plan);
  const handler = sdk.requestHandler(ctx.env, ctx.deadline);
  const paths = awsFilePaths(ctx.env);
  const stsEndpoint = plan.kind === 'assume-role-with-web-identity' ? configuredEndpoint('sts', ctx.env, ctx.files(), plan.profile) : undefined;
  const provider =
    plan.kind === 'sso'
      ? sdk.fromSSO({ profile: plan.profile, filepath: paths.credentials, configFilepath: paths.config, clientConfig: { region: plan.ssoRegion, requestHandler: handler } })
      : plan.kind === 'assume-role-with-web-identity'
        ? sdk.fromTokenFile({
            webIdentityTokenFile: plan.tokenFile,
            roleArn: plan.roleArn,
            roleSessionName: plan.sessionName ?? `bascule-${Date.now()}`,
            clientConfig: { region: ctx.region, requestHandler: handler, ...(stsEndpoint ? { endpoint: stsEndpoint } : {}) },
          })
        : plan.kind === 'container-role'
          ? sdk.fromContainerMetadata({ timeout: Math.min(2000, ctx.deadline.remainingMs()), maxRetries: 0 })
          : sdk.fromInstanceMetadata({ timeout: Math.min(1000, ctx.deadline.remainingMs()), maxRetries: 1 });
  try {
    const c = await ctx.deadline.run(origin, () => provider());
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
  } catch (error) {
    if (error instanceof BasculeError) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'CredentialsProviderError' || name === 'ProviderError') {
      throw new BasculeError('credentials', `${origin} gave no credentials: ${(await import('./errors.js')).outsideMessage(error)}`, {
        hint: plan.kind === 'sso' ? `run "aws sso login --profile ${plan.profile}"` : plan.kind === 'iam-role' ? 'not on EC2? set AWS_EC2_METADATA_DISABLED=true and configure credentials' : 'check the settings named above',
      });
    }
    throw awsError({ service: plan.kind === 'sso' ? 'SSO' : 'STS', operation: plan.kind === 'sso' ? 'GetRoleCredentials' : 'AssumeRoleWithWebIdentity', target: origin, credentials: origin }, error);
  }
}
