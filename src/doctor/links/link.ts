/**
 * What every link of the doctor's chain is made of: its line of the report,
 * and what it found for the links after it. A link is a check over the
 * doctor's ports (ports.ts) and what the links before it found; it never
 * decides which links run next: doctor.ts does (the order and the skip rule).
 */
import { BasculeError } from '../../errors.js';
import { formatDuration } from '../../text.js';

export type LinkStatus = 'ok' | 'fail' | 'unknown' | 'skipped';

export interface Link {
  readonly name: string;
  readonly status: LinkStatus;
  readonly detail: string;
  readonly fix: string | undefined;
  /** The assume role link: the session asked for (source identity, tags), for scripts. */
  readonly session?: { readonly sourceIdentity: string | null; readonly tags: Readonly<Record<string, string>> };
}

/** A link's line, and what it found for the links after it; undefined: it is broken, and they cannot run. */
export interface Checked<T> {
  readonly link: Link;
  readonly found: T | undefined;
}

export const line = (name: string, status: LinkStatus, detail: string, fix?: string): Link => ({ name, status, detail, fix });
/** The link holds (or is skipped, or broken but not in the way), and the next links run on what it found. */
export const holds = <T>(link: Link, found: T): Checked<T> => ({ link, found });
/** The link is broken: the links that need it do not run. */
export const broken = (link: Link): Checked<never> => ({ link, found: undefined });

export const errText = (error: unknown) => (error instanceof Error ? error.message : String(error));
export const errHint = (error: unknown) => (error instanceof BasculeError ? error.hint : undefined);

/** An age, a skew, a time left: the one duration formatter's seconds form (20m00s, 1h02m). */
export const duration = (ms: number): string => formatDuration(ms, 'seconds');
