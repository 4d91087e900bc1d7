/**
 * The token command's input, validated: flags in, a typed record out.
 * Both peers' spellings land here (aws-iam-authenticator's `token -i -r -s -e`
 * and `aws eks get-token --cluster-name --role-arn`).
 */
import { usageError } from '../errors.js';
import { isValidClusterName } from './cluster-name.js';
import { parseDnsServer } from './dns.js';
import { partitionOf } from './sts-endpoint.js';

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
  readonly noDns: boolean;
  readonly dnsTimeoutMs: number;
  readonly cache: boolean;
  readonly cacheMinValidityMs: number;
}

export const DEFAULT_DNS_TIMEOUT_MS = 2000;
export const DEFAULT_CACHE_MIN_VALIDITY_MS = 5 * 60 * 1000;

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const DNS_NAME = /^(?=.{1,253}\.?$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** "3600", "3600s", "60m", "1h", "1h30m" -> seconds. */
export function parseDuration(flag: string, value: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  let seconds: number;
  if (/^\d+$/.test(value)) seconds = Number(value);
  else if (/^(\d+[hms])+$/.test(value)) {
    seconds = 0;
    for (const [, n, u] of value.matchAll(/(\d+)([hms])/g)) seconds += Number(n) * (units[u as string] as number);
  } else throw usageError(`${flag} ${JSON.stringify(value)} is not a duration`, 'write seconds (3600) or a Go-style duration (1h, 45m, 1h30m)');
  return seconds;
}

function positiveMs(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw usageError(`${flag} ${JSON.stringify(value)} is not a whole number of milliseconds`);
  const n = Number(value);
  if (n < min || n > max) throw usageError(`${flag} ${value} is out of range (${min}..${max} ms)`);
  return n;
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
  dns?: boolean; // commander's --no-dns
  dnsTimeout?: string;
  cache?: boolean; // --no-cache
  cacheMinValidity?: string;
}

export function parseTokenInput(flags: RawTokenFlags, env: NodeJS.ProcessEnv): TokenInput {
  if (flags.clusterId && flags.clusterName && flags.clusterId !== flags.clusterName) {
    throw usageError('--cluster-id and --cluster-name name different clusters; give one');
  }
  const id = (flags.clusterId ?? flags.clusterName ?? '').trim();
  if (!id) throw usageError('missing the cluster id', 'pass -i/--cluster-id NAME (a cluster name, or the DNS name whose TXT record holds it)');
  const noDns = flags.dns === false;
  if (noDns && !isValidClusterName(id)) {
    throw usageError(`-i ${JSON.stringify(id)} is not a valid EKS cluster name, and --no-dns makes it the cluster name`, 'EKS cluster names are 1-100 letters, digits, "-" and "_"');
  }
  if (!noDns && !DNS_NAME.test(id)) {
    throw usageError(`-i ${JSON.stringify(id)} is neither an EKS cluster name nor a DNS name`);
  }
  if (flags.role && flags.roleArn && flags.role !== flags.roleArn) throw usageError('--role and --role-arn name different roles; give one');
  const roleArn = flags.role ?? flags.roleArn;
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    throw usageError(`${JSON.stringify(roleArn)} is not an IAM role ARN`, 'expected arn:aws:iam::123456789012:role/NAME');
  }
  if (flags.sessionName !== undefined && !SESSION_NAME.test(flags.sessionName)) {
    throw usageError(`--session-name ${JSON.stringify(flags.sessionName)} is not a valid role session name`, '2-64 characters among letters, digits and +=,.@_-');
  }
  if (flags.externalId !== undefined && !EXTERNAL_ID.test(flags.externalId)) {
    throw usageError('--external-id is not a valid external id', '2-1224 characters among letters, digits and +=,.@:/_-');
  }
  if (!roleArn && (flags.sessionName || flags.externalId || flags.duration || flags.forwardSessionName)) {
    throw usageError('--session-name, --forward-session-name, --external-id and --duration only apply with --role');
  }
  if (flags.forwardSessionName && flags.sessionName) throw usageError('--forward-session-name and --session-name are exclusive; give one');
  let durationSeconds: number | undefined;
  if (flags.duration !== undefined) {
    durationSeconds = parseDuration('--duration', flags.duration);
    if (durationSeconds < 900 || durationSeconds > 43200) throw usageError(`--duration ${flags.duration} is out of range`, 'STS accepts 15 minutes (900) to 12 hours (43200)');
  }
  if (flags.region !== undefined) partitionOf(flags.region);
  const dnsServerRaw = flags.dnsServer ?? env.BASCULE_DNS_SERVER;
  const dnsServer = dnsServerRaw ? parseDnsServer(dnsServerRaw) : undefined;
  const allowClusters = flags.allowCluster ?? [];
  const dnsTimeoutMs = flags.dnsTimeout === undefined ? DEFAULT_DNS_TIMEOUT_MS : positiveMs('--dns-timeout', flags.dnsTimeout, 50, 60000);
  const cacheMinValidityMs =
    flags.cacheMinValidity === undefined
      ? DEFAULT_CACHE_MIN_VALIDITY_MS
      : parseDuration('--cache-min-validity', flags.cacheMinValidity) * 1000;
  if (cacheMinValidityMs > 14 * 60 * 1000) throw usageError('--cache-min-validity is longer than a token lives (14m)');
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
    noDns,
    dnsTimeoutMs,
    cache: flags.cache !== false && !/^(1|true|yes)$/i.test(env.BASCULE_NO_CACHE ?? ''),
    cacheMinValidityMs,
  };
}
