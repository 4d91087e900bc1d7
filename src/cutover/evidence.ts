/**
 * A journal is pinned evidence, never an order: what an operation was planned
 * from (the platform file's hash, the facts its steps use) and what it saw
 * before changing anything. Its digest rides in the lock record Route53 holds
 * while the operation is unfinished, so a journal edited meanwhile no longer
 * matches the shared truth and is refused by name.
 */
import { createHash } from 'node:crypto';
import { BasculeError } from '../errors.js';
import { parseLock, type LockRecord } from './lock.js';

/** JSON with object keys sorted: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The digest of an operation's evidence (16 hex characters of sha256). */
export const evidenceDigest = (evidence: unknown): string => createHash('sha256').update(canonicalJson(evidence)).digest('hex').slice(0, 16);

/**
 * Refuses a journal whose evidence is not what the lock record Route53 holds
 * says: `accepted` are the digests the journal may rightly have (its
 * evidence, and at the step that records it, the evidence before it).
 */
export function checkEvidence(held: readonly string[], mine: LockRecord | null, accepted: readonly string[], journalPath: string): void {
  if (!mine || held.length !== 1 || held[0] !== mine.value) return; // not holding it: acquiring the lock decides
  const sha = parseLock(mine.value)?.sha;
  if (sha === undefined || accepted.includes(sha)) return;
  throw new BasculeError('refused', `the journal ${journalPath} does not match the evidence its lock record in Route53 holds (${mine.name}: sha ${sha}, the journal's ${accepted[0]}): it was edited since the operation wrote it; it is refused, not obeyed`, {
    hint: 'restore the journal bascule wrote; otherwise look at Route53 and both clusters (bascule status), then recover with --break-lock, which plans from what they show; nothing was changed',
  });
}
