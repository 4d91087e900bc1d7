/**
 * The stages of a weighted shift: each one raised, lowered, read back,
 * (flipped once,) held while the signals of the shifted names' load balancers
 * are watched; a failing signal reverts to the previous share by itself. The
 * moves never pass 0/0 (Route53 splits equally when every weight is 0). A
 * gradual rollback walks the same moves down.
 */
import { BasculeError } from '../errors.js';
import { applyBatches, readBack, repointChanges, restoreChanges } from '../cutover/actions/records.js';
import { waitUntil } from '../cutover/actions/wait.js';
import { effectiveTtl } from '../production/records.js';
import { moveWrites, pairWeights, weightChanges } from './batches.js';
import type { Run } from './run.js';
import { evaluateSignals, observeSignals } from './signals.js';
import { weightsAt } from './weights.js';

/** The longest time a resolver may keep an answer of a shifted name (its records of before, its pair). */
export function ttlMs(run: Run): number {
  const ttls = run.j.before.names.flatMap((n) => [n.ttl, ...n.pair.map(effectiveTtl)]);
  return Math.max(0, ...ttls) * 1000;
}

/** Reads Route53 back until every shifted name holds the share's weights (bounded by --timeout). */
async function verify(run: Run, share: number): Promise<void> {
  const { spec, ports } = run;
  const w = weightsAt(share);
  await waitUntil(ports, { timeoutMs: spec.waits.timeoutMs, pollMs: spec.waits.pollMs, step: 'weights', hint: 'someone else may be writing these records (an ExternalDNS still running?); look at the zone, then resume' }, async () => {
    const views = run.views(await run.observe());
    const differ: string[] = [];
    for (const n of run.j.before.names) {
      const held = pairWeights(views.get(n.name) ?? [], n.pair, spec.from);
      if (!held) differ.push(`${n.name}: not the shift's weighted pair`);
      else if (held.to !== w.to || held.from !== w.from) differ.push(`${n.name}: ${spec.to} ${held.to} / ${spec.from} ${held.from}`);
    }
    return { done: differ.length === 0, state: `Route53 does not hold ${spec.to} ${w.to} / ${spec.from} ${w.from} on every shifted name: ${differ.slice(0, 5).join('; ')}` };
  });
  ports.emit({ kind: 'weights-held', to: spec.to, from: spec.from, share, names: run.j.before.names.length });
}

/** One colour's weight on every shifted name, one batch per zone. */
async function writeWeight(run: Run, share: number, colour: 'blue' | 'green', weight: number): Promise<void> {
  await applyBatches(run.spec, run.ports, weightChanges(run.j.before.names, colour, weight), `bascule shift ${run.spec.platform}: ${run.spec.to} ${share}%, ${colour} weight ${weight}`);
  run.ports.emit({ kind: 'weight', share, colour, weight });
}

/** Moves the weights from one share to another (never 0/0 on the way), then reads them back. */
export async function moveTo(run: Run, share: number, current: number): Promise<void> {
  const { from, to } = run.spec;
  for (const step of moveWrites(from, to, weightsAt(share), weightsAt(current))) await writeWeight(run, share, step.colour, step.weight);
  await verify(run, share);
}

/** The API record and the TXT to the new colour (once, at the flip stage). */
async function flip(run: Run): Promise<void> {
  const changes = repointChanges(run.spec, run.spec.to);
  await applyBatches(run.spec, run.ports, changes, `bascule shift ${run.spec.platform}: ${run.spec.from} -> ${run.spec.to}, the API record and the TXT`);
  await readBack(run.ports, changes);
  run.save({ flipped: true }, `the API record and the TXT name ${run.spec.to}`);
  run.ports.emit({ kind: 'flipped', colour: run.spec.to });
}

/** The API record and the TXT back to what they were before the shift. */
export async function unflip(run: Run): Promise<void> {
  const changes = await restoreChanges(run.spec, run.ports, run.j.before);
  if (changes.length > 0) await applyBatches(run.spec, run.ports, changes, `bascule shift ${run.spec.platform}: the API record and the TXT back to ${run.spec.from}`);
  run.save({ flipped: false }, `the API record and the TXT name ${run.spec.from} again`);
  run.ports.emit({ kind: 'flipped', colour: run.spec.from });
}

/** Holds a stage at least one TTL and --hold, watching the signals; returns why it failed, or undefined. */
async function hold(run: Run): Promise<readonly string[] | undefined> {
  const { ports } = run;
  const stage = run.j.stage as NonNullable<typeof run.j.stage>;
  const since = Date.parse(stage.holdFrom as string);
  const until = since + Math.max(ttlMs(run), run.j.options.holdMs);
  for (;;) {
    const observed = run.j.signals.length > 0 ? await observeSignals(ports.signals, run.j.signals, since, run.now.getTime()) : { targets: [], counts: [] };
    const verdict = evaluateSignals(observed, run.j.options.thresholds, run.j.signals.length > 0);
    const now = run.now.getTime();
    ports.emit({ kind: 'hold', share: stage.target, ok: verdict.ok, summary: verdict.summary, leftMs: Math.max(0, until - now) });
    if (!verdict.ok) return verdict.failures;
    if (now >= until) return undefined;
    await ports.sleep(Math.min(run.j.options.signalPollMs, until - now));
  }
}

/** A stage failed its hold: back to the share held before it (the API record and TXT too, below the flip stage). */
async function revert(run: Run, reasons: readonly string[]): Promise<void> {
  const stage = run.j.stage as NonNullable<typeof run.j.stage>;
  const back = run.j.share;
  run.ports.emit({ kind: 'reverting', share: stage.target, back, reasons });
  run.save({ moving: back }, `stage ${stage.target}% failed: ${reasons.join('; ')}; reverting to ${back}%`);
  await run.advance(`stage-${stage.index + 1}-revert`);
  if (run.j.flipped && back < run.j.options.flipAt) await unflip(run);
  await moveTo(run, back, stage.target);
  run.save({ stage: null, moving: null, state: 'reverted', revert: { stage: stage.index, to: back, reasons, at: run.now.toISOString() } }, `reverted to ${run.spec.to} ${back}%`);
  run.ports.emit({ kind: 'reverted', to: run.spec.to, from: run.spec.from, share: back });
}

/** One stage, from the phase the journal says. */
async function runStage(run: Run, index: number): Promise<'held' | 'reverted'> {
  const target = run.j.options.stages[index] as number;
  const phase = () => (run.j.stage as NonNullable<typeof run.j.stage>).phase;
  const to = (p: 'lower' | 'verify' | 'flip' | 'hold', extra: { holdFrom?: string } = {}) => run.save({ stage: { index, target, phase: p, ...extra } });
  if (run.j.stage?.index !== index) {
    run.save({ stage: { index, target, phase: 'raise' }, moving: target }, `stage ${index + 1}/${run.j.options.stages.length}: ${run.spec.to} ${target}%`);
    run.ports.emit({ kind: 'stage', index: index + 1, total: run.j.options.stages.length, target, to: run.spec.to });
  }
  const [raise, lower] = moveWrites(run.spec.from, run.spec.to, weightsAt(target), weightsAt(run.j.share));
  if (phase() === 'raise') {
    await run.advance(`stage-${index + 1}-raise`);
    await writeWeight(run, target, raise!.colour, raise!.weight);
    to('lower');
  }
  if (phase() === 'lower') {
    await run.advance(`stage-${index + 1}-lower`);
    await writeWeight(run, target, lower!.colour, lower!.weight);
    to('verify');
  }
  if (phase() === 'verify') {
    await verify(run, target);
    to(target === run.j.options.flipAt && !run.j.flipped ? 'flip' : 'hold');
  }
  if (phase() === 'flip') {
    await run.advance(`stage-${index + 1}-flip`);
    if (!run.j.flipped) await flip(run);
    to('hold');
  }
  if (run.j.stage?.holdFrom === undefined) to('hold', { holdFrom: run.now.toISOString() });
  await run.advance(`stage-${index + 1}-hold`);
  const failures = await hold(run);
  if (failures) {
    await revert(run, failures);
    return 'reverted';
  }
  run.save({ share: target, stagesDone: index + 1, stage: null, moving: null }, `stage ${target}% held`);
  run.ports.emit({ kind: 'held', share: target });
  return 'held';
}

/** The stages left; 'done' when the last is held, else where the run stopped. */
export async function runStages(run: Run, title: string): Promise<'done' | 'paused' | 'reverted'> {
  const stages = run.j.options.stages;
  if (!(run.j.at === 'stages' && run.j.inStep)) {
    await run.advance('stages');
    run.save({ at: 'stages', inStep: true });
  }
  run.ports.emit({ kind: 'step-started', index: 3, total: 7, title });
  const started = run.now.getTime();
  for (let i = run.j.stage?.index ?? run.j.stagesDone; i < stages.length; i++) {
    if ((await runStage(run, i)) === 'reverted') return 'reverted';
    if (run.j.options.pause && i < stages.length - 1) {
      run.save({ state: 'paused' }, `stage ${stages[i]}% held: paused`);
      run.ports.emit({ kind: 'paused', share: stages[i] as number });
      return 'paused';
    }
  }
  if (!run.j.flipped) throw new BasculeError('internal', 'the stages ended without the API record and the TXT flipped');
  run.ports.emit({ kind: 'step-done', elapsedMs: run.now.getTime() - started });
  run.save({ at: 'settle', inStep: false }, 'stages done');
  return 'done';
}
