/**
 * What a switch operation decided or did, as data (operation.ts returns it;
 * present.ts turns it into text or JSON). Refusals are data too: the
 * presenter phrases them.
 */
import type { CutoverSpec } from '../cutover/spec.js';
import type { Journal, Operation, StepId } from '../cutover/switch-journal.js';
import type { PlannedStep } from './plan.js';
import type { SwitchInventory } from './verdicts.js';

/** The plan of a switch (no --apply): changes nothing. */
export interface SwitchPlan {
  readonly kind: 'plan';
  readonly platform: string;
  readonly file: string;
  readonly spec: CutoverSpec;
  readonly steps: readonly PlannedStep[];
  /** The production records judged for this switch, or why they were not read. */
  readonly inventory: SwitchInventory | string;
  readonly refusedOrphans: readonly string[];
  /** Weighted production names (a shift left half-way): the switch refuses them. */
  readonly weighted: readonly string[];
  /** Zone ids the platform file does not set (the plan is shown, then refused). */
  readonly missing: readonly string[];
  readonly journalPath: string;
}

/** A recovery: the lock of an interrupted cut-over is broken, the plan rebuilt from what Route53 and the clusters show. */
export interface Recovery {
  /** The holder the lock names (who, since when, what, at which step). */
  readonly holder: string;
}

/** What runs once confirmed. */
export type Preview =
  | { readonly kind: 'switch'; readonly spec: CutoverSpec; readonly steps: readonly PlannedStep[]; readonly journalPath: string; readonly recovery?: Recovery }
  | {
      readonly kind: 'resume';
      readonly operation: Operation;
      readonly spec: CutoverSpec;
      readonly journal: Journal;
      readonly steps: readonly PlannedStep[];
      readonly first: number;
      readonly total: number;
      readonly journalPath: string;
    }
  | {
      readonly kind: 'rollback';
      readonly spec: CutoverSpec;
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
      readonly spec: CutoverSpec;
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
  | { readonly kind: 'nothing-to-undo'; readonly result: 'completed'; readonly spec: CutoverSpec; readonly journal: Journal; readonly journalPath: string };

/** A step failed: the journal says where; the presentation says how to resume or roll back. */
export interface Failed {
  readonly kind: 'failed';
  readonly result: 'failed';
  readonly operation: Operation;
  readonly spec: CutoverSpec;
  readonly step: StepId;
  readonly cause: unknown;
  /** The steps done before it, and the ones left (the failed one first). */
  readonly ran: readonly StepId[];
  readonly left: readonly StepId[];
  readonly journal: Journal;
}

export type Outcome = SwitchPlan | Finished | Failed;
