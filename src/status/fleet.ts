/**
 * `bascule status --fleet PATH` (`--all`: the default fleet): every platform
 * of the fleet observed and judged by status's own observe and verdicts
 * (report.ts's statusReport), at most --parallel at once, each within twice
 * --timeout (its parts are each within --timeout): a platform that does not
 * answer, or whose file does not load, is a row saying so, and the others go
 * on. One table (fleet-present.ts), or `-o json`; exit 0 only when every
 * platform agrees.
 *
 * Route53: one port per account and profile, its listings shared by every
 * platform of the run (src/aws/route53-cache.ts: each zone listed once, its
 * pages in the account's request budget, src/aws/rate.ts; throttling backed
 * off, never surfaced unless it outlasts the retries).
 */
import type { Route53Port } from '../aws/route53.js';
import { sharedListings, type SharedRoute53 } from '../aws/route53-cache.js';
import { route53For } from '../cutover/connect.js';
import { BasculeError, usageError } from '../errors.js';
import { readFleet } from '../platform/fleet-file.js';
import { findFleet } from '../platform/fleet-find.js';
import { loadMembers, type Member } from '../platform/fleet-members.js';
import type { Io } from '../io.js';
import type { Platform } from '../platform/model.js';
import { formatMs } from '../vocabulary.js';
import { statusReport } from './report.js';
import type { StatusReport } from './evaluate.js';
import { fleetStatusJson, fleetStatusTable, type FleetRow, type FleetStatus } from './fleet-present.js';
import { bounded, errorText } from './observe.js';
import { parseStatusInput, type RawStatusFlags, type StatusInput } from './options.js';

export const DEFAULT_PARALLEL = 8;

/** Runs `work` on every item, at most `parallel` at once; the results in the items' order. */
export async function pool<T, R>(items: readonly T[], parallel: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

/** Each member's row: its report within `boundMs`, or why there is none (pure but for `report`). */
export async function fleetRows(members: readonly Member[], o: { parallel: number; boundMs: number; report: (platform: Platform, member: Member) => Promise<StatusReport> }): Promise<FleetRow[]> {
  return pool(members, o.parallel, async (m): Promise<FleetRow> => {
    const base = { file: m.entry.file, from: m.entry.from };
    if ('error' in m) return { ...base, platform: null, account: null, report: null, error: `does not load: ${errorText(m.error)}` };
    const p = m.platform;
    const read = await bounded(o.boundMs, () => o.report(p, m));
    const id = { platform: p.name, account: p.aws.accountId };
    if (read.state === 'read') return { ...base, ...id, report: read.value, error: null };
    const error = read.state === 'failed' ? read.error : read.reason;
    return { ...base, ...id, report: null, error: /^no answer within/.test(error) ? `${error} (the platform's bound: twice --timeout)` : error };
  });
}

/** The identity of one member: --access as given (its role and profile, per file); else the entry's role and profile over the flags'. */
function memberInput(input: StatusInput, m: Member): StatusInput {
  const { profile, role } = m.entry;
  const identity = input.identity.access !== undefined
    ? { ...input.identity, profile: profile ?? input.identity.profile }
    : { access: undefined, roleArn: role ?? input.identity.roleArn, profile: profile ?? input.identity.profile };
  return { ...input, config: m.entry.file, identity };
}

/** stderr lines of one platform, prefixed with its name. */
const prefixed = (io: Io, name: string): Io => ({ ...io, stderr: (text) => io.stderr(text.replace(/^(?=.)/gm, `${name}: `)), verbose: undefined });

function parseParallel(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PARALLEL;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw usageError(`--parallel ${JSON.stringify(value)} is not a number of platforms from 1 to 64`, `e.g. --parallel ${DEFAULT_PARALLEL} (the default)`);
  return n;
}

/** One shared Route53 port per account and profile, made on first use. */
function route53Ports(io: Io) {
  const ports = new Map<string, Promise<{ port: Route53Port; shared: SharedRoute53 }>>();
  return {
    lend(platform: Platform, input: StatusInput): Promise<Route53Port> {
      const key = `${platform.aws.accountId}\n${input.identity.profile ?? ''}`;
      let made = ports.get(key);
      if (!made) {
        made = route53For(platform, input, io).then((port) => ({ port, shared: sharedListings(port) }));
        ports.set(key, made);
      }
      return made.then((m) => m.shared);
    },
    async totals(): Promise<{ requests: number; zones: number }> {
      const all = await Promise.all([...ports.values()].map((p) => p.catch(() => undefined)));
      return all.reduce((t, m) => (m ? { requests: t.requests + m.port.requests(), zones: t.zones + m.shared.zonesListed() } : t), { requests: 0, zones: 0 });
    },
    async destroy(): Promise<void> {
      for (const p of ports.values()) (await p.catch(() => undefined))?.port.destroy();
    },
  };
}

export async function fleetStatusCommand(flags: RawStatusFlags, io: Io): Promise<void> {
  if (flags.config !== undefined) throw usageError('--config and --fleet (or --all) are exclusive', 'give one platform file with --config, or a fleet with --fleet PATH (--all: the default fleet)');
  if (flags.all && flags.fleet !== undefined) throw usageError('--all and --fleet are exclusive', '--all reads the default fleet ($BASCULE_FLEET, else the nearest fleet.yaml); --fleet PATH names one');
  const input = parseStatusInput(flags);
  const parallel = parseParallel(flags.parallel);
  const fleet = readFleet(findFleet(flags.fleet, io), io.cwd);
  const members = loadMembers(fleet, io.cwd);
  const ports = route53Ports(io);
  const started = Date.now();
  let rows: FleetRow[];
  try {
    rows = await fleetRows(members, {
      parallel,
      boundMs: 2 * input.waits.timeoutMs,
      report: (platform, m) => {
        const own = memberInput(input, m);
        return statusReport(platform, own, prefixed(io, platform.name), () => ports.lend(platform, own));
      },
    });
  } finally {
    await ports.destroy();
  }
  const totals = await ports.totals();
  const status: FleetStatus = { source: fleet.source, rows, ok: rows.every((r) => r.report?.ok === true), route53: { requests: totals.requests, zonesListed: totals.zones } };
  io.verbose?.(`fleet ${fleet.source}: ${rows.length} platforms in ${formatMs(Date.now() - started)}, ${totals.requests} Route53 requests, ${totals.zones} zones listed`);
  io.stdout(input.output === 'json' ? fleetStatusJson(status) : fleetStatusTable(status));
  if (!status.ok) {
    const bad = rows.filter((r) => r.report?.ok !== true);
    throw new BasculeError('check', `status --fleet: ${bad.length} of ${rows.length} platforms do not agree (${bad.map((r) => r.platform ?? r.file).join(', ')})`, {
      hint: 'bascule status --config FILE shows one platform in full, with what to do',
    });
  }
}
