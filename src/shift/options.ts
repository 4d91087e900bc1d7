/**
 * The weighted shift's flags, validated (pure): the common cut-over flags
 * (identity, resolver, waits), the mode (--to with --weights, --resume,
 * --rollback [--gradual]), the stages and signals (weights.ts), the names
 * allowed as orphans or unwatched (in the normal form of names). Every bad
 * value is a usage error naming the flag.
 */
import { usageError } from '../errors.js';
import { parseColour, parseCommon, type CommonInput, type RawCommonFlags } from '../cutover/options.js';
import type { ShiftOptions } from '../cutover/shift-journal.js';
import type { Colour } from '../platform/model.js';
import { normName } from '../production/names.js';
import { parseGradualFlags, type RawGradualFlags } from './weights.js';

export type ShiftMode = { readonly kind: 'shift'; readonly to: Colour; readonly options: ShiftOptions } | { readonly kind: 'resume' } | { readonly kind: 'rollback'; readonly gradual: boolean };

export interface ShiftInput extends CommonInput {
  readonly mode: ShiftMode;
  readonly apply: boolean;
  readonly yes: boolean;
  readonly journal: string | undefined;
  readonly allowOrphans: readonly string[];
  readonly allowUnwatched: readonly string[];
  readonly breakLock: boolean;
}

export interface RawShiftFlags extends RawCommonFlags, RawGradualFlags {
  to?: string;
  apply?: boolean;
  yes?: boolean;
  resume?: boolean;
  rollback?: boolean;
  gradual?: boolean;
  journal?: string;
  allowOrphan?: string[];
  allowUnwatched?: string[];
  breakLock?: boolean;
  output?: string;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9_*]([a-z0-9_-]{0,61}[a-z0-9_])?|[^.\s]+)(\.([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?|[^.\s]+))*$/u;

function names(flag: string, values: readonly string[] | undefined): string[] {
  return (values ?? []).map((raw) => {
    const name = normName(raw);
    if (!name.includes('.') || !DNS_NAME.test(name)) throw usageError(`${flag} ${JSON.stringify(raw)} is not a DNS name`, `name a production record, e.g. ${flag} blog.devinfra.local`);
    return name;
  });
}

export function parseShiftInput(flags: RawShiftFlags): ShiftInput {
  const verbs = [flags.to !== undefined ? '--to' : '', flags.resume ? '--resume' : '', flags.rollback ? '--rollback' : ''].filter(Boolean);
  if (verbs.length === 0) throw usageError('say what to do: --to COLOUR with --weights, --resume or --rollback', 'e.g. bascule switch --to green --weights 10,50,100 --config platform.yaml');
  if (verbs.length > 1) throw usageError(`${verbs.join(' and ')} are exclusive; give one`);
  if (flags.gradual && !flags.rollback) throw usageError('--gradual goes with --rollback (a weighted shift stepped back stage by stage)');
  if (flags.output !== undefined && flags.output !== 'table') throw usageError(`--output ${JSON.stringify(flags.output)}: the weighted shift prints its plan as text only`, 'leave --output out');
  if (flags.journal !== undefined && (flags.journal.trim() === '' || flags.journal === '-')) throw usageError('--journal names the file the shift rewrites after every change', 'name a file, or leave --journal out');
  let mode: ShiftMode;
  if (flags.to !== undefined) mode = { kind: 'shift', to: parseColour('--to', flags.to), options: parseGradualFlags(flags) };
  else if (flags.resume) mode = { kind: 'resume' };
  else mode = { kind: 'rollback', gradual: flags.gradual === true };
  const allowOrphans = names('--allow-orphan', flags.allowOrphan);
  const allowUnwatched = names('--allow-unwatched', flags.allowUnwatched);
  if ((allowOrphans.length > 0 || allowUnwatched.length > 0) && mode.kind !== 'shift') throw usageError('--allow-orphan and --allow-unwatched go with --to (they are decided when a shift starts)');
  return {
    ...parseCommon(flags),
    mode,
    apply: flags.apply ?? false,
    yes: flags.yes ?? false,
    journal: flags.journal,
    allowOrphans,
    allowUnwatched,
    breakLock: flags.breakLock ?? false,
  };
}
