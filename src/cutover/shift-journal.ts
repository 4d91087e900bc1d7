/**
 * The weighted shift's journal, version 2 (pure data and its transitions).
 * A journal is evidence, never an order: what the shift was planned from (the
 * platform file's hash and the facts its steps use), what it saw before
 * changing anything (the exact record sets of each shifted name and its
 * registry TXT sets, the old colour's live replicas, the API and TXT values),
 * what it writes (the weighted pair of each name; the settled records, known
 * before the settle writes them), and where the run is. Its digest rides in
 * the Route53 lock record (evidence.ts): a journal edited while the shift is
 * unfinished is refused by name.
 *
 *   forward:  stop-source -> convert -> stages -> settle -> start-target -> postcheck -> record-live
 *   rollback: [rollback-stages] -> [stop-target] -> restore -> [start-source] -> rollback-postcheck -> [restore-live]
 *
 * Every transition returns a new journal (the runner writes it before and
 * after every change), so a run killed anywhere resumes in the same step,
 * stage and phase, and a hold already served counts.
 */
import type { Colour } from '../platform/model.js';
import type { RecordSet } from '../production/records.js';
import type { LockRecord } from './lock.js';
import type { Owner } from './state.js';

export const SHIFT_STEPS = ['stop-source', 'convert', 'stages', 'settle', 'start-target', 'postcheck', 'record-live'] as const;
export const SHIFT_ROLLBACK_STEPS = ['rollback-stages', 'stop-target', 'restore', 'start-source', 'rollback-postcheck', 'restore-live'] as const;
export type ShiftStep = (typeof SHIFT_STEPS)[number];
export type ShiftRollbackStep = (typeof SHIFT_ROLLBACK_STEPS)[number];

/** Inside a stage, in order: raise the new colour, lower the old one, read back, flip (once), hold. */
export type Phase = 'raise' | 'lower' | 'verify' | 'flip' | 'hold';

export type ShiftState = 'running' | 'paused' | 'reverted' | 'failed' | 'completed' | 'rolling-back' | 'rollback-failed' | 'rolled-back';

export interface SignalThresholds {
  /** Revert when the share of 5XX answers among the new colour's requests over the hold exceeds this (percent). */
  readonly max5xxPercent: number;
  /** Below this many requests the rate is not judged. */
  readonly minRequests: number;
  /** Revert when more of the new colour's targets than this are unhealthy. */
  readonly maxUnhealthyTargets: number;
}

export interface ShiftOptions {
  readonly stages: readonly number[];
  readonly flipAt: number;
  readonly holdMs: number;
  readonly pause: boolean;
  readonly thresholds: SignalThresholds;
  readonly signalPollMs: number;
}

/** A production name the shift moves, as it was before anything changed. */
export interface ShiftedName {
  readonly name: string;
  readonly zoneId: string;
  /** converts: a simple record of the old colour's live ExternalDNS; shifts: a weighted pair found (a recovery). */
  readonly action: 'converts' | 'shifts';
  /** The exact record sets at the name before the shift. */
  readonly sets: readonly RecordSet[];
  /** Its registry TXT sets, exactly (the conversion deletes them, a rollback puts them back). */
  readonly registry: readonly RecordSet[];
  /** The weighted pair the shift holds at the name, weights old 100 / new 0 (for a pair found: its sets as found). */
  readonly pair: readonly RecordSet[];
  /** The load balancers whose signals watch it (empty: allowed unwatched). */
  readonly watch: readonly string[];
  /** The longest time a resolver may keep an answer of it. */
  readonly ttl: number;
}

export interface RecordValue {
  readonly values: readonly string[];
  readonly ttl: number;
}

export interface ShiftBefore {
  readonly names: readonly ShiftedName[];
  /** The API CNAME and the cluster-name TXT (null: absent). */
  readonly api: RecordValue | null;
  readonly txt: RecordValue | null;
  /** The old colour's live ExternalDNS replicas, per Deployment. */
  readonly replicas: Readonly<Record<string, number>>;
  /** Orphans allowed (--allow-orphan): left on the old colour. */
  readonly orphans: readonly string[];
}

/** What the settle writes at a name: the new colour's records and their registry entries (its live owner id). */
export interface SettledName {
  readonly name: string;
  readonly zoneId: string;
  readonly sets: readonly RecordSet[];
  readonly registry: readonly RecordSet[];
}

/** A load balancer the holds watch. */
export interface SignalSource {
  readonly name: string;
  readonly arn: string;
  readonly type: string;
  readonly targetGroups: readonly string[];
}

export interface Pins {
  readonly platformHash: string;
  readonly facts: Readonly<Record<string, string>>;
}

export interface ShiftJournal {
  readonly kind: 'weighted-shift';
  readonly version: 2;
  readonly platform: string;
  readonly platformFile: string;
  readonly from: Colour;
  readonly to: Colour;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly owner: Owner;
  readonly pins: Pins;
  readonly options: ShiftOptions;
  readonly before: ShiftBefore;
  /** The new colour's share before the shift (0 unless a recovery found weights). */
  readonly startShare: number;
  readonly signals: readonly SignalSource[];
  /** The forward step to run next, or the one running (null: all done). */
  readonly at: ShiftStep | null;
  /** The step `at` has begun (it may have changed something). */
  readonly inStep: boolean;
  readonly state: ShiftState;
  /** Zones whose conversion batch was applied. */
  readonly convertedZones: readonly string[];
  /** The new colour's share Route53 holds for sure: the last stage held, or the one reverted to. */
  readonly share: number;
  /** How many stages were held (the next one to run is options.stages[stagesDone]). */
  readonly stagesDone: number;
  readonly stage: { readonly index: number; readonly target: number; readonly phase: Phase; readonly holdFrom?: string } | null;
  /** The share the weights are moving to (a stage, a revert, a gradual rollback), until Route53 is read back holding it. */
  readonly moving: number | null;
  /** The API record and the TXT name the new colour. */
  readonly flipped: boolean;
  /** What the settle writes, recorded before its batches; null until then. */
  readonly settle: readonly SettledName[] | null;
  readonly settledZones: readonly string[];
  /** The platform file says live: to. */
  readonly liveRecorded: boolean;
  readonly rollback: { readonly gradual: boolean; readonly steps: readonly ShiftRollbackStep[]; readonly at: ShiftRollbackStep | null } | null;
  readonly revert: { readonly stage: number; readonly to: number; readonly reasons: readonly string[]; readonly at: string } | null;
  readonly failure: { readonly step: string; readonly error: string; readonly at: string } | null;
  /** Started by --break-lock over an interrupted cut-over whose journal is elsewhere. */
  readonly recovery: { readonly broke: string } | null;
  readonly events: readonly { readonly at: string; readonly what: string }[];
  readonly lock: LockRecord | null;
}

export function newShiftJournal(input: {
  platform: string;
  platformFile: string;
  from: Colour;
  to: Colour;
  now: Date;
  owner: Owner;
  pins: Pins;
  options: ShiftOptions;
  before: ShiftBefore;
  startShare: number;
  signals: readonly SignalSource[];
  recovery?: { broke: string };
}): ShiftJournal {
  const at = input.now.toISOString();
  return {
    kind: 'weighted-shift',
    version: 2,
    platform: input.platform,
    platformFile: input.platformFile,
    from: input.from,
    to: input.to,
    createdAt: at,
    updatedAt: at,
    owner: input.owner,
    pins: input.pins,
    options: input.options,
    before: input.before,
    startShare: input.startShare,
    signals: input.signals,
    at: 'stop-source',
    inStep: false,
    state: 'running',
    convertedZones: [],
    share: input.startShare,
    stagesDone: 0,
    stage: null,
    moving: null,
    flipped: false,
    settle: null,
    settledZones: [],
    liveRecorded: false,
    rollback: null,
    revert: null,
    failure: null,
    recovery: input.recovery ?? null,
    events: [{ at, what: `shift ${input.from} -> ${input.to} planned: stages ${input.options.stages.join(', ')}` }],
    lock: null,
  };
}

/** The journal with a change and an event, its updatedAt moved on. */
export function journalled(j: ShiftJournal, now: Date, change: Partial<ShiftJournal>, what?: string): ShiftJournal {
  const at = now.toISOString();
  return { ...j, ...change, updatedAt: at, events: what ? [...j.events, { at, what }] : j.events };
}

/** Has a forward step begun (it may have changed something)? */
export function reached(j: ShiftJournal, step: ShiftStep): boolean {
  if (j.at === null) return true;
  const at = SHIFT_STEPS.indexOf(j.at);
  const of = SHIFT_STEPS.indexOf(step);
  return at > of || (at === of && j.inStep);
}

/** Has the shift changed anything outside the journal? */
export const shiftChangedAnything = (j: ShiftJournal): boolean => reached(j, 'stop-source') || j.rollback !== null;

/** Was the settle begun (production is, or is becoming, simple records of the new colour)? */
export const settleBegun = (j: ShiftJournal): boolean => j.settle !== null;

export function describeShift(j: ShiftJournal): string {
  const where = j.stage ? `stage ${j.stage.index + 1}/${j.options.stages.length} (${j.stage.target}%) at ${j.stage.phase}` : j.at === 'stages' ? `${j.to} at ${j.share}%` : `step ${j.at ?? 'done'}`;
  const pair = `${j.from} -> ${j.to}`;
  switch (j.state) {
    case 'running':
      return `weighted shift ${pair} interrupted: ${where}`;
    case 'failed':
      return `weighted shift ${pair} failed at ${where}: ${j.failure?.error ?? ''}`;
    case 'paused':
      return `weighted shift ${pair} paused: ${j.to} at ${j.share}%, next stage ${j.options.stages.find((s) => s > j.share) ?? 100}%`;
    case 'reverted':
      return `weighted shift ${pair} reverted to ${j.share}% at stage ${(j.revert?.stage ?? 0) + 1}: ${(j.revert?.reasons ?? []).join('; ')}`;
    case 'completed':
      return `weighted shift ${pair} completed: ${j.to} at 100%, settled`;
    case 'rolling-back':
      return `rollback of the weighted shift ${pair} interrupted at ${j.rollback?.at ?? 'its end'}`;
    case 'rollback-failed':
      return `rollback of the weighted shift ${pair} failed at ${j.rollback?.at ?? 'its end'}: ${j.failure?.error ?? ''}`;
    case 'rolled-back':
      return `weighted shift ${pair} rolled back: production as before`;
  }
}

/** What --resume does from a journal's state. */
export function resumable(j: ShiftJournal): { operation: 'shift' | 'rollback' } | { refused: string } {
  switch (j.state) {
    case 'running':
    case 'failed':
    case 'paused':
    case 'reverted':
      return { operation: 'shift' };
    case 'rolling-back':
    case 'rollback-failed':
      return { operation: 'rollback' };
    case 'completed':
      return { refused: `the weighted shift ${j.from} -> ${j.to} is complete: nothing to resume` };
    case 'rolled-back':
      return { refused: `the weighted shift ${j.from} -> ${j.to} was rolled back: start a new one` };
  }
}

/** Is the shift under way or stopped half-way (not completed, not rolled back)? */
export const shiftUnfinished = (j: ShiftJournal): boolean => j.state !== 'completed' && j.state !== 'rolled-back';

/** The rollback steps that undo what a journal says was done (in order); none when nothing changed. */
export function rollbackSteps(j: ShiftJournal, gradual: boolean): ShiftRollbackStep[] {
  if (!reached(j, 'stop-source')) return [];
  const steps: ShiftRollbackStep[] = [];
  if (gradual && j.settle === null && (j.share > j.startShare || j.stage !== null)) steps.push('rollback-stages');
  if (reached(j, 'start-target')) steps.push('stop-target');
  steps.push('restore', 'start-source', 'rollback-postcheck');
  if (j.liveRecorded || reached(j, 'record-live')) steps.push('restore-live');
  return steps;
}

const STATES = new Set<ShiftState>(['running', 'paused', 'reverted', 'failed', 'completed', 'rolling-back', 'rollback-failed', 'rolled-back']);
const STEP_SET = new Set<string>(SHIFT_STEPS);
const isColour = (c: unknown) => c === 'blue' || c === 'green';

/** What is wrong with a parsed journal's shape (a problem, and what to do); undefined when it is a v2 shift journal. */
export function shiftJournalProblem(value: unknown): string | { problem: string; hint: string } | undefined {
  const j = value as Partial<ShiftJournal> | null;
  if (typeof j !== 'object' || j === null || j.kind !== 'weighted-shift') return 'it is not a bascule weighted-shift journal';
  if ((j.version as number) === 1) {
    return {
      problem: 'it is a weighted-shift journal of version 1, written by an earlier bascule, which this one neither resumes nor rolls back (it kept no pins and no evidence)',
      hint: 'finish or undo that shift with the bascule that started it; if that is not possible, move the journal aside and take production to one colour from what Route53 shows: bascule switch --to COLOUR --weights 100 --break-lock --apply (nothing was changed)',
    };
  }
  if (j.version !== 2) return `its version ${JSON.stringify(j.version)} is not one this bascule reads (2)`;
  if (typeof j.platform !== 'string' || !isColour(j.from) || !isColour(j.to) || j.from === j.to) return 'its platform or colours are malformed';
  if (typeof j.updatedAt !== 'string' || typeof j.createdAt !== 'string') return 'its createdAt or updatedAt is missing';
  if (!j.pins || typeof j.pins.platformHash !== 'string' || typeof j.pins.facts !== 'object') return 'its pins are malformed';
  if (!j.options || !Array.isArray(j.options.stages)) return 'its options are malformed';
  if (!j.before || !Array.isArray(j.before.names) || typeof j.before.replicas !== 'object') return 'its before is malformed';
  if (!Array.isArray(j.events) || !Array.isArray(j.convertedZones) || !Array.isArray(j.settledZones) || !Array.isArray(j.signals)) return 'its events, zones or signals are malformed';
  if (j.at !== null && !STEP_SET.has(j.at as string)) return `its step ${JSON.stringify(j.at)} is unknown`;
  if (!STATES.has(j.state as ShiftState)) return `its state ${JSON.stringify(j.state)} is unknown`;
  return undefined;
}
