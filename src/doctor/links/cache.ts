/**
 * The cached token link: bascule's own cache, read-only, under the very key
 * the token computes (src/token/rules.ts): none, expired, or how old and
 * until when kubectl gets it. Other plugins and --no-cache: skipped.
 */
import { isoSecond as iso } from '../../text.js';
import type { PluginInput } from '../plugin.js';
import type { DoctorPorts } from '../ports.js';
import { planIdentity, selectedProfile, tokenCacheKey, type CredentialPlan } from '../token-rules.js';
import { duration, errText, line, type Link } from './link.js';

export function checkCachedToken(
  plugin: PluginInput,
  at: { readonly clusterName: string; readonly region: string; readonly env: NodeJS.ProcessEnv; readonly plan: CredentialPlan },
  ports: Pick<DoctorPorts, 'cachedToken' | 'now'>,
): Link {
  if (plugin.kind !== 'bascule' || !plugin.cache) {
    return line('cached token', 'skipped', plugin.kind === 'bascule' ? 'the plugin runs with --no-cache' : `${plugin.kind} keeps no token cache`);
  }
  const { clusterName, region, plan } = at;
  const profileName = selectedProfile(plugin.profile, at.env).name;
  try {
    // The token's own key (src/token/aws-port.ts): the selected profile unless the environment's keys sign.
    const cached = ports.cachedToken(tokenCacheKey(clusterName, region, plugin, { profile: plan.kind === 'env' ? null : profileName, identity: planIdentity(plan) }));
    const now = ports.now().getTime();
    if (!cached) return line('cached token', 'ok', 'none cached for this cluster and identity: the next kubectl call signs one');
    if (cached.expiresAt.getTime() <= now) return line('cached token', 'ok', `one signed ${duration(now - cached.signedAt.getTime())} ago, expired: the next kubectl call signs a new one`);
    return line('cached token', 'ok', `signed ${duration(now - cached.signedAt.getTime())} ago, valid until ${iso(cached.expiresAt)} (kubectl gets it; "bascule cache clear" forgets it)`);
  } catch (error) {
    return line('cached token', 'unknown', `cannot read the cache: ${errText(error)}`);
  }
}
