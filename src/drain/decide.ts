/**
 * Is a load balancer drained? (pure) From CloudWatch datapoints and a clock.
 *
 * The rule: a load balancer is drained when its metric (ALB RequestCount, NLB
 * ActiveFlowCount) is zero over the whole quiet window, and a missing
 * datapoint counts as zero (CloudWatch publishes no datapoint for a minute
 * without requests). The window is the record TTL (resolvers may hand out the
 * old answer that long) + the quiet time asked for (--quiet) + the metrics lag
 * (the newest minutes are not published yet, so their silence proves nothing).
 *
 * Any non-zero datapoint in the window means still receiving; the earliest
 * moment it can be drained is the end of that period plus the window. A query
 * CloudWatch did not answer completely is unknown, never drained.
 */

import type { MetricAnswer } from '../aws/cloudwatch.js';

/** What CloudWatch answered for one metric query (src/aws/cloudwatch.ts). */
export type { MetricAnswer };

export type LoadBalancerKind = 'application' | 'network';

export interface DrainWindow {
  /** The longest TTL of the colour's records and of the production names that name it. */
  readonly ttlMs: number;
  /** How long the metric must stay at zero after the TTL. */
  readonly quietMs: number;
  /** How far behind CloudWatch may be. */
  readonly lagMs: number;
  /** The metric's period (60 s). */
  readonly periodMs: number;
}

export type Verdict =
  | { readonly state: 'drained' }
  | {
      readonly state: 'receiving';
      /** Sum of the non-zero datapoints in the window. */
      readonly total: number;
      /** Start of the newest non-zero period. */
      readonly lastAt: number;
      /** When the window will be quiet if no more traffic comes. */
      readonly drainedAtEarliest: number;
    }
  | { readonly state: 'unknown'; readonly reason: string };

export const windowMs = (w: DrainWindow) => w.ttlMs + w.quietMs + w.lagMs;

/** The time range to ask CloudWatch for, so every period overlapping the window is returned. */
export function queryRange(now: number, w: DrainWindow): { start: number; end: number } {
  const start = Math.floor((now - windowMs(w)) / w.periodMs) * w.periodMs - w.periodMs;
  return { start, end: now };
}

export function decide(answer: MetricAnswer, now: number, w: DrainWindow): Verdict {
  if (answer.status !== 'Complete') {
    return { state: 'unknown', reason: `CloudWatch answered ${answer.status}${answer.message ? `: ${answer.message}` : ''}` };
  }
  const from = now - windowMs(w);
  let total = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  for (const p of answer.points) {
    if (!Number.isFinite(p.value) || p.value <= 0) continue;
    if (p.at + w.periodMs <= from) continue; // the period ended before the window
    total += p.value;
    lastAt = Math.max(lastAt, p.at);
  }
  if (total === 0) return { state: 'drained' };
  return { state: 'receiving', total, lastAt, drainedAtEarliest: lastAt + w.periodMs + windowMs(w) };
}

export interface Decided<T> {
  readonly item: T;
  readonly verdict: Verdict;
}

export type Overall = 'drained' | 'receiving' | 'unknown';

/** Receiving wins over unknown (it is a fact), unknown over drained (it is not proven). */
export function overall(verdicts: readonly Verdict[]): Overall {
  if (verdicts.some((v) => v.state === 'receiving')) return 'receiving';
  if (verdicts.some((v) => v.state === 'unknown')) return 'unknown';
  return 'drained';
}
