/**
 * The drain chunk's entry: `bascule drain --colour blue [--watch 15m]`.
 *
 * flags -> platform -> the colour's domains and zones -> ports (Route53,
 * ELBv2, CloudWatch, the clock) -> drain() -> text or JSON -> exit code:
 * 0 drained, 3 still receiving or not proven (unknown), 1 an AWS failure,
 * 2 bad flags or platform file.
 */
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import type { Colour } from '../platform/model.js';
import { readPlatform } from '../platform/read.js';
import { formatMs, parseColour, parseDurationMs } from '../switch/options.js';
import { credentialSource, sessionContext } from '../aws/session.js';
import { drainJson, drainText, instant, printable, summary, type DrainSubject } from './present.js';
import { drain, type DrainInput, type DrainPorts } from './watch.js';

export interface RawDrainFlags {
  colour?: string;
  config?: string;
  watch?: string;
  quiet?: string;
  pollInterval?: string;
  metricsLag?: string;
  output?: string;
  profile?: string;
}

export interface DrainFlags {
  readonly colour: Colour;
  readonly config: string;
  readonly watchMs: number;
  readonly quietMs: number;
  readonly pollMs: number;
  readonly lagMs: number;
  readonly output: 'text' | 'json';
  readonly profile: string | undefined;
}

const DAY = 86_400_000;

export function parseDrainFlags(flags: RawDrainFlags): DrainFlags {
  if (flags.colour === undefined) throw usageError('--colour is required: the colour whose load balancers should be drained', 'e.g. bascule drain --colour blue (the colour that was live before the switch)');
  const output = (flags.output ?? 'text').trim().toLowerCase();
  if (output !== 'text' && output !== 'json' && output !== 'table') throw usageError(`--output ${JSON.stringify(flags.output)}: expected text or json`);
  return {
    colour: parseColour('--colour', flags.colour),
    config: flags.config ?? 'platform.yaml',
    watchMs: flags.watch === undefined ? 0 : parseDurationMs('--watch', flags.watch, { min: 0, max: DAY }),
    quietMs: flags.quiet === undefined ? 5 * 60_000 : parseDurationMs('--quiet', flags.quiet, { min: 0, max: DAY }),
    pollMs: flags.pollInterval === undefined ? 60_000 : parseDurationMs('--poll-interval', flags.pollInterval, { min: 100, max: 3_600_000 }),
    lagMs: flags.metricsLag === undefined ? 3 * 60_000 : parseDurationMs('--metrics-lag', flags.metricsLag, { min: 0, max: 3_600_000 }),
    output: output === 'json' ? 'json' : 'text',
    profile: flags.profile,
  };
}

export async function drainCommand(raw: RawDrainFlags, io: Io): Promise<void> {
  const flags = parseDrainFlags(raw);
  const platform = readPlatform(flags.config, io.cwd);
  const cluster = platform.clusters[flags.colour];
  const domains = (['private', 'public'] as const).map((kind) => {
    const d = cluster.domains[kind];
    if (!d.zoneId) {
      throw new BasculeError('config', `${platform.source}: the ${kind} domain of ${flags.colour} (${d.name}) has no Route53 zone id: the drain reads its records from there`, {
        hint: `set domains.${kind}.zoneId (or clusters.${flags.colour}.domains.${kind}.zoneId)`,
      });
    }
    return { name: d.name, zoneId: d.zoneId };
  });
  if (flags.colour === platform.live) {
    io.stderr(`note: ${platform.source} says ${flags.colour} is live: its load balancers are expected to receive production traffic\n`);
  }
  const { listRecords, listLoadBalancers, getMetrics } = await import('./aws.js');
  const ctx = {
    region: platform.aws.region,
    env: io.env,
    credentials: credentialSource(sessionContext(io, platform.aws.region), flags.profile),
  };
  const subject: DrainSubject = { colour: flags.colour, cluster: cluster.name, domains: domains.map((d) => d.name) };
  const ports: DrainPorts = {
    records: (zoneId) => listRecords(ctx, zoneId),
    loadBalancers: () => listLoadBalancers(ctx),
    metrics: (queries, range) => getMetrics(ctx, queries, range),
    now: () => io.now().getTime(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    looked: (look) => {
      if (flags.output !== 'text' || flags.watchMs === 0) return;
      const receiving = look.loadBalancers.filter((l) => l.verdict.state === 'receiving').map((l) => printable(l.lb.name));
      io.stderr(`${instant(look.at)} look ${look.number}: ${receiving.length ? `still receiving: ${receiving.join(', ')}` : look.overall}\n`);
    },
  };
  const input: DrainInput = {
    domains,
    exclude: [cluster.apiRecord],
    quietMs: flags.quietMs,
    lagMs: flags.lagMs,
    watchMs: flags.watchMs,
    pollMs: flags.pollMs,
  };
  const report = await drain(ports, input);
  io.stdout(flags.output === 'json' ? drainJson(subject, report) : drainText(subject, report));
  if (report.overall === 'drained') return;
  const watched = flags.watchMs > 0 ? ` after watching ${formatMs(report.last.at - report.started)}` : '';
  if (report.overall === 'receiving') {
    throw new BasculeError('check', `${summary(subject, report).replace(/\.$/, '')}${watched}`, {
      hint: flags.watchMs > 0
        ? 'clients may still hold the old answer or an open connection; look again later before deleting anything'
        : `watch until it is quiet: bascule drain --colour ${flags.colour} --watch 15m`,
    });
  }
  throw new BasculeError('check', summary(subject, report), {
    hint: 'the names listed as unknown point at no load balancer bascule can read (or CloudWatch did not answer): check them by hand before deleting anything',
  });
}
