/**
 * The weighted shift's runner: the stages, each raised, lowered, read back,
 * (flipped once,) held while the signals are watched; a failing signal
 * reverts to the previous stage by itself. Every side effect goes through the
 * ports, the clock included; the journal is written before and after every
 * change, so a killed run resumes where it stopped (same stage, same phase,
 * the hold already served counted).
 */
import { BasculeError } from '../errors.js';
import type { Colour } from '../platform/model.js';
import type { ShiftJournal } from '../cutover/shift-journal.js';
import { conversionBatches, heldWeights, stageWrites, weightsDiffer, restoreBatches, type Change, type ProductionName } from './production.js';
import { evaluateSignals, type Observation } from './signals.js';
import { weightsAt } from './weights.js';

export interface ShiftPorts {
  /** The production names as Route53 holds them now (every page read). */
  read(): Promise<readonly ProductionName[]>;
  /** One atomic change batch, waited until INSYNC. */
  apply(zoneId: string, changes: readonly Change[], comment: string): Promise<void>;
  /** The new colour's target health and 5XX counts since a moment. */
  signals(sinceMs: number): Promise<Observation>;
  /** The API record and the TXT to the new colour (and back). */
  flip(): Promise<void>;
  unflip(): Promise<void>;
  writeJournal(j: ShiftJournal): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  progress?(event: { step: string; state: string; detail?: string }): void;
}

export interface ShiftSettings {
  /** The longest TTL of the production names (a hold lasts at least this). */
  readonly ttlMs: number;
  /** How long a read-back may wait for Route53 to hold the weights. */
  readonly verifyTimeoutMs: number;
  readonly pollMs: number;
  /** How often a hold looks at the signals. */
  readonly signalPollMs: number;
}

export type Outcome = 'completed' | 'paused' | 'reverted' | 'rolled-back';

const other = (c: Colour): Colour => (c === 'blue' ? 'green' : 'blue');

class Run {
  constructor(
    readonly ports: ShiftPorts,
    readonly j: ShiftJournal,
    readonly s: ShiftSettings,
  ) {}

  event(what: string, state = 'done', detail?: string) {
    this.j.events.push({ at: new Date(this.ports.now()).toISOString(), what });
    this.ports.writeJournal(this.j);
    this.ports.progress?.({ step: what, state, ...(detail ? { detail } : {}) });
  }

  /** Only the names the shift moves (those recorded before), as Route53 holds them now. */
  async names(): Promise<ProductionName[]> {
    const keys = new Set(this.j.before.map((n) => `${n.name} ${n.type}`));
    return (await this.ports.read()).filter((n) => keys.has(`${n.name} ${n.type}`));
  }

  async convert() {
    if (this.j.converted) return;
    // From what Route53 holds now: after a kill mid-conversion, converted zones are not converted twice.
    const simple = (await this.names()).filter((n) => n.now.kind === 'simple');
    for (const batch of conversionBatches(simple, this.j.from)) {
      await this.ports.apply(batch.zoneId, batch.changes, `bascule: production names of zone ${batch.zoneId} to weighted records (${this.j.from} 100, ${this.j.to} 0)`);
      this.event(`converted zone ${batch.zoneId} to weighted records`);
    }
    this.j.converted = true;
    this.event('production names are weighted records');
  }

  /** Writes the weights for a share (in the order that never passes 0/0), then reads them back. */
  async moveTo(share: number, fromShare: number) {
    const names = await this.names();
    for (const step of stageWrites(names, this.j.from, this.j.to, weightsAt(share), weightsAt(fromShare))) {
      for (const b of step.batches) await this.ports.apply(b.zoneId, b.changes, `bascule: ${step.colour} weight ${step.weight}`);
      this.event(`back to ${share}%: ${step.colour} weight ${step.weight}`);
    }
    await this.verify(share);
  }

  async verify(share: number) {
    const w = weightsAt(share);
    const expected = { [this.j.to]: w.to, [this.j.from]: w.from } as Record<Colour, number>;
    const deadline = this.ports.now() + this.s.verifyTimeoutMs;
    for (;;) {
      const differ = weightsDiffer(await this.names(), expected, this.j.before);
      if (differ.length === 0) return;
      if (this.ports.now() >= deadline) {
        throw new BasculeError('check', `Route53 does not hold ${this.j.to} ${w.to} / ${this.j.from} ${w.from} on every production name after ${Math.round(this.s.verifyTimeoutMs / 1000)}s: ${differ.slice(0, 5).join('; ')}`, {
          hint: 'someone else may be writing these records (an ExternalDNS still running?); look at the zone, then resume',
        });
      }
      await this.ports.sleep(this.s.pollMs);
    }
  }

  async hold(): Promise<string[] | undefined> {
    const stage = this.j.stage as NonNullable<ShiftJournal['stage']>;
    const from = stage.holdFrom as number;
    const until = from + Math.max(this.s.ttlMs, this.j.holdMs);
    for (;;) {
      const verdict = evaluateSignals(await this.ports.signals(from), this.j.thresholds);
      this.ports.progress?.({ step: `stage ${stage.target}%: hold`, state: verdict.ok ? 'holding' : 'failing', detail: verdict.summary });
      if (!verdict.ok) return [...verdict.failures];
      const now = this.ports.now();
      if (now >= until) return undefined;
      await this.ports.sleep(Math.min(this.s.signalPollMs, until - now));
    }
  }

  async revert(reasons: string[]) {
    const stage = this.j.stage as NonNullable<ShiftJournal['stage']>;
    const back = this.j.share;
    this.event(`stage ${stage.target}% failed: ${reasons.join('; ')}; reverting to ${back}%`, 'failed');
    if (this.j.flipped && back < this.j.flipAt) {
      await this.ports.unflip();
      this.j.flipped = false;
      this.event(`API record and TXT back to ${this.j.from}`);
    }
    await this.moveTo(back, stage.target);
    this.j.revert = { stage: stage.index, to: back, reasons, at: new Date(this.ports.now()).toISOString() };
    this.j.stage = null;
    this.j.state = 'reverted';
    this.event(`reverted to ${this.j.to} ${back}% / ${this.j.from} ${100 - back}%`, 'reverted');
  }

  async shift(): Promise<Outcome> {
    this.j.state = 'running';
    this.j.revert = null;
    this.ports.writeJournal(this.j);
    await this.convert();
    for (let i = this.j.stage?.index ?? this.j.stages.findIndex((p) => p > this.j.share); i >= 0 && i < this.j.stages.length; i += 1) {
      const target = this.j.stages[i] as number;
      if (this.j.stage?.index !== i) {
        this.j.stage = { index: i, target, phase: 'raise' };
        this.event(`stage ${i + 1}/${this.j.stages.length}: ${this.j.to} ${target}%`, 'started');
      }
      const stage = this.j.stage as NonNullable<ShiftJournal['stage']>;
      const names = await this.names();
      if (stage.phase === 'raise' || stage.phase === 'lower') {
        // Raise the new colour's weight first, lower the old one's second: never 0/0.
        const [raise, lower] = stageWrites(names, this.j.from, this.j.to, weightsAt(target), weightsAt(this.j.share));
        for (const step of stage.phase === 'raise' ? [raise, lower] : [lower]) {
          if (!step) continue;
          for (const b of step.batches) await this.ports.apply(b.zoneId, b.changes, `bascule: stage ${target}%, ${step.colour} weight ${step.weight}`);
          stage.phase = step === raise ? 'lower' : 'verify';
          this.event(`stage ${target}%: ${step.colour} weight ${step.weight}`);
        }
      }
      if (stage.phase === 'verify') {
        await this.verify(target);
        stage.phase = target === this.j.flipAt && !this.j.flipped ? 'flip' : 'hold';
        stage.holdFrom = this.ports.now();
        this.event(`stage ${target}%: Route53 holds ${this.j.to} ${target} / ${this.j.from} ${100 - target} on ${this.j.before.length} name${this.j.before.length === 1 ? '' : 's'}`);
      }
      if (stage.phase === 'flip') {
        await this.ports.flip();
        this.j.flipped = true;
        stage.phase = 'hold';
        this.event(`stage ${target}%: API record and TXT now name ${this.j.to}`);
      }
      const failures = await this.hold();
      if (failures) {
        await this.revert(failures);
        return 'reverted';
      }
      this.j.share = target;
      this.j.stage = null;
      const last = i === this.j.stages.length - 1;
      if (this.j.pause && !last) {
        this.j.state = 'paused';
        this.event(`stage ${target}% held: paused`, 'paused');
        return 'paused';
      }
      this.event(`stage ${target}% held`);
    }
    this.j.state = 'completed';
    this.event(`shift complete: ${this.j.to} 100%`, 'completed');
    return 'completed';
  }

  /** Back to exactly what was there before: at once, or stage by stage (each held a TTL). */
  async rollback(gradual: boolean): Promise<Outcome> {
    this.j.rollback = { gradual };
    this.j.state = 'rolling-back';
    this.j.revert = null;
    this.event(`rollback ${gradual ? 'stage by stage' : 'at once'} from ${this.j.to} ${this.j.share}%`, 'started');
    // A stage in progress may have written part of its weights: read what Route53 holds.
    if (this.j.stage) {
      const held = (await this.names()).map(heldWeights).find((w) => w !== undefined);
      if (held) this.j.share = Math.max(this.j.share, held[this.j.to]);
      this.j.stage = null;
    }
    if (gradual) {
      const steps = [...this.j.stages.filter((p) => p < this.j.share)].reverse();
      for (const p of [...steps.filter((p) => p > this.j.startShare), this.j.startShare]) {
        if (p >= this.j.share) continue;
        if (this.j.flipped && p < this.j.flipAt) await this.unflip();
        if (this.j.converted || this.j.before.some((n) => n.now.kind === 'weighted')) await this.moveTo(p, this.j.share);
        this.j.share = p;
        this.event(`rolled back to ${this.j.to} ${p}%`);
        const until = this.ports.now() + this.s.ttlMs;
        while (this.ports.now() < until) await this.ports.sleep(Math.min(this.s.pollMs, until - this.ports.now()));
      }
    }
    if (this.j.flipped) await this.unflip();
    const current = await this.names();
    for (const b of restoreBatches(this.j.before, current)) {
      await this.ports.apply(b.zoneId, b.changes, `bascule: production names of zone ${b.zoneId} as before the shift`);
      this.event(`zone ${b.zoneId} as before the shift`);
    }
    const after = await this.names();
    const differ = differsFromBefore(this.j.before, after);
    if (differ.length > 0) throw new BasculeError('check', `after the rollback Route53 does not hold what it held before: ${differ.slice(0, 5).join('; ')}`);
    this.j.converted = this.j.before.every((n) => n.now.kind === 'weighted');
    this.j.share = this.j.startShare;
    this.j.state = 'rolled-back';
    this.j.rollback = null;
    this.event('rolled back: production as before the shift', 'rolled-back');
    return 'rolled-back';
  }

  async unflip() {
    await this.ports.unflip();
    this.j.flipped = false;
    this.event(`API record and TXT back to ${this.j.from}`);
  }
}

/** Names whose record sets differ from the snapshot (simple: values/alias/TTL; weighted: weights). */
export function differsFromBefore(before: readonly ProductionName[], now: readonly ProductionName[]): string[] {
  const held = new Map(now.map((n) => [`${n.name} ${n.type}`, n]));
  const out: string[] = [];
  for (const b of before) {
    const n = held.get(`${b.name} ${b.type}`);
    if (!n) out.push(`${b.name} ${b.type}: missing`);
    else if (b.now.kind !== n.now.kind) out.push(`${b.name} ${b.type}: ${n.now.kind}, was ${b.now.kind}`);
    else if (b.now.kind === 'simple' && n.now.kind === 'simple' && JSON.stringify(b.now.set) !== JSON.stringify(n.now.set)) out.push(`${b.name} ${b.type}: changed`);
    else if (JSON.stringify(heldWeights(b)) !== JSON.stringify(heldWeights(n))) out.push(`${b.name} ${b.type}: other weights`);
  }
  return out;
}

export function runShift(ports: ShiftPorts, journal: ShiftJournal, settings: ShiftSettings): Promise<Outcome> {
  if (journal.state === 'rolling-back') return new Run(ports, journal, settings).rollback(journal.rollback?.gradual ?? false);
  return new Run(ports, journal, settings).shift();
}

export function rollbackShift(ports: ShiftPorts, journal: ShiftJournal, settings: ShiftSettings, gradual: boolean): Promise<Outcome> {
  return new Run(ports, journal, settings).rollback(journal.rollback?.gradual ?? gradual);
}

export { other };
