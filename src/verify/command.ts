/**
 * `bascule verify -t TOKEN -i CLUSTER`: flags in, the use case, the verdict
 * out (text or JSON) with an exit code per failure class.
 */
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { PARTITIONS, type PartitionId } from '../authenticator/rules.js';
import { isValidClusterName, parseDurationFlag } from '../vocabulary.js';
import { isoSecond } from '../text.js';
import { verifyToken, type FailureClass, type VerifyResult } from '../authenticator/verify.js';

/** Documented in docs/doctor.md; 2 stays usage errors, 1 other failures. */
export const EXIT_CODES: Readonly<Record<FailureClass, number>> = {
  malformed: 4,
  expired: 5,
  'wrong-cluster': 6,
  'sts-refused': 7,
  'sts-unreachable': 8,
  'sts-unreadable': 9,
};

export interface VerifyFlags {
  token?: string;
  clusterId?: string;
  partition?: string;
  output?: string;
  timeout?: string;
}

/** A verdict that is not a success: printed once as error:/hint:, exit code per class. */
export class VerifyFailure extends BasculeError {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
    hint: string,
  ) {
    super('check', message, { hint });
  }
  override get exitCode(): number {
    return EXIT_CODES[this.failureClass];
  }
}

/** The token itself, or the token inside an ExecCredential (what `bascule token` prints). */
export function tokenFromArgument(value: string): string {
  const text = value.trim();
  if (!text.startsWith('{')) return text;
  try {
    const token = JSON.parse(text)?.status?.token;
    if (typeof token === 'string') return token;
  } catch {
    // fall through
  }
  throw usageError('-t holds JSON that is not an ExecCredential with status.token', 'pass the token (k8s-aws-v1....) or what "bascule token" prints');
}

export function parseVerifyFlags(flags: VerifyFlags, env: NodeJS.ProcessEnv) {
  if (!flags.token) throw usageError('missing the token', 'pass -t TOKEN (k8s-aws-v1....), or -t - to read it from standard input, e.g. bascule token -i NAME --token-only | bascule verify -t - -i CLUSTER');
  const clusterName = (flags.clusterId ?? '').trim();
  if (!clusterName) throw usageError('missing the cluster name', 'pass -i CLUSTER: the EKS cluster name the API server checks tokens for');
  if (!isValidClusterName(clusterName)) throw usageError(`-i ${JSON.stringify(clusterName)} is not an EKS cluster name`, 'the API server checks the real cluster name (1-100 letters, digits, "-" and "_"), not a DNS name');
  const partition = (flags.partition ?? 'aws') as PartitionId;
  if (!PARTITIONS.includes(partition)) throw usageError(`--partition ${JSON.stringify(flags.partition)} is not one of ${PARTITIONS.join(', ')}`);
  const output = flags.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw usageError(`--output ${JSON.stringify(output)} is not text or json`);
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout ?? '10s', { min: 1000, max: 120_000 });
  return { token: tokenFromArgument(flags.token), clusterName, partition, output, timeoutMs, stsEndpoint: env.AWS_ENDPOINT_URL_STS || undefined };
}

const iso = (d: Date | undefined) => (d ? isoSecond(d) : null);

/** The JSON shape (golden in the tests): the same keys, success or not. */
export function verdictJson(result: VerifyResult) {
  const t = result.token;
  return {
    valid: result.ok,
    cluster: result.clusterName,
    token: t ? { stsHost: t.host, region: t.region, accessKeyId: t.accessKeyId, signedAt: iso(t.signedAt), expiresAt: iso(t.expiresAt), sessionToken: t.hasSessionToken } : null,
    identity: result.ok
      ? { arn: result.identity.arn, canonicalArn: result.identity.canonicalArn, account: result.identity.account, userId: result.identity.userId, sessionName: result.identity.sessionName ?? null }
      : null,
    failure: result.ok ? null : { class: result.class, exitCode: EXIT_CODES[result.class], reason: result.reason, hint: result.hint },
  };
}

function minutesLeft(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function verdictText(result: VerifyResult & { ok: true }, now: Date): string {
  const { identity: id, token: t } = result;
  const rows: [string, string][] = [
    ['arn', id.arn],
    ['mapped as', `${id.canonicalArn}${id.canonicalArn !== id.arn ? ' (the role of the session: what aws-auth and access entries match)' : ''}`],
    ['account', id.account],
    ['user id', id.userId],
    ...(id.sessionName !== undefined ? ([['session name', id.sessionName]] as [string, string][]) : []),
    ['access key id', t.accessKeyId],
    ['signed at', `${iso(t.signedAt)} (EKS accepts it until ${iso(t.expiresAt)}, ${minutesLeft(t.expiresAt.getTime() - now.getTime())} left)`],
    ['STS', `${t.host}${result.sentTo !== `https://${t.host}` ? ` (sent to ${result.sentTo}, AWS_ENDPOINT_URL_STS)` : ''}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `✓ the token is valid for cluster ${result.clusterName}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

export async function verifyCommand(flags: VerifyFlags, io: Io): Promise<void> {
  // `-t -`: the token from standard input (a token in argv is visible to every user in ps).
  if (flags.token === '-') flags = { ...flags, token: await io.prompt(io.stdinIsTTY() ? 'token: ' : '').catch(() => '') };
  const input = parseVerifyFlags(flags, io.env);
  const { presignedSender } = await import('../authenticator/sts.js');
  const result = await verifyToken(input, { now: io.now, send: presignedSender(io.env) });
  if (input.output === 'json') io.stdout(`${JSON.stringify(verdictJson(result), null, 2)}\n`);
  if (!result.ok) throw new VerifyFailure(result.class, `${result.class}: ${result.reason}`, result.hint);
  if (input.output === 'text') io.stdout(verdictText(result, io.now()));
}
