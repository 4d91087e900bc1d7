/**
 * Runs the planned steps of a switch (or of its rollback), in order, each
 * checked before the next, each journalled before and after, the lock record
 * moved on to it first. The actions are the cut-over's (src/cutover/actions/);
 * what they did comes out as events.
 */
import type { Colour } from '../platform/model.js';
import type { LiveWrite } from '../cutover/live-edit.js';
import type { Owner } from '../cutover/state.js';
import type { ActionPorts } from '../cutover/actions/ports.js';
import { intervalMs, replicasOf, scaleLive } from '../cutover/actions/live.js';
import { applyBatches, readBack, repointChanges, restoreChanges } from '../cutover/actions/records.js';
import { productionFollows, txtClusterName, waitForDns } from '../cutover/actions/follows.js';
import { errorText } from '../cutover/actions/wait.js';
import { BasculeError } from '../errors.js';
import { withLiveAffixes } from '../production/layout.js';
import { affixesFromArgs } from '../production/registry.js';
import type { CutoverSpec } from '../cutover/spec.js';
import { stepDone, stepFailed, stepStarted, type Before, type Journal, type StepId } from '../cutover/switch-journal.js';
import { describeStep } from './plan.js';
import { preflight } from './preflight.js';
import { rollbackPreflight } from './rollback-preflight.js';

export interface SwitchPorts extends ActionPorts {
  readonly writeJournal: (journal: Journal) => void;
  readonly writeLive: (to: Colour, from: Colour) => LiveWrite;
  readonly owner: Owner;
  /** Before each step: the lock record moves on to it (with the journal's evidence); throws when the lock is no longer ours. */
  readonly advance: (journal: Journal, step: StepId) => Promise<Journal>;
  /** A recovery after --break-lock: the preflight accepts what an interrupted cut-over leaves. */
  readonly recovering: boolean;
}

interface StepResult {
  readonly before?: Before;
  /** Something a human must do or know (printed at the end too). */
  readonly notes?: readonly string[];
}

/** A step failed; the journal says so. */
export class StepFailure extends Error {
  constructor(
    readonly step: StepId,
    override readonly cause: unknown,
    readonly journal: Journal,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Waits until the moved names target `colour` and name its live owner: bounded by 3 of its ExternalDNS intervals. */
async function production(spec: CutoverSpec, ports: SwitchPorts, colour: Colour, names: readonly string[]): Promise<void> {
  if (spec.live.length === 0) return;
  if (names.length === 0) {
    ports.emit({ kind: 'note', text: 'no production name to wait for' });
    return;
  }
  const intervals: number[] = [];
  const affixes: Record<string, ReturnType<typeof affixesFromArgs>> = {};
  for (const live of spec.live) {
    const d = await ports.kube[colour].deployment(spec.externalDns.namespace, live.deployment);
    if (d?.container) {
      intervals.push(intervalMs(d.container.args));
      affixes[live.kind] = affixesFromArgs(d.container.args);
    }
  }
  await productionFollows(spec, ports, {
    colour,
    names,
    layout: withLiveAffixes(spec.layout, affixes),
    intervalMs: intervals.length > 0 ? Math.max(...intervals) : 60_000,
    hint: `${colour}'s live ExternalDNS did not take them over: read its logs (kubectl -n ${spec.externalDns.namespace} logs deploy/${spec.live[0]?.deployment}), check its IAM role may change the zones (route53:ChangeResourceRecordSets), its --domain-filter and --txt-owner-id; the journal says how to resume or roll back`,
  });
}

async function repoint(spec: CutoverSpec, ports: SwitchPorts, colour: Colour): Promise<void> {
  const changes = repointChanges(spec, colour);
  await applyBatches(spec, ports, changes, `bascule switch ${spec.platform}: ${spec.from} -> ${spec.to}`);
  await readBack(ports, changes);
}

async function postcheck(spec: CutoverSpec, ports: SwitchPorts, journal: Journal): Promise<StepResult> {
  await production(spec, ports, spec.to, journal.before?.moves ?? []);
  const notes = await waitForDns(spec, ports, spec.to, journal.before);
  // What `bascule token -i <TXT name>` does: resolve, check the allow-list, sign for that cluster.
  const name = await txtClusterName(spec, ports);
  if (name !== spec.clusters[spec.to].clusterName) throw new BasculeError('check', `a token for the stable name would be signed for ${name}, not ${spec.clusters[spec.to].clusterName}`);
  const version = await ports.kube[spec.to].version();
  ports.emit({ kind: 'token-accepted', txtName: spec.txtRecord.name, clusterName: name, colour: spec.to, version });
  return { notes };
}

function recordLive(ports: SwitchPorts, to: Colour, from: Colour): StepResult {
  const result = ports.writeLive(to, from);
  ports.emit({ kind: 'live-written', result, live: to });
  return result.kind === 'manual' ? { notes: [result.instruction] } : {};
}

async function restoreDns(spec: CutoverSpec, ports: SwitchPorts, journal: Journal): Promise<StepResult> {
  if (!journal.before) throw new BasculeError('check', 'the journal holds no record of the DNS values before the switch', { hint: 'restore the API and TXT records by hand' });
  const changes = await restoreChanges(spec, ports, journal.before);
  if (changes.length > 0) await applyBatches(spec, ports, changes, `bascule switch ${spec.platform}: rollback of ${spec.from} -> ${spec.to}`);
  return {};
}

const sourceReplicas = (spec: CutoverSpec, journal: Journal) => Object.fromEntries(spec.externalDns.deployments.map((d) => [d, journal.before?.replicas[d] ?? 1]));

async function execute(spec: CutoverSpec, ports: SwitchPorts, journal: Journal, id: StepId): Promise<StepResult> {
  const { from, to } = spec;
  switch (id) {
    case 'preflight':
      return preflight(spec, ports, ports.recovering);
    case 'stop-source':
      await scaleLive(spec, ports, from, replicasOf(spec, 0));
      return {};
    case 'dns':
      await repoint(spec, ports, to);
      return {};
    case 'start-target':
      await scaleLive(spec, ports, to, replicasOf(spec, 1), { migrateFrom: from });
      return {};
    case 'postcheck':
      return postcheck(spec, ports, journal);
    case 'end-handover':
      await scaleLive(spec, ports, to, replicasOf(spec, 1), { migrateFrom: 'none' });
      return {};
    case 'record-live':
      return recordLive(ports, to, from);
    case 'rollback-preflight':
      await rollbackPreflight(spec, ports, journal);
      return {};
    case 'stop-target':
      await scaleLive(spec, ports, to, replicasOf(spec, 0), { migrateFrom: 'none' });
      return {};
    case 'restore-dns':
      return restoreDns(spec, ports, journal);
    case 'start-source':
      await scaleLive(spec, ports, from, sourceReplicas(spec, journal), { migrateFrom: to });
      return {};
    case 'rollback-postcheck':
      if ((journal.rollback ?? []).some((s) => s.id === 'start-source')) await production(spec, ports, from, journal.before?.moves ?? []);
      return { notes: await waitForDns(spec, ports, from, journal.before) };
    case 'rollback-end-handover':
      await scaleLive(spec, ports, from, sourceReplicas(spec, journal), { migrateFrom: 'none' });
      return {};
    case 'restore-live':
      return recordLive(ports, from, to);
  }
}

/**
 * Runs `ids` (the journal's remaining steps of its operation), journalling
 * each before and after. Returns the final journal and the notes for the
 * human; throws StepFailure (journal written) when a step fails.
 */
export async function runSteps(spec: CutoverSpec, ports: SwitchPorts, journal: Journal, ids: readonly StepId[]): Promise<{ journal: Journal; notes: string[] }> {
  const list = journal.rollback ?? journal.steps;
  const total = list.length;
  const notes: string[] = [];
  let j = journal;
  for (const id of ids) {
    const index = list.findIndex((s) => s.id === id) + 1;
    const step = describeStep(spec, id, j.before);
    j = stepStarted(await ports.advance(j, id), id, ports.now(), ports.owner);
    ports.writeJournal(j);
    ports.emit({ kind: 'step-started', index, total, title: step.title });
    ports.progress({ step: id, state: 'started', detail: step.title });
    const started = ports.now().getTime();
    let result: StepResult;
    try {
      result = await execute(spec, ports, j, id);
    } catch (error) {
      j = stepFailed(j, id, ports.now(), errorText(error));
      ports.writeJournal(j);
      ports.emit({ kind: 'step-failed' });
      ports.progress({ step: id, state: 'failed', detail: errorText(error) });
      throw new StepFailure(id, error, j);
    }
    j = stepDone(j, id, ports.now(), result.before ? { before: result.before } : {});
    ports.writeJournal(j);
    notes.push(...(result.notes ?? []));
    ports.emit({ kind: 'step-done', elapsedMs: ports.now().getTime() - started });
    ports.progress({ step: id, state: 'done' });
  }
  return { journal: j, notes };
}
