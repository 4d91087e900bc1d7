/**
 * The weighted shift's rollback: production exactly as it was before the
 * shift. Before the settle it may step down through the stages first
 * (--gradual, each held one TTL); then, whatever the shift reached, one
 * atomic batch per zone puts back each shifted name's records and registry
 * entries, and the API record and the TXT, written only where Route53 still
 * shows what the journal says the shift left (else refused, naming each
 * record); the old colour's live ExternalDNS start again with their replicas
 * (the new colour's stopped first, after a settle); the post-check; `live:`
 * back when the shift had recorded it.
 */
import { BasculeError } from '../errors.js';
import type { Colour } from '../platform/model.js';
import { replicasOf, scaleLive } from '../cutover/actions/live.js';
import { productionFollows, waitForDns } from '../cutover/actions/follows.js';
import { restoreChanges, simpleRecord, type RecordValue } from '../cutover/actions/records.js';
import { errorText } from '../cutover/actions/wait.js';
import { SHIFT_ROLLBACK_STEPS, type ShiftRollbackStep, type ShiftJournal } from '../cutover/shift-journal.js';
import { txtValuesFor, type CutoverSpec } from '../cutover/spec.js';
import { withLiveAffixes } from '../production/layout.js';
import type { Observed } from '../production/observe.js';
import { targetsOf } from '../production/records.js';
import { registryLabels } from '../production/registry.js';
import { describeAllowed, diffChanges, oversized, pairWeights, stateOf, toBatches, type ZoneChange } from './batches.js';
import { changedUnder, notAsLeft, Run, ShiftFailure, type Outcome, type ShiftRunPorts } from './run.js';
import { moveTo, ttlMs, unflip } from './stages.js';
import { shareOf } from './weights.js';

const sameValue = (a: RecordValue | null, b: RecordValue | null) => (a === null || b === null ? a === b : a.ttl === b.ttl && [...a.values].sort().join('\n') === [...b.values].sort().join('\n'));
const show = (r: RecordValue | null) => (r === null ? 'nothing' : `${r.values.join(' ')} (TTL ${r.ttl})`);

/** Every shifted name still in a state the shift left; the highest share Route53 holds. */
async function currentShare(run: Run): Promise<number> {
  const views = run.views(await run.observe());
  const problems: string[] = [];
  let share = run.j.share;
  for (const n of run.j.before.names) {
    const view = views.get(n.name) ?? [];
    const state = stateOf(run.j, n, view);
    if (state.kind === 'other' || state.kind === 'settled') problems.push(notAsLeft(run, n, view, describeAllowed(run.j, n)));
    const w = pairWeights(view, n.pair, run.spec.from);
    share = Math.max(share, (w && shareOf(w)) ?? 0);
  }
  if (problems.length > 0) throw changedUnder(problems, 'the gradual rollback');
  return share;
}

/** --gradual: down through the stages below the share held (each held one TTL), to the share before the shift. */
async function stepDown(run: Run): Promise<void> {
  let current = await currentShare(run);
  run.save({ share: current, stage: null, moving: null });
  const below = run.j.options.stages.filter((p) => p < current && p > run.j.startShare).reverse();
  for (const p of [...below, run.j.startShare]) {
    if (p >= current) continue;
    run.save({ moving: p }, `rolling back to ${run.spec.to} ${p}%`);
    await run.advance(`rollback-to-${p}`);
    if (run.j.flipped && p < run.j.options.flipAt) await unflip(run);
    await moveTo(run, p, current);
    run.save({ share: p, moving: null }, `rolled back to ${run.spec.to} ${p}%`);
    run.ports.emit({ kind: 'rolled-back-to', to: run.spec.to, share: p });
    current = p;
    const until = run.now.getTime() + ttlMs(run);
    while (run.now.getTime() < until) await run.ports.sleep(Math.min(run.spec.waits.pollMs, until - run.now.getTime()));
  }
}

/** The API and TXT records hold what the flip wrote or what was there before: anything else is refused, named. */
async function recordsAsLeft(run: Run, problems: string[]): Promise<void> {
  const { spec } = run;
  const to = spec.clusters[spec.to];
  const wrote = { api: { values: [to.endpointHost], ttl: spec.apiRecord.ttl }, txt: { values: txtValuesFor(to.clusterName), ttl: spec.txtRecord.ttl } };
  for (const [which, record, type] of [
    ['api', spec.apiRecord, 'CNAME'],
    ['txt', spec.txtRecord, 'TXT'],
  ] as const) {
    const now = await simpleRecord(run.ports, record, type);
    const before = run.j.before[which];
    if (!sameValue(now, wrote[which]) && !sameValue(now, before)) {
      problems.push(`${record.name} ${type} (zone ${record.zoneId}): Route53 holds ${show(now)}, neither what the shift wrote (${show(wrote[which])}) nor what was there before it (${show(before)})`);
    }
  }
}

/**
 * The journal's records of before, against what the old colour serves now:
 * a converted name targeted the old colour's load balancers (what its own
 * record targets) and was owned by its live ExternalDNS. A journal edited
 * after its lock was released (a completed shift) is caught here.
 */
function beforeAgainstSource(run: Run, observed: Observed): string[] {
  const { from } = run.spec;
  const byName = new Map(observed.names.map((n) => [n.name, n]));
  const owners = new Set(run.spec.live.map((l) => l.owner[from]));
  const out: string[] = [];
  for (const n of run.j.before.names.filter((x) => x.action === 'converts')) {
    const own = byName.get(n.name)?.colours[from];
    const targets = targetsOf(n.sets);
    if (!own || own.targets.join(' ') !== targets.join(' ')) {
      out.push(`${n.name}: the journal's records of before target ${targets.join(' ') || 'nothing'}, but ${from}'s own record targets ${own ? own.targets.join(' ') : 'nothing (it does not serve it)'}: the journal is not what the shift saw, or ${from} moved; it is not written`);
    }
    const stray = n.registry.flatMap((r) => r.values ?? []).map((v) => registryLabels(v)?.owner).filter((o) => o === undefined || !owners.has(o));
    if (stray.length > 0) out.push(`${n.name}: the journal's registry entries of before name ${stray.map((o) => o ?? '(unreadable)').join(', ')}, not ${from}'s live ExternalDNS`);
  }
  return out;
}

/** Each shifted name, and the API and TXT records, back to before: one atomic batch per zone, guarded. */
async function restore(run: Run): Promise<void> {
  const observed = await run.observe();
  const views = run.views(observed);
  const distrust = beforeAgainstSource(run, observed);
  if (distrust.length > 0) {
    throw new BasculeError('refused', `the journal ${run.spec.journal} holds records of before the shift that are not what it saw:\n${distrust.map((d) => `  - ${d}`).join('\n')}`, {
      hint: 'restore the journal bascule wrote; otherwise restore these names by hand (bascule status shows production); nothing was changed by the rollback',
    });
  }
  const problems: string[] = [];
  const changes: ZoneChange[] = [];
  for (const n of run.j.before.names) {
    const view = views.get(n.name) ?? [];
    const state = stateOf(run.j, n, view);
    if (state.kind === 'other') problems.push(notAsLeft(run, n, view, describeAllowed(run.j, n)));
    else if (state.kind !== 'before') changes.push(...diffChanges(view, [...n.sets, ...n.registry]).map((change) => ({ zoneId: n.zoneId, change })));
  }
  await recordsAsLeft(run, problems);
  if (problems.length > 0) throw changedUnder(problems, 'the rollback');
  changes.push(...(await restoreChanges(run.spec, run.ports, run.j.before)));
  const big = oversized('the rollback', toBatches(changes));
  if (big.length > 0) throw new BasculeError('check', `${big.join('; ')}: it cannot be restored atomically`, { hint: 'restore these zones by hand from the journal\'s before (they are exact record sets)' });
  await run.write(changes, `bascule shift ${run.spec.platform}: production as before the shift ${run.spec.from} -> ${run.spec.to}`);
  for (const zoneId of new Set(changes.map((c) => c.zoneId))) run.ports.emit({ kind: 'zone-written', what: 'restored', zoneId, names: run.namesIn(zoneId) });
  const after = run.views(await run.observe());
  const left = run.j.before.names.filter((n) => stateOf(run.j, n, after.get(n.name) ?? []).kind !== 'before');
  if (left.length > 0) throw new BasculeError('check', `after the rollback Route53 does not hold what it held before at ${left.map((n) => n.name).join(', ')}`, { hint: 'someone else may be writing these records; look at them' });
  run.save({ flipped: false, share: run.j.startShare, stage: null, moving: null, settle: run.j.settle }, 'production as before the shift');
}

async function postcheck(run: Run): Promise<void> {
  const { spec, ports } = run;
  const names = run.j.before.names.filter((n) => n.action === 'converts').map((n) => n.name);
  const live = await run.liveOf(spec.from);
  await productionFollows(spec, ports, {
    colour: spec.from,
    names,
    layout: withLiveAffixes(spec.layout, live.affixes),
    intervalMs: live.intervalMs,
    hint: `the restored records are not ${spec.from}'s: look at them and at ${spec.from}'s live ExternalDNS`,
  });
  for (const note of await waitForDns(spec, ports, spec.from, run.j.before)) ports.emit({ kind: 'note', text: note });
}

async function rollbackStep(run: Run, id: ShiftRollbackStep): Promise<void> {
  const { spec, ports } = run;
  const replicas = (colour: Colour) => (colour === spec.from ? Object.fromEntries(spec.externalDns.deployments.map((d) => [d, run.j.before.replicas[d] ?? 1])) : replicasOf(spec, 0));
  switch (id) {
    case 'rollback-stages':
      return stepDown(run);
    case 'stop-target':
      return scaleLive(spec, ports, spec.to, replicas(spec.to), { migrateFrom: 'none' });
    case 'restore':
      return restore(run);
    case 'start-source':
      return scaleLive(spec, ports, spec.from, replicas(spec.from), { migrateFrom: 'none' });
    case 'rollback-postcheck':
      return postcheck(run);
    case 'restore-live': {
      const result = ports.writeLive(spec.from, spec.to);
      ports.emit({ kind: 'live-written', result, live: spec.from });
      run.save({ liveRecorded: false });
      return;
    }
  }
}

/** Runs the journal's rollback from where it stands. */
export async function runRollback(spec: CutoverSpec, ports: ShiftRunPorts, journal: ShiftJournal, titles: (id: ShiftRollbackStep) => string): Promise<{ outcome: Outcome; journal: ShiftJournal }> {
  const run = new Run(spec, ports, journal);
  const rb = journal.rollback as NonNullable<ShiftJournal['rollback']>;
  run.save({ state: 'rolling-back', failure: null });
  const ids = rb.at === null ? [] : rb.steps.slice(rb.steps.indexOf(rb.at));
  for (const id of ids) {
    try {
      await run.advance(id.startsWith('rollback') || id.startsWith('restore') ? id : `rollback-${id}`);
      run.save({ rollback: { ...rb, at: id } });
      ports.emit({ kind: 'step-started', index: rb.steps.indexOf(id) + 1, total: rb.steps.length, title: titles(id) });
      const started = run.now.getTime();
      await rollbackStep(run, id);
      ports.emit({ kind: 'step-done', elapsedMs: run.now.getTime() - started });
    } catch (error) {
      run.save({ state: 'rollback-failed', failure: { step: id, error: errorText(error), at: run.now.toISOString() } }, `rollback ${id} failed: ${errorText(error)}`);
      ports.emit({ kind: 'step-failed' });
      throw new ShiftFailure(id, error, run.j);
    }
  }
  run.save({ state: 'rolled-back', rollback: { ...rb, at: null } }, 'rolled back: production as before the shift');
  return { outcome: 'rolled-back', journal: run.j };
}

export { SHIFT_ROLLBACK_STEPS };
