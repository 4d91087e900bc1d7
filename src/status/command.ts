/**
 * `bascule status`, in the commands chunk: the wiring. report.ts observes
 * (observe.ts: DNS, the clusters, production, the journals, the lock
 * record) and judges (evaluate.ts); present.ts prints; --fleet is fleet.ts's.
 */
import { BasculeError } from '../errors.js';
import type { Io } from '../io.js';
import { readPlatform } from '../platform/read.js';
import type { Platform } from '../platform/model.js';
import { COLOURS } from '../platform/schema.js';
import { resolverOf } from '../cutover/connect.js';
import { journalPath, stateOwner } from '../cutover/journals.js';
import type { StatusReport } from './evaluate.js';
import { fleetStatusCommand } from './fleet.js';
import { parseStatusInput, type RawStatusFlags, type StatusInput } from './options.js';
import { formatStatusTable, statusJson } from './present.js';
import { statusReport } from './report.js';

export type { RawStatusFlags };

function verbose(io: Io, platform: Platform, input: StatusInput, report: StatusReport): void {
  const log = io.verbose;
  if (!log) return;
  const resolver = resolverOf(platform, input);
  log(`platform ${platform.name} (${platform.source}): live ${platform.live} in the file`);
  log(`resolver: ${resolver ? `DNS server ${resolver} (from ${input.dnsServer ? '--dns-server' : 'clusterNameRecord.dnsServer'})` : 'the system resolver'}`);
  for (const c of COLOURS) log(`${c}: ${report.clusters[c].name} at ${report.clusters[c].endpoint} (${input.fetch ? 'from EKS' : 'from the platform file'})`);
  for (const kind of ['switch', 'shift'] as const) log(`${kind} journal: ${journalPath(io.env, kind, stateOwner(platform))}`);
  const p = report.production;
  log(p.state === 'read' ? `production: ${p.value.names.length} names read (${report.domains.map((d) => `${d.domain} in zone ${d.zoneId}`).join(', ')})` : `production: ${p.state === 'failed' ? p.error : `not read: ${p.reason}`}`);
}

export async function statusCommand(flags: RawStatusFlags, io: Io): Promise<void> {
  if (flags.fleet !== undefined || flags.all) return fleetStatusCommand(flags, io);
  const input = parseStatusInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  const report = await statusReport(platform, input, io);
  verbose(io, platform, input, report);
  io.stdout(input.output === 'json' ? statusJson(report) : formatStatusTable(report, { verbose: io.verbose !== undefined }));
  if (!report.ok) {
    const failed = [...new Set(report.checks.filter((c) => !c.ok).map((c) => c.name))];
    const count = report.checks.filter((c) => !c.ok).length;
    throw new BasculeError('check', `status: ${count} check${count === 1 ? '' : 's'} failed (${failed.join(', ')})`);
  }
}
