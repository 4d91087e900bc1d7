/**
 * The mapping link: what the identity's canonical ARN maps to: the platform
 * file's access level, the cluster's aws-auth ConfigMap, its access entries.
 * Mapped in one: it holds; read everywhere and mapped nowhere (or no access
 * entry where the cluster reads nothing else): broken; otherwise unknown, and
 * the API's own answer (a 401) says which way it leans.
 */
import type { PluginInput } from '../plugin.js';
import { matchAwsAuth, platformAccessLevel, type AwsAuthReading } from '../mapping.js';
import type { AccessEntryLookup, DoctorPorts } from '../ports.js';
import type { AwsCredentials } from '../token-rules.js';
import type { Api } from './api-target.js';
import { errText, line, type Link } from './link.js';
import type { PlatformReading } from './platform.js';

/** One place's reading: its words, whether it maps the ARN, whether it could be read at all. */
interface Part {
  readonly text: string;
  readonly mapped: boolean;
  readonly read: boolean;
}

export interface MappingFacts {
  readonly platform: PlatformReading;
  readonly api: Api | undefined;
  readonly canonical: string;
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly plugin: PluginInput;
  readonly env: NodeJS.ProcessEnv;
}

/** How to map the ARN: an access entry or aws-auth (the platform's manifests write both). */
export function mapFix(canonical: string, clusterName: string, { plat }: PlatformReading): string {
  return `map ${canonical} in ${clusterName}: an access entry (aws eks create-access-entry --cluster-name ${clusterName} --principal-arn ${canonical}, then associate an access policy) or a mapRoles entry in aws-auth${plat ? ` — "bascule manifests --config ${plat.source}" writes both for its access levels` : ''}`;
}

async function awsAuthPart(api: Api | undefined, canonical: string): Promise<Part> {
  if (!api) return { text: 'aws-auth unread: no API endpoint known', mapped: false, read: false };
  const answer = await api.awsAuth();
  let awsAuth: AwsAuthReading;
  if (answer.status === 200) awsAuth = matchAwsAuth(answer.json, canonical);
  else if (answer.status === 404) awsAuth = { status: 'no-match', entries: 0 };
  else awsAuth = { status: 'unreadable', reason: answer.status === 'unreachable' ? answer.reason : answer.status === 401 ? 'the API refused the token (401)' : answer.status === 403 ? 'not permitted to read it (403)' : `HTTP ${answer.status}` };
  if (awsAuth.status === 'match') {
    const m = awsAuth.match;
    return { text: `aws-auth maps ${m.kind} ${m.arn} to ${m.username ? `user ${m.username}, ` : ''}groups ${m.groups.join(', ') || 'none'}`, mapped: true, read: true };
  }
  if (awsAuth.status === 'no-match') return { text: answer.status === 404 ? 'no aws-auth ConfigMap' : `aws-auth does not map it (${awsAuth.entries} entries)`, mapped: false, read: true };
  return { text: `aws-auth unread: ${awsAuth.reason}`, mapped: false, read: false };
}

function accessEntryPart(entry: AccessEntryLookup, clusterName: string): Part {
  if (entry.status === 'found') {
    return { text: `access entry${entry.type ? ` (${entry.type})` : ''}${entry.username ? ` as ${entry.username}` : ''}, groups ${entry.groups.join(', ') || 'none'}`, mapped: true, read: true };
  }
  if (entry.status === 'absent') return { text: `no access entry for it (${entry.count} in ${clusterName}${entry.mode ? `, authentication mode ${entry.mode}` : ''})`, mapped: false, read: true };
  return { text: `access entries unread: ${entry.reason}`, mapped: false, read: false };
}

export async function checkMapping(facts: MappingFacts, ports: Pick<DoctorPorts, 'accessEntries'>): Promise<Link> {
  const { platform, api, canonical, clusterName } = facts;
  const { plat } = platform;
  const parts: string[] = [];
  if (plat) {
    const level = platformAccessLevel(plat, canonical);
    parts.push(level ? `access level ${level.name} in ${plat.source} (groups ${level.groups.join(', ') || 'none'})` : `no access level of ${plat.source} has role ${canonical}`);
  }
  const awsAuth = await awsAuthPart(api, canonical);
  let entry: AccessEntryLookup;
  try {
    entry = await ports.accessEntries({ clusterName, region: facts.region, credentials: facts.credentials, principalArn: canonical, profileFlag: facts.plugin.profile, env: facts.env });
  } catch (error) {
    entry = { status: 'error', reason: errText(error) };
  }
  const entries = accessEntryPart(entry, clusterName);
  parts.push(awsAuth.text, entries.text);
  const mapped = awsAuth.mapped || entries.mapped;
  const unmappedEverywhere = awsAuth.read && entries.read;
  const fix = mapFix(canonical, clusterName, platform);
  // The API's own answer settles what could not be read: an identity that
  // cannot read aws-auth (401) is not mapped there either.
  const review = api ? await api.review() : undefined;
  const refused = review?.status === 401;
  if (platform.error) return line('mapping', 'fail', `the platform file cannot be read: ${platform.error}; ${parts.join('; ')}`, 'fix the platform file (bascule kubeconfig and manifests read it too), or leave out --config');
  if (mapped) return line('mapping', 'ok', parts.join('; '));
  if (unmappedEverywhere) return line('mapping', 'fail', `${canonical} is mapped nowhere: ${parts.join('; ')}`, fix);
  if (entry.status === 'absent' && entry.mode === 'API') {
    return line('mapping', 'fail', `${canonical} has no access entry, and ${clusterName} reads nothing else (authentication mode API): ${parts.join('; ')}`, fix);
  }
  return line('mapping', 'unknown', parts.join('; '), `${refused ? 'the API refuses the token: ' : 'if the API refuses the token, '}${fix}`);
}
