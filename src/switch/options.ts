/**
 * The flags of `bascule status` and `bascule switch`, validated (pure): raw
 * commander values in, typed inputs out. Every bad value is a usage error
 * naming the flag.
 */
import { usageError } from '../errors.js';
import { escapeControl, formatMs as formatDuration, parseDurationFlag, parseDnsServer, roleArnProblem, ROLE_ARN_EXAMPLE } from '../vocabulary.js';
import { COLOURS, type Colour } from '../platform/schema.js';
import { normName } from './inventory.js';

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
}

export const DEFAULT_WAITS: Waits = {
  timeoutMs: 5 * 60_000,
  pollMs: 2000,
  dnsWaitMs: undefined,
  requestTimeoutMs: 15_000,
  dnsTimeoutMs: 2000,
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

export type SwitchMode = { readonly kind: 'switch'; readonly to: Colour } | { readonly kind: 'resume' } | { readonly kind: 'rollback' };

export interface SwitchInput extends CommonInput {
  readonly mode: SwitchMode;
  readonly apply: boolean;
  readonly yes: boolean;
  readonly journal: string | undefined;
  /** Production names served by the old colour only that the operator accepts leaving there. */
  readonly allowOrphans: readonly string[];
  readonly breakLock: boolean;
  readonly output: 'table' | 'json';
}

export interface StatusInput extends CommonInput {
  readonly output: 'table' | 'json';
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
}

export interface RawSwitchFlags extends RawCommonFlags {
  to?: string;
  apply?: boolean;
  yes?: boolean;
  resume?: boolean;
  rollback?: boolean;
  journal?: string;
  allowOrphan?: string[];
  breakLock?: boolean;
  output?: string;
}

export interface RawStatusFlags extends RawCommonFlags {
  output?: string;
}

/** "2000" (milliseconds), "250ms", "2s", "5m", "1m30s" -> milliseconds: the vocabulary's one duration rule. */
export const parseDurationMs = parseDurationFlag;

/** 1500 -> "1.5s", 120000 -> "2m", 90000 -> "1m30s", 3600000 -> "1h", 250 -> "250ms". */
export const formatMs = formatDuration;

export function parseColour(flag: string, value: string): Colour {
  const colour = value.trim().toLowerCase();
  if (!(COLOURS as readonly string[]).includes(colour)) {
    throw usageError(`${flag} ${JSON.stringify(value)} is not a colour`, `the colours are ${COLOURS.join(' and ')}`);
  }
  return colour as Colour;
}

function parseCommon(flags: RawCommonFlags): CommonInput {
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
  };
  return {
    config: flags.config ?? 'platform.yaml',
    identity: { access: flags.access?.trim(), roleArn: flags.role, profile: flags.profile },
    dnsServer: flags.dnsServer === undefined ? undefined : parseDnsServer(flags.dnsServer),
    fetch: flags.fetch ?? false,
    waits,
  };
}

export function parseSwitchInput(flags: RawSwitchFlags): SwitchInput {
  const verbs = [flags.to !== undefined ? '--to' : '', flags.resume ? '--resume' : '', flags.rollback ? '--rollback' : ''].filter(Boolean);
  if (verbs.length === 0) {
    throw usageError('say what to do: --to COLOUR, --resume or --rollback', 'e.g. bascule switch --to green --config platform.yaml (prints the plan; add --apply to run it)');
  }
  if (verbs.length > 1) throw usageError(`${verbs.join(' and ')} are exclusive; give one`);
  const mode: SwitchMode = flags.resume ? { kind: 'resume' } : flags.rollback ? { kind: 'rollback' } : { kind: 'switch', to: parseColour('--to', flags.to as string) };
  if (flags.journal !== undefined && flags.journal.trim() === '') throw usageError('--journal is empty');
  if (flags.journal === '-') throw usageError('--journal - is refused: the journal is a file the switch rewrites after each step and reads back on --resume', 'name a file, or leave --journal out for the default under ${XDG_STATE_HOME:-~/.local/state}/bascule');
  const allowOrphans = (flags.allowOrphan ?? []).map(normName);
  for (const [i, name] of allowOrphans.entries()) {
    if (!/^(?=.{1,253}$)([a-z0-9_*]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)+$/.test(name)) {
      throw usageError(`--allow-orphan ${JSON.stringify(flags.allowOrphan?.[i])} is not a DNS name`, 'name a production record, e.g. --allow-orphan blog.devinfra.local');
    }
  }
  if (allowOrphans.length > 0 && mode.kind !== 'switch') throw usageError('--allow-orphan goes with --to (the orphans are decided when a switch starts)');
  const output = flags.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw usageError(`--output ${JSON.stringify(output)} is not supported`, 'use --output table (the default) or --output json');
  if (output === 'json' && (flags.apply || mode.kind !== 'switch')) throw usageError('--output json prints the plan; it goes with --to and without --apply');
  return {
    ...parseCommon(flags),
    mode,
    apply: flags.apply ?? false,
    yes: flags.yes ?? false,
    journal: flags.journal,
    allowOrphans,
    breakLock: flags.breakLock ?? false,
    output,
  };
}

export function parseStatusInput(flags: RawStatusFlags): StatusInput {
  const output = flags.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw usageError(`--output ${JSON.stringify(output)} is not supported`, 'use --output table (the default) or --output json');
  return { ...parseCommon(flags), output };
}
