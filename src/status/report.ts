/**
 * One platform's `bascule status`, observed and judged, without printing:
 * what `status` prints for one platform, and each row of `status --fleet`.
 */
import type { Route53Port } from '../aws/route53.js';
import type { Io } from '../io.js';
import type { Colour, Platform } from '../platform/model.js';
import { COLOURS } from '../platform/schema.js';
import { zoneKind } from '../platform/external-dns.js';
import { EXTERNAL_DNS_DEPLOYMENTS, LIVE_EXTERNAL_DNS_INSTANCES } from '../platform/names.js';
import { connectClusters, kubeClients, resolverOf, route53For } from '../cutover/connect.js';
import { dnsPort } from '../cutover/dns.js';
import { commandLine } from '../cutover/hints.js';
import { observeOperations, stateOwner } from '../cutover/journals.js';
import { lockName } from '../cutover/lock.js';
import { endpointHost } from '../cutover/spec.js';
import { clusterIdentity } from '../kube/tokens.js';
import { missingProductionZones, productionLayout } from '../production/layout.js';
import { evaluateStatus, type StatusReport } from './evaluate.js';
import { observeStatus, type ObserveOptions } from './observe.js';
import type { StatusInput } from './options.js';

function liveDeployments(platform: Platform) {
  if (!platform.externalDns.enabled) return [];
  return LIVE_EXTERNAL_DNS_INSTANCES.map((i) => ({ name: EXTERNAL_DNS_DEPLOYMENTS[i], kind: zoneKind(i) }));
}

/** Where production and the lock are, or why they are not read. */
function routeParts(platform: Platform): Pick<ObserveOptions, 'production' | 'lock'> {
  const missing = missingProductionZones(platform);
  const production = !platform.externalDns.enabled
    ? { skipped: 'externalDns.enabled is false: no live ExternalDNS write production' }
    : missing.length > 0
      ? { skipped: `${missing.map((m) => m.split(' ')[0]).join(' and ')} not set in ${platform.source}` }
      : productionLayout(platform);
  const zoneId = platform.clusterNameRecord.zoneId;
  const lock = zoneId ? { name: lockName(platform.clusterNameRecord.name), zoneId } : { skipped: `clusterNameRecord.zoneId not set in ${platform.source}` };
  return { production, lock };
}

/**
 * One platform's status, observed and judged (no printing): the clusters,
 * DNS, production and the lock through one Route53 port, the journals here.
 * `lend` lends a port (status --fleet's, shared by the platforms of one
 * account); without it one is made, and destroyed after.
 */
export async function statusReport(platform: Platform, input: StatusInput, io: Io, lend?: () => Promise<Route53Port>): Promise<StatusReport> {
  clusterIdentity(platform, input.identity); // an unknown --access fails before any network call
  const clusters = await connectClusters(platform, input, io);
  const targets = Object.fromEntries(
    COLOURS.map((c) => [c, { clusterName: clusters[c].name, endpoint: clusters[c].endpoint, endpointHost: endpointHost(clusters[c].endpoint), apiRecord: platform.clusters[c].apiRecord }]),
  ) as Record<Colour, { clusterName: string; endpoint: string; endpointHost: string; apiRecord: string }>;
  const parts = routeParts(platform);
  const reads = !('skipped' in parts.production) || !('skipped' in parts.lock);
  const route53: Route53Port | undefined = reads ? await (lend ?? (() => route53For(platform, input, io)))() : undefined;
  try {
    const observation = await observeStatus({
      platform: platform.name,
      file: platform.source,
      liveInFile: platform.live,
      txtName: platform.clusterNameRecord.name,
      apiName: platform.api.record,
      namespace: platform.externalDns.namespace,
      deployments: liveDeployments(platform),
      clusters: targets,
      dns: dnsPort(resolverOf(platform, input), input.waits.dnsTimeoutMs),
      kube: kubeClients(platform, clusters, input, io),
      ...parts,
      route53,
      operations: () => observeOperations(io.env, stateOwner(platform)),
      boundMs: input.waits.timeoutMs,
    });
    return evaluateStatus(observation, { targets, command: (verb, extra = []) => commandLine(input, verb, extra), now: io.now() });
  } finally {
    if (!lend) route53?.destroy();
  }
}

