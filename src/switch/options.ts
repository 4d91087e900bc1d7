/**
 * The flags of `bascule status` and `bascule switch`, validated (pure): raw
 * commander values in, typed inputs out. Every bad value is a usage error
 * naming the flag.
 */
import { usageError } from '../errors.js';
import { parseColour, parseCommon, type CommonInput, type RawCommonFlags } from '../cutover/options.js';
import type { Colour } from '../platform/schema.js';
export { DEFAULT_WAITS, formatMs, parseColour, parseDurationMs, type CommonInput, type Identity, type RawCommonFlags, type Waits } from '../cutover/options.js';
import { dnsNameProblem, normName } from '../production/names.js';

export type SwitchMode = { readonly kind: 'switch'; readonly to: Colour } | { readonly kind: 'resume' } | { readonly kind: 'rollback' };

export interface SwitchInput extends CommonInput {
  readonly mode: SwitchMode;
  readonly apply: boolean;
  readonly yes: boolean;
  readonly journal: string | undefined;
  /** Production names served by the old colour only that the operator accepts leaving there. */
  readonly allowOrphans: readonly string[];
  readonly breakLock: boolean;
  readonly output: 'table' | 'json';
}

export interface RawSwitchFlags extends RawCommonFlags {
  to?: string;
  apply?: boolean;
  yes?: boolean;
  resume?: boolean;
  rollback?: boolean;
  journal?: string;
  allowOrphan?: string[];
  breakLock?: boolean;
  output?: string;
}


export function parseSwitchInput(flags: RawSwitchFlags): SwitchInput {
  const verbs = [flags.to !== undefined ? '--to' : '', flags.resume ? '--resume' : '', flags.rollback ? '--rollback' : ''].filter(Boolean);
  if (verbs.length === 0) {
    throw usageError('say what to do: --to COLOUR, --resume or --rollback', 'e.g. bascule switch --to green --config platform.yaml (prints the plan; add --apply to run it)');
  }
  if (verbs.length > 1) throw usageError(`${verbs.join(' and ')} are exclusive; give one`);
  const mode: SwitchMode = flags.resume ? { kind: 'resume' } : flags.rollback ? { kind: 'rollback' } : { kind: 'switch', to: parseColour('--to', flags.to as string) };
  if (flags.journal !== undefined && flags.journal.trim() === '') throw usageError('--journal is empty');
  if (flags.journal === '-') throw usageError('--journal - is refused: the journal is a file the switch rewrites after each step and reads back on --resume', 'name a file, or leave --journal out for the default under ${XDG_STATE_HOME:-~/.local/state}/bascule');
  const allowOrphans = (flags.allowOrphan ?? []).map(normName);
  for (const [i, name] of allowOrphans.entries()) {
    const problem = dnsNameProblem(name);
    if (problem) throw usageError(`--allow-orphan ${JSON.stringify(flags.allowOrphan?.[i])} ${problem}`, 'name a production record, e.g. --allow-orphan blog.devinfra.local');
  }
  // A recovery (--break-lock without this machine's journal) plans again: it takes the orphans too.
  if (allowOrphans.length > 0 && mode.kind !== 'switch' && !flags.breakLock) throw usageError('--allow-orphan goes with --to (the orphans are decided when a switch starts), or with --break-lock (a recovery plans again)');
  const output = flags.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw usageError(`--output ${JSON.stringify(output)} is not supported`, 'use --output table (the default) or --output json');
  if (output === 'json' && (flags.apply || mode.kind !== 'switch')) throw usageError('--output json prints the plan; it goes with --to and without --apply');
  return {
    ...parseCommon(flags),
    mode,
    apply: flags.apply ?? false,
    yes: flags.yes ?? false,
    journal: flags.journal,
    allowOrphans,
    breakLock: flags.breakLock ?? false,
    output,
  };
}

