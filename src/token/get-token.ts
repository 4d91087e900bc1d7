/**
 * `bascule token`, the steps in order:
 *   read KUBERNETES_EXEC_INFO -> resolve the cluster name (TXT) -> check the
 *   allow-list -> resolve the region -> [cache] -> credentials -> assume role
 *   -> presign -> answer kubectl.
 * Side effects come in through `TokenDeps`, so tests drive every step.
 */
import { BasculeError } from '../errors.js';
import { profileSettings, readAwsFiles, resolveRegion, selectedProfile, type AwsFiles } from './aws-config.js';
import { assertAllowed, clusterNameFromTxt, type ResolvedName } from './cluster-name.js';
import type { TxtLookup } from './dns.js';
import { formatExecCredential, parseExecInfo } from './exec-credential.js';
import type { TokenInput } from './options.js';
import type { AwsCredentials, EksToken } from './eks-token.js';
import { credentialsPort as defaultCredentials, type CredentialContext, type SourcePlan } from './credentials.js';

export interface TokenDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  readonly lookupTxt: TxtLookup;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly prompt: (question: string) => Promise<string>;
  /** Is there a terminal to prompt on, when kubectl did not say? */
  readonly stdinIsTTY: () => boolean;
  /** The credential adapter; its module loads the AWS SDK only when needed. */
  readonly credentials?: CredentialsPort;
  readonly cache?: TokenCachePort;
  /** --verbose (io.verbose): what was resolved, and from where; never a secret. */
  readonly verbose?: (message: string) => void;
}

export interface CredentialsPort {
  plan(ctx: CredentialContext): SourcePlan;
  source(ctx: CredentialContext, plan: SourcePlan): Promise<{ credentials: AwsCredentials; origin: string }>;
  assumeRole(ctx: CredentialContext, source: AwsCredentials, input: TokenInput & { roleArn: string }, plan: SourcePlan): Promise<AwsCredentials>;
}

/** What identifies a token: everything that changes the bytes STS and EKS will see. */
export interface TokenCacheKey {
  readonly clusterName: string;
  readonly region: string;
  readonly roleArn: string | null;
  readonly externalId: string | null;
  readonly sessionName: string | null;
  readonly forwardSessionName: boolean;
  readonly durationSeconds: number | null;
  readonly profile: string | null;
  /** Who signs: env access key id, or the profile's files fingerprint. */
  readonly sourceIdentity: string;
}

export interface TokenCachePort {
  /**
   * A still-valid cached token for the key, else `make` run under a lock for
   * the key (after looking again: another process may have made it). Never
   * fails because of the cache: a broken cache is a miss.
   */
  getOrMake(key: TokenCacheKey, now: () => Date, minValidityMs: number, make: () => Promise<EksToken>): Promise<EksToken>;
}

export async function resolveClusterName(input: TokenInput, deps: Pick<TokenDeps, 'lookupTxt' | 'verbose'>): Promise<ResolvedName> {
  const { verbose } = deps;
  let resolved: ResolvedName;
  if (input.noDns) {
    resolved = { clusterName: input.id, source: 'id' };
    verbose?.(`cluster ${input.id}: --no-dns, the id is the cluster name`);
  } else {
    const via = input.dnsServer ? `DNS server ${input.dnsServer}` : 'the system resolver';
    const answer = await deps.lookupTxt(input.id, { server: input.dnsServer, timeoutMs: input.dnsTimeoutMs });
    const said = answer.kind === 'records' ? answer.records.map((chunks) => JSON.stringify(chunks.join(''))).join(' ') : `no record (${answer.reason})`;
    verbose?.(`TXT ${input.id} via ${via}: ${said}`);
    resolved = clusterNameFromTxt(input.id, answer);
    verbose?.(`cluster ${resolved.clusterName} (${resolved.source === 'txt' ? `named by the TXT record at ${input.id}` : 'no TXT record: the id is the cluster name'})`);
  }
  assertAllowed(resolved, input.id, input.allowClusters);
  verbose?.(input.allowClusters.length > 0 ? `cluster ${resolved.clusterName} is allowed by --allow-cluster ${input.allowClusters.join(', ')}` : 'no --allow-cluster: any cluster name is signed for');
  return resolved;
}

export async function getToken(input: TokenInput, deps: TokenDeps): Promise<void> {
  const execInfo = parseExecInfo(deps.env.KUBERNETES_EXEC_INFO);
  if (execInfo.warning) deps.stderr(execInfo.warning);

  let files: AwsFiles | undefined;
  const awsFiles = () => (files ??= readAwsFiles(deps.env));
  const profile = selectedProfile(input.profile, deps.env);
  const region = resolveRegion(input.region, deps.env, () => profileSettings(awsFiles(), profile.name)?.region);
  const { verbose } = deps;
  if (verbose) {
    verbose(`KUBERNETES_EXEC_INFO: ${deps.env.KUBERNETES_EXEC_INFO ? `${execInfo.apiVersion}, interactive: ${execInfo.interactive}` : `not set, answering ${execInfo.apiVersion}`}`);
    // resolveRegion's order, for the reader.
    const from = input.region ? '--region' : deps.env.AWS_REGION ? 'AWS_REGION' : deps.env.AWS_DEFAULT_REGION ? 'AWS_DEFAULT_REGION' : `profile ${profile.name}`;
    verbose(`region ${region} (from ${from})`);
  }

  const { clusterName } = await resolveClusterName(input, deps);

  const credentialsPort = deps.credentials ?? defaultCredentials;
  const ctx: CredentialContext = {
    env: deps.env,
    profileFlag: input.profile,
    region,
    get interactive() {
      return execInfo.interactive ?? deps.stdinIsTTY();
    },
    prompt: deps.prompt,
    awsFiles,
  };
  const plan = credentialsPort.plan(ctx);
  verbose?.(
    `credentials: ${plan.kind === 'env' ? 'environment variables (AWS_ACCESS_KEY_ID)' : plan.kind === 'static-profile' ? `profile ${plan.profile} (keys in the shared files)` : `profile ${plan.profile} through the AWS SDK's chain (SSO, process, assume-role, container, IMDS)`}`,
  );

  const make = async (): Promise<EksToken> => {
    const source = await credentialsPort.source(ctx, plan);
    let credentials = source.credentials;
    verbose?.(`credentials from ${source.origin}${source.credentials.expiration ? `, valid until ${source.credentials.expiration.toISOString()}` : ''}`);
    if (input.roleArn) {
      credentials = await credentialsPort.assumeRole(ctx, credentials, { ...input, roleArn: input.roleArn }, plan);
      verbose?.(`assumed ${input.roleArn}${credentials.expiration ? ` until ${credentials.expiration.toISOString()}` : ''}`);
    }
    const now = deps.now();
    if (credentials.expiration && credentials.expiration.getTime() <= now.getTime()) {
      throw new BasculeError('credentials', `the AWS credentials from ${source.origin} expired at ${credentials.expiration.toISOString()}`, {
        hint: 'refresh them (aws sso login, new keys or session token) and retry',
      });
    }
    // Loaded here: the signer and its dependencies stay off the cached path.
    const { presignToken } = await import('./presign.js');
    const token = await presignToken({ credentials, region, clusterName, now });
    verbose?.(`signed a token for cluster ${clusterName} in ${region}, valid until ${token.expiresAt.toISOString()}`);
    return token;
  };

  let token: EksToken;
  if (input.cache && deps.cache) {
    const key: TokenCacheKey = {
      clusterName,
      region,
      roleArn: input.roleArn ?? null,
      externalId: input.externalId ?? null,
      sessionName: input.sessionName ?? null,
      forwardSessionName: input.forwardSessionName,
      durationSeconds: input.durationSeconds ?? null,
      profile: plan.kind === 'env' ? null : plan.profile,
      sourceIdentity: sourceIdentity(plan, awsFiles, deps.env),
    };
    token = await deps.cache.getOrMake(key, deps.now, input.cacheMinValidityMs, make);
  } else {
    token = await make();
  }

  deps.stdout(input.tokenOnly ? `${token.token}\n` : formatExecCredential(execInfo.apiVersion, token.token, token.expiresAt));
}

/**
 * Identifies the signer without loading the SDK and without any secret (the
 * key is stored in the cache entry): an access key id names exactly one
 * secret, and temporary keys get a fresh id per session. For profiles the SDK
 * resolves (SSO, assume-role, process...), the profile's non-secret settings.
 */
export function sourceIdentity(plan: SourcePlan, awsFiles: () => AwsFiles, env: NodeJS.ProcessEnv): string {
  if (plan.kind === 'env') return `env:${plan.credentials.accessKeyId}`;
  if (plan.kind === 'static-profile') return `profile:${plan.profile}:${plan.credentials.accessKeyId}`;
  const chain: Record<string, string>[] = [];
  let name: string | undefined = plan.profile;
  for (let depth = 0; name && depth < 5; depth++) {
    const settings: Record<string, string> = profileSettings(awsFiles(), name) ?? {};
    chain.push(Object.fromEntries<string>(Object.entries(settings).filter(([k]) => !/secret|token|password/.test(k)).sort()));
    name = settings.source_profile !== name ? settings.source_profile : undefined;
  }
  const ambient = ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']
    .map((k) => env[k] ?? '');
  return `sdk:${plan.profile}:${JSON.stringify([chain, ambient])}`;
}
