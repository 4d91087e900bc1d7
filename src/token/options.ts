/**
 * The token command's input, validated: flags in, a typed record out.
 * Both peers' spellings land here (aws-iam-authenticator's `token -i -r -s -e`
 * and `aws eks get-token --cluster-name --role-arn`).
 */
import { AWS_TIMEOUT, parseAwsTimeout } from '../aws/identity.js';
import { usageError } from '../errors.js';
import {
  asciiDnsName,
  CLUSTER_NAME_RULE,
  durationMs,
  quoteValue,
  isValidClusterName,
  ROLE_SESSION_SECONDS,
  parseDnsServer,
  parseDurationFlag,
  parseServerPattern,
  regionProblem,
  REGION_HINT,
  SERVER_PATTERN_RULE,
  SOURCE_IDENTITY_RULE,
  sourceIdentityProblem,
  TAG_RULE,
  tagKeyProblem,
  tagSetProblem,
  tagValueProblem,
  type ServerPattern,
  roleArnProblem,
  ROLE_ARN_EXAMPLE,
} from '../vocabulary.js';

export interface TokenInput {
  /** A cluster name, or a DNS name whose TXT record holds it. */
  readonly id: string;
  readonly roleArn: string | undefined;
  readonly sessionName: string | undefined;
  readonly forwardSessionName: boolean;
  readonly externalId: string | undefined;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly tokenOnly: boolean;
  readonly dnsServer: string | undefined;
  readonly allowClusters: readonly string[];
  /** --allow-server: the API servers kubectl may send the token to (checked when it says which). */
  readonly allowServers: readonly ServerPattern[];
  /** STS SourceIdentity of the role session. */
  readonly sourceIdentity: string | undefined;
  /** Session tags of the role session, [key, value] in the order given. */
  readonly tags: readonly (readonly [string, string])[];
  readonly noDns: boolean;
  readonly dnsTimeoutMs: number;
  /** One bound over the AWS work (credentials, role assumption). */
  readonly awsTimeoutMs: number;
  readonly cache: boolean;
  readonly cacheMinValidityMs: number;
}

export const DEFAULT_DNS_TIMEOUT_MS = 2000;
export const DEFAULT_AWS_TIMEOUT_MS = AWS_TIMEOUT.defaultMs;
export const DEFAULT_CACHE_MIN_VALIDITY_MS = 5 * 60 * 1000;

// Functions, not literals: built on first use (src/vocabulary.ts, ROLE_ARN).
const SESSION_NAME = () => /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = () => /^[\w+=,.@:/-]{2,1224}$/;

/**
 * The role session length: a duration ("1h", "45m", "3600s"). A bare number
 * is seconds here, as STS's DurationSeconds and the AWS CLI's
 * --duration-seconds count (the vocabulary's bare milliseconds would make
 * "3600" 3.6 s).
 */
function sessionSeconds(value: string): number {
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : durationMs(value);
  if (ms === undefined) throw usageError(`--duration ${quoteValue(value)} is not a duration`, 'write 1h, 45m, 1h30m or seconds (3600)');
  const { min, max } = ROLE_SESSION_SECONDS;
  if (ms < min * 1000 || ms > max * 1000) throw usageError(`--duration ${value} is out of range`, `STS accepts 15 minutes (${min}) to 12 hours (${max})`);
  return Math.round(ms / 1000);
}

export interface RawTokenFlags {
  clusterId?: string;
  clusterName?: string;
  role?: string;
  roleArn?: string;
  sessionName?: string;
  forwardSessionName?: boolean;
  externalId?: string;
  region?: string;
  profile?: string;
  duration?: string;
  tokenOnly?: boolean;
  dnsServer?: string;
  allowCluster?: string[];
  allowServer?: string[];
  sourceIdentity?: string;
  tag?: string[];
  dns?: boolean; // commander's --no-dns
  dnsTimeout?: string;
  awsTimeout?: string;
  cache?: boolean; // --no-cache; --cache (aws-iam-authenticator's) is accepted: bascule always caches
  cacheMinValidity?: string;
}

/** --source-identity and --tag: STS's rules (the vocabulary's), and only with a role. */
function roleSession(flags: Pick<RawTokenFlags, 'sourceIdentity' | 'tag'>, roleArn: string | undefined): Pick<TokenInput, 'sourceIdentity' | 'tags'> {
  const { sourceIdentity } = flags;
  if (!roleArn && (sourceIdentity !== undefined || flags.tag?.length)) {
    throw usageError(`${sourceIdentity !== undefined ? '--source-identity' : '--tag'} applies only with --role: it marks the role session`, 'add --role ARN (the role to assume), or drop --source-identity and --tag');
  }
  const badIdentity = sourceIdentity === undefined ? undefined : sourceIdentityProblem(sourceIdentity);
  if (badIdentity) throw usageError(`--source-identity ${quoteValue(sourceIdentity as string)} ${badIdentity}`, SOURCE_IDENTITY_RULE);
  const tags = (flags.tag ?? []).map((text): [string, string] => {
    const eq = text.indexOf('=');
    if (eq < 0) throw usageError(`--tag ${quoteValue(text)} is not KEY=VALUE`, `write --tag team=platform; ${TAG_RULE}`);
    const [key, value] = [text.slice(0, eq), text.slice(eq + 1)];
    const problem = tagKeyProblem(key) ?? tagValueProblem(value);
    if (problem) throw usageError(`--tag ${quoteValue(text)}: its ${tagKeyProblem(key) ? `key ${quoteValue(key)}` : `value ${quoteValue(value)}`} ${problem}`, TAG_RULE);
    return [key, value];
  });
  const setProblem = tagSetProblem(tags.map(([key]) => key));
  if (setProblem) throw usageError(`--tag: ${setProblem}`, 'give each tag key once (at most 50 tags)');
  return { sourceIdentity, tags };
}

export function parseTokenInput(flags: RawTokenFlags, env: NodeJS.ProcessEnv): TokenInput {
  if (flags.clusterId && flags.clusterName && flags.clusterId !== flags.clusterName) {
    throw usageError(`--cluster-id ${quoteValue(flags.clusterId)} and --cluster-name ${quoteValue(flags.clusterName)} name different clusters`, 'give one of them (they are two spellings of the same flag)');
  }
  const id = (flags.clusterId ?? flags.clusterName ?? '').trim();
  if (!id) throw usageError('missing the cluster id', 'pass -i/--cluster-id NAME (a cluster name, or the DNS name whose TXT record holds it)');
  const noDns = flags.dns === false;
  if (noDns && !isValidClusterName(id)) {
    throw usageError(`-i ${quoteValue(id)} is not a valid EKS cluster name, and --no-dns makes it the cluster name`, CLUSTER_NAME_RULE);
  }
  if (!noDns && !isValidClusterName(id) && asciiDnsName(id) === undefined) {
    throw usageError(`-i ${quoteValue(id)} is neither an EKS cluster name nor a valid DNS name`, 'IDN names must be valid (an xn-- label must be valid punycode); labels are 1-63 letters, digits, "-" and "_"');
  }
  if (flags.role && flags.roleArn && flags.role !== flags.roleArn) throw usageError('--role and --role-arn name different roles', 'give one of them (they are two spellings of the same flag)');
  const roleArn = flags.role ?? flags.roleArn;
  const roleProblem = roleArn === undefined ? undefined : roleArnProblem(roleArn);
  if (roleProblem) throw usageError(`${flags.role !== undefined ? '--role' : '--role-arn'} ${quoteValue(roleArn as string)} ${roleProblem}`, `expected ${ROLE_ARN_EXAMPLE}`);
  if (flags.sessionName !== undefined && !SESSION_NAME().test(flags.sessionName)) {
    throw usageError(`--session-name ${quoteValue(flags.sessionName)} is not a valid role session name`, 'it has 2-64 characters among letters, digits and +=,.@_-');
  }
  if (flags.externalId !== undefined && !EXTERNAL_ID().test(flags.externalId)) {
    throw usageError('--external-id is not a valid external id', 'it has 2-1224 characters among letters, digits and +=,.@:/_-');
  }
  if (!roleArn && (flags.sessionName || flags.externalId || flags.duration || flags.forwardSessionName)) {
    const given = (['sessionName', 'forwardSessionName', 'externalId', 'duration'] as const).filter((k) => flags[k]).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw usageError(`${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} only with --role: without a role there is no role session`, `add --role ARN (the role to assume), or drop ${given.join(', ')}`);
  }
  if (flags.forwardSessionName && flags.sessionName) throw usageError('--forward-session-name and --session-name are exclusive', 'give one: --session-name NAME names the role session, --forward-session-name reuses your own');
  const durationSeconds = flags.duration === undefined ? undefined : sessionSeconds(flags.duration);
  const badRegion = flags.region === undefined ? undefined : regionProblem(flags.region);
  if (badRegion) throw usageError(`--region ${quoteValue(flags.region as string)} ${badRegion}`, REGION_HINT);
  const dnsServer =
    flags.dnsServer !== undefined ? parseDnsServer(flags.dnsServer, '--dns-server') : env.BASCULE_DNS_SERVER ? parseDnsServer(env.BASCULE_DNS_SERVER, 'BASCULE_DNS_SERVER') : undefined;
  const allowClusters = flags.allowCluster ?? [];
  const allowServers: ServerPattern[] = [];
  for (const value of flags.allowServer ?? []) {
    const pattern = parseServerPattern(value);
    if (typeof pattern === 'string') throw usageError(`--allow-server ${quoteValue(value)} ${pattern}`, SERVER_PATTERN_RULE);
    allowServers.push(pattern);
  }
  // Without either flag there is nothing to check (and the cached path runs no more code than it needs).
  const { sourceIdentity, tags } = flags.sourceIdentity === undefined && !flags.tag?.length ? { sourceIdentity: undefined, tags: [] } : roleSession(flags, roleArn);
  const dnsTimeoutMs = flags.dnsTimeout === undefined ? DEFAULT_DNS_TIMEOUT_MS : parseDurationFlag('--dns-timeout', flags.dnsTimeout, { min: 50, max: 60_000 });
  const awsTimeoutMs = parseAwsTimeout(flags.awsTimeout);
  const cacheMinValidityMs =
    flags.cacheMinValidity === undefined
      ? DEFAULT_CACHE_MIN_VALIDITY_MS
      : parseDurationFlag('--cache-min-validity', flags.cacheMinValidity, { min: 0, max: 14 * 60_000 });
  return {
    id,
    roleArn,
    sessionName: flags.sessionName,
    forwardSessionName: flags.forwardSessionName ?? false,
    externalId: flags.externalId,
    region: flags.region,
    profile: flags.profile,
    durationSeconds,
    tokenOnly: flags.tokenOnly ?? false,
    dnsServer,
    allowClusters,
    allowServers,
    sourceIdentity,
    tags,
    noDns,
    dnsTimeoutMs,
    awsTimeoutMs,
    cache: flags.cache !== false && !(env.BASCULE_NO_CACHE !== undefined && /^(1|true|yes)$/i.test(env.BASCULE_NO_CACHE)),
    cacheMinValidityMs,
  };
}
