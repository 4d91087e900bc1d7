/**
 * What STS answered, and the identity EKS maps from it (pure): the ARN, the
 * account, the user id and session name, and the canonical ARN that aws-auth
 * and access entries are matched against (an assumed-role session becomes its
 * role, as aws-iam-authenticator's arn.Canonicalize does).
 */

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
  | { readonly kind: 'unreadable' };

const xmlText = (xml: string, tag: string): string | undefined => {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m ? decodeXml(m[1] as string) : undefined;
};
const decodeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] as string);

/** STS answers JSON when asked (`accept: application/json`, as the authenticator asks), XML otherwise. */
export function parseStsAnswer(body: string): StsAnswer {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text);
      const r = json?.GetCallerIdentityResponse?.GetCallerIdentityResult;
      if (r && typeof r.Arn === 'string') return { kind: 'identity', arn: r.Arn, account: String(r.Account ?? ''), userId: String(r.UserId ?? '') };
      const e = json?.Error ?? json?.ErrorResponse?.Error;
      if (e && typeof e.Code === 'string') return { kind: 'error', code: e.Code, message: String(e.Message ?? '') };
    } catch {
      return { kind: 'unreadable' };
    }
    return { kind: 'unreadable' };
  }
  const arn = xmlText(text, 'Arn');
  if (text.includes('GetCallerIdentityResult') && arn) {
    return { kind: 'identity', arn, account: xmlText(text, 'Account') ?? '', userId: xmlText(text, 'UserId') ?? '' };
  }
  const code = xmlText(text, 'Code');
  if (code) return { kind: 'error', code, message: xmlText(text, 'Message') ?? '' };
  return { kind: 'unreadable' };
}

/**
 * The IAM resource EKS matches: roles, users and the account root as they
 * are; `assumed-role/ROLE/SESSION` as the role (without its path: the
 * session ARN does not carry it, so a role with a path must be mapped by
 * its path-less ARN); federated users as they are. Undefined: an ARN EKS
 * cannot map.
 */
export function canonicalArn(arn: string): string | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, partition, service, account, resource] = m as unknown as [string, string, string, string, string];
  const parts = resource.split('/');
  const kind = parts[0];
  if (service === 'iam') return kind === 'role' || kind === 'user' || kind === 'root' ? arn : undefined;
  if (kind === 'federated-user') return arn;
  if (kind === 'assumed-role' && parts.length >= 3) return `arn:${partition}:iam::${account}:role/${parts.slice(1, -1).join('/')}`;
  return undefined;
}

export function stsIdentity(answer: { arn: string; account: string; userId: string }): StsIdentity | { error: string } {
  const canonical = canonicalArn(answer.arn);
  if (!canonical) return { error: `STS answered ARN ${JSON.stringify(answer.arn)}, which EKS cannot map (not a user, role, assumed role, root or federated user of a known partition)` };
  const parts = answer.userId.split(':');
  if (parts.length > 2) return { error: `STS answered a malformed user id ${JSON.stringify(answer.userId)}` };
  return { arn: answer.arn, account: answer.account, userId: parts[0] as string, sessionName: parts[1], canonicalArn: canonical };
}
