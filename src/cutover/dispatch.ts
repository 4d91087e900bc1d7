/**
 * Which cut-over a `bascule switch` command line is (pure but for reading
 * the journals of this machine): `--weights` (or a weighted-only flag) is the
 * weighted shift; `--resume` and `--rollback` act on the platform's last
 * operation, whichever its kind (the unfinished one, else the last written),
 * or on the journal `--journal` names; anything else is the plain switch.
 */
import { usageError } from '../errors.js';
import type { Io } from '../io.js';
import { readPlatform } from '../platform/read.js';
import { isUnfinishedOperation, lastOperation, observeOperations, type OperationKind } from './journals.js';

export interface DispatchFlags {
  config?: string;
  weights?: string;
  gradual?: boolean;
  resume?: boolean;
  rollback?: boolean;
  journal?: string;
  hold?: string;
  flipAt?: string;
  pause?: boolean;
  max5xxRate?: string;
  minRequests?: string;
  maxUnhealthy?: string;
  allowUnwatched?: string[];
  signalInterval?: string;
}

export function cutoverKind(flags: DispatchFlags, io: Pick<Io, 'env' | 'cwd'>): OperationKind {
  if (flags.weights !== undefined || flags.gradual) return 'shift';
  if (!flags.resume && !flags.rollback) {
    const stray = (
      [
        ['--hold', flags.hold],
        ['--flip-at', flags.flipAt],
        ['--pause', flags.pause],
        ['--max-5xx-rate', flags.max5xxRate],
        ['--min-requests', flags.minRequests],
        ['--max-unhealthy', flags.maxUnhealthy],
        ['--signal-interval', flags.signalInterval],
        ['--allow-unwatched', flags.allowUnwatched?.length ? flags.allowUnwatched : undefined],
      ] as const
    ).filter(([, v]) => v !== undefined && v !== false);
    if (stray.length > 0) throw usageError(`${stray.map(([f]) => f).join(', ')} only apply to a weighted shift`, 'add --weights, e.g. --weights 10,50,100');
    return 'switch';
  }
  let platformName: string;
  try {
    platformName = readPlatform(flags.config ?? 'platform.yaml', io.cwd).name;
  } catch {
    return 'switch'; // the command reads the file again and says what is wrong with it
  }
  const ops = observeOperations(io.env, platformName, flags.journal ? { journal: flags.journal, cwd: io.cwd } : {});
  const last = lastOperation(ops);
  // A shift journal this bascule cannot read (an earlier version's) goes to the shift, which refuses it by name.
  if (ops.unreadable.some((u) => u.kind === 'shift') && (!last || !isUnfinishedOperation(last))) return 'shift';
  return last?.kind ?? 'switch';
}
