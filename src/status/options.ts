/** The flags of `bascule status`, validated (pure). */
import { usageError } from '../errors.js';
import { parseCommon, type CommonInput, type RawCommonFlags } from '../cutover/options.js';

export interface StatusInput extends CommonInput {
  readonly output: 'table' | 'json';
}

export interface RawStatusFlags extends RawCommonFlags {
  output?: string;
}

export function parseStatusInput(flags: RawStatusFlags): StatusInput {
  const output = flags.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw usageError(`--output ${JSON.stringify(output)} is not supported`, 'use --output table (the default) or --output json');
  return { ...parseCommon(flags), output };
}
