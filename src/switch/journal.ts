/**
 * The switch journal as a state machine (pure). The journal file is written
 * before and after every step; these functions say what each state means,
 * what `--resume` runs next, what `--rollback` undoes, and whether a new
 * switch must be refused.
 *
 *   running ──step fails──> failed ──--resume──> running ──...──> completed
 *      │                      │
 *      └──────── --rollback ──┴──> rolling-back ──fails──> rollback-failed
 *                                       │   <──--rollback / --resume──┘
 *                                       └──> rolled-back
 *
 * A process that dies mid-step leaves the step `running`: it is re-run on
 * resume (every step is idempotent) and counts as started for a rollback.
 */
import type { Colour } from '../platform/model.js';

export const SWITCH_STEPS = ['preflight', 'stop-source', 'dns', 'start-target', 'postcheck', 'record-live'] as const;
export const ROLLBACK_STEPS = ['rollback-preflight', 'stop-target', 'restore-dns', 'start-source', 'rollback-postcheck', 'restore-live'] as const;
export type SwitchStepId = (typeof SWITCH_STEPS)[number];
export type RollbackStepId = (typeof ROLLBACK_STEPS)[number];
export type StepId = SwitchStepId | RollbackStepId;

/** Steps that change something outside the journal. */
const MUTATING: ReadonlySet<StepId> = new Set<StepId>(['stop-source', 'dns', 'start-target', 'record-live', 'stop-target', 'restore-dns', 'start-source', 'restore-live']);
export const isMutating = (id: StepId) => MUTATING.has(id);

/** Each mutating switch step, and the rollback step that undoes it. */
const INVERSE: Partial<Record<SwitchStepId, RollbackStepId>> = {
  'stop-source': 'start-source',
  dns: 'restore-dns',
  'start-target': 'stop-target',
  'record-live': 'restore-live',
};

export type StepStatus = 'pending' | 'running' | 'done' | 'failed';

export interface StepRecord<Id extends StepId = StepId> {
  readonly id: Id;
  readonly status: StepStatus;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The failure, as printed (never a secret). */
  readonly error?: string;
}

export interface RecordValue {
  readonly values: readonly string[];
  readonly ttl: number;
}

/** What preflight saw before anything changed: what a rollback restores. */
export interface Before {
  readonly api: RecordValue | null;
  readonly txt: RecordValue | null;
  /** The source colour's live ExternalDNS replicas, per Deployment. */
  readonly replicas: Readonly<Record<string, number>>;
}

export type JournalState = 'running' | 'failed' | 'completed' | 'rolling-back' | 'rollback-failed' | 'rolled-back';

export interface Journal {
  readonly kind: 'bascule-switch-journal';
  readonly version: 1;
  readonly platform: string;
  /** Absolute path of the platform file the switch was started with. */
  readonly platformFile: string;
  readonly from: Colour;
  readonly to: Colour;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The process that last wrote the journal (a running one refuses a second). */
  readonly owner: { readonly pid: number; readonly host: string };
  readonly state: JournalState;
  readonly steps: readonly StepRecord<SwitchStepId>[];
  readonly rollback: readonly StepRecord<RollbackStepId>[] | null;
  readonly before: Before | null;
}

export type Operation = 'switch' | 'rollback';

export function newJournal(options: {
  platform: string;
  platformFile: string;
  from: Colour;
  to: Colour;
  steps: readonly SwitchStepId[];
  now: Date;
  owner: { pid: number; host: string };
}): Journal {
  const at = options.now.toISOString();
  return {
    kind: 'bascule-switch-journal',
    version: 1,
    platform: options.platform,
    platformFile: options.platformFile,
    from: options.from,
    to: options.to,
    createdAt: at,
    updatedAt: at,
    owner: options.owner,
    state: 'running',
    steps: options.steps.map((id) => ({ id, status: 'pending' })),
    rollback: null,
    before: null,
  };
}

/** The operation the journal is in: a rollback once one has begun. */
export const operationOf = (j: Journal): Operation => (j.rollback === null ? 'switch' : 'rollback');

const started = (s: StepRecord) => s.status !== 'pending';

/** Has anything outside the journal possibly been changed? */
export function changedAnything(j: Journal): boolean {
  return j.steps.some((s) => isMutating(s.id) && started(s)) || (j.rollback ?? []).some((s) => isMutating(s.id) && started(s));
}

/** Is this journal an operation still under way (or stopped half-way)? */
export function isUnfinished(j: Journal): boolean {
  return j.state === 'running' || j.state === 'failed' || j.state === 'rolling-back' || j.state === 'rollback-failed';
}

/**
 * Must a new switch be refused? Yes while one is unfinished and has changed
 * something; a switch stopped by its preflight changed nothing and is simply
 * replaced.
 */
export function blocksNewSwitch(j: Journal): boolean {
  return isUnfinished(j) && changedAnything(j);
}

function update<Id extends StepId>(list: readonly StepRecord<Id>[], id: StepId, change: (s: StepRecord<Id>) => StepRecord<Id>): StepRecord<Id>[] {
  if (!list.some((s) => s.id === id)) throw new Error(`journal: no step ${id}`);
  return list.map((s) => (s.id === id ? change(s) : s));
}

function withStep(j: Journal, id: StepId, change: (s: StepRecord) => StepRecord, now: Date): Journal {
  const at = now.toISOString();
  if (operationOf(j) === 'rollback') {
    return { ...j, updatedAt: at, rollback: update(j.rollback as StepRecord<RollbackStepId>[], id, change as (s: StepRecord<RollbackStepId>) => StepRecord<RollbackStepId>) };
  }
  return { ...j, updatedAt: at, steps: update(j.steps, id, change as (s: StepRecord<SwitchStepId>) => StepRecord<SwitchStepId>) };
}

export function stepStarted(j: Journal, id: StepId, now: Date, owner: Journal['owner']): Journal {
  const next = withStep(j, id, (s) => ({ id: s.id, status: 'running', startedAt: now.toISOString() }), now);
  return { ...next, owner, state: operationOf(j) === 'rollback' ? 'rolling-back' : 'running' };
}

export function stepDone(j: Journal, id: StepId, now: Date, patch: { before?: Before } = {}): Journal {
  const next = withStep(j, id, (s) => ({ id: s.id, status: 'done', ...(s.startedAt ? { startedAt: s.startedAt } : {}), finishedAt: now.toISOString() }), now);
  const withBefore = patch.before ? { ...next, before: patch.before } : next;
  const list: readonly StepRecord[] = operationOf(j) === 'rollback' ? (withBefore.rollback ?? []) : withBefore.steps;
  if (list.every((s) => s.status === 'done')) return { ...withBefore, state: operationOf(j) === 'rollback' ? 'rolled-back' : 'completed' };
  return withBefore;
}

export function stepFailed(j: Journal, id: StepId, now: Date, error: string): Journal {
  const next = withStep(j, id, (s) => ({ ...s, status: 'failed', finishedAt: now.toISOString(), error }), now);
  return { ...next, state: operationOf(j) === 'rollback' ? 'rollback-failed' : 'failed' };
}

/** What `--resume` runs: the journal's operation from its first step not done. */
export function resumePlan(j: Journal): { operation: Operation; steps: StepId[] } | { refused: string } {
  if (j.state === 'completed') return { refused: `the switch ${j.from} -> ${j.to} is complete; there is nothing to resume` };
  if (j.state === 'rolled-back') return { refused: `the switch ${j.from} -> ${j.to} was rolled back; there is nothing to resume` };
  const operation = operationOf(j);
  const list: readonly StepRecord[] = operation === 'rollback' ? (j.rollback ?? []) : j.steps;
  return { operation, steps: list.filter((s) => s.status !== 'done').map((s) => s.id) };
}

/**
 * The rollback steps for a switch journal: the inverse of every mutating
 * step that started (done, failed, or cut short), in reverse order, framed
 * by a preflight and, when DNS is restored, a post-check.
 */
export function rollbackStepIds(j: Journal): RollbackStepId[] {
  const inverses = new Set<RollbackStepId>();
  for (const s of j.steps) {
    const inverse = INVERSE[s.id];
    if (inverse && started(s)) inverses.add(inverse);
  }
  if (inverses.size === 0) return [];
  // ROLLBACK_STEPS is already in undo order: target's ExternalDNS off, records back, source's on, then the file.
  return ROLLBACK_STEPS.filter((id) => {
    if (id === 'rollback-preflight') return true;
    if (id === 'rollback-postcheck') return inverses.has('restore-dns');
    return inverses.has(id);
  });
}

/** Starts (or continues) the rollback; says so when there is nothing to undo. */
export function beginRollback(j: Journal, now: Date, owner: Journal['owner']): { journal: Journal; steps: RollbackStepId[] } | { refused: string } {
  if (j.state === 'rolled-back') return { refused: `the switch ${j.from} -> ${j.to} is already rolled back` };
  const at = now.toISOString();
  if (j.rollback !== null) {
    const steps = j.rollback.filter((s) => s.status !== 'done').map((s) => s.id);
    return { journal: { ...j, updatedAt: at, owner, state: 'rolling-back' }, steps };
  }
  const ids = rollbackStepIds(j);
  if (ids.length === 0) {
    return { journal: { ...j, updatedAt: at, owner, state: 'rolled-back', rollback: [] }, steps: [] };
  }
  return { journal: { ...j, updatedAt: at, owner, state: 'rolling-back', rollback: ids.map((id) => ({ id, status: 'pending' })) }, steps: ids };
}

/** One line about the journal, for messages and `bascule status`. */
export function describeJournal(j: Journal): string {
  const list: readonly StepRecord[] = j.rollback ?? j.steps;
  const failed = list.find((s) => s.status === 'failed' || s.status === 'running');
  const where = failed ? ` at step ${failed.id} (${failed.status === 'running' ? 'cut short' : 'failed'})` : '';
  switch (j.state) {
    case 'running':
      return `switch ${j.from} -> ${j.to} under way${where}`;
    case 'failed':
      return `switch ${j.from} -> ${j.to} stopped${where}`;
    case 'completed':
      return `switch ${j.from} -> ${j.to} complete`;
    case 'rolling-back':
      return `rollback of the switch ${j.from} -> ${j.to} under way${where}`;
    case 'rollback-failed':
      return `rollback of the switch ${j.from} -> ${j.to} stopped${where}`;
    case 'rolled-back':
      return `switch ${j.from} -> ${j.to} rolled back`;
  }
}

const COLOUR_SET = new Set(['blue', 'green']);
const STATES = new Set<JournalState>(['running', 'failed', 'completed', 'rolling-back', 'rollback-failed', 'rolled-back']);
const STATUSES = new Set<StepStatus>(['pending', 'running', 'done', 'failed']);

/** Checks a parsed journal file's shape; returns what is wrong, or undefined. */
export function journalProblem(value: unknown): string | undefined {
  const j = value as Partial<Journal> | null;
  if (typeof j !== 'object' || j === null || j.kind !== 'bascule-switch-journal') return 'it is not a bascule switch journal';
  if (j.version !== 1) return `its version ${JSON.stringify(j.version)} is not one this bascule reads (1)`;
  if (typeof j.platform !== 'string' || typeof j.platformFile !== 'string') return 'it names no platform';
  if (!COLOUR_SET.has(j.from as string) || !COLOUR_SET.has(j.to as string) || j.from === j.to) return 'its colours are not blue and green';
  if (!STATES.has(j.state as JournalState)) return `its state ${JSON.stringify(j.state)} is unknown`;
  const steps = (list: unknown, known: readonly string[]) =>
    Array.isArray(list) && list.every((s) => typeof s === 'object' && s !== null && known.includes(s.id) && STATUSES.has(s.status));
  if (!steps(j.steps, SWITCH_STEPS)) return 'its steps are malformed';
  if (j.rollback !== null && !steps(j.rollback, ROLLBACK_STEPS)) return 'its rollback steps are malformed';
  if (typeof j.owner !== 'object' || j.owner === null || typeof j.owner.pid !== 'number') return 'it names no owner process';
  return undefined;
}
