/**
 * The weighted shift's forward run: stop the old colour's live ExternalDNS,
 * convert, the stages (stages.ts), settle, start the new colour's live
 * ExternalDNS, the post-check and the fence, record the live colour. Each step
 * moves the lock record on first (a holder whose lock was broken stops), is
 * journalled before and after, and emits what it did; the journal is written
 * before and after every change, so a run killed anywhere resumes where it
 * stopped. The actions are the cut-over's (src/cutover/actions/).
 */
import type { Colour } from '../platform/model.js';
import { BasculeError } from '../errors.js';
import { replicasOf, scaleLive } from '../cutover/actions/live.js';
import { productionFollows, txtClusterName, waitForDns } from '../cutover/actions/follows.js';
import { errorText } from '../cutover/actions/wait.js';
import { SHIFT_STEPS, type SettledName, type ShiftJournal, type ShiftStep } from '../cutover/shift-journal.js';
import type { CutoverSpec } from '../cutover/spec.js';
import type { ZoneKind } from '../production/inventory.js';
import { withLiveAffixes } from '../production/layout.js';
import type { Observed } from '../production/observe.js';
import type { RegistryAffixes } from '../production/registry.js';
import { diffChanges, pairAt, settledFor, stateOf, type ZoneChange } from './batches.js';
import { runStages } from './stages.js';
import { changedUnder, notAsLeft, Run, ShiftFailure, type Outcome, type ShiftRunPorts } from './run.js';

export { changedUnder, notAsLeft, Run, ShiftFailure, type Outcome, type ShiftRunPorts };



// --- The forward steps -------------------------------------------------------------

/** The conversion, zone by zone: a zone already converted (a kill after its batch) is not converted twice. */
async function convert(run: Run): Promise<void> {
  const { from } = run.spec;
  const observed = await run.observe();
  const views = run.views(observed);
  const zones = [...new Set(run.j.before.names.map((n) => n.zoneId))].filter((z) => !run.j.convertedZones.includes(z));
  for (const zoneId of zones) {
    const changes: ZoneChange[] = [];
    const problems: string[] = [];
    for (const n of run.j.before.names.filter((x) => x.zoneId === zoneId && x.action === 'converts')) {
      const view = views.get(n.name) ?? [];
      const state = stateOf(run.j, n, view);
      if (state.kind === 'before') changes.push(...diffChanges(view, pairAt(n.pair, from, { from: 100, to: 0 })).map((change) => ({ zoneId, change })));
      else if (state.kind !== 'pair') problems.push(notAsLeft(run, n, view, 'its records as the plan saw them'));
    }
    if (problems.length > 0) throw changedUnder(problems, 'the conversion');
    await run.write(changes, `bascule shift ${run.spec.platform}: production names of zone ${zoneId} to weighted records (${from} 100, ${run.spec.to} 0)`);
    run.ports.emit({ kind: 'zone-written', what: 'converted', zoneId, names: run.namesIn(zoneId) });
    run.save({ convertedZones: [...run.j.convertedZones, zoneId] }, `zone ${zoneId} converted to weighted records`);
  }
}


/** What the settle writes: computed once from production (the new colour's own records), recorded before its first batch. */
async function settlePlan(run: Run, observed: Observed, affixes: Partial<Record<ZoneKind, RegistryAffixes>>): Promise<SettledName[]> {
  const { to } = run.spec;
  const byName = new Map(observed.names.map((n) => [n.name, n]));
  const out: SettledName[] = [];
  const problems: string[] = [];
  for (const s of run.j.before.names) {
    const n = byName.get(s.name);
    const kind = run.spec.layout.kinds.find((k) => k.kind === n?.kind);
    const settled = n && kind ? settledFor(n, to, kind.colours[to].liveOwner, affixes[n.kind] ?? kind.liveAffixes) : `${s.name} is no longer a production name`;
    if (typeof settled === 'string') problems.push(`${s.name}: ${settled}`);
    else out.push(settled);
  }
  if (problems.length > 0) {
    throw new BasculeError('check', `the shift cannot settle: ${problems.join('; ')}`, { hint: `serve these names from ${to} again (its cluster-scoped ExternalDNS writes its own records), then resume; or roll the shift back` });
  }
  return out;
}

/** Each weighted pair replaced by the new colour's simple records and their registry entries, one batch per zone. */
async function settle(run: Run): Promise<void> {
  const { from, to } = run.spec;
  const { affixes } = await run.liveOf(to);
  let observed = await run.observe(affixes);
  if (run.j.settle === null) {
    run.save({ settle: await settlePlan(run, observed, affixes) }, `the settle planned: ${run.j.before.names.length} names to ${to}'s records`);
    // The lock's evidence now covers what the settle writes (journal-check.ts accepts the digest before it only until here).
    await run.advance('settle-write');
    observed = await run.observe(affixes);
  }
  const views = run.views(observed);
  const zones = [...new Set(run.j.before.names.map((n) => n.zoneId))].filter((z) => !run.j.settledZones.includes(z));
  for (const zoneId of zones) {
    const changes: ZoneChange[] = [];
    const problems: string[] = [];
    for (const n of run.j.before.names.filter((x) => x.zoneId === zoneId)) {
      const view = views.get(n.name) ?? [];
      const target = run.j.settle?.find((s) => s.name === n.name) as SettledName;
      const state = stateOf(run.j, n, view);
      if (state.kind === 'pair' && state.weights.to === 100 && state.weights.from === 0) changes.push(...diffChanges(view, [...target.sets, ...target.registry]).map((change) => ({ zoneId, change })));
      else if (state.kind !== 'settled') problems.push(notAsLeft(run, n, view, `the weighted pair at ${to} 100 / ${from} 0`));
    }
    if (problems.length > 0) throw changedUnder(problems, 'the settle');
    await run.write(changes, `bascule shift ${run.spec.platform}: production names of zone ${zoneId} settled on ${to}`);
    run.ports.emit({ kind: 'zone-written', what: 'settled', zoneId, names: run.namesIn(zoneId) });
    run.save({ settledZones: [...run.j.settledZones, zoneId] }, `zone ${zoneId} settled on ${to}`);
  }
}

/** The fence: the old colour's live ExternalDNS stopped (no pod left) and owning no shifted name. */
export async function fence(run: Run, colour: Colour, names: readonly string[]): Promise<void> {
  await scaleLive(run.spec, run.ports, colour, replicasOf(run.spec, 0));
  const observed = await run.observe((await run.liveOf(colour)).affixes);
  const owned = observed.names.filter((n) => names.includes(n.name) && n.owner.kind === 'live' && n.owner.colour === colour).map((n) => n.name);
  if (owned.length > 0) {
    throw new BasculeError('check', `${colour}'s live ExternalDNS still own ${owned.join(', ')}: they could take ${owned.length === 1 ? 'it' : 'them'} back`, { hint: 'look at the registry entries of these names (bascule status); resume once they name the live colour' });
  }
  run.ports.emit({ kind: 'fence', colour, deployments: run.spec.externalDns.deployments });
}

/** Production and DNS follow the colour, the old one is fenced, and a token for the stable name is accepted. */
async function postcheck(run: Run): Promise<void> {
  const { spec, ports } = run;
  const names = run.j.before.names.map((n) => n.name);
  await fence(run, spec.from, names);
  const live = await run.liveOf(spec.to);
  await productionFollows(spec, ports, {
    colour: spec.to,
    names,
    layout: withLiveAffixes(spec.layout, live.affixes),
    intervalMs: live.intervalMs,
    hint: `the settled records are not ${spec.to}'s: look at them and at ${spec.to}'s live ExternalDNS logs; the journal says how to resume or roll back`,
  });
  for (const note of await waitForDns(spec, ports, spec.to, run.j.before)) ports.emit({ kind: 'note', text: note });
  const name = await txtClusterName(spec, ports);
  if (name !== spec.clusters[spec.to].clusterName) throw new BasculeError('check', `a token for the stable name would be signed for ${name}, not ${spec.clusters[spec.to].clusterName}`);
  const version = await ports.kube[spec.to].version();
  ports.emit({ kind: 'token-accepted', txtName: spec.txtRecord.name, clusterName: name, colour: spec.to, version });
}

async function forwardStep(run: Run, id: Exclude<ShiftStep, 'stages'>): Promise<void> {
  const { spec, ports } = run;
  switch (id) {
    case 'stop-source':
      return scaleLive(spec, ports, spec.from, replicasOf(spec, 0));
    case 'convert':
      return convert(run);
    case 'settle':
      return settle(run);
    case 'start-target':
      return scaleLive(spec, ports, spec.to, replicasOf(spec, 1), { migrateFrom: 'none' });
    case 'postcheck':
      return postcheck(run);
    case 'record-live': {
      const result = ports.writeLive(spec.to, spec.from);
      ports.emit({ kind: 'live-written', result, live: spec.to });
      run.save({ liveRecorded: true });
      return;
    }
  }
}

const next = (id: ShiftStep): ShiftStep | null => SHIFT_STEPS[SHIFT_STEPS.indexOf(id) + 1] ?? null;

/** A step's frame: the lock moved on, journalled as begun, its events, journalled as done. */
export async function inStep(run: Run, id: ShiftStep, title: string, body: () => Promise<void>): Promise<void> {
  await run.advance(id);
  run.save({ at: id, inStep: true });
  const index = SHIFT_STEPS.indexOf(id) + 1;
  run.ports.emit({ kind: 'step-started', index, total: SHIFT_STEPS.length, title });
  run.ports.progress({ step: id, state: 'started', detail: title });
  const started = run.now.getTime();
  await body();
  run.ports.emit({ kind: 'step-done', elapsedMs: run.now.getTime() - started });
  run.save({ at: next(id), inStep: false }, `${id} done`);
}

/** Runs the journal's remaining forward steps; a paused or reverted stage ends the run there. */
export async function runForward(spec: CutoverSpec, ports: ShiftRunPorts, journal: ShiftJournal, titles: (id: ShiftStep) => string): Promise<{ outcome: Outcome; journal: ShiftJournal }> {
  const run = new Run(spec, ports, journal);
  run.save({ state: 'running', revert: null, failure: null });
  const failed = (step: string, error: unknown): never => {
    run.save({ state: 'failed', failure: { step, error: errorText(error), at: run.now.toISOString() } }, `${step} failed: ${errorText(error)}`);
    ports.emit({ kind: 'step-failed' });
    throw new ShiftFailure(step, error, run.j);
  };
  while (run.j.at !== null) {
    const id: ShiftStep = run.j.at;
    try {
      if (id === 'stages') {
        const ended = await runStages(run, titles('stages'));
        if (ended !== 'done') return { outcome: ended, journal: run.j };
        continue;
      }
      await inStep(run, id, titles(id), () => forwardStep(run, id));
    } catch (error) {
      failed(run.j.stage ? `stage ${run.j.stage.index + 1} (${run.j.stage.phase})` : id, error);
    }
  }
  run.save({ state: 'completed' }, `shift complete: production on ${spec.to}, settled`);
  return { outcome: 'completed', journal: run.j };
}
