/**
 * The weighted shift's flags (pure): the stages, the hold, the flip stage,
 * the pause, the revert thresholds. Each bad value is refused before anything
 * changes, with the flag at fault named.
 *
 * A stage is green's share in percent; Route53 gets green = p and the old
 * colour = 100 - p as weights (Route53 weights are relative, 0-255). Stages
 * are whole numbers from 1 to 100, strictly increasing, the last one 100: a
 * stage of 0 would be no move at all, and a pair 0/0 would make Route53 split
 * the traffic equally (the blueprints' README is wrong about that).
 */
import { usageError } from '../errors.js';
import { formatMs, parseDurationMs } from '../cutover/options.js';
import type { ShiftOptions, SignalThresholds } from '../cutover/shift-journal.js';

export interface Weights {
  /** The colour traffic moves to. */
  readonly to: number;
  /** The colour traffic moves from. */
  readonly from: number;
}

/** Green's share p as Route53 weights. */
export const weightsAt = (p: number): Weights => ({ to: p, from: 100 - p });

export const isZeroZero = (w: Weights) => w.to === 0 && w.from === 0;

export type { SignalThresholds };
export type GradualOptions = ShiftOptions;

export interface RawGradualFlags {
  weights?: string;
  hold?: string;
  flipAt?: string;
  pause?: boolean;
  max5xxRate?: string;
  minRequests?: string;
  maxUnhealthy?: string;
  signalInterval?: string;
}

export const DEFAULT_THRESHOLDS: SignalThresholds = { max5xxPercent: 1, minRequests: 20, maxUnhealthyTargets: 0 };

export function parseStages(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const stages: number[] = [];
  for (const part of parts) {
    if (!/^\d+$/.test(part)) {
      throw usageError(`--weights ${JSON.stringify(value)}: ${JSON.stringify(part)} is not a whole percentage`, "give green's share at each stage, e.g. --weights 10,50,100");
    }
    stages.push(Number(part));
  }
  for (const [i, p] of stages.entries()) {
    if (p === 0) throw usageError(`--weights ${value}: a stage of 0 moves nothing`, 'start at the first share green should get, e.g. 10');
    if (p > 100) throw usageError(`--weights ${value}: ${p} is above 100 (a stage is a percentage)`);
    const prev = stages[i - 1];
    if (prev !== undefined && p <= prev) throw usageError(`--weights ${value}: the stages must increase (${prev} then ${p})`, 'e.g. --weights 10,50,100');
  }
  if (stages.at(-1) !== 100) throw usageError(`--weights ${value}: the last stage must be 100 (all traffic on the new colour)`, `e.g. --weights ${[...stages, 100].join(',')}`);
  return stages;
}

function parsePercent(flag: string, value: string, min: number, max: number): number {
  const text = value.trim().replace(/%$/, '');
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || n < min || n > max) throw usageError(`${flag} ${JSON.stringify(value)}: expected a percentage from ${min} to ${max}`);
  return n;
}

function parseCount(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw usageError(`${flag} ${JSON.stringify(value)}: expected a whole number`);
  return Number(value.trim());
}

export function parseGradualFlags(flags: RawGradualFlags): GradualOptions {
  if (flags.weights === undefined) throw usageError('--weights is required for a weighted shift', 'e.g. --weights 10,50,100');
  const stages = parseStages(flags.weights);
  let flipAt = 100;
  if (flags.flipAt !== undefined) {
    flipAt = Number(flags.flipAt.trim());
    if (!stages.includes(flipAt)) {
      throw usageError(`--flip-at ${flags.flipAt}: not one of the stages (${stages.join(', ')})`, 'the API record and the TXT flip once, at a stage you name');
    }
  }
  return {
    stages,
    flipAt,
    holdMs: flags.hold === undefined ? 0 : parseDurationMs('--hold', flags.hold, { min: 0, max: 86_400_000 }),
    pause: flags.pause === true,
    thresholds: {
      max5xxPercent: flags.max5xxRate === undefined ? DEFAULT_THRESHOLDS.max5xxPercent : parsePercent('--max-5xx-rate', flags.max5xxRate, 0, 100),
      minRequests: flags.minRequests === undefined ? DEFAULT_THRESHOLDS.minRequests : parseCount('--min-requests', flags.minRequests),
      maxUnhealthyTargets: flags.maxUnhealthy === undefined ? DEFAULT_THRESHOLDS.maxUnhealthyTargets : parseCount('--max-unhealthy', flags.maxUnhealthy),
    },
    signalPollMs: flags.signalInterval === undefined ? 15_000 : parseDurationMs('--signal-interval', flags.signalInterval, { min: 100, max: 600_000 }),
  };
}

/** The new colour's share of a weighted pair, in percent (undefined: 0/0, which Route53 splits equally). */
export function shareOf(w: Weights): number | undefined {
  if (isZeroZero(w)) return undefined;
  return w.to === 0 ? 0 : w.from === 0 ? 100 : Math.round((w.to * 100) / (w.to + w.from));
}

/**
 * Refuses stages that would not move traffic forward from the share the new
 * colour already has: a stage at or below it would move traffic back
 * (rollback is the way back). A lone stage 100 at 100 is allowed: the settle
 * is what remains (a recovery of a shift that reached its last stage).
 */
export function checkStages(stages: readonly number[], share: number): void {
  const first = stages[0] as number;
  if (first > share || (first === 100 && share === 100)) return;
  throw usageError(
    `--weights ${stages.join(',')}: the stage ${first} is not above the share the new colour already has (${share}%)`,
    `start above ${share}, e.g. --weights ${stages.filter((s) => s > share).join(',') || 100}`,
  );
}

export const describeOptions = (o: GradualOptions) =>
  `stages ${o.stages.map((s) => `${s}%`).join(' -> ')}, each held ${o.holdMs ? `${formatMs(o.holdMs)} and ` : ''}at least one TTL; the API record and the TXT flip at ${o.flipAt}%${o.pause ? '; pausing after each stage' : ''}`;
