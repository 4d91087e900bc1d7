/**
 * The failure signals of a weighted shift (pure): which load balancers watch
 * which shifted name, and what a stage's hold makes of what they show.
 *
 * Per shifted name: the new colour's own record's targets (what its
 * cluster-scoped ExternalDNS points the name at), each mapped to a load
 * balancer of the region (ELBv2 DescribeLoadBalancers, every page). A name
 * whose targets are not all load balancers of the region (a plain A record, a
 * load balancer elsewhere) cannot be watched: it is named in the plan and
 * refused unless `--allow-unwatched NAME`. A hold reads only the load
 * balancers of the shifted names.
 *
 * The signals: target health (ELBv2 DescribeTargetHealth) and, for an ALB,
 * the 5XX rate (CloudWatch HTTPCode_Target_5XX_Count + HTTPCode_ELB_5XX_Count
 * over RequestCount since the stage's hold began). The metrics must exist
 * before anything changes: a signal that cannot fire is no safety net. NLBs
 * have no HTTP codes: only their target health counts.
 */
import type { SignalThresholds } from '../cutover/shift-journal.js';
import { normTarget } from '../production/names.js';

// The shapes ELBv2 and CloudWatch answer in, as the AWS adapters define them (types only: nothing loads).
import type { LoadBalancer, TargetHealth } from '../aws/elb.js';
import type { MetricAnswer, MetricSpec } from '../aws/cloudwatch.js';
export type { LoadBalancer, MetricAnswer, MetricSpec, TargetHealth };

/**
 * What the shift reads its signals through (ELBv2 and CloudWatch). One small
 * face of the shift's own: src/shift/aws.ts implements it over the AWS
 * adapters.
 */
export interface SignalPort {
  /** Every load balancer of the region (every page). */
  loadBalancers(): Promise<LoadBalancer[]>;
  targetGroups(loadBalancerArn: string): Promise<string[]>;
  targetHealth(targetGroupArn: string): Promise<TargetHealth[]>;
  metrics(queries: readonly MetricSpec[], range: { start: number; end: number; periodMs: number }): Promise<MetricAnswer[]>;
  metricExists(spec: Pick<MetricSpec, 'namespace' | 'metric' | 'dimension'>): Promise<boolean>;
}

/** The metrics the 5XX signal reads for an ALB (dimension LoadBalancer=app/NAME/ID). */
export const FIVE_XX_METRICS = { namespace: 'AWS/ApplicationELB', requests: 'RequestCount', errors: ['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'] } as const;

/** CloudWatch's LoadBalancer dimension of a load balancer: the end of its ARN (app/NAME/ID, net/NAME/ID). */
export const loadBalancerDimension = (arn: string): string => arn.split(':loadbalancer/')[1] ?? arn;

export interface NameWatch {
  readonly name: string;
  /** The load balancers (names) that watch it; empty: unwatched. */
  readonly loadBalancers: readonly string[];
  /** Why it cannot be watched. */
  readonly unwatched: string | undefined;
}

/** Maps each shifted name's new-colour targets to load balancers of the region. */
export function mapWatches(names: readonly { name: string; targets: readonly string[] }[], lbs: readonly LoadBalancer[]): NameWatch[] {
  const byDns = new Map(lbs.map((lb) => [normTarget(lb.dnsName), lb]));
  return names.map((n) => {
    const unknown = n.targets.filter((t) => !byDns.has(normTarget(t)));
    const found = [...new Set(n.targets.map((t) => byDns.get(normTarget(t))?.name).filter((x): x is string => x !== undefined))].sort();
    if (n.targets.length === 0) return { name: n.name, loadBalancers: [], unwatched: 'its new colour\'s record targets nothing' };
    if (unknown.length > 0) {
      return { name: n.name, loadBalancers: [], unwatched: `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} no load balancer of the region (a plain address, or a load balancer elsewhere): no signal can watch it` };
    }
    return { name: n.name, loadBalancers: found, unwatched: undefined };
  });
}

/** Refuses a shift whose signals cannot be read: each ALB needs its RequestCount metric, each load balancer a target group. */
export function missingSignals(lbs: readonly { name: string; type: string; hasRequestMetric: boolean; targetGroups: number }[]): string[] {
  const out: string[] = [];
  for (const lb of lbs) {
    if (lb.type === 'application' && !lb.hasRequestMetric) {
      out.push(`${lb.name}: CloudWatch has no ${FIVE_XX_METRICS.namespace} ${FIVE_XX_METRICS.requests} metric for it (no request ever reached it): its 5XX rate cannot be read`);
    }
    if (lb.targetGroups === 0) out.push(`${lb.name}: no target group: its target health cannot be read`);
  }
  return out;
}

export interface TargetState {
  readonly loadBalancer: string;
  readonly target: string;
  readonly state: string;
  readonly reason?: string | undefined;
}

export interface ErrorCounts {
  readonly loadBalancer: string;
  readonly requests: number;
  readonly errors5xx: number;
}

export interface Observation {
  readonly targets: readonly TargetState[];
  /** ALBs only. */
  readonly counts: readonly ErrorCounts[];
}

export interface SignalVerdict {
  readonly ok: boolean;
  /** One line per failing signal, naming the load balancer and the numbers. */
  readonly failures: readonly string[];
  /** One line for progress. */
  readonly summary: string;
}

/** Targets in these states take no traffic by design (unused: not in an enabled AZ; draining: leaving). */
const IGNORED = new Set(['unused', 'draining']);

export function evaluateSignals(o: Observation, t: SignalThresholds, watched: boolean): SignalVerdict {
  if (!watched) return { ok: true, failures: [], summary: 'no signal (every shifted name allowed unwatched)' };
  const failures: string[] = [];
  const unhealthy = o.targets.filter((x) => !IGNORED.has(x.state) && x.state !== 'healthy' && x.state !== 'initial');
  if (unhealthy.length > t.maxUnhealthyTargets) {
    const list = unhealthy.slice(0, 5).map((x) => `${x.loadBalancer} ${x.target} ${x.state}${x.reason ? ` (${x.reason})` : ''}`);
    failures.push(`${unhealthy.length} unhealthy target${unhealthy.length === 1 ? '' : 's'} (at most ${t.maxUnhealthyTargets} allowed): ${list.join(', ')}${unhealthy.length > 5 ? ', ...' : ''}`);
  }
  if (o.targets.length === 0) failures.push("no target is registered behind the new colour's load balancers");
  else if (o.targets.every((x) => IGNORED.has(x.state))) failures.push(`no target of the new colour takes traffic (${o.targets.length} unused or draining)`);
  const rates: string[] = [];
  for (const c of o.counts) {
    if (c.requests < t.minRequests) {
      rates.push(`${c.loadBalancer}: ${c.requests} requests (under ${t.minRequests}, not judged)`);
      continue;
    }
    const percent = (c.errors5xx * 100) / c.requests;
    rates.push(`${c.loadBalancer}: ${percent.toFixed(2)}% 5XX of ${c.requests}`);
    if (percent > t.max5xxPercent) failures.push(`${c.loadBalancer} answered ${c.errors5xx} 5XX of ${c.requests} requests (${percent.toFixed(2)}%, more than ${t.max5xxPercent}%)`);
  }
  const healthy = o.targets.filter((x) => x.state === 'healthy').length;
  return { ok: failures.length === 0, failures, summary: [`${healthy}/${o.targets.length} targets healthy`, ...rates].join('; ') };
}

/** Target health of every target group, and each ALB's requests and 5XX since a moment. */
export async function observeSignals(port: SignalPort, sources: readonly { name: string; arn: string; type: string; targetGroups: readonly string[] }[], sinceMs: number, nowMs: number): Promise<Observation> {
  const targets: TargetState[] = [];
  for (const s of sources) {
    for (const tg of s.targetGroups) for (const t of await port.targetHealth(tg)) targets.push({ loadBalancer: s.name, target: t.target, state: t.state, reason: t.reason });
  }
  const albs = sources.filter((s) => s.type === 'application');
  const counts: ErrorCounts[] = [];
  if (albs.length > 0) {
    const specs = albs.flatMap((s) => [FIVE_XX_METRICS.requests, ...FIVE_XX_METRICS.errors].map((metric) => ({ namespace: FIVE_XX_METRICS.namespace, metric, stat: 'Sum', dimension: loadBalancerDimension(s.arn) })));
    const start = Math.floor(sinceMs / 60_000) * 60_000;
    const answers = await port.metrics(specs, { start, end: Math.max(nowMs, start + 60_000), periodMs: 60_000 });
    const per = 1 + FIVE_XX_METRICS.errors.length;
    albs.forEach((s, i) => {
      const sum = (k: number) => (answers[i * per + k]?.points ?? []).reduce((n, p) => n + p.value, 0);
      counts.push({ loadBalancer: s.name, requests: sum(0), errors5xx: sum(1) + sum(2) });
    });
  }
  return { targets, counts };
}
