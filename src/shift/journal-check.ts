/**
 * A shift journal checked before `--resume` or `--rollback` obeys it (pure
 * but for reading the lock record): its pins against the platform file now,
 * its evidence against the digest its lock record in Route53 holds, its
 * `before` against what a plan of this shift can have recorded. Any
 * difference is refused by name; the journal is never an order.
 */
import type { Route53Port } from '../aws/route53.js';
import { BasculeError } from '../errors.js';
import { checkEvidence, evidenceDigest } from '../cutover/evidence.js';
import { heldLock, parseLock, sameHolder } from '../cutover/lock.js';
import type { ShiftJournal } from '../cutover/shift-journal.js';
import { changedFacts, platformHash, specFacts, type CutoverSpec } from '../cutover/spec.js';
import { under } from '../production/names.js';

/** The evidence of a shift journal: what the lock record's digest covers. */
export const shiftEvidence = (j: ShiftJournal, settle: ShiftJournal['settle'] = j.settle): string =>
  evidenceDigest({ platform: j.platform, from: j.from, to: j.to, pins: j.pins, options: j.options, before: j.before, startShare: j.startShare, recovery: j.recovery, settle });

/** Refuses a journal planned from another platform file than the one given now, naming each change. */
export function checkPins(j: ShiftJournal, spec: CutoverSpec, platformText: string, path: string): void {
  const hashNow = platformHash(platformText);
  const changed = changedFacts(j.pins.facts, specFacts(spec));
  if (changed.length === 0 && hashNow === j.pins.platformHash) return;
  const what = changed.length > 0 ? changed.map((c) => `  - ${c}`).join('\n') : `  - the file's text (sha256 ${j.pins.platformHash.slice(0, 12)}... -> ${hashNow.slice(0, 12)}...), no fact the steps use`;
  throw new BasculeError('refused', `the platform file ${spec.platformFile} changed since the weighted shift ${j.from} -> ${j.to} started (journal ${path}):\n${what}`, {
    hint: 'the journal was planned from the old file: restore it (git diff / git checkout), then retry; nothing was changed',
  });
}

/** What a plan of this shift cannot have recorded in `before` (a hand edit), or undefined. */
export function beforeProblem(j: ShiftJournal, spec: CutoverSpec): string | undefined {
  const domains = spec.production.map((z) => ({ domain: z.domain, zoneId: z.zoneId }));
  for (const n of j.before.names) {
    const zone = domains.find((d) => d.zoneId === n.zoneId && under(n.name, d.domain));
    if (!zone) return `the shifted name ${n.name} (zone ${n.zoneId}) is not under a production domain (${domains.map((d) => d.domain).join(', ')})`;
    const stray = [...n.sets, ...n.pair].find((s) => s.name !== n.name);
    if (stray) return `the record set ${stray.name} ${stray.type} is recorded under ${n.name}`;
    if (n.pair.some((s) => s.setIdentifier !== j.from && s.setIdentifier !== j.to)) return `the weighted pair of ${n.name} has set identifiers other than ${j.from} and ${j.to}`;
    if (n.action === 'converts' && n.sets.some((s) => s.setIdentifier !== undefined)) return `${n.name} is recorded as a simple record but holds weighted sets`;
  }
  const names = Object.keys(j.before.replicas).sort().join(',');
  if (names !== [...spec.externalDns.deployments].sort().join(',')) return `its replicas name ${names || 'nothing'}, not ${spec.externalDns.deployments.join(', ')}`;
  return undefined;
}

export function checkBefore(j: ShiftJournal, spec: CutoverSpec, path: string): void {
  const problem = beforeProblem(j, spec);
  if (problem) {
    throw new BasculeError('refused', `the weighted-shift journal ${path} is not one bascule wrote: ${problem}; it is refused, not obeyed`, {
      hint: 'restore the journal bascule wrote; otherwise look at Route53 and both clusters (bascule status) and recover with --break-lock (bascule switch --to COLOUR --weights 100 --break-lock --apply plans from what they show); nothing was changed',
    });
  }
}

/**
 * The journal's evidence against the digest its lock record holds (while the
 * shift is unfinished). Killed between recording what the settle writes and
 * moving the lock on, the lock's digest is the one without it: then the
 * settle is planned again (what the journal says it writes is not trusted).
 */
export async function checkShiftEvidence(route53: Route53Port, journal: ShiftJournal, path: string): Promise<ShiftJournal> {
  if (!journal.lock) return journal;
  const held = await heldLock(route53, journal.lock.zoneId, journal.lock.name);
  // A run of ours may have moved the lock on and died before journalling it: the value held is ours all the same.
  const j = held.length === 1 && sameHolder(held[0] as string, journal.lock.value) ? { ...journal, lock: { ...journal.lock, value: held[0] as string } } : journal;
  if (!j.lock) return j;
  const atSettle = held.length === 1 && parseLock(held[0] as string)?.step === 'settle' && j.settle !== null && j.settledZones.length === 0;
  const without = atSettle ? shiftEvidence(j, null) : undefined;
  checkEvidence(held, j.lock, [shiftEvidence(j), ...(without ? [without] : [])], path);
  if (without && held.length === 1 && parseLock(held[0] as string)?.sha === without) return { ...j, settle: null };
  return j;
}
