/**
 * One run of the weighted shift (or of its rollback): its spec, its ports, its
 * journal as it stands, and what every step does the same way (journal a
 * change, move the lock on, observe production).
 */
import { BasculeError } from '../errors.js';
import type { Colour } from '../platform/model.js';
import { intervalMs } from '../cutover/actions/live.js';
import { applyBatches } from '../cutover/actions/records.js';
import { errorText } from '../cutover/actions/wait.js';
import type { LiveWrite } from '../cutover/live-edit.js';
import type { ActionPorts } from '../cutover/actions/ports.js';
import { journalled, type ShiftedName, type ShiftJournal } from '../cutover/shift-journal.js';
import type { CutoverSpec } from '../cutover/spec.js';
import type { ZoneKind } from '../production/inventory.js';
import { withLiveAffixes } from '../production/layout.js';
import { observeProduction, type Observed } from '../production/observe.js';
import { affixesFromArgs, type RegistryAffixes } from '../production/registry.js';
import { describeSets, viewOf, type ZoneChange } from './batches.js';
import type { AnyEvent } from './events.js';
import type { SignalPort } from './signals.js';

export interface ShiftRunPorts extends Omit<ActionPorts, 'emit'> {
  readonly emit: (event: AnyEvent) => void;
  readonly signals: SignalPort;
  readonly writeJournal: (journal: ShiftJournal) => void;
  readonly writeLive: (to: Colour, from: Colour) => LiveWrite;
  /** Before each step and phase: the lock record moves on to it (with the journal's evidence); throws when it is no longer ours. */
  readonly advance: (journal: ShiftJournal, step: string) => Promise<ShiftJournal>;
}

export type Outcome = 'completed' | 'paused' | 'reverted' | 'rolled-back';

/** A step failed; the journal says where. */
export class ShiftFailure extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
    readonly journal: ShiftJournal,
  ) {
    super(errorText(cause));
  }
}

/** One run: the spec, the ports, the journal as last written. */
export class Run {
  constructor(
    readonly spec: CutoverSpec,
    readonly ports: ShiftRunPorts,
    public j: ShiftJournal,
  ) {}

  get now(): Date {
    return this.ports.now();
  }

  /** A new journal written: the change, an event. */
  save(change: Partial<ShiftJournal>, what?: string): ShiftJournal {
    this.j = journalled(this.j, this.ports.now(), change, what);
    this.ports.writeJournal(this.j);
    return this.j;
  }

  /** The lock record moved on to `step` (with the evidence the journal holds now). */
  async advance(step: string): Promise<void> {
    this.j = await this.ports.advance(this.j, step);
  }

  /** Production observed once, with the live instances' registry affixes. */
  async observe(affixes: Partial<Record<ZoneKind, RegistryAffixes>> = {}): Promise<Observed> {
    return observeProduction(this.ports.route53, withLiveAffixes(this.spec.layout, affixes));
  }

  /** Each shifted name as Route53 holds it now. */
  views(observed: Observed): Map<string, ReturnType<typeof viewOf>> {
    const settled = new Map((this.j.settle ?? []).map((s) => [s.name, s]));
    return new Map(this.j.before.names.map((n) => [n.name, viewOf(observed.indexes.get(n.zoneId), n, settled.get(n.name))]));
  }

  /** Writes changes, one batch per zone, each waited INSYNC. */
  async write(changes: readonly ZoneChange[], comment: string): Promise<void> {
    if (changes.length > 0) await applyBatches(this.spec, this.ports, changes, comment);
  }

  /** The live registry affixes and ExternalDNS interval of a colour, from its live Deployments. */
  async liveOf(colour: Colour): Promise<{ affixes: Partial<Record<ZoneKind, RegistryAffixes>>; intervalMs: number }> {
    const affixes: Partial<Record<ZoneKind, RegistryAffixes>> = {};
    const intervals: number[] = [];
    for (const live of this.spec.live) {
      const d = await this.ports.kube[colour].deployment(this.spec.externalDns.namespace, live.deployment);
      if (d?.container) {
        affixes[live.kind] = affixesFromArgs(d.container.args);
        intervals.push(intervalMs(d.container.args));
      }
    }
    return { affixes, intervalMs: intervals.length > 0 ? Math.max(...intervals) : 60_000 };
  }

  /** Names of a zone, for messages. */
  namesIn(zoneId: string): string[] {
    return this.j.before.names.filter((n) => n.zoneId === zoneId).map((n) => n.name);
  }
}

/** A name Route53 shows in none of the states the journal allows: named, with what was expected. */
export function notAsLeft(run: Run, n: ShiftedName, view: ReturnType<typeof viewOf>, expected: string): string {
  return `${n.name} (zone ${n.zoneId}): Route53 holds ${describeSets(view)}; the shift left ${expected}`;
}

export function changedUnder(problems: readonly string[], what: string): BasculeError {
  return new BasculeError('check', `Route53 does not hold what the shift left at ${problems.length === 1 ? 'a name' : `${problems.length} names`}, so ${what} writes nothing:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
    hint: 'someone or something else changed these records since (an ExternalDNS still running, a hand edit): look at them (bascule status), put back what the shift left or restore them by hand, then retry',
  });
}
