/**
 * What an identity maps to in a cluster (pure): the aws-auth ConfigMap's
 * mapRoles/mapUsers entries and the platform's access levels, matched on the
 * canonical ARN as the authenticator matches them.
 */
import { parse } from 'yaml';
import type { Platform } from '../platform/model.js';

export interface AwsAuthMatch {
  readonly kind: 'role' | 'user';
  readonly arn: string;
  readonly username: string | undefined;
  readonly groups: readonly string[];
}

export type AwsAuthReading =
  | { readonly status: 'match'; readonly match: AwsAuthMatch }
  | { readonly status: 'no-match'; readonly entries: number }
  | { readonly status: 'unreadable'; readonly reason: string };

const sameArn = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The role ARN without its path: what the authenticator compares for a session of that role. */
export function withoutPath(arn: string): string {
  const m = /^(arn:[^:]+:iam::\d{12}:role\/)(.+)$/.exec(arn);
  return m ? `${m[1]}${(m[2] as string).split('/').pop()}` : arn;
}

/** Reads aws-auth's data (YAML lists in strings) and finds the canonical ARN. */
export function matchAwsAuth(configMap: any, canonicalArn: string): AwsAuthReading {
  const data = configMap?.data ?? {};
  const entries: { kind: 'role' | 'user'; arn: string; username?: unknown; groups?: unknown }[] = [];
  for (const [key, kind, field] of [['mapRoles', 'role', 'rolearn'], ['mapUsers', 'user', 'userarn']] as const) {
    if (typeof data[key] !== 'string') continue;
    let list: unknown;
    try {
      list = parse(data[key], { maxAliasCount: 100 });
    } catch (error) {
      return { status: 'unreadable', reason: `aws-auth ${key} is not valid YAML: ${(error as Error).message.split('\n')[0]}` };
    }
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list)) return { status: 'unreadable', reason: `aws-auth ${key} is not a list` };
    for (const e of list) if (e && typeof e[field] === 'string') entries.push({ kind, arn: e[field], username: e.username, groups: e.groups });
  }
  const hit = entries.find((e) => sameArn(e.kind === 'role' ? withoutPath(e.arn) : e.arn, canonicalArn));
  if (hit) {
    return {
      status: 'match',
      match: { kind: hit.kind, arn: hit.arn, username: typeof hit.username === 'string' ? hit.username : undefined, groups: Array.isArray(hit.groups) ? hit.groups.map(String) : [] },
    };
  }
  return { status: 'no-match', entries: entries.length };
}

export function platformAccessLevel(platform: Platform, canonicalArn: string) {
  return platform.access.find((a) => sameArn(withoutPath(a.roleArn), canonicalArn));
}
