/**
 * `bascule token`, the steps in order:
 *   read KUBERNETES_EXEC_INFO -> resolve the cluster name (TXT) -> check the
 *   allow-list -> resolve the region -> [cache] -> credentials -> assume role
 *   -> presign -> answer kubectl.
 * Side effects come in through `TokenDeps`, so tests drive every step.
 */
import { BasculeError } from '../errors.js';
import type { AwsCredentials, EksToken } from '../aws/eks-token.js';
import { assertAllowed, clusterNameFromTxt, isPlainClusterName, quoteValue, type ResolvedName } from '../dns/cluster-name.js';
import type { TxtLookup } from '../dns/resolver.js';
import { checkServer } from './allow-server.js';
import { formatExecCredential, parseExecInfo } from './exec-credential.js';
import type { TokenInput } from './options.js';

export interface TokenDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  readonly lookupTxt: TxtLookup;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly prompt: (question: string) => Promise<string>;
  /** Is there a terminal to prompt on, when kubectl did not say? */
  readonly stdinIsTTY: () => boolean;
  /** Where AWS credentials come from; its adapter loads the AWS SDK only when needed. */
  readonly aws: AwsPort;
  readonly cache?: TokenCachePort;
  /** --verbose (io.verbose): what was resolved, and from where; never a secret. */
  readonly verbose?: (message: string) => void;
}

/** The token's view of AWS: a region, and who signs. */
export interface AwsPort {
  /** --region, else the environment and the profile's, else the adapter's fallback; and which it was, for --verbose. */
  region(regionFlag: string | undefined, profileFlag: string | undefined): { readonly region: string; readonly source: string };
  /** Decides (without calling AWS) which credentials will sign. */
  signer(request: SignerRequest): Signer;
}

export interface SignerRequest {
  readonly profileFlag: string | undefined;
  readonly region: string;
  /** One bound over all the AWS work of this token. */
  readonly timeoutMs: number;
  readonly interactive: () => boolean;
  readonly prompt: (question: string) => Promise<string>;
  /** --verbose, for what the credential sources say (a credential_process's stderr). */
  readonly verbose?: (message: string) => void;
}

export interface RoleRequest {
  readonly roleArn: string;
  readonly sessionName: string | undefined;
  readonly forwardSessionName: boolean;
  readonly externalId: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly sourceIdentity: string | undefined;
  readonly tags: readonly (readonly [string, string])[];
}

export interface Signer {
  /** Who signs, for the cache key: never a secret. */
  readonly identity: string;
  /** The profile in use, for the cache key (null: the environment's keys). */
  readonly profile: string | null;
  /** The credentials to sign with (the role's when asked), and where they come from. */
  credentials(role: RoleRequest | undefined): Promise<{ credentials: AwsCredentials; origin: string }>;
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
  readonly signerIdentity: string;
  /** The role session's STS SourceIdentity (--source-identity). */
  readonly sourceIdentity: string | null;
  /** The role session's tags (--tag), sorted by key: the order given does not change the session. */
  readonly tags: readonly (readonly [string, string])[];
}

/** The key of the token for a cluster and region, the role as asked (--role and its options), and who signs. */
export function tokenCacheKey(
  clusterName: string,
  region: string,
  role: Pick<TokenInput, 'roleArn' | 'externalId' | 'sessionName' | 'forwardSessionName' | 'durationSeconds' | 'sourceIdentity' | 'tags'>,
  signer: Pick<Signer, 'profile' | 'identity'>,
): TokenCacheKey {
  return {
    clusterName,
    region,
    roleArn: role.roleArn ?? null,
    externalId: role.externalId ?? null,
    sessionName: role.sessionName ?? null,
    forwardSessionName: role.forwardSessionName,
    durationSeconds: role.durationSeconds ?? null,
    profile: signer.profile,
    signerIdentity: signer.identity,
    sourceIdentity: role.sourceIdentity ?? null,
    // sort() is a JavaScript builtin, compiled on first use: not for none or one.
    tags: role.tags.length < 2 ? [...role.tags] : [...role.tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

export interface TokenCachePort {
  /**
   * A still-valid cached token for the key, else `make` run under a lock for
   * the key (after looking again: another process may have made it). Never
   * fails because of the cache: a broken cache is a miss.
   */
  getOrMake(key: TokenCacheKey, now: () => Date, minValidityMs: number, make: () => Promise<EksToken>): Promise<EksToken>;
  /** Gets ready to read (loads what reading needs, checks the directory), ahead of `getOrMake`; never fails. */
  prepare?(): void;
}

export async function resolveClusterName(input: TokenInput, deps: Pick<TokenDeps, 'lookupTxt' | 'verbose' | 'cache'>): Promise<ResolvedName> {
  const { verbose } = deps;
  let resolved: ResolvedName;
  if (input.noDns || isPlainClusterName(input.id)) {
    resolved = { clusterName: input.id, source: 'id' };
    verbose?.(`cluster ${input.id}: ${input.noDns ? '--no-dns' : 'no dot, no TXT lookup'}, the id is the cluster name`);
  } else {
    const via = input.dnsServer ? `DNS server ${input.dnsServer}` : 'the system resolver';
    const { cache } = deps;
    const answer = await deps.lookupTxt(input.id, {
      server: input.dnsServer,
      timeoutMs: input.dnsTimeoutMs,
      // The cache gets ready to read while the question travels: its reader loads instead of the process waiting.
      ...(cache?.prepare ? { whileWaiting: () => cache.prepare?.() } : {}),
      ...(verbose ? { verbose } : {}),
    });
    if (verbose) {
      const said = answer.kind === 'records' ? answer.records.map((chunks) => quoteValue(chunks.join(''))).join(' ') : answer.kind === 'cname' ? `a CNAME to ${quoteValue(answer.target)}, no TXT record` : `no record (${answer.reason})`;
      verbose(`TXT ${input.id} via ${via}: ${said}`);
    }
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
  // Before anything else (the TXT lookup, the cache): a server outside --allow-server gets nothing.
  const serverNote = checkServer(execInfo, input.allowServers);

  const { region, source: regionSource } = deps.aws.region(input.region, input.profile);
  const { verbose } = deps;
  if (verbose) {
    verbose(`KUBERNETES_EXEC_INFO: ${deps.env.KUBERNETES_EXEC_INFO ? `${execInfo.apiVersion}, interactive: ${execInfo.interactive}` : `not set, answering ${execInfo.apiVersion}`}`);
    verbose(serverNote);
    verbose(`region ${region} (${regionSource})`);
  }
  const { clusterName } = await resolveClusterName(input, deps);

  const signer = deps.aws.signer({
    profileFlag: input.profile,
    region,
    timeoutMs: input.awsTimeoutMs,
    interactive: () => execInfo.interactive ?? deps.stdinIsTTY(),
    prompt: deps.prompt,
    ...(verbose ? { verbose } : {}),
  });
  // Never signer.identity: it holds the access key id.
  verbose?.(`credentials: ${signer.profile === null ? 'environment variables (AWS_ACCESS_KEY_ID)' : `profile ${signer.profile}`}`);

  const make = async (): Promise<EksToken> => {
    const role = input.roleArn
      ? {
          roleArn: input.roleArn,
          sessionName: input.sessionName,
          forwardSessionName: input.forwardSessionName,
          externalId: input.externalId,
          durationSeconds: input.durationSeconds,
          sourceIdentity: input.sourceIdentity,
          tags: input.tags,
        }
      : undefined;
    const { credentials, origin } = await signer.credentials(role);
    verbose?.(`credentials from ${origin}${credentials.expiration ? `, valid until ${credentials.expiration.toISOString()}` : ''}`);
    const now = deps.now();
    if (credentials.expiration && credentials.expiration.getTime() <= now.getTime()) {
      throw new BasculeError('credentials', `the AWS credentials from ${origin} expired at ${credentials.expiration.toISOString()}`, {
        hint: 'refresh them (aws sso login, new keys or session token, the credential_process) and retry',
      });
    }
    // Loaded here: the signer and its dependencies stay off the cached path.
    const { presignToken } = await import('../aws/presign.js');
    const token = await presignToken({ credentials, region, clusterName, now });
    verbose?.(`signed a token for cluster ${clusterName} in ${region}, valid until ${token.expiresAt.toISOString()}`);
    return token;
  };

  let token: EksToken;
  if (input.cache && deps.cache) {
    token = await deps.cache.getOrMake(tokenCacheKey(clusterName, region, input, signer), deps.now, input.cacheMinValidityMs, make);
  } else {
    token = await make();
  }

  deps.stdout(input.tokenOnly ? `${token.token}\n` : formatExecCredential(execInfo.apiVersion, token.token, token.expiresAt));
}
