/**
 * EKS tokens made in-process, with bascule's own token code: the credential
 * chain, the role assumption when asked (--access NAME takes the access
 * level's role and profile, --role ARN a role), then the presigned token for
 * the cluster. Credentials are resolved once per command; a token is reused
 * for a few minutes (it is valid for 15), then signed again.
 */
import { usageError } from '../errors.js';
import type { Platform } from '../platform/model.js';
import { signingCredentials, type IdentityContext } from '../aws/identity.js';
import type { Identity } from '../cutover/options.js';

/** Session name of the assumed role: who made the calls shows in CloudTrail. */
export const SWITCH_SESSION_NAME = 'bascule-switch';
const REUSE_MS = 5 * 60_000;

export interface ClusterIdentity {
  /** Profile of the source credentials (the access level's, else --profile). */
  readonly profile: string | undefined;
  readonly roleArn: string | undefined;
  /** The access level's marks on the role session (sourceIdentity, tags): its trust policy may require them. */
  readonly session?: { readonly sourceIdentity: string | undefined; readonly tags: readonly (readonly [string, string])[] };
  /** For messages: "access level admin (role ...)", "the ambient AWS credentials". */
  readonly description: string;
}

/** Who bascule is towards the clusters (pure). */
export function clusterIdentity(platform: Platform, identity: Identity): ClusterIdentity {
  if (identity.access !== undefined) {
    const level = platform.access.find((a) => a.name === identity.access);
    if (!level) {
      throw usageError(`--access ${JSON.stringify(identity.access)}: no such access level in ${platform.source}`, `the access levels are: ${platform.access.map((a) => a.name).join(', ')}`);
    }
    return {
      profile: level.profile ?? identity.profile,
      roleArn: level.roleArn,
      session: { sourceIdentity: level.sourceIdentity, tags: level.tags },
      description: `access level ${level.name} (${level.roleArn})`,
    };
  }
  if (identity.roleArn !== undefined) return { profile: identity.profile, roleArn: identity.roleArn, description: `role ${identity.roleArn}` };
  return { profile: identity.profile, roleArn: undefined, description: 'your AWS credentials (no role assumed)' };
}

export type TokenFor = (clusterName: string) => Promise<string>;

export function clusterTokens(ctx: IdentityContext, who: ClusterIdentity): TokenFor {
  const role = who.roleArn
    ? { roleArn: who.roleArn, sessionName: SWITCH_SESSION_NAME, forwardSessionName: false, externalId: undefined, durationSeconds: undefined, ...who.session }
    : undefined;
  const credentials = signingCredentials(ctx, who.profile, role);
  const clock = ctx.now ?? (() => new Date());
  const tokens = new Map<string, { token: string; at: number }>();
  return async (clusterName) => {
    const now = clock();
    const cached = tokens.get(clusterName);
    if (cached && now.getTime() - cached.at < REUSE_MS) return cached.token;
    const { presignToken } = await import('../aws/presign.js');
    const made = await presignToken({ credentials: await credentials(), region: ctx.region, clusterName, now });
    tokens.set(clusterName, { token: made.token, at: now.getTime() });
    return made.token;
  };
}
