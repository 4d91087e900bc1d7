/**
 * `bascule status`, in the commands chunk: the wiring. Observing is done by
 * the adapters (resolver, each cluster's API); judging and printing are pure
 * (status.ts).
 */
import { BasculeError } from '../errors.js';
import type { Io } from '../io.js';
import { readPlatform } from '../platform/read.js';
import { COLOURS } from '../platform/schema.js';
import { connectClusters, kubeClients, resolverOf } from '../cutover/connect.js';
import { dnsPort } from '../cutover/dns.js';
import { describeOperation, isUnfinishedOperation, journalPath as journalFile, observeOperations } from '../cutover/journals.js';
import { parseStatusInput, type RawStatusFlags } from './options.js';
import type { Colour } from '../platform/model.js';
import { endpointHost, liveExternalDnsDeployments } from '../cutover/spec.js';
import { clusterIdentity } from '../kube/tokens.js';
import { evaluateStatus, formatStatusTable, observeStatus, statusJson } from './status.js';

export type { RawStatusFlags };

export async function statusCommand(flags: RawStatusFlags, io: Io): Promise<void> {
  const input = parseStatusInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  clusterIdentity(platform, input.identity); // an unknown --access fails before any network call
  const clusters = await connectClusters(platform, input, io);
  const targets = Object.fromEntries(
    COLOURS.map((c) => [c, { clusterName: clusters[c].name, endpoint: clusters[c].endpoint, endpointHost: endpointHost(clusters[c].endpoint), apiRecord: platform.clusters[c].apiRecord }]),
  ) as Record<Colour, { clusterName: string; endpoint: string; endpointHost: string; apiRecord: string }>;
  const journalPath = journalFile(io.env, 'switch', platform.name);
  if (io.verbose) {
    const resolver = resolverOf(platform, input);
    io.verbose(`platform ${platform.name} (${platform.source}): live ${platform.live} in the file`);
    io.verbose(`resolver: ${resolver ? `DNS server ${resolver} (from ${input.dnsServer ? '--dns-server' : 'clusterNameRecord.dnsServer'})` : 'the system resolver'}`);
    for (const c of COLOURS) io.verbose(`${c}: ${clusters[c].name} at ${clusters[c].endpoint} (${input.fetch ? 'from EKS' : 'from the platform file'})`);
    io.verbose(`journal: ${journalPath}`);
  }
  let journal;
  const ops = observeOperations(io.env, platform.name);
  const unreadable = ops.unreadable[0];
  const last = ops.found.find(isUnfinishedOperation) ?? ops.found[0];
  if (unreadable) journal = { path: unreadable.path, description: unreadable.message, unfinished: true };
  else if (last) journal = { path: last.path, description: describeOperation(last), unfinished: isUnfinishedOperation(last) };
  const observation = await observeStatus({
    platform: platform.name,
    file: platform.source,
    liveInFile: platform.live,
    txtName: platform.clusterNameRecord.name,
    apiName: platform.api.record,
    namespace: platform.externalDns.namespace,
    deployments: liveExternalDnsDeployments(platform),
    clusters: targets,
    dns: dnsPort(resolverOf(platform, input), input.waits.dnsTimeoutMs),
    kube: kubeClients(platform, clusters, input, io),
    ...(journal ? { journal } : {}),
  });
  const report = evaluateStatus(observation, targets);
  io.stdout(input.output === 'json' ? statusJson(report) : formatStatusTable(report));
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok);
    throw new BasculeError('check', `status: ${failed.length} check${failed.length === 1 ? '' : 's'} failed (${failed.map((c) => c.name).join(', ')})`);
  }
}

