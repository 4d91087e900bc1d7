/**
 * The weighted shift as one operation (no printing): the plan; `--apply` (a
 * recovery when --break-lock takes over an interrupted cut-over); `--resume`;
 * `--rollback [--gradual]`. Through the ports the wiring builds (command.ts),
 * it returns what happened as data; present.ts phrases it.
 *
 * --apply, in order: the journals (a second operation refused) -> clusters ->
 * spec -> the lock record read (a recovery?) -> the plan (refusals: returned,
 * before the lock and the journal) -> confirmation -> lock taken -> journal ->
 * the run, the lock moved on at each step and phase -> lock released once
 * completed (a pause or a revert keeps it).
 */
import type { Route53Port } from '../aws/route53.js';
import { BasculeError, usageError } from '../errors.js';
import type { Colour, Platform } from '../platform/model.js';
import { commandLine } from '../cutover/hints.js';
import { acquireLock, describeHolder, heldLock, lockName, releaseLock, updateLock, type LockRecord } from '../cutover/lock.js';
import { newShiftJournal, resumable, rollbackSteps, describeShift, shiftChangedAnything, shiftUnfinished, journalled, type ShiftJournal } from '../cutover/shift-journal.js';
import { buildSpec, checkTarget, other, platformHash, requireZones, specFacts, type CutoverSpec } from '../cutover/spec.js';
import type { Owner } from '../cutover/state.js';
import { blocksNewSwitch, describeJournal, type Journal as SwitchJournal } from '../cutover/switch-journal.js';
import { checkBefore, checkPins, checkShiftEvidence, shiftEvidence } from './journal-check.js';
import type { ShiftInput } from './options.js';
import { planShift, type ShiftPlan } from './plan.js';
import { runRollback } from './rollback.js';
import { runForward, ShiftFailure, type Outcome, type ShiftRunPorts } from './runner.js';
import { checkStages } from './weights.js';
import { rollbackTitle, stepTitle } from './steps.js';

export interface ShiftOperationPorts {
  readonly platform: Platform;
  readonly platformFile: string;
  readonly platformText: () => string;
  readonly journalPath: string;
  readonly resolver: string | undefined;
  readonly connect: () => Promise<Record<Colour, string>>;
  /** This platform's shift journal (throws, naming it, when it cannot be read: an earlier version's). */
  readonly readJournal: () => ShiftJournal | undefined;
  readonly readSwitchJournal: () => SwitchJournal | undefined;
  readonly writeJournal: (journal: ShiftJournal) => void;
  readonly lockJournal: () => { release(): void };
  readonly route53: () => Promise<Route53Port>;
  /** The ports the plan and the steps run with (after connect). */
  readonly actions: (spec: CutoverSpec, route53: Route53Port) => Omit<ShiftRunPorts, 'advance'>;
  readonly approve: (preview: Preview) => Promise<void>;
  readonly note: (line: string) => void;
  readonly now: () => Date;
  readonly owner: Owner;
}

export type Preview =
  | { readonly kind: 'shift'; readonly plan: ShiftPlan; readonly journalPath: string; readonly recovery: string | undefined }
  | { readonly kind: 'resume' | 'rollback'; readonly spec: CutoverSpec; readonly journal: ShiftJournal; readonly journalPath: string; readonly gradual: boolean };

export type ShiftOutcome =
  | { readonly kind: 'plan'; readonly plan: ShiftPlan; readonly journalPath: string; readonly recovery: string | undefined }
  | { readonly kind: 'refused'; readonly plan: ShiftPlan }
  | { readonly kind: 'ran'; readonly outcome: Outcome; readonly spec: CutoverSpec; readonly journal: ShiftJournal; readonly journalPath: string }
  | { readonly kind: 'nothing-to-undo'; readonly journal: ShiftJournal; readonly journalPath: string }
  | { readonly kind: 'failed'; readonly spec: CutoverSpec; readonly failure: ShiftFailure; readonly rollingBack: boolean; readonly journalPath: string };

export async function operateShift(input: ShiftInput, ports: ShiftOperationPorts): Promise<ShiftOutcome> {
  requireZones(ports.platform);
  if (input.mode.kind === 'shift' && !input.apply) return withRoute53(ports, (route53) => plan(input, ports, route53, false));
  const held = ports.lockJournal();
  try {
    if (input.mode.kind === 'shift') return await withRoute53(ports, (route53) => plan(input, ports, route53, true));
    const existing = ports.readJournal();
    if (!existing) {
      const what = input.mode.kind === 'resume' ? 'resume' : 'roll back';
      throw usageError(`there is no weighted shift to ${what}: no journal at ${ports.journalPath}`, 'pass --journal FILE if it was written elsewhere; if the machine that ran it is lost: bascule switch --to COLOUR --weights 100 --break-lock --apply takes production to one colour from what Route53 shows');
    }
    if (existing.platform !== ports.platform.name) throw usageError(`the journal ${ports.journalPath} is for platform ${existing.platform}, not ${ports.platform.name}`, 'pass the --config the shift was started with');
    const spec = specFor(ports, input, await ports.connect(), existing.from, existing.to);
    checkPins(existing, spec, ports.platformText(), ports.journalPath);
    checkBefore(existing, spec, ports.journalPath);
    return await withRoute53(ports, (route53) => (input.mode.kind === 'resume' ? resume(input, ports, route53, spec, existing) : rollback(input, ports, route53, spec, existing)));
  } finally {
    held.release();
  }
}

function specFor(ports: ShiftOperationPorts, input: ShiftInput, endpoints: Record<Colour, string>, from: Colour, to: Colour): CutoverSpec {
  return buildSpec(ports.platform, endpoints, { from, to, resolver: ports.resolver, waits: input.waits, journal: ports.journalPath, allowOrphans: input.allowOrphans });
}

async function withRoute53<T>(ports: ShiftOperationPorts, use: (route53: Route53Port) => Promise<T>): Promise<T> {
  const route53 = await ports.route53();
  try {
    return await use(route53);
  } finally {
    route53.destroy();
  }
}

function refuseUnfinished(input: ShiftInput, ports: ShiftOperationPorts): void {
  const existing = ports.readJournal();
  if (existing && shiftUnfinished(existing)) {
    throw new BasculeError('refused', `a weighted shift is unfinished: ${describeShift(existing)} (journal ${ports.journalPath}); refusing to start another`, {
      hint: `resume it: ${commandLine(input, '--resume')}\n      or undo it: ${commandLine(input, '--rollback')}`,
    });
  }
  const plain = ports.readSwitchJournal();
  if (plain && blocksNewSwitch(plain)) {
    throw new BasculeError('refused', `a switch is unfinished: ${describeJournal(plain)}; refusing to start a weighted shift`, { hint: `resume or roll it back first: ${commandLine(input, '--resume')} / ${commandLine(input, '--rollback')}` });
  }
}

/** The plan; with --apply, confirmed, then run. */
async function plan(input: ShiftInput, ports: ShiftOperationPorts, route53: Route53Port, apply: boolean): Promise<ShiftOutcome> {
  const mode = input.mode as Extract<ShiftInput['mode'], { kind: 'shift' }>;
  refuseUnfinished(input, ports);
  if (!input.breakLock) checkTarget(ports.platform, mode.to);
  const spec = specFor(ports, input, await ports.connect(), other(mode.to), mode.to);
  const held = await heldLock(route53, spec.txtRecord.zoneId, lockName(spec.txtRecord.name));
  if (held.length > 0 && !input.breakLock) {
    const holder = `another bascule holds the cut-over lock of ${spec.platform}: ${describeHolder(held)} (TXT ${lockName(spec.txtRecord.name)} in zone ${spec.txtRecord.zoneId})`;
    if (apply) throw new BasculeError('refused', holder, { hint: 'wait until it finishes; if that operation is dead (its machine lost), --break-lock takes production to one colour from what Route53 shows: bascule switch --to COLOUR --weights 100 --break-lock --apply; nothing was changed' });
    ports.note(`${holder}: --apply will be refused until it is released (or broken with --break-lock)`);
  }
  const recovery = input.breakLock && held.length > 0 ? describeHolder(held) : undefined;
  if (input.breakLock && !recovery) checkTarget(ports.platform, mode.to);
  const actions = ports.actions(spec, route53);
  const planned = await planShift(spec, { ...actions, route53 }, { options: mode.options, allowOrphans: input.allowOrphans, allowUnwatched: input.allowUnwatched, recovering: recovery !== undefined });
  checkStages(mode.options.stages, planned.startShare);
  if (!apply) return { kind: 'plan', plan: planned, journalPath: ports.journalPath, recovery };
  if (planned.refusals.length > 0) return { kind: 'refused', plan: planned };
  await ports.approve({ kind: 'shift', plan: planned, journalPath: ports.journalPath, recovery });
  const journal = newShiftJournal({
    platform: spec.platform,
    platformFile: ports.platformFile,
    from: spec.from,
    to: spec.to,
    now: ports.now(),
    owner: ports.owner,
    pins: { platformHash: platformHash(ports.platformText()), facts: specFacts(spec) },
    options: mode.options,
    before: { names: planned.shifted, api: planned.records.api, txt: planned.records.txt, replicas: planned.replicas, orphans: planned.orphans },
    startShare: planned.startShare,
    signals: planned.signals,
    ...(recovery ? { recovery: { broke: recovery } } : {}),
  });
  const lock = await takeLock(route53, spec, ports, input, journal, recovery ? 'recover' : 'shift', 'stop-source', null);
  return run(ports, route53, spec, { ...journal, lock }, 'shift');
}

async function resume(input: ShiftInput, ports: ShiftOperationPorts, route53: Route53Port, spec: CutoverSpec, existing: ShiftJournal): Promise<ShiftOutcome> {
  const can = resumable(existing);
  if ('refused' in can) throw usageError(can.refused, existing.state === 'completed' ? `to undo it: ${commandLine(input, '--rollback')}` : undefined);
  const checked = await checkShiftEvidence(route53, existing, ports.journalPath);
  await ports.approve({ kind: 'resume', spec, journal: checked, journalPath: ports.journalPath, gradual: checked.rollback?.gradual ?? false });
  const lock = await takeLock(route53, spec, ports, input, checked, 'resume', checked.at ?? 'end', existing.lock);
  return run(ports, route53, spec, { ...checked, lock, owner: ports.owner }, can.operation);
}

async function rollback(input: ShiftInput, ports: ShiftOperationPorts, route53: Route53Port, spec: CutoverSpec, existing: ShiftJournal): Promise<ShiftOutcome> {
  const gradual = (input.mode as { gradual: boolean }).gradual;
  if (existing.state === 'rolled-back') throw usageError(`the weighted shift ${existing.from} -> ${existing.to} is already rolled back`);
  if (gradual && existing.settle !== null && existing.rollback === null) {
    throw usageError(
      `--gradual steps back through the stages, but the weighted shift ${existing.from} -> ${existing.to} is settled: production is ${existing.to}'s simple records again, there are no weights to step down`,
      `roll it back at once: ${commandLine(input, '--rollback')}; or move back in stages with a new shift: ${commandLine(input, `--to ${existing.from}`, ['--weights', existing.options.stages.join(',')])}`,
    );
  }
  const checked = await checkShiftEvidence(route53, existing, ports.journalPath);
  const rb = checked.rollback ?? { gradual, steps: rollbackSteps(checked, gradual), at: null };
  const begun = journalled(checked, ports.now(), { rollback: { ...rb, at: rb.at ?? rb.steps[0] ?? null }, state: 'rolling-back', owner: ports.owner }, `rollback ${rb.gradual ? 'stage by stage' : 'at once'}`);
  if (rb.steps.length === 0) {
    const closed = journalled(begun, ports.now(), { state: 'rolled-back', rollback: { ...rb, at: null } }, 'nothing was changed: nothing to undo');
    ports.writeJournal(closed);
    await release(route53, closed, ports);
    return { kind: 'nothing-to-undo', journal: closed, journalPath: ports.journalPath };
  }
  await ports.approve({ kind: 'rollback', spec, journal: begun, journalPath: ports.journalPath, gradual: rb.gradual });
  const lock = await takeLock(route53, spec, ports, input, begun, 'rollback', `rollback-${rb.at ?? rb.steps[0]}`, existing.lock);
  return run(ports, route53, spec, { ...begun, lock }, 'rollback');
}

const lockFields = (spec: CutoverSpec, j: ShiftJournal, op: string, step: string) => ({ platform: spec.platform, kind: 'shift' as const, op, from: j.from, to: j.to, step, sha: shiftEvidence(j) });

async function takeLock(route53: Route53Port, spec: CutoverSpec, ports: ShiftOperationPorts, input: ShiftInput, j: ShiftJournal, op: string, step: string, mine: LockRecord | null): Promise<LockRecord> {
  const { lock } = await acquireLock(route53, { zoneId: spec.txtRecord.zoneId, txtRecord: spec.txtRecord.name, fields: lockFields(spec, j, op, step), now: ports.now(), mine, breakLock: input.breakLock, note: ports.note });
  return lock;
}

async function release(route53: Route53Port, j: ShiftJournal, ports: ShiftOperationPorts): Promise<void> {
  if (!j.lock) return;
  const note = await releaseLock(route53, j.lock, 'shift');
  ports.writeJournal({ ...j, lock: null });
  if (note) ports.note(note);
}

/** Writes the journal, runs the forward steps or the rollback, releases the lock once the operation is over. */
async function run(ports: ShiftOperationPorts, route53: Route53Port, spec: CutoverSpec, journal: ShiftJournal, operation: 'shift' | 'rollback'): Promise<ShiftOutcome> {
  ports.writeJournal(journal);
  const op = journal.recovery && operation === 'shift' ? 'recover' : operation;
  const steps: ShiftRunPorts = {
    ...ports.actions(spec, route53),
    advance: async (j, step) => ({ ...j, lock: j.lock ? await updateLock(route53, j.lock, lockFields(spec, j, op, step), ports.now()) : null }),
  };
  const rollingBack = journal.rollback !== null;
  try {
    const done = rollingBack ? await runRollback(spec, steps, journal, rollbackTitle(spec)) : await runForward(spec, steps, journal, stepTitle(spec));
    if (done.outcome === 'completed' || done.outcome === 'rolled-back') {
      await release(route53, done.journal, ports);
      return { kind: 'ran', outcome: done.outcome, spec, journal: { ...done.journal, lock: null }, journalPath: ports.journalPath };
    }
    return { kind: 'ran', outcome: done.outcome, spec, journal: done.journal, journalPath: ports.journalPath };
  } catch (error) {
    if (!(error instanceof ShiftFailure)) throw error;
    // Nothing changed: the lock goes, another operator may start.
    if (!shiftChangedAnything(error.journal)) await release(route53, error.journal, ports).catch(() => ports.note('the cut-over lock record could not be removed'));
    return { kind: 'failed', spec, failure: error, rollingBack, journalPath: ports.journalPath };
  }
}
