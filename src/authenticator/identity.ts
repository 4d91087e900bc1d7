/**
 * What STS answered, and the identity EKS maps from it (pure): the ARN, the
 * account, the user id and session name, and the canonical ARN that aws-auth
 * and access entries are matched against, as aws-iam-authenticator's
 * getIdentityFromSTSResponse (pkg/token/token.go) and arn.Canonicalize
 * (pkg/arn/arn.go) make them.
 */
import { equalFoldAscii } from './go-text.js';

export interface StsIdentity {
  readonly arn: string;
  readonly account: string;
  /** The unique id of the principal (AIDA..., AROA...), without the session name. */
  readonly userId: string;
  readonly sessionName: string | undefined;
  /** What aws-auth mapRoles/mapUsers and EKS access entries are matched against. */
  readonly canonicalArn: string;
}

export type StsAnswer =
  | { readonly kind: 'identity'; readonly arn: string; readonly account: string; readonly userId: string }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  /** `what`: a short, safe description of the body (its XML root, or its shape). */
  | { readonly kind: 'unreadable'; readonly what: string };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
const decodeXml = (s: string) =>
  s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;'))
    .replace(/&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|quot|apos|amp));/g, (m, hex?: string, dec?: string, name?: string) => {
      const code = hex ? parseInt(hex, 16) : dec ? Number(dec) : undefined;
      if (code === undefined) return ENTITIES[name as string] as string;
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    });

/** The content of the first element `name` (any namespace prefix, any attributes), or undefined. */
function xmlElement(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}\\s*>`).exec(xml);
  return m?.[1];
}
const xmlText = (xml: string, name: string) => {
  const inner = xmlElement(xml, name);
  return inner === undefined ? undefined : decodeXml(inner).trim();
};

/**
 * A member of a JSON object as Go's encoding/json finds a struct field: the
 * key matched without regard to case (strings.EqualFold), the last match
 * winning. `name` is lower-case ASCII.
 */
function member(object: unknown, name: string): unknown {
  if (!object || typeof object !== 'object' || Array.isArray(object)) return undefined;
  let found: unknown;
  for (const [key, value] of Object.entries(object)) {
    if (equalFoldAscii(Buffer.from(key, 'utf8').toString('latin1'), name)) found = value;
  }
  return found;
}

/** A string field as Go decodes it into a string: absent or null is "", another type an error. */
const stringField = (object: unknown, name: string): string | undefined => {
  const v = member(object, name);
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : undefined;
};

function readJson(text: string): StsAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', what: 'text that starts as JSON but does not parse' };
  }
  const result = member(member(json, 'getcalleridentityresponse'), 'getcalleridentityresult');
  if (result !== undefined) {
    const [arn, account, userId] = ['arn', 'account', 'userid'].map((f) => stringField(result, f));
    if (arn !== undefined && account !== undefined && userId !== undefined && arn !== '') return { kind: 'identity', arn, account, userId };
  }
  const error = member(json, 'error') ?? member(member(json, 'errorresponse'), 'error');
  const code = stringField(error, 'code');
  if (code) return { kind: 'error', code, message: stringField(error, 'message') ?? '' };
  return { kind: 'unreadable', what: 'JSON without GetCallerIdentityResponse.GetCallerIdentityResult.Arn' };
}

function readXml(text: string): StsAnswer {
  const result = xmlElement(text, 'GetCallerIdentityResult');
  const arn = result === undefined ? undefined : xmlText(result, 'Arn');
  if (result !== undefined && arn) return { kind: 'identity', arn, account: xmlText(result, 'Account') ?? '', userId: xmlText(result, 'UserId') ?? '' };
  const code = xmlText(text, 'Code');
  if (code) return { kind: 'error', code, message: xmlText(text, 'Message') ?? '' };
  const root = /<([A-Za-z_][\w.:-]{0,80})[\s>/]/.exec(text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ''))?.[1];
  return { kind: 'unreadable', what: root ? `XML <${root}>` : 'text that starts as XML' };
}

/**
 * STS answers JSON when asked (`accept: application/json`, as the
 * authenticator asks, and as real STS does); an emulator may answer XML
 * anyway (moto, LocalStack), which is read too. Anything else: unreadable.
 */
export function parseStsAnswer(body: string): StsAnswer {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') return { kind: 'unreadable', what: 'an empty body' };
  if (text.startsWith('{')) return readJson(text);
  if (text.startsWith('<')) return readXml(text);
  return { kind: 'unreadable', what: 'text that is neither JSON nor XML' };
}

/** pkg/endpoints PARTITIONS: the partitions arn.Canonicalize accepts. */
const ARN_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];

type PrincipalType = 'role' | 'user' | 'root' | 'federated-user' | 'assumed-role';

/**
 * arn.Canonicalize: "arn:" and six ":"-separated sections (aws-sdk-go-v2's
 * arn.Parse, nothing else checked: not the account's digits, not the
 * region), a partition the authenticator knows, then iam role / user / root
 * as they are, sts federated-user as it is, and sts assumed-role/ROLE/SESSION
 * as the role (without its path: the session ARN does not carry it, so a
 * role with a path must be mapped by its path-less ARN).
 */
export function canonicalize(arn: string): { type: PrincipalType; canonical: string } | { error: string } {
  const sections: string[] = [];
  let rest = arn;
  while (sections.length < 5 && rest.includes(':')) {
    sections.push(rest.slice(0, rest.indexOf(':')));
    rest = rest.slice(rest.indexOf(':') + 1);
  }
  if (sections[0] !== 'arn' || sections.length < 5) return { error: 'is not an ARN' };
  const [, partition = '', service, , account] = sections;
  if (!ARN_PARTITIONS.includes(partition)) return { error: 'is not in a partition EKS knows' };
  const parts = rest.split('/');
  const kind = parts[0];
  if (service === 'iam' && (kind === 'role' || kind === 'user' || kind === 'root')) return { type: kind, canonical: arn };
  if (service === 'sts' && kind === 'federated-user') return { type: kind, canonical: arn };
  if (service === 'sts' && kind === 'assumed-role') {
    if (parts.length < 3) return { error: 'is an assumed role without a role' };
    return { type: kind, canonical: `arn:${partition}:iam::${account}:role/${parts.slice(1, -1).join('/')}` };
  }
  return { error: 'is not a user, role, assumed role, root or federated user' };
}

export function canonicalArn(arn: string): string | undefined {
  const c = canonicalize(arn);
  return 'error' in c ? undefined : c.canonical;
}

/**
 * getIdentityFromSTSResponse: a user, the root and a federated user keep
 * their whole user id; a role's session id must be "ID:SESSION", exactly one
 * colon.
 */
export function stsIdentity(answer: { arn: string; account: string; userId: string }): StsIdentity | { error: string } {
  const c = canonicalize(answer.arn);
  if ('error' in c) return { error: `STS answered ARN ${JSON.stringify(answer.arn)}, which EKS cannot map: it ${c.error}` };
  const base = { arn: answer.arn, account: answer.account, canonicalArn: c.canonical };
  if (c.type === 'user' || c.type === 'root' || c.type === 'federated-user') return { ...base, userId: answer.userId, sessionName: undefined };
  const parts = answer.userId.split(':');
  if (parts.length !== 2) return { error: `STS answered a malformed user id ${JSON.stringify(answer.userId)} for a role's session (EKS wants ID:SESSION)` };
  return { ...base, userId: parts[0] as string, sessionName: parts[1] };
}
