/**
 * The failure signals a stage's hold watches (pure): the new colour's target
 * health (ELBv2 DescribeTargetHealth) and its 5XX rate (CloudWatch, ALB:
 * HTTPCode_Target_5XX_Count + HTTPCode_ELB_5XX_Count over RequestCount since
 * the stage began). Any signal over its threshold reverts the stage.
 *
 * The metrics must exist before anything changes: a load balancer CloudWatch
 * has never heard of cannot show a 5XX rate, and a signal that cannot fire is
 * no safety net. NLBs have no HTTP codes: only their target health counts.
 */
import type { SignalThresholds } from './weights.js';

export interface TargetState {
  readonly loadBalancer: string;
  readonly target: string;
  /** ELBv2: initial, healthy, unhealthy, unused, draining, unavailable, unhealthy.draining. */
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
  /** One line per signal, for progress. */
  readonly summary: string;
}

/** Targets in these states take no traffic by design (unused: not in an enabled AZ; draining: leaving). */
const IGNORED = new Set(['unused', 'draining']);

export function evaluateSignals(o: Observation, t: SignalThresholds): SignalVerdict {
  const failures: string[] = [];
  const unhealthy = o.targets.filter((x) => !IGNORED.has(x.state) && x.state !== 'healthy' && x.state !== 'initial');
  if (unhealthy.length > t.maxUnhealthyTargets) {
    const list = unhealthy.slice(0, 5).map((x) => `${x.loadBalancer} ${x.target} ${x.state}${x.reason ? ` (${x.reason})` : ''}`);
    failures.push(`${unhealthy.length} unhealthy target${unhealthy.length === 1 ? '' : 's'} (at most ${t.maxUnhealthyTargets} allowed): ${list.join(', ')}${unhealthy.length > 5 ? ', ...' : ''}`);
  }
  if (o.targets.length === 0) failures.push('no target is registered behind the new colour\'s load balancers');
  else if (o.targets.every((x) => IGNORED.has(x.state))) {
    failures.push(`no target of the new colour takes traffic (${o.targets.length} unused or draining)`);
  }
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

/** The metrics the 5XX signal reads for an ALB (dimension LoadBalancer=app/NAME/ID). */
export const FIVE_XX_METRICS = { namespace: 'AWS/ApplicationELB', requests: 'RequestCount', errors: ['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'] } as const;

/** Refuses a shift whose signals cannot be read: each ALB needs its RequestCount metric, each load balancer a target group. */
export function missingSignals(lbs: readonly { name: string; type: string; hasRequestMetric: boolean; targetGroups: number }[]): string[] {
  const out: string[] = [];
  for (const lb of lbs) {
    if (lb.type === 'application' && !lb.hasRequestMetric) out.push(`${lb.name}: CloudWatch has no ${FIVE_XX_METRICS.namespace} ${FIVE_XX_METRICS.requests} metric for it (no request ever reached it): its 5XX rate cannot be read`);
    if (lb.targetGroups === 0) out.push(`${lb.name}: no target group: its target health cannot be read`);
  }
  return out;
}
