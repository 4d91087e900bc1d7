/**
 * The credentials themselves: runs a plan of ./credentials.ts inside the
 * command's deadline, only when a new token (or an AWS call) needs them.
 * Environment and file keys are already in the plan; credential_process is
 * run here (its exit code and output checked, killed at the deadline); SSO,
 * web identity, container and instance metadata go through the SDK's
 * providers, and role assumption through STS (./sts.ts): the SDK chunk loads
 * only then. Not on the cached path: the token's hot file leaves it out.
 */
import { BasculeError } from '../errors.js';
import { echo } from '../text.js';
import { configError, describePlan, type CredentialKind, type CredentialPlan } from './credentials.js';
import { awsFilePaths, configuredEndpoint, type AwsFiles } from './config-files.js';
import type { Deadline } from './deadline.js';
import type { AwsCredentials } from './eks-token.js';

export interface ChainContext {
  readonly env: NodeJS.ProcessEnv;
  readonly files: () => AwsFiles;
  readonly region: string;
  readonly deadline: Deadline;
  /** May we prompt on the terminal (MFA)? */
  readonly interactive: () => boolean;
  readonly prompt: (question: string) => Promise<string>;
  /** --verbose: what a helper said on stderr, and what was stopped. */
  readonly verbose?: (message: string) => void;
}

export interface ResolvedCredentials {
  readonly credentials: AwsCredentials;
  /** Where they came from, for messages. */
  readonly origin: string;
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
  if (kinds.has('custom-process')) loads.push(import('../child-process.js'), import('node:child_process'));
  await Promise.all(loads);
}

/**
 * Runs a plan when a command needs its credentials: loads the code first
 * (`prepareFor`, the role's too when `role`), then starts the deadline, so it
 * times the AWS work only. The context comes back for a role assumed next,
 * in the same deadline.
 */
export async function resolveWithin(plan: CredentialPlan, role: boolean, base: Omit<ChainContext, 'deadline'>, deadline: () => Deadline): Promise<ResolvedCredentials & { readonly context: ChainContext }> {
  await prepareFor(plan, role);
  const context: ChainContext = { ...base, deadline: deadline() };
  return { ...(await resolveCredentials(plan, context)), context };
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
    throw new BasculeError('credentials', `AWS profile "${echo(profile)}" needs an MFA code (mfa_serial ${echo(serial)}), but bascule may not prompt: kubectl runs it non-interactively`, {
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

/** A document to parse: what a finished credential_process printed counts once it is one. */
const isJsonObject = (text: string): boolean => {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
};

/**
 * Runs a profile's credential_process through the bounded runner (see
 * src/child-process.ts: killed with what it started at the deadline, output
 * capped, its answer taken once it has exited). Its stderr is shown only on
 * failure (its last line) and under --verbose (its last lines), by the echo
 * rule, with the secrets it printed on stdout removed first.
 */
async function runCredentialProcess(profile: string, command: string, ctx: ChainContext): Promise<AwsCredentials> {
  const argv = splitCommand(command);
  const program = argv[0];
  const what = `the credential_process of profile "${echo(profile)}" (${echo(program ?? '')})`;
  if (!program) throw configError(`credential_process of profile "${echo(profile)}" is empty`);
  const { runHelper, HELPER_OUTPUT_MAX } = await import('../child-process.js');
  const outcome = await ctx.deadline.run(
    what,
    (signal) => runHelper({ argv, env: ctx.env, signal, complete: isJsonObject, keepTerminal: ctx.interactive() }),
    'run that command yourself: it did not finish (bascule stopped it, and what it started)',
  );
  if (outcome.kind === 'stopped') throw ctx.deadline.expired(what, 'run that command yourself: it did not finish');
  if (outcome.kind === 'not-started') {
    throw new BasculeError('credentials', `${what} could not be started: ${echo(outcome.reason)}`, {
      hint: 'check credential_process in the AWS config file (the command is run without a shell)',
    });
  }
  if (outcome.kind === 'overflow') {
    throw new BasculeError('credentials', `${what} printed more than ${HELPER_OUTPUT_MAX / 1024 / 1024} MiB on ${outcome.stream}: bascule stopped it (and what it started)`, {
      hint: 'a credential_process prints one JSON document of a few hundred bytes: run that command yourself to see what it prints',
    });
  }
  const said = helperSaid(outcome.stderr, []);
  if (outcome.code !== 0) {
    throw new BasculeError('credentials', `${what} ${outcome.code === null ? `was killed (${outcome.signal})` : `exited with code ${outcome.code}`}${said.length ? `: ${said[said.length - 1]}` : ''}`, {
      hint: 'run that command yourself to see why; bascule uses what it prints on stdout when it exits 0',
    });
  }
  const credentials = credentialDocument(what, outcome.stdout, outcome.leftovers);
  if (ctx.verbose) {
    if (outcome.leftovers) ctx.verbose(`${what} exited, but a process it started still held its output: stopped`);
    for (const line of helperSaid(outcome.stderr, [credentials.secretAccessKey, credentials.sessionToken ?? ''])) ctx.verbose(`${what} said on stderr: ${line}`);
  }
  return credentials;
}

/** The last lines a helper wrote on stderr, fit to show: known secrets removed, then the echo rule. */
function helperSaid(stderr: string, secrets: readonly string[]): string[] {
  let text = stderr;
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('<redacted>');
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-3)
    .map((line) => echo(line.trim()));
}

/** The credentials in a credential_process's answer (botocore's checks: Version 1, both keys, a date). */
function credentialDocument(what: string, stdout: string, leftovers: boolean): AwsCredentials {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(stdout) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
  } catch {
    throw new BasculeError('credentials', `${what} printed no valid JSON on stdout${leftovers ? ' before it exited (a process it started kept its output open, and was stopped)' : ''}`, {
      hint: 'it must print {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ..., "Expiration": ...}',
    });
  }
  if (parsed.Version !== 1) throw new BasculeError('credentials', `${what} printed Version ${echo(JSON.stringify(parsed.Version ?? null) ?? 'null')}; only Version 1 is supported`);
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
  const who = plan.session ? `the SSO session "${echo(plan.session)}"` : `the SSO login of profile "${echo(plan.profile)}"`;
  // The token the AWS CLI cached at login: ~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json
  const { createHash } = await import('node:crypto');
  const { join, dirname } = await import('node:path');
  const { readSmallFile } = await import('../small-file.js');
  const home = ctx.env.HOME || dirname(dirname(awsFilePaths(ctx.env).config));
  const file = join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(plan.session ?? plan.startUrl).digest('hex')}.json`);
  const read = readSmallFile(file);
  let token: { accessToken?: unknown; expiresAt?: unknown } | undefined;
  try {
    token = 'text' in read ? JSON.parse(read.text) : undefined;
  } catch {
    token = undefined;
  }
  if ('problem' in read && !read.missing) throw new BasculeError('credentials', `${who}: the login the AWS CLI cached is not usable: ${file}: ${read.problem}`, { hint: `remove it, then run "${login}"` });
  if (typeof token?.accessToken !== 'string' || !token.accessToken) throw new BasculeError('credentials', `${who} has no login on this machine (no token in ${file})`, { hint: `run "${login}"` });
  if (token.expiresAt !== undefined && !(new Date(String(token.expiresAt)).getTime() > Date.now())) {
    throw new BasculeError('credentials', `${who} expired at ${echo(String(token.expiresAt))}`, { hint: `run "${login}"` });
  }
  return sdkProvider(plan, ctx);
}

/**
 * The web identity token, read by bascule (bounded: see src/small-file.ts)
 * rather than by the SDK's fromTokenFile, whose synchronous read would wait
 * forever, past any deadline, on a FIFO.
 */
async function webIdentityToken(file: string): Promise<string> {
  const { readSmallFile } = await import('../small-file.js');
  const read = readSmallFile(file);
  if ('problem' in read) {
    throw new BasculeError('credentials', `the web identity token file ${echo(file)} is not usable: ${read.problem}`, {
      hint: 'check AWS_WEB_IDENTITY_TOKEN_FILE, or web_identity_token_file in the profile (in a pod: the projected service account token)',
    });
  }
  return read.text; // as botocore and the SDK send it: unchanged
}

async function sdkProvider(plan: CredentialPlan, ctx: ChainContext): Promise<AwsCredentials> {
  const sdk = await import('./sdk.js');
  const { awsError } = await import('./errors.js');
  const origin = describePlan(plan);
  const handler = sdk.requestHandler(ctx.env, ctx.deadline);
  const paths = awsFilePaths(ctx.env);
  const stsEndpoint = plan.kind === 'assume-role-with-web-identity' ? configuredEndpoint('sts', ctx.env, ctx.files(), plan.profile) : undefined;
  const ssoEndpoint = plan.kind === 'sso' ? configuredEndpoint('sso', ctx.env, ctx.files(), plan.profile) : undefined;
  const provider =
    plan.kind === 'sso'
      ? sdk.fromSSO({
          profile: plan.profile,
          filepath: paths.credentials,
          configFilepath: paths.config,
          clientConfig: { region: plan.ssoRegion, requestHandler: handler, ...sdk.ENDPOINT_BY_BASCULE, ...(ssoEndpoint ? { endpoint: ssoEndpoint } : {}) },
        })
      : plan.kind === 'assume-role-with-web-identity'
        ? sdk.fromWebToken({
            webIdentityToken: await webIdentityToken(plan.tokenFile),
            roleArn: plan.roleArn,
            roleSessionName: plan.sessionName ?? `bascule-${Date.now()}`,
            clientConfig: { region: ctx.region, requestHandler: handler, ...sdk.ENDPOINT_BY_BASCULE, ...(stsEndpoint ? { endpoint: stsEndpoint } : {}) },
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
