/**
 * The fleet's platforms, each loaded on its own: a file that does not load
 * is that member's error (named by `fleet check` and `status --fleet`), never
 * the fleet's.
 */
import { BasculeError } from '../errors.js';
import type { Platform } from './model.js';
import { readPlatform } from './read.js';
import type { Fleet, FleetEntry } from './fleet-file.js';

export type Member = { readonly entry: FleetEntry; readonly platform: Platform } | { readonly entry: FleetEntry; readonly error: BasculeError };

export const loaded = (m: Member): m is { entry: FleetEntry; platform: Platform } => 'platform' in m;

export function loadMembers(fleet: Fleet, cwd: string): Member[] {
  return fleet.entries.map((entry): Member => {
    try {
      return { entry, platform: readPlatform(entry.file, cwd) };
    } catch (error) {
      return { entry, error: error instanceof BasculeError ? error : new BasculeError('internal', `${entry.file}: ${(error as Error).message}`) };
    }
  });
}
