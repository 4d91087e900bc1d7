/**
 * The switch journal checked against what this switch is (pure): its pinned
 * inputs against the platform file now, its steps and `before` values against
 * what a preflight of this switch can have recorded. A journal edited by hand
 * is refused, never obeyed.
 */
import { BasculeError } from '../errors.js';
import { under } from '../production/names.js';
import { evidenceDigest } from '../cutover/evidence.js';
import { changedFacts, colourOfApiTarget, platformHash, specFacts, txtValue, type CutoverSpec } from '../cutover/spec.js';
import { changedAnything, journalConsistency, type Before, type Journal } from '../cutover/switch-journal.js';
import { switchStepIds } from './plan.js';

/** The evidence of a switch journal: what the lock record's digest covers. */
export const switchEvidence = (j: Journal, before: Before | null = j.before) => evidenceDigest({ platform: j.platform, from: j.from, to: j.to, pins: j.pins, before, recovery: j.recovery ?? null });

/** The facts a rollback's before values can hold: what a preflight of this switch can have recorded. */
function beforeProblem(spec: CutoverSpec, j: Journal) {
  return (before: Before): string | undefined => {
    const from = spec.clusters[j.from];
    // A recovery started from an interrupted cut-over: either colour's values.
    const colours = j.recovery ? [j.from, j.to] : [j.from];
    if (before.api !== null) {
      const c = before.api.values.length === 1 ? colourOfApiTarget(spec.clusters, before.api.values[0] as string) : undefined;
      if (!c || !colours.includes(c)) return `the API record's value ${before.api.values.join(' ')} is not ${j.from}'s endpoint (${from.endpointHost})`;
    }
    const txtOk = before.txt !== null && before.txt.values.length === 1 && colours.some((c) => before.txt?.values[0] === txtValue(spec.clusters[c].clusterName));
    if (!txtOk) return `the cluster-name record's value ${before.txt ? before.txt.values.join(' ') : '(none)'} is not ${txtValue(from.clusterName)}`;
    const names = Object.keys(before.replicas);
    if (names.sort().join(',') !== [...spec.externalDns.deployments].sort().join(',')) return `its replicas name ${names.join(', ') || 'nothing'}, not ${spec.externalDns.deployments.join(', ')}`;
    const domains = spec.production.map((z) => z.domain);
    const stray = [...(before.moves ?? []), ...(before.orphans ?? [])].filter((n) => !domains.some((d) => under(n, d)));
    if (stray.length > 0) return `its production names ${stray.join(', ')} are not under ${domains.join(' or ')}`;
    return undefined;
  };
}

function consistency(j: Journal, spec: CutoverSpec, path: string, hint: string): void {
  const problem = journalConsistency(j, { steps: switchStepIds(spec), beforeProblem: beforeProblem(spec, j) });
  if (problem) throw new BasculeError('refused', `the switch journal ${path} is not one bascule wrote: ${problem}; it is refused, not obeyed`, { hint });
}

/**
 * Refuses a journal whose pinned inputs changed, or that was edited: names
 * what. A switch that changed nothing yet (stopped at its preflight) is
 * planned again from the file as it is now: its pins are renewed.
 */
export function checkJournal(j: Journal, spec: CutoverSpec, platformText: string, path: string): Journal {
  const hashNow = platformHash(platformText);
  if (!changedAnything(j)) {
    consistency(j, spec, path, 'move it aside; nothing was changed');
    return { ...j, pins: { platformHash: hashNow, facts: specFacts(spec) } };
  }
  const changed = changedFacts(j.pins.facts, specFacts(spec));
  if (changed.length > 0 || hashNow !== j.pins.platformHash) {
    const what = changed.length > 0 ? changed.map((c) => `  - ${c}`).join('\n') : `  - the file's text (sha256 ${j.pins.platformHash.slice(0, 12)}... -> ${hashNow.slice(0, 12)}...), no fact the steps use`;
    throw new BasculeError('refused', `the platform file ${spec.platformFile} changed since the switch ${j.from} -> ${j.to} started (journal ${path}):\n${what}`, {
      hint: 'the journal was planned from the old file: restore it (git diff / git checkout), then retry; nothing was changed',
    });
  }
  consistency(j, spec, path, 'restore the journal bascule wrote; otherwise look at Route53 and both clusters (`bascule status`) and repair by hand; nothing was changed');
  return j;
}
