/**
 * The switch as one operation (no printing): `operate` plans a switch, or
 * runs one, resumes one or rolls one back, through the ports the wiring
 * (commands.ts) builds, and returns what happened as data: what ran, what is
 * left, the inventory, the result. The presentation (present.ts) turns that
 * into text or JSON.
 *
 * switch --apply, in order: journal (refuse a second switch) -> clusters ->
 * spec -> preview and confirmation (ports.approve) -> lock -> steps, each
 * journalled before and after (execute.ts) -> lock released.
 */
import { BasculeError, usageError } from '../errors.js';
import type { Colour, Platform } from '../platform/model.js';
import { readInventory, runSteps, StepFailure, type SwitchPorts } from './execute.js';
import { unallowedOrphans, type Inventory } from './inventory.js';
import {
  beginRollback,
  blocksNewSwitch,
  changedAnything,
  describeJournal,
  journalConsistency,
  newJournal,
  resumePlan,
  type Before,
  type Journal,
  type LockRecord,
  type Operation,
  type StepId,
} from './journal.js';
import { acquireLock, releaseLock } from '../cutover/lock.js';
import type { SwitchInput } from './options.js';
import { describeStep, switchStepIds, type PlannedStep } from './plan.js';
import { commandLine } from './present.js';
import type { Route53Port } from './route53.js';
import {
  buildSpec,
  changedFacts,
  checkTarget,
  colourOfApiTarget,
  missingZones,
  other,
  platformHash,
  requireZones,
  specFacts,
  txtValue,
  type SwitchSpec,
} from '../cutover/spec.js';

/** What the operation reaches the world through (commands.ts builds them from io, the platform and the flags). */
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
  readonly steps: (spec: SwitchSpec, route53: Route53Port) => SwitchPorts;
  /** Shows what is about to run and asks; throws when not confirmed. */
  readonly approve: (preview: Preview) => Promise<void>;
  /** A line a human should read (stderr). */
  readonly note: (line: string) => void;
  readonly now: () => Date;
  readonly owner: Journal['owner'];
}

/** The plan of a switch (no --apply): changes nothing. */
export interface SwitchPlan {
  readonly kind: 'plan';
  readonly platform: string;
  readonly file: string;
  readonly spec: SwitchSpec;
  readonly steps: readonly PlannedStep[];
  /** The production records, or why they were not read. */
  readonly inventory: Inventory | string;
  readonly refusedOrphans: readonly string[];
  /** Zone ids the platform file does not set (the plan is shown, then refused). */
  readonly missing: readonly string[];
  readonly journalPath: string;
}

/** What runs once confirmed. */
export type Preview =
  | { readonly kind: 'switch'; readonly spec: SwitchSpec; readonly steps: readonly PlannedStep[]; readonly journalPath: string }
  | {
      readonly kind: 'resume';
      readonly operation: Operation;
      readonly spec: SwitchSpec;
      readonly journal: Journal;
      readonly steps: readonly PlannedStep[];
      readonly first: number;
      readonly total: number;
      readonly journalPath: string;
    }
  | {
      readonly kind: 'rollback';
      readonly spec: SwitchSpec;
      readonly journal: Journal;
      readonly steps: readonly PlannedStep[];
      readonly first: number;
      readonly total: number;
      readonly continuing: boolean;
      readonly journalPath: string;
    };

/** The operation ran to its end. */
export type Finished =
  | {
      readonly kind: 'ran';
      readonly result: 'completed';
      readonly operation: Operation;
      /** A resumed operation (its summary is shorter). */
      readonly resumed: boolean;
      readonly platform: string;
      readonly spec: SwitchSpec;
      readonly ran: readonly StepId[];
      readonly journal: Journal;
      readonly journalPath: string;
      /** What a human must do or know. */
      readonly notes: readonly string[];
      /** The inventory's names: moved, and left on the old colour (allowed orphans). */
      readonly moves: readonly string[];
      readonly orphans: readonly string[];
      readonly oldDomains: { readonly private: string; readonly public: string };
      readonly elapsedMs: number;
    }
  | { readonly kind: 'nothing-to-undo'; readonly result: 'completed'; readonly spec: SwitchSpec; readonly journal: Journal; readonly journalPath: string };

/** A step failed: the journal says where; the presentation says how to resume or roll back. */
export interface Failed {
  readonly kind: 'failed';
  readonly result: 'failed';
  readonly operation: Operation;
  readonly spec: SwitchSpec;
  readonly step: StepId;
  readonly cause: unknown;
  /** The steps done before it, and the ones left (the failed one first). */
  readonly ran: readonly StepId[];
  readonly left: readonly StepId[];
  readonly journal: Journal;
}

export type Outcome = SwitchPlan | Finished | Failed;

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

function specFor(ports: OperationPorts, input: SwitchInput, endpoints: Record<Colour, string>, from: Colour, to: Colour, extra: { allowOrphans?: readonly string[]; planOnly?: boolean }): SwitchSpec {
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
  return {
    kind: 'plan',
    platform: platform.name,
    file: platform.source,
    spec,
    steps,
    inventory,
    refusedOrphans: typeof inventory === 'string' ? [] : unallowedOrphans(inventory, spec.allowOrphans).missing,
    missing: missingZones(platform),
    journalPath: ports.journalPath,
  };
}

async function planInventory(spec: SwitchSpec, ports: OperationPorts): Promise<Inventory | string> {
  if (spec.live.length === 0) return 'externalDns.enabled is false: no production records to inventory';
  const missing = missingZones(ports.platform);
  if (missing.length > 0) return `not taken: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`;
  const route53 = await ports.route53();
  try {
    return await readInventory(spec, route53, spec.from, spec.to, {});
  } catch (error) {
    if (error instanceof BasculeError) return `not taken: ${error.message}`;
    throw error;
  } finally {
    route53.destroy();
  }
}

// --- switch --apply, --resume, --rollback -------------------------------------

async function apply(input: SwitchInput, ports: OperationPorts): Promise<Outcome> {
  const { platform, journalPath } = ports;
  const platformText = ports.platformText();
  const existing = ports.readJournal();
  if (input.mode.kind === 'switch') {
    const to = input.mode.to;
    refuseUnfinished(existing, ports, input, 'start another');
    checkTarget(platform, to);
    const spec = specFor(ports, input, await ports.connect(), other(to), to, { allowOrphans: input.allowOrphans });
    const ids = switchStepIds(spec);
    await ports.approve({ kind: 'switch', spec, steps: ids.map((id) => describeStep(spec, id, null)), journalPath });
    return withRoute53(ports, async (route53) => {
      const lock = await takeLock(route53, spec, ports, input, `switch=${spec.from}->${to}`, null);
      const journal = newJournal({
        platform: platform.name,
        platformFile: ports.platformFile,
        from: spec.from,
        to,
        steps: ids,
        now: ports.now(),
        owner: ports.owner,
        pins: { platformHash: platformHash(platformText), facts: specFacts(spec) },
        lock,
      });
      return run(spec, ports, route53, journal, ids, 'switch', false);
    });
  }

  if (!existing) {
    throw usageError(`there is no switch to ${input.mode.kind === 'resume' ? 'resume' : 'roll back'}: no journal at ${journalPath}`, 'a journal is written when `bascule switch --to COLOUR --apply` runs; pass --journal FILE if it was written elsewhere');
  }
  if (existing.platform !== platform.name) {
    throw usageError(`the journal ${journalPath} is for platform ${existing.platform}, not ${platform.name}`, 'pass the --config the switch was started with');
  }
  const spec = specFor(ports, input, await ports.connect(), existing.from, existing.to, {});
  if (ports.platformFile !== existing.platformFile) ports.note(`the switch was started with ${existing.platformFile}; using ${ports.platformFile}`);

  if (input.mode.kind === 'resume') {
    const resumed = resumePlan(existing);
    if ('refused' in resumed) throw usageError(resumed.refused, existing.state === 'completed' ? `to undo it: ${commandLine(input, '--rollback')}` : undefined);
    const checked = checkJournal(existing, spec, platformText, journalPath);
    const list: readonly { id: StepId }[] = existing.rollback ?? existing.steps;
    await ports.approve({
      kind: 'resume',
      operation: resumed.operation,
      spec,
      journal: existing,
      steps: resumed.steps.map((id) => describeStep(spec, id, existing.before)),
      first: list.findIndex((s) => s.id === resumed.steps[0]) + 1,
      total: list.length,
      journalPath,
    });
    return withRoute53(ports, async (route53) => {
      const lock = await takeLock(route53, spec, ports, input, `${resumed.operation}=${spec.from}->${spec.to}`, existing.lock);
      return run(spec, ports, route53, { ...checked, lock }, resumed.steps, resumed.operation, true);
    });
  }

  const begun = beginRollback(existing, ports.now(), ports.owner);
  if ('refused' in begun) throw usageError(begun.refused);
  checkJournal(existing, spec, platformText, journalPath);
  return withRoute53(ports, async (route53) => {
    if (begun.steps.length === 0) {
      ports.writeJournal(begun.journal);
      await finish(route53, begun.journal, ports, 'rollback');
      return { kind: 'nothing-to-undo', result: 'completed', spec, journal: existing, journalPath };
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
      journalPath,
    });
    const lock = await takeLock(route53, spec, ports, input, `rollback=${spec.from}->${spec.to}`, existing.lock);
    return run(spec, ports, route53, { ...begun.journal, lock }, begun.steps, 'rollback', false);
  });
}

async function withRoute53<T>(ports: OperationPorts, use: (route53: Route53Port) => Promise<T>): Promise<T> {
  const route53 = await ports.route53();
  try {
    return await use(route53);
  } finally {
    route53.destroy();
  }
}

/** Writes the journal, runs the steps, releases the lock record: what ran, or where it stopped. */
async function run(spec: SwitchSpec, ports: OperationPorts, route53: Route53Port, journal: Journal, ids: StepId[], operation: Operation, resumed: boolean): Promise<Finished | Failed> {
  ports.writeJournal(journal);
  const steps = ports.steps(spec, route53);
  steps.out('');
  const started = ports.now().getTime();
  let done: { journal: Journal; notes: string[] };
  try {
    done = await runSteps(spec, steps, journal, ids);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    // Nothing changed (stopped at its preflight): the lock goes, another operator may start.
    if (!changedAnything(error.journal) && error.journal.lock) {
      const note = await releaseLock(route53, error.journal.lock, 'switch').catch(() => 'the switch lock record could not be removed');
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

async function takeLock(route53: Route53Port, spec: SwitchSpec, ports: OperationPorts, input: SwitchInput, operation: string, mine: LockRecord | null): Promise<LockRecord> {
  return acquireLock(route53, {
    zoneId: spec.txtRecord.zoneId,
    txtRecord: spec.txtRecord.name,
    platform: spec.platform,
    operation,
    now: ports.now(),
    mine,
    breakLock: input.breakLock,
    note: ports.note,
  });
}

// --- The journal's pins ---------------------------------------------------------

/** The facts a rollback's before values can hold: what a preflight of this switch can have recorded. */
function beforeProblem(spec: SwitchSpec, j: Journal) {
  return (before: Before): string | undefined => {
    const from = spec.clusters[j.from];
    if (before.api !== null) {
      if (before.api.values.length !== 1 || colourOfApiTarget(spec.clusters, before.api.values[0] as string) !== j.from) {
        return `the API record's value ${before.api.values.join(' ')} is not ${j.from}'s endpoint (${from.endpointHost})`;
      }
    }
    if (before.txt === null || before.txt.values.length !== 1 || before.txt.values[0] !== txtValue(from.clusterName)) {
      return `the cluster-name record's value ${before.txt ? before.txt.values.join(' ') : '(none)'} is not ${txtValue(from.clusterName)}`;
    }
    const names = Object.keys(before.replicas);
    if (names.sort().join(',') !== [...spec.externalDns.deployments].sort().join(',')) return `its replicas name ${names.join(', ') || 'nothing'}, not ${spec.externalDns.deployments.join(', ')}`;
    const domains = spec.production.map((z) => z.domain);
    const stray = [...(before.moves ?? []), ...(before.orphans ?? [])].filter((n) => !domains.some((d) => n.endsWith(`.${d}`)));
    if (stray.length > 0) return `its production names ${stray.join(', ')} are not under ${domains.join(' or ')}`;
    return undefined;
  };
}

/**
 * Refuses a journal whose pinned inputs changed, or that was edited: names
 * what. A switch that changed nothing yet (stopped at its preflight) is
 * planned again from the file as it is now: its pins are renewed.
 */
function checkJournal(j: Journal, spec: SwitchSpec, platformText: string, path: string): Journal {
  const hashNow = platformHash(platformText);
  const changed = changedFacts(j.pins.facts, specFacts(spec));
  if (!changedAnything(j)) {
    const problem = journalConsistency(j, { steps: switchStepIds(spec), beforeProblem: beforeProblem(spec, j) });
    if (problem) throw new BasculeError('refused', `the switch journal ${path} is not one bascule wrote: ${problem}; it is refused, not obeyed`, { hint: 'move it aside; nothing was changed' });
    return { ...j, pins: { platformHash: hashNow, facts: specFacts(spec) } };
  }
  if (changed.length > 0 || hashNow !== j.pins.platformHash) {
    const what = changed.length > 0 ? changed.map((c) => `  - ${c}`).join('\n') : `  - the file's text (sha256 ${j.pins.platformHash.slice(0, 12)}... -> ${hashNow.slice(0, 12)}...), no fact the steps use`;
    throw new BasculeError('refused', `the platform file ${spec.platformFile} changed since the switch ${j.from} -> ${j.to} started (journal ${path}):\n${what}`, {
      hint: 'the journal was planned from the old file: restore it (git diff / git checkout), then retry; nothing was changed',
    });
  }
  const problem = journalConsistency(j, { steps: switchStepIds(spec), beforeProblem: beforeProblem(spec, j) });
  if (problem) {
    throw new BasculeError('refused', `the switch journal ${path} is not one bascule wrote: ${problem}; it is refused, not obeyed`, {
      hint: 'restore the journal bascule wrote; otherwise look at Route53 and both clusters (`bascule status`) and repair by hand; nothing was changed',
    });
  }
  return j;
}
