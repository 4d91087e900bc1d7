/**
 * The switch as one operation (no printing): `operate` plans a switch, or
 * runs one, resumes one, rolls one back, or recovers one whose machine was
 * lost, through the ports the wiring (command.ts) builds, and returns what
 * happened as data (outcome.ts); present.ts phrases it.
 *
 * switch --apply, in order: journal (refuse a second switch) -> clusters ->
 * spec -> the lock record read (a recovery when --break-lock takes over an
 * interrupted cut-over) -> preview and confirmation -> lock taken -> steps,
 * each journalled before and after, the lock moved on to each -> lock released.
 */
import type { Route53Port } from '../aws/route53.js';
import { BasculeError, usageError } from '../errors.js';
import type { Colour, Platform } from '../platform/model.js';
import { checkEvidence } from '../cutover/evidence.js';
import { commandLine } from '../cutover/hints.js';
import { acquireLock, describeHolder, heldLock, lockName, parseLock, releaseLock, updateLock, type LockRecord } from '../cutover/lock.js';
import { buildSpec, checkTarget, missingZones, other, platformHash, requireZones, specFacts, type CutoverSpec } from '../cutover/spec.js';
import type { Owner } from '../cutover/state.js';
import { beginRollback, blocksNewSwitch, changedAnything, describeJournal, newJournal, resumePlan, type Journal, type Operation, type StepId } from '../cutover/switch-journal.js';
import { checkJournal, switchEvidence } from './journal-check.js';
import type { SwitchInput } from './options.js';
import type { Failed, Finished, Outcome, Preview, Recovery, SwitchPlan } from './outcome.js';
import { describeStep, switchStepIds } from './plan.js';
import { switchInventory } from './preflight.js';
import { runSteps, StepFailure, type SwitchPorts } from './steps.js';
import { namesWith } from './verdicts.js';

/** What the operation reaches the world through (command.ts builds them from io, the platform and the flags). */
export interface OperationPorts {
  readonly platform: Platform;
  /** The platform file, resolved. */
  readonly platformFile: string;
  readonly platformText: () => string;
  readonly journalPath: string;
  readonly resolver: string | undefined;
  /** Connects to both clusters (endpoints, CAs); the step ports reach them after this. */
  readonly connect: () => Promise<Record<Colour, string>>;
  readonly readJournal: () => Journal | undefined;
  readonly writeJournal: (journal: Journal) => void;
  /** One operator per journal on this machine. */
  readonly lockJournal: () => { release(): void };
  readonly route53: () => Promise<Route53Port>;
  /** The ports the steps run with (after connect). */
  readonly steps: (spec: CutoverSpec, route53: Route53Port) => Omit<SwitchPorts, 'advance' | 'recovering'>;
  /** Shows what is about to run and asks; throws when not confirmed. */
  readonly approve: (preview: Preview) => Promise<void>;
  /** A line a human should read (stderr). */
  readonly note: (line: string) => void;
  readonly now: () => Date;
  readonly owner: Owner;
}

/** switch (plan or --apply), --resume, --rollback. */
export async function operate(input: SwitchInput, ports: OperationPorts): Promise<Outcome> {
  if (input.mode.kind === 'switch' && !input.apply) return plan(input, input.mode.to, ports);
  requireZones(ports.platform);
  const held = ports.lockJournal();
  try {
    return await apply(input, ports);
  } finally {
    held.release();
  }
}

function refuseUnfinished(existing: Journal | undefined, ports: OperationPorts, input: SwitchInput, what: string): void {
  if (existing && blocksNewSwitch(existing)) {
    throw new BasculeError('refused', `a switch is unfinished: ${describeJournal(existing)} (journal ${ports.journalPath}); refusing to ${what}`, {
      hint: `resume it: ${commandLine(input, '--resume')}\n      or undo it: ${commandLine(input, '--rollback')}`,
    });
  }
}

function specFor(ports: OperationPorts, input: SwitchInput, endpoints: Record<Colour, string>, from: Colour, to: Colour, extra: { allowOrphans?: readonly string[]; planOnly?: boolean }): CutoverSpec {
  return buildSpec(ports.platform, endpoints, { from, to, resolver: ports.resolver, waits: input.waits, journal: ports.journalPath, ...extra });
}

// --- The plan -------------------------------------------------------------------

async function plan(input: SwitchInput, to: Colour, ports: OperationPorts): Promise<SwitchPlan> {
  // Changes nothing, takes no lock; planned even when zone ids are missing (it names them).
  const { platform } = ports;
  refuseUnfinished(ports.readJournal(), ports, input, 'plan another');
  checkTarget(platform, to);
  const spec = specFor(ports, input, await ports.connect(), other(to), to, { allowOrphans: input.allowOrphans, planOnly: true });
  const steps = switchStepIds(spec).map((id) => describeStep(spec, id, null));
  const inventory = await planInventory(spec, ports);
  const judged = typeof inventory === 'string' ? undefined : inventory;
  return {
    kind: 'plan',
    platform: platform.name,
    file: platform.source,
    spec,
    steps,
    inventory,
    refusedOrphans: judged ? namesWith(judged, 'orphan').filter((n) => !spec.allowOrphans.includes(n)) : [],
    weighted: judged ? namesWith(judged, 'weighted') : [],
    missing: missingZones(platform),
    journalPath: ports.journalPath,
  };
}

async function planInventory(spec: CutoverSpec, ports: OperationPorts) {
  if (spec.live.length === 0) return 'externalDns.enabled is false: no production records to inventory';
  const missing = missingZones(ports.platform);
  if (missing.length > 0) return `not taken: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`;
  return withRoute53(ports, async (route53) => {
    try {
      return await switchInventory(spec, { route53 }, {}, spec.from, spec.to);
    } catch (error) {
      if (error instanceof BasculeError) return `not taken: ${error.message}`;
      throw error;
    }
  });
}

// --- switch --apply, --resume, --rollback, recovery -----------------------------

async function withRoute53<T>(ports: OperationPorts, use: (route53: Route53Port) => Promise<T>): Promise<T> {
  const route53 = await ports.route53();
  try {
    return await use(route53);
  } finally {
    route53.destroy();
  }
}

/** Who holds the lock now, read before anything is confirmed: with --break-lock over another holder, a recovery. */
async function peekRecovery(route53: Route53Port, spec: CutoverSpec, input: SwitchInput, mine: LockRecord | null): Promise<Recovery | undefined> {
  const held = await heldLock(route53, spec.txtRecord.zoneId, lockName(spec.txtRecord.name));
  if (held.length === 0 || (mine && held.length === 1 && held[0] === mine.value)) return undefined;
  return input.breakLock ? { holder: describeHolder(held) } : undefined; // without --break-lock, acquiring refuses, naming it
}

async function apply(input: SwitchInput, ports: OperationPorts): Promise<Outcome> {
  const existing = ports.readJournal();
  if (input.mode.kind === 'switch') return applySwitch(input, input.mode.to, ports, existing);
  if (!existing) return recoverWithoutJournal(input, ports);
  if (existing.platform !== ports.platform.name) throw usageError(`the journal ${ports.journalPath} is for platform ${existing.platform}, not ${ports.platform.name}`, 'pass the --config the switch was started with');
  const spec = specFor(ports, input, await ports.connect(), existing.from, existing.to, {});
  if (ports.platformFile !== existing.platformFile) ports.note(`the switch was started with ${existing.platformFile}; using ${ports.platformFile}`);
  return input.mode.kind === 'resume' ? resume(input, ports, spec, existing) : rollback(input, ports, spec, existing);
}

async function applySwitch(input: SwitchInput, to: Colour, ports: OperationPorts, existing: Journal | undefined, recover?: boolean): Promise<Outcome> {
  refuseUnfinished(existing, ports, input, 'start another');
  // Only --break-lock may make this a recovery (read below): otherwise a switch to the live colour is refused at once.
  if (!input.breakLock && !recover) checkTarget(ports.platform, to);
  const spec = specFor(ports, input, await ports.connect(), other(to), to, { allowOrphans: input.allowOrphans });
  return withRoute53(ports, async (route53) => {
    const recovery = input.breakLock ? await peekRecovery(route53, spec, input, null) : undefined;
    if (input.breakLock && !recovery && !recover) checkTarget(ports.platform, to);
    const ids = switchStepIds(spec);
    await ports.approve({ kind: 'switch', spec, steps: ids.map((id) => describeStep(spec, id, null)), journalPath: ports.journalPath, ...(recovery ? { recovery } : {}) });
    const journal = newJournal({
      platform: ports.platform.name,
      platformFile: ports.platformFile,
      from: spec.from,
      to,
      steps: ids,
      now: ports.now(),
      owner: ports.owner,
      pins: { platformHash: platformHash(ports.platformText()), facts: specFacts(spec) },
      ...(recovery ? { recovery: { broke: recovery.holder } } : {}),
    });
    const lock = await takeLock(route53, spec, ports, input, journal, recovery ? 'recover' : 'switch', ids[0] as StepId, null);
    return run(spec, ports, route53, { ...journal, lock }, ids, 'switch', false);
  });
}

/**
 * --resume or --rollback with no journal on this machine: with --break-lock
 * and a lock record naming an interrupted switch, a recovery towards its
 * target (resume) or its source (rollback), planned from what Route53 and the
 * clusters show.
 */
async function recoverWithoutJournal(input: SwitchInput, ports: OperationPorts): Promise<Outcome> {
  const what = input.mode.kind === 'resume' ? 'resume' : 'roll back';
  const missing = `there is no switch to ${what}: no journal at ${ports.journalPath}`;
  if (!input.breakLock) {
    throw usageError(missing, 'a journal is written when `bascule switch --to COLOUR --apply` runs; pass --journal FILE if it was written elsewhere; if the machine that ran it is lost, add --break-lock to recover from what Route53 and the clusters show');
  }
  const zoneId = ports.platform.clusterNameRecord.zoneId as string;
  const holder = await withRoute53(ports, async (route53) => (await heldLock(route53, zoneId, lockName(ports.platform.clusterNameRecord.name))).map(parseLock));
  const h = holder.length === 1 ? holder[0] : undefined;
  if (h?.kind === 'shift' && (h.from === 'blue' || h.from === 'green') && (h.to === 'blue' || h.to === 'green')) {
    const target = input.mode.kind === 'resume' ? h.to : h.from;
    throw usageError(`${missing}; the lock record names a weighted shift ${h.from} -> ${h.to} (${describeHolder(holder.map((x) => x?.raw ?? ''))})`, `recover it as a weighted shift to one colour: ${commandLine(input, `--to ${target}`, ['--weights', '100', '--break-lock', '--apply'])}`);
  }
  if (!h || h.kind !== 'switch' || (h.from !== 'blue' && h.from !== 'green') || (h.to !== 'blue' && h.to !== 'green')) {
    throw usageError(`${missing}, and the lock record names no interrupted switch to recover`, 'a journal is written when `bascule switch --to COLOUR --apply` runs; pass --journal FILE if it was written elsewhere');
  }
  return applySwitch(input, input.mode.kind === 'resume' ? h.to : h.from, ports, undefined, true);
}

async function resume(input: SwitchInput, ports: OperationPorts, spec: CutoverSpec, existing: Journal): Promise<Outcome> {
  const resumed = resumePlan(existing);
  if ('refused' in resumed) throw usageError(resumed.refused, existing.state === 'completed' ? `to undo it: ${commandLine(input, '--rollback')}` : undefined);
  const checked = checkJournal(existing, spec, ports.platformText(), ports.journalPath);
  const list: readonly { id: StepId }[] = existing.rollback ?? existing.steps;
  return withRoute53(ports, async (route53) => {
    await checkLockEvidence(route53, checked, ports.journalPath);
    await ports.approve({
      kind: 'resume',
      operation: resumed.operation,
      spec,
      journal: existing,
      steps: resumed.steps.map((id) => describeStep(spec, id, existing.before)),
      first: list.findIndex((s) => s.id === resumed.steps[0]) + 1,
      total: list.length,
      journalPath: ports.journalPath,
    });
    const lock = await takeLock(route53, spec, ports, input, checked, resumed.operation, resumed.steps[0] as StepId, existing.lock);
    return run(spec, ports, route53, { ...checked, lock }, resumed.steps, resumed.operation, true);
  });
}

async function rollback(input: SwitchInput, ports: OperationPorts, spec: CutoverSpec, existing: Journal): Promise<Outcome> {
  const begun = beginRollback(existing, ports.now(), ports.owner);
  if ('refused' in begun) throw usageError(begun.refused);
  checkJournal(existing, spec, ports.platformText(), ports.journalPath);
  return withRoute53(ports, async (route53) => {
    await checkLockEvidence(route53, existing, ports.journalPath);
    if (begun.steps.length === 0) {
      ports.writeJournal(begun.journal);
      await finish(route53, begun.journal, ports, 'rollback');
      return { kind: 'nothing-to-undo', result: 'completed', spec, journal: existing, journalPath: ports.journalPath };
    }
    const list = begun.journal.rollback ?? [];
    await ports.approve({
      kind: 'rollback',
      spec,
      journal: existing,
      steps: begun.steps.map((id) => describeStep(spec, id, existing.before)),
      first: list.findIndex((s) => s.id === begun.steps[0]) + 1,
      total: list.length,
      continuing: existing.rollback !== null,
      journalPath: ports.journalPath,
    });
    const lock = await takeLock(route53, spec, ports, input, begun.journal, 'rollback', begun.steps[0] as StepId, existing.lock);
    return run(spec, ports, route53, { ...begun.journal, lock }, begun.steps, 'rollback', false);
  });
}

/** The journal's evidence against the digest its lock record holds (while the operation is unfinished). */
async function checkLockEvidence(route53: Route53Port, j: Journal, path: string): Promise<void> {
  if (!j.lock) return;
  const held = await heldLock(route53, j.lock.zoneId, j.lock.name);
  // Killed between recording what preflight saw and moving the lock on: the lock's digest is the one before it.
  const atPreflight = held.length === 1 && parseLock(held[0] as string)?.step === 'preflight';
  checkEvidence(held, j.lock, [switchEvidence(j), ...(atPreflight ? [switchEvidence(j, null)] : [])], path);
}

const lockFields = (spec: CutoverSpec, j: Journal, op: string, step: StepId) => ({ platform: spec.platform, kind: 'switch' as const, op, from: j.from, to: j.to, step, sha: switchEvidence(j) });

async function takeLock(route53: Route53Port, spec: CutoverSpec, ports: OperationPorts, input: SwitchInput, j: Journal, op: string, step: StepId, mine: LockRecord | null): Promise<LockRecord> {
  const { lock } = await acquireLock(route53, {
    zoneId: spec.txtRecord.zoneId,
    txtRecord: spec.txtRecord.name,
    fields: lockFields(spec, j, op, step),
    now: ports.now(),
    mine,
    breakLock: input.breakLock,
    note: ports.note,
  });
  return lock;
}

/** Writes the journal, runs the steps, releases the lock record: what ran, or where it stopped. */
async function run(spec: CutoverSpec, ports: OperationPorts, route53: Route53Port, journal: Journal, ids: StepId[], operation: Operation, resumed: boolean): Promise<Finished | Failed> {
  ports.writeJournal(journal);
  const op = journal.recovery && operation === 'switch' ? 'recover' : operation;
  const steps: SwitchPorts = {
    ...ports.steps(spec, route53),
    recovering: journal.recovery !== undefined,
    advance: async (j, step) => ({ ...j, lock: j.lock ? await updateLock(route53, j.lock, lockFields(spec, j, op, step), ports.now()) : null }),
  };
  const started = ports.now().getTime();
  let done: { journal: Journal; notes: string[] };
  try {
    done = await runSteps(spec, steps, journal, ids);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    // Nothing changed (stopped at its preflight): the lock goes, another operator may start.
    if (!changedAnything(error.journal) && error.journal.lock) {
      const note = await releaseLock(route53, error.journal.lock, 'switch').catch(() => 'the cut-over lock record could not be removed');
      ports.writeJournal({ ...error.journal, lock: null });
      if (note) ports.note(note);
    }
    const at = ids.indexOf(error.step);
    return { kind: 'failed', result: 'failed', operation, spec, step: error.step, cause: error.cause, ran: ids.slice(0, at), left: ids.slice(at), journal: error.journal };
  }
  const elapsedMs = ports.now().getTime() - started;
  await finish(route53, done.journal, ports, operation);
  const own = ports.platform.clusters[spec.from].domains;
  return {
    kind: 'ran',
    result: 'completed',
    operation,
    resumed,
    platform: ports.platform.name,
    spec,
    ran: ids,
    journal: done.journal,
    journalPath: ports.journalPath,
    notes: done.notes,
    moves: done.journal.before?.moves ?? [],
    orphans: done.journal.before?.orphans ?? [],
    oldDomains: { private: own.private.name, public: own.public.name },
    elapsedMs,
  };
}

/** Releases the lock record once the operation is over; the journal then says so. */
async function finish(route53: Route53Port, journal: Journal, ports: OperationPorts, operation: string): Promise<void> {
  if (!journal.lock) return;
  const note = await releaseLock(route53, journal.lock, operation);
  ports.writeJournal({ ...journal, lock: null });
  if (note) ports.note(note);
}
