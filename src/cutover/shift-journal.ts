/**
 * The weighted shift's journal (pure data): what was there before (exactly,
 * for the rollback), the stages, where the run is inside a stage, and what
 * happened. It is written before and after every change, so a run killed at
 * any point resumes in the same stage and phase, and a hold already served
 * counts.
 */
import type { Colour } from '../platform/model.js';
import type { ProductionName } from '../shift/production.js';
import type { SignalThresholds } from '../shift/weights.js';

/** Inside a stage, in order: raise the new colour, lower the old one, read back, flip (once), hold. */
export type Phase = 'raise' | 'lower' | 'verify' | 'flip' | 'hold';

export type ShiftState = 'running' | 'paused' | 'reverted' | 'completed' | 'rolling-back' | 'rolled-back';

export interface ShiftJournal {
  readonly kind: 'weighted-shift';
  readonly version: 1;
  readonly platform: string;
  readonly from: Colour;
  readonly to: Colour;
  readonly stages: readonly number[];
  readonly flipAt: number;
  readonly holdMs: number;
  readonly pause: boolean;
  readonly thresholds: SignalThresholds;
  /** The production names exactly as Route53 held them before the shift. */
  readonly before: readonly ProductionName[];
  /** The new colour's share before the shift (0 unless a previous shift left weights). */
  readonly startShare: number;
  converted: boolean;
  /** The new colour's share Route53 holds for sure: the last stage done, or the one reverted to. */
  share: number;
  /** The stage in progress. */
  stage: { index: number; target: number; phase: Phase; holdFrom?: number } | null;
  /** The API record and the TXT point at the new colour. */
  flipped: boolean;
  state: ShiftState;
  /** A rollback in progress: stage by stage (--gradual) or at once. */
  rollback: { gradual: boolean } | null;
  revert: { stage: number; to: number; reasons: readonly string[]; at: string } | null;
  events: { at: string; what: string }[];
  /** When the journal was last written (absent in journals of older versions: their last event says). */
  updatedAt?: string;
  /** The process running it (a second one is refused while it lives). */
  owner: { pid: number; host: string };
  /** The switch lock record it holds while unfinished (shared with the plain switch). */
  lock: { zoneId: string; name: string; value: string } | null;
}

export function newShiftJournal(input: {
  platform: string;
  from: Colour;
  to: Colour;
  stages: readonly number[];
  flipAt: number;
  holdMs: number;
  pause: boolean;
  thresholds: SignalThresholds;
  before: readonly ProductionName[];
  startShare: number;
  now: number;
  owner: { pid: number; host: string };
}): ShiftJournal {
  return {
    kind: 'weighted-shift',
    version: 1,
    platform: input.platform,
    from: input.from,
    to: input.to,
    stages: [...input.stages],
    flipAt: input.flipAt,
    holdMs: input.holdMs,
    pause: input.pause,
    thresholds: input.thresholds,
    before: input.before,
    startShare: input.startShare,
    converted: input.before.every((n) => n.now.kind === 'weighted'),
    share: input.startShare,
    stage: null,
    flipped: false,
    state: 'running',
    rollback: null,
    revert: null,
    events: [{ at: new Date(input.now).toISOString(), what: `shift ${input.from} -> ${input.to} planned: stages ${input.stages.join(', ')}` }],
    owner: input.owner,
    lock: null,
  };
}

export function describeShift(j: ShiftJournal): string {
  const where = j.stage ? `stage ${j.stage.index + 1}/${j.stages.length} (${j.stage.target}%) at ${j.stage.phase}` : `${j.to} at ${j.share}%`;
  switch (j.state) {
    case 'running':
      return `weighted shift ${j.from} -> ${j.to} interrupted: ${where}`;
    case 'paused':
      return `weighted shift ${j.from} -> ${j.to} paused: ${j.to} at ${j.share}%, next stage ${j.stages.find((s) => s > j.share) ?? 100}%`;
    case 'reverted':
      return `weighted shift ${j.from} -> ${j.to} reverted to ${j.share}% at stage ${(j.revert?.stage ?? 0) + 1}: ${(j.revert?.reasons ?? []).join('; ')}`;
    case 'completed':
      return `weighted shift ${j.from} -> ${j.to} completed: ${j.to} at 100%`;
    case 'rolling-back':
      return `rollback of the weighted shift ${j.from} -> ${j.to} interrupted: ${j.to} at ${j.share}%`;
    case 'rolled-back':
      return `weighted shift ${j.from} -> ${j.to} rolled back: production as before`;
  }
}

/** What --resume may do from a journal's state. */
export function resumable(j: ShiftJournal): { operation: 'shift' | 'rollback' } | { refused: string } {
  switch (j.state) {
    case 'running':
    case 'paused':
    case 'reverted':
      return { operation: 'shift' };
    case 'rolling-back':
      return { operation: 'rollback' };
    case 'completed':
      return { refused: `the weighted shift ${j.from} -> ${j.to} is complete: nothing to resume` };
    case 'rolled-back':
      return { refused: `the weighted shift ${j.from} -> ${j.to} was rolled back: start a new one` };
  }
}

/** Is the shift under way or stopped half-way (not completed, not rolled back)? */
export const shiftUnfinished = (j: ShiftJournal): boolean => j.state !== 'completed' && j.state !== 'rolled-back';

const SHIFT_STATES = new Set<ShiftState>(['running', 'paused', 'reverted', 'completed', 'rolling-back', 'rolled-back']);

/** Checks a parsed shift journal's shape; returns what is wrong, or undefined. */
export function shiftJournalProblem(value: unknown): string | undefined {
  const j = value as Partial<ShiftJournal> | null;
  if (typeof j !== 'object' || j === null || j.kind !== 'weighted-shift') return 'it is not a bascule weighted-shift journal';
  if (j.version !== 1) return `its version ${JSON.stringify(j.version)} is not one this bascule reads (1)`;
  if (typeof j.platform !== 'string' || !['blue', 'green'].includes(j.from as string) || !['blue', 'green'].includes(j.to as string) || j.from === j.to) return 'its platform or colours are malformed';
  if (!Array.isArray(j.stages) || !Array.isArray(j.before) || !Array.isArray(j.events)) return 'its stages, before or events are malformed';
  if (!SHIFT_STATES.has(j.state as ShiftState)) return `its state ${JSON.stringify(j.state)} is unknown`;
  return undefined;
}
