/**
 * The cluster name link: the TXT lookup and the allow-list, as bascule's token
 * resolves the name (a plain name or --no-dns: no lookup), and, with a
 * platform file, that the name is one of its two clusters. What it found is
 * the cluster's name.
 */
import { assertAllowed, clusterNameFromTxt, isExternalDnsRegistryRecord, isPlainClusterName } from '../token-rules.js';
import type { PluginInput } from '../plugin.js';
import type { DoctorPorts } from '../ports.js';
import { broken, errHint, errText, holds, line, type Checked, type Link } from './link.js';
import type { PlatformReading } from './platform.js';

/** The link, and the name found even when the platform file knows no such cluster: the report's header names it. */
export interface NameCheck extends Checked<string> {
  readonly named: string | undefined;
}

const named = (checked: Checked<string>, name = checked.found): NameCheck => ({ ...checked, named: name });

export async function checkClusterName(plugin: PluginInput, { plat }: PlatformReading, ports: Pick<DoctorPorts, 'lookupTxt'>): Promise<NameCheck> {
  if (plugin.noDns || (plugin.kind === 'bascule' && isPlainClusterName(plugin.id))) {
    const why = plugin.kind !== 'bascule' ? 'given to the plugin' : plugin.noDns ? '--no-dns' : 'no dot: the id is the cluster name';
    return named(holds(line('cluster name', 'ok', `${plugin.id} (${why}: no TXT lookup)`), plugin.id));
  }
  const looked = await lookupName(plugin, ports);
  if (!('resolved' in looked)) return named(broken(looked));
  const { lookup, allow, resolved } = looked;
  const clusterName = resolved.clusterName;
  const known = plat ? (['blue', 'green'] as const).find((colour) => plat.clusters[colour].name === clusterName) : undefined;
  if (plat && !known) {
    const detail = `${lookup} -> ${clusterName}, which is neither cluster of ${plat.source} (${plat.clusters.blue.name}, ${plat.clusters.green.name})`;
    return named(broken(line('cluster name', 'fail', detail, `make the TXT record at ${plugin.id} name the live cluster (${plat.clusters[plat.live].name} per ${plat.source})`)), clusterName);
  }
  const colour = known && plat ? `; ${known} in ${plat.source}${plat.live === known ? ', the live colour' : `, NOT the live colour (${plat.live})`}` : '';
  return named(holds(line('cluster name', 'ok', `${lookup} -> ${clusterName} (${resolved.source === 'txt' ? 'from the TXT record' : 'no TXT value: the id itself'}; allow-list ${allow}${colour})`), clusterName));
}

/** The TXT lookup through the allow-list, as the plugin resolves the name (`lookup`: what it saw), or the broken link. */
async function lookupName(plugin: PluginInput, ports: Pick<DoctorPorts, 'lookupTxt'>): Promise<{ lookup: string; allow: string; resolved: ReturnType<typeof clusterNameFromTxt> } | Link> {
  const resolver = plugin.dnsServer ? `DNS server ${plugin.dnsServer}` : 'the system resolver';
  let answer;
  try {
    answer = await ports.lookupTxt(plugin.id, { server: plugin.dnsServer, timeoutMs: plugin.dnsTimeoutMs });
  } catch (error) {
    return line('cluster name', 'fail', errText(error), errHint(error));
  }
  const raw =
    answer.kind === 'records'
      ? answer.records.map((r) => JSON.stringify(r.join(''))).join(', ') || 'no values'
      : answer.kind === 'cname'
        ? `a CNAME to ${JSON.stringify(answer.target)}, no TXT record`
        : `no record (${answer.reason})`;
  const skipped = answer.kind === 'records' ? answer.records.filter((r) => isExternalDnsRegistryRecord(r.join(''))).length : 0;
  const lookup = `TXT ${plugin.id} via ${resolver}: ${raw}${skipped ? ` (${skipped} ExternalDNS registry record${skipped > 1 ? 's' : ''} skipped)` : ''}`;
  let resolved;
  try {
    resolved = clusterNameFromTxt(plugin.id, answer);
  } catch (error) {
    return line('cluster name', 'fail', `${lookup}: ${errText(error)}`, errHint(error));
  }
  const allow = plugin.allowClusters.length ? plugin.allowClusters.join(', ') : 'none';
  try {
    assertAllowed(resolved, plugin.id, plugin.allowClusters);
  } catch {
    return line(
      'cluster name',
      'fail',
      `${lookup} -> ${resolved.clusterName}, which the allow-list (${allow}) refuses: the plugin will not sign`,
      `if ${resolved.clusterName} is one of your clusters, add --allow-cluster ${resolved.clusterName} to the exec args (bascule kubeconfig writes the platform's clusters there); otherwise the TXT record at ${plugin.id} is wrong or tampered with: make it name the live cluster`,
    );
  }
  return { lookup, allow, resolved };
}
