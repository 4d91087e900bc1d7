/**
 * The drain chunk's entry: `bascule drain --colour blue [--watch 15m]`.
 *
 * flags -> platform -> the colour's domains and zones, production's layout
 * -> ports (Route53, ELBv2, CloudWatch, the clock) -> drain() -> text or
 * JSON -> exit code: 0 drained, 3 still receiving (a load balancer, or a
 * production name still pointing at the colour) or not proven (unknown),
 * 1 an AWS failure, 2 bad flags or platform file.
 */
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import type { Colour, Platform } from '../platform/model.js';
import { readPlatform } from '../platform/read.js';
import type { ProductionLayout } from '../production/inventory.js';
import { missingProductionZones, productionLayout } from '../production/layout.js';
import { formatMs, parseColour, parseDurationMs } from '../cutover/options.js';
import { commandIdentity, parseAwsTimeout, signingCredentials } from '../aws/identity.js';
import { drainJson, drainText, instant, printable, summary, type DrainSubject } from './present.js';
import { sending } from './production.js';
import { drain, type DrainInput, type DrainPorts, type DrainReport } from './watch.js';

export interface RawDrainFlags {
  colour?: string;
  config?: string;
  watch?: string;
  quiet?: string;
  pollInterval?: string;
  metricsLag?: string;
  output?: string;
  profile?: string;
  awsTimeout?: string;
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
  /** --aws-timeout: each resolution of the credentials, and each AWS request. */
  readonly awsTimeoutMs: number;
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
    awsTimeoutMs: parseAwsTimeout(flags.awsTimeout),
  };
}

/** Where production lives, or why it is not read (pure). */
export function productionInput(platform: Platform): { layout: ProductionLayout; notRead: string[] } {
  if (!platform.externalDns.enabled) return { layout: productionLayout(platform), notRead: [`externalDns is disabled in ${platform.source}: no live ExternalDNS writes production`] };
  return { layout: productionLayout(platform), notRead: missingProductionZones(platform).map((m) => `no ${m}`) };
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
  const { layout, notRead } = productionInput(platform);
  if (io.verbose) {
    for (const k of layout.kinds) io.verbose(`production: ${k.domain} read from zone ${k.zoneId} (live owners ${k.colours.blue.liveOwner}, ${k.colours.green.liveOwner})`);
    if (notRead.length > 0) io.verbose(`production ${layout.kinds.length === 0 ? 'not read' : 'partly read'}: ${notRead.join('; ')}`);
    for (const d of domains) io.verbose(`${flags.colour}: ${d.name} read from zone ${d.zoneId}`);
  }
  const { drainAws } = await import('./aws.js');
  const aws = await drainAws({
    region: platform.aws.region,
    env: io.env,
    profile: flags.profile,
    credentials: signingCredentials(commandIdentity(io, platform.aws.region, flags.awsTimeoutMs), flags.profile),
    timeoutMs: flags.awsTimeoutMs,
  }, platform.aws.accountId);
  const subject: DrainSubject = { colour: flags.colour, cluster: cluster.name, domains: domains.map((d) => d.name) };
  const ports: DrainPorts = {
    ...aws,
    now: () => io.now().getTime(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    looked: (look) => {
      if (flags.output !== 'text' || flags.watchMs === 0) return;
      const receiving = look.loadBalancers.filter((l) => l.verdict.state === 'receiving').map((l) => printable(l.lb.name));
      io.stderr(`${instant(look.at)} look ${look.number}: ${receiving.length ? `still receiving: ${receiving.join(', ')}` : look.overall}\n`);
    },
  };
  const input: DrainInput = {
    colour: flags.colour,
    layout,
    notRead,
    domains,
    exclude: [cluster.apiRecord],
    quietMs: flags.quietMs,
    lagMs: flags.lagMs,
    watchMs: flags.watchMs,
    pollMs: flags.pollMs,
  };
  let report: DrainReport;
  try {
    report = await drain(ports, input);
  } finally {
    aws.destroy();
  }
  const p = report.production;
  io.verbose?.(`production: ${p.read} name${p.read === 1 ? '' : 's'} read; naming ${flags.colour}: ${p.names.length}; still sending it traffic: ${sending(p).length}`);
  io.stdout(flags.output === 'json' ? drainJson(subject, report) : drainText(subject, report));
  conclude(flags, subject, report);
}

/** The exit: 0 drained, else a check failure (exit 3) saying what to do. */
function conclude(flags: DrainFlags, subject: DrainSubject, report: DrainReport): void {
  if (report.overall === 'drained') return;
  const watched = flags.watchMs > 0 ? ` after watching ${formatMs(report.last.at - report.started)}` : '';
  if (report.overall === 'receiving') {
    throw new BasculeError('check', `${summary(subject, report).replace(/\.$/, '')}${watched}`, {
      hint: sending(report.production).length > 0
        ? `point those names away from ${flags.colour} (bascule switch, or by hand for the names it does not own), then drain again: the window counts their TTL`
        : flags.watchMs > 0
          ? 'clients may still hold the old answer or an open connection; look again later before deleting anything'
          : `watch until it is quiet: bascule drain --colour ${flags.colour} --watch 15m`,
    });
  }
  throw new BasculeError('check', summary(subject, report), {
    hint: 'the names listed as unknown point at no load balancer bascule can read (or CloudWatch did not answer): check them by hand before deleting anything',
  });
}
