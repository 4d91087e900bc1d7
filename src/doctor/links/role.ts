/**
 * The assume role link: the plugin's role, assumed as its token assumes it
 * (session name, external id, duration, source identity, tags). What it found
 * is the credentials that sign: the role's, or with no role the source's.
 */
import { isoSecond as iso } from '../../text.js';
import type { PluginInput } from '../plugin.js';
import type { DoctorPorts } from '../ports.js';
import type { AwsCredentials } from '../token-rules.js';
import type { Signer } from './credentials.js';
import { broken, errHint, errText, holds, line, type Checked } from './link.js';

export async function checkRole(plugin: PluginInput, { ctx, source }: Signer, ports: Pick<DoctorPorts, 'credentials'>): Promise<Checked<AwsCredentials>> {
  if (!plugin.roleArn) return holds(line('assume role', 'skipped', 'no role: the token carries the credentials\' own identity'), source.credentials);
  const session = { sourceIdentity: plugin.sourceIdentity ?? null, tags: Object.fromEntries(plugin.tags) };
  const marks = [plugin.sourceIdentity && `source identity ${plugin.sourceIdentity}`, plugin.tags.length && `tags ${plugin.tags.map(([k, v]) => `${k}=${v}`).join(', ')}`].filter(Boolean);
  try {
    const { credentials, sessionName } = await ports.credentials.assumeRole(ctx, source, {
      roleArn: plugin.roleArn,
      sessionName: plugin.sessionName,
      forwardSessionName: plugin.forwardSessionName,
      externalId: plugin.externalId,
      durationSeconds: plugin.durationSeconds,
      sourceIdentity: plugin.sourceIdentity,
      tags: plugin.tags,
    });
    const until = credentials.expiration ? `, until ${iso(credentials.expiration)}` : '';
    return holds({ name: 'assume role', status: 'ok', detail: `${plugin.roleArn} (session ${[sessionName ?? 'forwarded', ...marks].join(', ')}${until})`, fix: undefined, session }, credentials);
  } catch (error) {
    return broken({ name: 'assume role', status: 'fail', detail: errText(error), fix: errHint(error), session });
  }
}
