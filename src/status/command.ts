/**
 * `bascule status`, in the commands chunk: the wiring. observe.ts reads
 * (DNS, the clusters, production, the journals, the lock record),
 * evaluate.ts judges, present.ts prints.
 */
import type { Route53Port } from '../aws/route53.js';
import { BasculeError } from '../errors.js';
import type { Io } from '../io.js';
import { readPlatform } from '../platform/read.js';
import type { Colour, Platform } from '../platform/model.js';
import { COLOURS } from '../platform/schema.js';
import { zoneKind } from '../platform/external-dns.js';
import { EXTERNAL_DNS_DEPLOYMENTS, LIVE_EXTERNAL_DNS_INSTANCES } from '../platform/names.js';
import { connectClusters, kubeClients, resolverOf, route53For } from '../cutover/connect.js';
import { dnsPort } from '../cutover/dns.js';
import { commandLine } from '../cutover/hints.js';
import { observeOperations, journalPath } from '../cutover/journals.js';
import { lockName } from '../cutover/lock.js';
import { endpointHost } from '../cutover/spec.js';
import { clusterIdentity } from '../kube/tokens.js';
import { missingProductionZones, productionLayout } from '../production/layout.js';
import { evaluateStatus, type StatusReport } from './evaluate.js';
import { observeStatus, type ObserveOptions } from './observe.js';
import { parseStatusInput, type RawStatusFlags, type StatusInput } from './options.js';
import { formatStatusTable, statusJson } from './present.js';

export type { RawStatusFlags };

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

function verbose(io: Io, platform: Platform, input: StatusInput, report: StatusReport): void {
  const log = io.verbose;
  if (!log) return;
  const resolver = resolverOf(platform, input);
  log(`platform ${platform.name} (${platform.source}): live ${platform.live} in the file`);
  log(`resolver: ${resolver ? `DNS server ${resolver} (from ${input.dnsServer ? '--dns-server' : 'clusterNameRecord.dnsServer'})` : 'the system resolver'}`);
  for (const c of COLOURS) log(`${c}: ${report.clusters[c].name} at ${report.clusters[c].endpoint} (${input.fetch ? 'from EKS' : 'from the platform file'})`);
  for (const kind of ['switch', 'shift'] as const) log(`${kind} journal: ${journalPath(io.env, kind, platform.name)}`);
  const p = report.production;
  log(p.state === 'read' ? `production: ${p.value.names.length} names read (${report.domains.map((d) => `${d.domain} in zone ${d.zoneId}`).join(', ')})` : `production: ${p.state === 'failed' ? p.error : `not read: ${p.reason}`}`);
}

export async function statusCommand(flags: RawStatusFlags, io: Io): Promise<void> {
  const input = parseStatusInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  clusterIdentity(platform, input.identity); // an unknown --access fails before any network call
  const clusters = await connectClusters(platform, input, io);
  const targets = Object.fromEntries(
    COLOURS.map((c) => [c, { clusterName: clusters[c].name, endpoint: clusters[c].endpoint, endpointHost: endpointHost(clusters[c].endpoint), apiRecord: platform.clusters[c].apiRecord }]),
  ) as Record<Colour, { clusterName: string; endpoint: string; endpointHost: string; apiRecord: string }>;
  const parts = routeParts(platform);
  const reads = !('skipped' in parts.production) || !('skipped' in parts.lock);
  const route53: Route53Port | undefined = reads ? await route53For(platform, input, io) : undefined;
  let report: StatusReport;
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
      operations: () => observeOperations(io.env, platform.name),
      boundMs: input.waits.timeoutMs,
    });
    report = evaluateStatus(observation, { targets, command: (verb, extra = []) => commandLine(input, verb, extra), now: io.now() });
  } finally {
    route53?.destroy();
  }
  verbose(io, platform, input, report);
  io.stdout(input.output === 'json' ? statusJson(report) : formatStatusTable(report, { verbose: io.verbose !== undefined }));
  if (!report.ok) {
    const failed = [...new Set(report.checks.filter((c) => !c.ok).map((c) => c.name))];
    const count = report.checks.filter((c) => !c.ok).length;
    throw new BasculeError('check', `status: ${count} check${count === 1 ? '' : 's'} failed (${failed.join(', ')})`);
  }
}
