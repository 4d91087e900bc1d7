/**
 * What the EKS authenticator does with a token, as a use case: its local
 * rules (rules.ts), then the presigned GetCallerIdentity sent to STS with the
 * cluster's name (the very request the rules read), then the identity EKS
 * would map. `bascule verify` prints the verdict; the doctor's identity link
 * reads it. Each failure has a class, since each has its own fix: a 200 that
 * is not a GetCallerIdentity result (EKS refuses the token on it too) is not
 * a network failure. The clock and the STS sender come in as ports.
 */
import { redact } from '../errors.js';
import { checkToken, type CheckedToken, type PartitionId } from './rules.js';
import { parseStsAnswer, stsIdentity, type StsAnswer, type StsIdentity } from './identity.js';
import { StsUnreachable, type SendPresigned } from './sts.js';

export type FailureClass = 'malformed' | 'expired' | 'wrong-cluster' | 'sts-refused' | 'sts-unreachable' | 'sts-unreadable';

export interface VerifyInput {
  readonly token: string;
  readonly clusterName: string;
  readonly partition: PartitionId;
  /** AWS_ENDPOINT_URL_STS: where to send the URL instead of its own host. */
  readonly stsEndpoint: string | undefined;
  readonly timeoutMs: number;
}

export interface VerifyDeps {
  readonly now: () => Date;
  readonly send: SendPresigned;
}

export interface Verified {
  readonly ok: true;
  readonly clusterName: string;
  readonly token: CheckedToken;
  readonly identity: StsIdentity;
  /** Where the URL was sent. */
  readonly sentTo: string;
  /** STS's Date header, and our clock when the answer came: the skew. */
  readonly stsDate: Date | undefined;
  readonly receivedAt: Date;
}

export interface Failed {
  readonly ok: false;
  readonly clusterName: string;
  readonly class: FailureClass;
  readonly reason: string;
  readonly hint: string;
  /** Set when the local rules passed. */
  readonly token: CheckedToken | undefined;
  readonly stsCode?: string;
}

export type VerifyResult = Verified | Failed;

const HINTS: Record<FailureClass, string> = {
  malformed: 'EKS would refuse this token before asking STS; make a new one with "bascule token" (an old or foreign plugin may sign differently)',
  expired: 'EKS accepts a token for 15 minutes after it was signed: get a fresh one ("bascule cache clear" if a cached one is served); if it was just made, check this machine\'s clock',
  'wrong-cluster':
    'the signature does not hold with this cluster name in x-k8s-aws-id: the token was signed for another cluster (check the TXT record and -i the plugin used), or altered',
  'sts-refused': 'STS does not accept the credentials that signed the token; refresh them (aws sso login, new keys or session) and sign again',
  'sts-unreachable': 'check the network and any AWS_ENDPOINT_URL_STS override (EKS itself reaches the public STS endpoint)',
  'sts-unreadable':
    'EKS reads only a GetCallerIdentity result: what answered is not STS, or not as EKS calls it (moto_server answers a presigned GET as S3); check AWS_ENDPOINT_URL_STS and any proxy',
};

function refusedHint(code: string): string {
  switch (code) {
    case 'InvalidClientTokenId':
      return 'STS does not know the access key that signed the token (deleted, inactive, or from another partition); sign with valid credentials';
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return 'the session credentials that signed the token have expired; refresh them (aws sso login, a new AssumeRole) and sign again';
    case 'RequestExpired':
      return HINTS.expired;
    case 'Throttling':
      return 'STS throttled the call (EKS refuses the token then too); retry in a moment';
    default:
      return HINTS['sts-refused'];
  }
}

export async function verifyToken(input: VerifyInput, deps: VerifyDeps): Promise<VerifyResult> {
  const base = { ok: false as const, clusterName: input.clusterName };
  const checked = checkToken(input.token, { partition: input.partition, now: deps.now() });
  if (!checked.ok) return { ...base, class: checked.class, reason: checked.reason, hint: HINTS[checked.class], token: undefined };

  const sentTo = input.stsEndpoint ? new URL(input.stsEndpoint).origin : `https://${checked.host}`;
  let reply;
  try {
    reply = await deps.send(checked.request, input.clusterName, { endpoint: input.stsEndpoint, timeoutMs: input.timeoutMs });
  } catch (error) {
    const reason = error instanceof StsUnreachable ? error.message : `cannot reach STS at ${sentTo}: ${oneLine((error as Error).message)}`;
    return { ...base, class: 'sts-unreachable', reason, hint: HINTS['sts-unreachable'], token: checked };
  }
  const receivedAt = deps.now();
  const answer = parseStsAnswer(reply.body);
  if (reply.status === 200 && answer.kind !== 'identity') {
    // token.go: a 200 whose body does not decode is an error of its own, not a network failure.
    const what = answer.kind === 'error' ? `an error (${oneLine(answer.code)})` : answer.what;
    return { ...base, class: 'sts-unreadable', reason: `STS at ${sentTo} answered HTTP 200 with ${what}, not a GetCallerIdentity result`, hint: HINTS['sts-unreadable'], token: checked };
  }
  if (reply.status !== 200) return refused(input, checked, reply.status, answer, sentTo);
  const identity = stsIdentity(answer as StsAnswer & { kind: 'identity' });
  if ('error' in identity) return { ...base, class: 'sts-refused', reason: identity.error, hint: 'EKS maps IAM users, roles (and their sessions), the account root and federated users only', token: checked };
  return { ok: true, clusterName: input.clusterName, token: checked, identity, sentTo, stsDate: reply.date, receivedAt };
}

/** Any answer but 200: STS's error code decides the class (token.go: "expected 200"). */
function refused(input: VerifyInput, checked: CheckedToken, status: number, answer: StsAnswer, sentTo: string): Failed {
  const base = { ok: false as const, clusterName: input.clusterName, token: checked };
  const code = answer.kind === 'error' ? answer.code : `HTTP ${status}`;
  const message = answer.kind === 'error' && answer.message ? `: ${oneLine(answer.message)}` : '';
  if (code === 'SignatureDoesNotMatch') {
    return {
      ...base,
      class: 'wrong-cluster',
      reason: `STS refused the token for cluster ${input.clusterName} (SignatureDoesNotMatch): it was not signed for ${input.clusterName}`,
      hint: HINTS['wrong-cluster'],
      stsCode: code,
    };
  }
  if (status >= 500 || answer.kind === 'unreadable') {
    return { ...base, class: 'sts-unreachable', reason: `STS at ${sentTo} answered ${oneLine(code)}${message}`, hint: 'STS is failing or something else answered; retry, and check any proxy or AWS_ENDPOINT_URL_STS', stsCode: code };
  }
  return { ...base, class: code === 'RequestExpired' ? 'expired' : 'sts-refused', reason: `STS refused the token (${oneLine(code)}${message})`, hint: refusedHint(code), stsCode: code };
}

const oneLine = (s: string) => redact(s).replace(/\s+/g, ' ').trim().slice(0, 300);
