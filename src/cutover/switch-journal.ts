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
import type { LockRecord } from './lock.js';

export const SWITCH_STEPS = ['preflight', 'stop-source', 'dns', 'start-target', 'postcheck', 'end-handover', 'record-live'] as const;
export const ROLLBACK_STEPS = ['rollback-preflight', 'stop-target', 'restore-dns', 'start-source', 'rollback-postcheck', 'rollback-end-handover', 'restore-live'] as const;
export type SwitchStepId = (typeof SWITCH_STEPS)[number];
export type RollbackStepId = (typeof ROLLBACK_STEPS)[number];
export type StepId = SwitchStepId | RollbackStepId;

/** Steps that change something outside the journal. */
const MUTATING: ReadonlySet<StepId> = new Set<StepId>([
  'stop-source',
  'dns',
  'start-target',
  'end-handover',
  'record-live',
  'stop-target',
  'restore-dns',
  'start-source',
  'rollback-end-handover',
  'restore-live',
]);
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
  /** The production names the inventory found moving, and the orphans allowed (left on the source). */
  readonly moves?: readonly string[];
  readonly orphans?: readonly string[];
}

/** What the plan was made from: `--resume` and `--rollback` refuse when it changed. */
export interface Pins {
  /** sha256 of the platform file, its `live:` value left out (the switch writes it). */
  readonly platformHash: string;
  /** Each fact the steps use, as text (endpoints, records, zones, owner ids...). */
  readonly facts: Readonly<Record<string, string>>;
}

export type { LockRecord };

export type JournalState = 'running' | 'failed' | 'completed' | 'rolling-back' | 'rollback-failed' | 'rolled-back';

export interface Journal {
  readonly kind: 'bascule-switch-journal';
  readonly version: 2;
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
  readonly pins: Pins;
  /** The Route53 lock record held while the operation is unfinished; null once released. */
  readonly lock: LockRecord | null;
  /**
   * A recovery: started after --break-lock took over an interrupted cut-over
   * whose journal is elsewhere; its preflight accepted the records naming
   * either colour. Absent in journals of earlier versions.
   */
  readonly recovery?: { readonly broke: string };
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
  pins: Pins;
  lock?: LockRecord | null;
  recovery?: { broke: string };
}): Journal {
  const at = options.now.toISOString();
  return {
    kind: 'bascule-switch-journal',
    version: 2,
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
    pins: options.pins,
    lock: options.lock ?? null,
    ...(options.recovery ? { recovery: options.recovery } : {}),
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
  // ROLLBACK_STEPS is already in undo order: target's ExternalDNS off, records back, source's on (taking
  // production back), the post-check, the source's hand-over flag off, then the file.
  return ROLLBACK_STEPS.filter((id) => {
    if (id === 'rollback-preflight') return true;
    if (id === 'rollback-postcheck') return inverses.has('restore-dns') || inverses.has('start-source');
    if (id === 'rollback-end-handover') return inverses.has('start-source');
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

const isRecordValue = (r: unknown): r is RecordValue =>
  typeof r === 'object' &&
  r !== null &&
  Array.isArray((r as RecordValue).values) &&
  (r as RecordValue).values.every((v) => typeof v === 'string') &&
  Number.isInteger((r as RecordValue).ttl) &&
  (r as RecordValue).ttl >= 0 &&
  (r as RecordValue).ttl <= 2_147_483_647;

/** Checks a parsed journal file's shape; returns what is wrong, or undefined. */
export function journalProblem(value: unknown): string | undefined {
  const j = value as Partial<Journal> | null;
  if (typeof j !== 'object' || j === null || j.kind !== 'bascule-switch-journal') return 'it is not a bascule switch journal';
  if (j.version !== 2) return `its version ${JSON.stringify(j.version)} is not one this bascule reads (2)`;
  if (typeof j.platform !== 'string' || typeof j.platformFile !== 'string') return 'it names no platform';
  if (!COLOUR_SET.has(j.from as string) || !COLOUR_SET.has(j.to as string) || j.from === j.to) return 'its colours are not blue and green';
  if (!STATES.has(j.state as JournalState)) return `its state ${JSON.stringify(j.state)} is unknown`;
  const steps = (list: unknown, known: readonly string[]) =>
    Array.isArray(list) && list.every((s) => typeof s === 'object' && s !== null && known.includes(s.id) && STATUSES.has(s.status));
  if (!steps(j.steps, SWITCH_STEPS)) return 'its steps are malformed';
  if (j.rollback !== null && !steps(j.rollback, ROLLBACK_STEPS)) return 'its rollback steps are malformed';
  if (typeof j.owner !== 'object' || j.owner === null || typeof j.owner.pid !== 'number') return 'it names no owner process';
  const pins = j.pins as Partial<Pins> | undefined;
  if (typeof pins !== 'object' || pins === null || typeof pins.platformHash !== 'string' || typeof pins.facts !== 'object' || pins.facts === null) return 'it pins no platform file';
  if (!Object.values(pins.facts).every((f) => typeof f === 'string')) return 'its pinned facts are malformed';
  const lock = j.lock as Partial<LockRecord> | null | undefined;
  if (lock !== null && (typeof lock !== 'object' || typeof lock.zoneId !== 'string' || typeof lock.name !== 'string' || typeof lock.value !== 'string')) return 'its lock record is malformed';
  const recovery = (j as { recovery?: unknown }).recovery;
  if (recovery !== undefined && (typeof recovery !== 'object' || recovery === null || typeof (recovery as { broke?: unknown }).broke !== 'string')) return 'its recovery field is malformed';
  const b = j.before as Partial<Before> | null | undefined;
  if (b !== null) {
    if (typeof b !== 'object') return 'its before values are malformed';
    if ((b.api !== null && !isRecordValue(b.api)) || (b.txt !== null && !isRecordValue(b.txt))) return 'its before records are malformed';
    if (typeof b.replicas !== 'object' || b.replicas === null || !Object.values(b.replicas).every((n) => Number.isInteger(n) && n >= 0 && n <= 100)) {
      return 'its before replicas are malformed';
    }
    for (const key of ['moves', 'orphans'] as const) {
      const list = b[key];
      if (list !== undefined && !(Array.isArray(list) && list.every((n) => typeof n === 'string'))) return `its before ${key} are malformed`;
    }
  }
  return undefined;
}

/** Steps run in order: some done, then at most one running or failed, then pending ones. */
function orderProblem(list: readonly StepRecord[], what: string): string | undefined {
  let phase = 0; // 0: done so far, 1: one running or failed, 2: pending
  for (const s of list) {
    const rank = s.status === 'done' ? 0 : s.status === 'pending' ? 2 : 1;
    if (rank < phase || (rank === 1 && phase === 1)) return `its ${what} are out of order (${list.map((x) => `${x.id} ${x.status}`).join(', ')})`;
    phase = rank;
  }
  return undefined;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Checks the journal against what this switch is (its expected steps, what
 * preflight can have seen): a journal edited by hand is refused, never obeyed.
 * `beforeProblem` says what is wrong with the before values, given the spec.
 */
export function journalConsistency(
  j: Journal,
  expected: { steps: readonly SwitchStepId[]; beforeProblem: (before: Before) => string | undefined },
): string | undefined {
  if (!sameList(j.steps.map((s) => s.id), expected.steps)) {
    return `its steps (${j.steps.map((s) => s.id).join(', ')}) are not this switch's (${expected.steps.join(', ')})`;
  }
  const order = orderProblem(j.steps, 'steps');
  if (order) return order;
  const preflightDone = j.steps[0]?.status === 'done';
  if (preflightDone !== (j.before !== null)) return preflightDone ? 'its preflight is done but it recorded nothing before the switch' : 'it holds before values its preflight did not record';
  if (j.before) {
    const problem = expected.beforeProblem(j.before);
    if (problem) return `its before values are not what a preflight can have recorded: ${problem}`;
  }
  const switchOver = j.steps.every((s) => s.status === 'done');
  if (j.rollback === null) {
    const stateOk =
      (j.state === 'completed' && switchOver) ||
      (j.state === 'running' && !switchOver) ||
      (j.state === 'failed' && j.steps.some((s) => s.status === 'failed'));
    return stateOk ? undefined : `its state ${j.state} does not match its steps`;
  }
  const wanted = rollbackStepIds(j);
  if (!sameList(j.rollback.map((s) => s.id), wanted)) return `its rollback steps (${j.rollback.map((s) => s.id).join(', ')}) are not the inverse of what the switch did (${wanted.join(', ')})`;
  const rbOrder = orderProblem(j.rollback, 'rollback steps');
  if (rbOrder) return rbOrder;
  const rolledBack = j.rollback.every((s) => s.status === 'done');
  const stateOk =
    (j.state === 'rolled-back' && rolledBack) ||
    (j.state === 'rolling-back' && !rolledBack) ||
    (j.state === 'rollback-failed' && j.rollback.some((s) => s.status === 'failed'));
  return stateOk ? undefined : `its state ${j.state} does not match its rollback steps`;
}
