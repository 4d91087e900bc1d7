/**
 * The flags every cut-over command shares (status, the switch, the weighted
 * shift), validated (pure): the platform file, who bascule is towards the
 * clusters, the resolver, --fetch, and the bounds of every wait. Every bad
 * value is a usage error naming the flag.
 */
import { AWS_TIMEOUT, parseAwsTimeout } from '../aws/identity.js';
import { usageError } from '../errors.js';
import { escapeControl, parseDurationFlag, parseDnsServer, roleArnProblem, ROLE_ARN_EXAMPLE } from '../vocabulary.js';
import { COLOURS, type Colour } from '../platform/schema.js';

/** Bounds of every wait, and how often a wait looks again. */
export interface Waits {
  /** Each wait for pods and for Route53 INSYNC. */
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** The post-check's wait for the resolver to follow; undefined: the records' TTL + 30 s. */
  readonly dnsWaitMs: number | undefined;
  /** Each HTTP request to a cluster's API. */
  readonly requestTimeoutMs: number;
  /** Each DNS lookup. */
  readonly dnsTimeoutMs: number;
  /** Each resolution of the AWS identity (credentials, then the role), and each AWS request: --aws-timeout. */
  readonly awsTimeoutMs: number;
}

export const DEFAULT_WAITS: Waits = {
  timeoutMs: 5 * 60_000,
  pollMs: 2000,
  dnsWaitMs: undefined,
  requestTimeoutMs: 15_000,
  dnsTimeoutMs: 2000,
  awsTimeoutMs: AWS_TIMEOUT.defaultMs,
};

/** Who bascule is towards the clusters: an access level of the platform file, a role, or the ambient credentials. */
export interface Identity {
  readonly access: string | undefined;
  readonly roleArn: string | undefined;
  /** AWS profile for the AWS calls (Route53, EKS with --fetch). */
  readonly profile: string | undefined;
}

export interface CommonInput {
  readonly config: string;
  readonly identity: Identity;
  readonly dnsServer: string | undefined;
  readonly fetch: boolean;
  readonly waits: Waits;
}

export interface RawCommonFlags {
  config?: string;
  access?: string;
  role?: string;
  profile?: string;
  dnsServer?: string;
  fetch?: boolean;
  timeout?: string;
  pollInterval?: string;
  dnsWait?: string;
  requestTimeout?: string;
  dnsTimeout?: string;
  awsTimeout?: string;
}

/** "2000" (milliseconds), "250ms", "2s", "5m", "1m30s" -> milliseconds: the vocabulary's one duration rule. */
export const parseDurationMs = parseDurationFlag;

/** A bound as the duration rule writes it (1500 -> "1.5s", 90000 -> "1m30s"): the one formatter's exact form. */
export { formatMs } from '../vocabulary.js';

export function parseColour(flag: string, value: string): Colour {
  const colour = value.trim().toLowerCase();
  if (!(COLOURS as readonly string[]).includes(colour)) {
    throw usageError(`${flag} ${JSON.stringify(value)} is not a colour`, `the colours are ${COLOURS.join(' and ')}`);
  }
  return colour as Colour;
}

export function parseCommon(flags: RawCommonFlags): CommonInput {
  if (flags.access !== undefined && flags.role !== undefined) throw usageError('--access and --role are exclusive; give one');
  const roleProblem = flags.role === undefined ? undefined : roleArnProblem(flags.role);
  if (roleProblem) throw usageError(`--role ${JSON.stringify(escapeControl(flags.role as string))} ${roleProblem}`, `expected ${ROLE_ARN_EXAMPLE}`);
  if (flags.access !== undefined && flags.access.trim() === '') throw usageError('--access is empty', 'name an access level of the platform file, e.g. --access admin');
  const waits: Waits = {
    timeoutMs: flags.timeout === undefined ? DEFAULT_WAITS.timeoutMs : parseDurationMs('--timeout', flags.timeout, { min: 100, max: 3_600_000 }),
    pollMs: flags.pollInterval === undefined ? DEFAULT_WAITS.pollMs : parseDurationMs('--poll-interval', flags.pollInterval, { min: 10, max: 60_000 }),
    dnsWaitMs: flags.dnsWait === undefined ? undefined : parseDurationMs('--dns-wait', flags.dnsWait, { min: 0, max: 3_600_000 }),
    requestTimeoutMs:
      flags.requestTimeout === undefined ? DEFAULT_WAITS.requestTimeoutMs : parseDurationMs('--request-timeout', flags.requestTimeout, { min: 100, max: 300_000 }),
    dnsTimeoutMs: flags.dnsTimeout === undefined ? DEFAULT_WAITS.dnsTimeoutMs : parseDurationMs('--dns-timeout', flags.dnsTimeout, { min: 50, max: 60_000 }),
    awsTimeoutMs: parseAwsTimeout(flags.awsTimeout),
  };
  return {
    config: flags.config ?? 'platform.yaml',
    identity: { access: flags.access?.trim(), roleArn: flags.role, profile: flags.profile },
    dnsServer: flags.dnsServer === undefined ? undefined : parseDnsServer(flags.dnsServer),
    fetch: flags.fetch ?? false,
    waits,
  };
}

