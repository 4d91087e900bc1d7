/**
 * The API link: the cluster's API asked who the token is (SelfSubjectReview,
 * as `kubectl auth whoami`); with no address known (api-target.ts), the link
 * is skipped.
 */
import type { PluginInput } from '../plugin.js';
import type { Api } from './api-target.js';
import { line, type Link } from './link.js';
import { mapFix } from './mapping.js';
import type { PlatformReading } from './platform.js';

export async function checkApi(api: Api | undefined, facts: { readonly plugin: PluginInput; readonly clusterName: string; readonly canonical: string; readonly platform: PlatformReading }): Promise<Link> {
  if (!api) return line('API', 'skipped', 'no API endpoint known: use a kubeconfig context, or --config with the cluster\'s endpoint');
  const { plugin, clusterName, canonical } = facts;
  const { target } = api;
  const review = await api.review();
  if (review.status === 'unreachable') {
    return line('API', 'fail', `${target.server}: ${review.reason}`, 'check the server address, the CA and tls-server-name in the kubeconfig, and the network (VPN, endpoint access)');
  }
  if (review.status === 201 || review.status === 200) {
    const user = review.json?.status?.userInfo ?? {};
    const groups: string[] = Array.isArray(user.groups) ? user.groups.map(String) : [];
    return line('API', 'ok', `${target.server} knows you as ${JSON.stringify(String(user.username ?? '?'))}, groups ${groups.join(', ') || 'none'} (SelfSubjectReview, as kubectl auth whoami)`);
  }
  if (review.status === 401) {
    const txt = !plugin.noDns ? `the TXT record at ${plugin.id} names ${clusterName}: check it names the cluster behind ${target.server}` : `check that ${target.server} is ${clusterName}'s API`;
    const fix = `STS accepts the identity, so either the API at ${target.server} is not ${clusterName}'s (${txt}), or ${canonical} is not mapped in it: ${mapFix(canonical, clusterName, facts.platform)}`;
    return line('API', 'fail', `${target.server} refused a token for ${clusterName} (401 Unauthorized)`, fix);
  }
  if (review.status === 403) return line('API', 'ok', `${target.server} accepts the token (SelfSubjectReview itself is forbidden: 403)`);
  if (review.status === 404) {
    return line('API', 'unknown', `${target.server} has no SelfSubjectReview (authentication.k8s.io/v1 needs Kubernetes 1.28+)`, 'run "kubectl auth whoami" or any kubectl get to see how the API answers');
  }
  return line('API', 'fail', `${target.server} answered ${review.status}${typeof review.json?.message === 'string' ? `: ${review.json.message}` : ''}`, 'check the cluster\'s health');
}
