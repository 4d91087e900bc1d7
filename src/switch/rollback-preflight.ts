/**
 * The rollback's preflight (changes nothing): the APIs it needs answer, the
 * zones exist, the live Deployments are bascule's, production is judged the
 * other way round, and Route53 still shows what the switch wrote: a journal's
 * `before` values are written back only over what the journal says the switch
 * left (or over themselves), never over someone else's change.
 */
import type { RecordValue } from '../cutover/actions/records.js';
import { simpleRecord } from '../cutover/actions/records.js';
import { apiAnswers, liveDeploymentProblems, observeLive } from '../cutover/actions/live.js';
import { checkZones } from '../cutover/actions/records.js';
import { problemOf } from '../cutover/actions/wait.js';
import type { ActionPorts } from '../cutover/actions/ports.js';
import { txtValuesFor, type CutoverSpec } from '../cutover/spec.js';
import type { Journal } from '../cutover/switch-journal.js';
import { preflightFailed, switchInventory } from './preflight.js';
import { formatSwitchInventory } from './verdicts.js';

const same = (a: RecordValue | null, b: RecordValue | null) => (a === null || b === null ? a === b : a.ttl === b.ttl && [...a.values].sort().join('\n') === [...b.values].sort().join('\n'));
const show = (r: RecordValue | null) => (r === null ? 'nothing' : `${r.values.join(' ')} (TTL ${r.ttl})`);

/** Route53 holds, at the API and TXT names, what the switch wrote or what was there before it: anything else was changed by someone. */
async function recordsAsLeft(spec: CutoverSpec, ports: ActionPorts, journal: Journal, problems: string[]): Promise<void> {
  const before = journal.before;
  if (!before) return;
  const to = spec.clusters[spec.to];
  const wrote = { api: { values: [to.endpointHost], ttl: spec.apiRecord.ttl }, txt: { values: txtValuesFor(to.clusterName), ttl: spec.txtRecord.ttl } };
  for (const [which, record, type] of [
    ['api', spec.apiRecord, 'CNAME'],
    ['txt', spec.txtRecord, 'TXT'],
  ] as const) {
    const now = await simpleRecord(ports, record, type);
    if (!same(now, wrote[which]) && !same(now, before[which])) {
      problems.push(`${record.name} ${type} holds ${show(now)}: neither what the switch wrote (${show(wrote[which])}) nor what was there before it (${show(before[which])}); someone changed it since, so the journal's value is not written over it: look at it (bascule status), restore it by hand or put back what the switch wrote, then retry`);
    }
  }
}

export async function rollbackPreflight(spec: CutoverSpec, ports: ActionPorts, journal: Journal): Promise<void> {
  const problems: string[] = [];
  const ids = new Set((journal.rollback ?? []).map((s) => s.id));
  if (ids.has('stop-target')) await apiAnswers(ports, spec.to, problems);
  if (ids.has('start-source')) await apiAnswers(ports, spec.from, problems);
  if (ids.has('restore-dns')) {
    if (!journal.before) problems.push('the journal holds no record of the DNS values before the switch; restore them by hand');
    await checkZones(spec, ports, problems);
    try {
      await recordsAsLeft(spec, ports, journal, problems);
    } catch (error) {
      problems.push(problemOf(error));
    }
  }
  if (ids.has('start-source') && spec.live.length > 0) {
    const live = await observeLive(spec, ports, [spec.from], problems);
    for (const l of spec.live) {
      const d = live.deployments[spec.from][l.deployment];
      if (d) problems.push(...liveDeploymentProblems(spec, spec.from, l.deployment, d, { migration: true }));
    }
    try {
      // The same procedure backwards: its own inventory, production names moving back.
      ports.emit({ kind: 'table', text: formatSwitchInventory(await switchInventory(spec, ports, live.affixes, spec.to, spec.from)) });
    } catch (error) {
      problems.push(problemOf(error));
    }
  }
  if (problems.length > 0) throw preflightFailed(problems, true);
}
