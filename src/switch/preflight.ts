/**
 * The switch's preflight and the rollback's (change nothing): every problem
 * found at once, then refused; what was seen recorded for a rollback. A
 * recovery (after --break-lock, the interrupted operation's journal
 * elsewhere) accepts the states an interrupted cut-over leaves: the records
 * naming either colour, the target's live ExternalDNS running, a hand-over
 * flag left on.
 */
import { BasculeError } from '../errors.js';
import { isRegistryValue } from '../production/registry.js';
import { quoteValue } from '../dns/cluster-name.js';
import type { Colour } from '../platform/model.js';
import { withLiveAffixes } from '../production/layout.js';
import { observeProduction } from '../production/observe.js';
import { orphansAgainst } from '../production/verdicts.js';
import { apiAnswers, liveDeploymentProblems, observeLive, type LiveObservation } from '../cutover/actions/live.js';
import { checkZones, simpleRecord, type RecordValue } from '../cutover/actions/records.js';
import { txtClusterName } from '../cutover/actions/follows.js';
import { problemOf } from '../cutover/actions/wait.js';
import type { ActionPorts } from '../cutover/actions/ports.js';
import { colourOfApiTarget, colourOfClusterName, unquoteTxt, type CutoverSpec } from '../cutover/spec.js';
import type { Before } from '../cutover/switch-journal.js';
import { formatSwitchInventory, judgeForSwitch, namesWith, type SwitchInventory } from './verdicts.js';

export function preflightFailed(problems: readonly string[], rollback: boolean): BasculeError {
  return new BasculeError('check', `${rollback ? 'rollback ' : ''}preflight found ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** The live Deployments against what the switch needs: the target stopped (not in a recovery), both as generated. */
function liveProblems(spec: CutoverSpec, live: LiveObservation, recovering: boolean): string[] {
  const problems: string[] = [];
  const ns = spec.externalDns.namespace;
  for (const colour of [spec.from, spec.to]) {
    for (const l of spec.live) {
      const d = live.deployments[colour][l.deployment];
      if (!d) continue;
      if (colour === spec.to && !recovering && (d.desired !== 0 || d.replicas !== 0)) {
        problems.push(`${colour}: ${ns}/${l.deployment} runs ${d.desired} replica(s) (${d.replicas} pods); it must be at 0 before the switch: two live ExternalDNS would both write the shared zones`);
      }
      problems.push(...liveDeploymentProblems(spec, colour, l.deployment, d, { migration: recovering }));
    }
  }
  return problems;
}

/** The API and TXT records in Route53 name the source (either colour in a recovery). */
async function checkRecords(spec: CutoverSpec, ports: ActionPorts, recovering: boolean, problems: string[], notes: string[]): Promise<{ api: RecordValue | null; txt: RecordValue | null }> {
  const { from, to } = spec;
  const source = spec.clusters[from].clusterName;
  const api = await simpleRecord(ports, spec.apiRecord, 'CNAME');
  const txt = await simpleRecord(ports, spec.txtRecord, 'TXT');
  const names = (txt?.values ?? []).map(unquoteTxt).filter((v) => !isRegistryValue(v));
  const named = names.length === 1 ? colourOfClusterName(spec.clusters, names[0] as string) : undefined;
  if (!(names.length === 1 && (names[0] === source || (recovering && named !== undefined)))) {
    const holds = names.length === 0 ? 'holds no cluster name' : `holds ${names.map(quoteValue).join(', ')}`;
    problems.push(
      `TXT ${spec.txtRecord.name} in Route53 (zone ${spec.txtRecord.zoneId}) ${holds}${named ? ` (${named})` : ''}, not ${quoteValue(source)}: ${named === to ? `${to} may be live already` : 'the live colour is not the one the switch starts from'}; run \`bascule status\``,
    );
  } else ports.emit({ kind: 'txt-in-route53', name: spec.txtRecord.name, clusterName: names[0] as string });
  if ((txt?.values ?? []).some((v) => isRegistryValue(unquoteTxt(v)))) {
    problems.push(`TXT ${spec.txtRecord.name} holds an ExternalDNS registry value: an ExternalDNS claims that name and may rewrite or delete the record naming the live cluster; exclude ${spec.txtRecord.name} from every ExternalDNS (--exclude-domains; \`bascule manifests\` does), remove that value, then retry`);
  }
  const target = api?.values[0];
  const apiColour = target && api?.values.length === 1 ? colourOfApiTarget(spec.clusters, target) : undefined;
  if (!api) notes.push(`${spec.apiRecord.name} has no CNAME in zone ${spec.apiRecord.zoneId}: the switch creates it (a rollback deletes it)`);
  else if (!(apiColour === from || (recovering && apiColour !== undefined))) {
    problems.push(`${spec.apiRecord.name} points at ${api.values.join(' ')}, not ${from}'s endpoint ${spec.clusters[from].endpointHost}: the live colour is not the one the switch starts from; run \`bascule status\``);
  }
  const beside = (await ports.route53.at(spec.apiRecord.zoneId, spec.apiRecord.name)).filter((r) => r.type !== 'CNAME');
  if (beside.length > 0) problems.push(`${spec.apiRecord.name} also holds ${beside.map((r) => r.type).join(', ')} record(s) in zone ${spec.apiRecord.zoneId}: Route53 refuses a CNAME beside another type; remove them`);
  return { api, txt };
}

/** Production, judged for this switch: orphans against --allow-orphan, weighted names refused. */
export async function switchInventory(spec: CutoverSpec, ports: Pick<ActionPorts, 'route53'>, live: LiveObservation['affixes'], from: Colour, to: Colour): Promise<SwitchInventory> {
  return judgeForSwitch(await observeProduction(ports.route53, withLiveAffixes(spec.layout, live)), from, to);
}

function inventoryProblems(spec: CutoverSpec, inv: SwitchInventory): string[] {
  const { from, to } = spec;
  const problems: string[] = [];
  const weighted = inv.verdicts.filter((v) => v.action === 'weighted');
  if (weighted.length > 0) {
    problems.push(
      `production is weighted: ${weighted.map((v) => `${v.name.name} (blue ${v.name.weights?.blue} / green ${v.name.weights?.green})`).join(', ')}. A weighted shift is unfinished or was left half-way; the plain switch never moves weights: finish it (\`bascule switch --resume\`), undo it (\`bascule switch --rollback\`), or, its journal lost, take it to one colour with \`bascule switch --to ${to} --weights 100\``,
    );
  }
  const { refused, unknown } = orphansAgainst(inv.verdicts, spec.allowOrphans);
  if (refused.length > 0) {
    const names = refused.map((v) => v.name.name);
    const one = names.length === 1;
    problems.push(
      `${names.length} production name${one ? ' is' : 's are'} served by ${from} only: ${names.join(', ')}. After the switch nothing updates ${one ? 'it' : 'them'} (upsert-only never deletes) and ${one ? 'it keeps' : 'they keep'} sending traffic to ${from}'s load balancers; deleting ${from}'s ingresses would take ${one ? 'it' : 'them'} down. Serve ${one ? 'it' : 'them'} from ${to} too, or accept that with ${names.map((n) => `--allow-orphan ${n}`).join(' ')}`,
    );
  }
  if (unknown.length > 0) problems.push(`--allow-orphan names ${unknown.join(', ')}, which the inventory does not find as an orphan (served by ${from} only); check the name`);
  return problems;
}

export async function preflight(spec: CutoverSpec, ports: ActionPorts, recovering: boolean): Promise<{ before: Before; notes: string[] }> {
  const { from, to } = spec;
  const problems: string[] = [];
  const notes: string[] = [];
  await apiAnswers(ports, to, problems);
  await apiAnswers(ports, from, problems);
  const live = await observeLive(spec, ports, [to, from], problems);
  const found = liveProblems(spec, live, recovering);
  problems.push(...found);
  if (spec.live.length > 0 && problems.length === 0) ports.emit({ kind: 'live-checked', to });
  const replicas = Object.fromEntries(spec.externalDns.deployments.map((d) => [d, live.deployments[from][d]?.desired ?? 1]));
  await checkZones(spec, ports, problems);
  let records: { api: RecordValue | null; txt: RecordValue | null } = { api: null, txt: null };
  try {
    records = await checkRecords(spec, ports, recovering, problems, notes);
  } catch (error) {
    problems.push(problemOf(error));
  }
  try {
    const seen = await txtClusterName(spec, ports);
    const ok = seen === spec.clusters[from].clusterName || (recovering && colourOfClusterName(spec.clusters, seen) !== undefined);
    if (!ok) problems.push(`TXT ${spec.txtRecord.name} resolves to ${seen} via ${ports.dns.where}, not ${spec.clusters[from].clusterName}`);
  } catch (error) {
    const text = problemOf(error);
    // A failed lookup names the server already (and carries its errno); what the answer said does not.
    problems.push(error instanceof BasculeError && error.kind === 'dns' && error.errno !== undefined ? text : `${text} (asked ${ports.dns.where})`);
  }
  let moves: string[] = [];
  let orphans: string[] = [];
  if (spec.live.length > 0) {
    try {
      const inv = await switchInventory(spec, ports, live.affixes, from, to);
      ports.emit({ kind: 'table', text: formatSwitchInventory(inv) });
      moves = namesWith(inv, 'moves');
      orphans = namesWith(inv, 'orphan');
      problems.push(...inventoryProblems(spec, inv));
    } catch (error) {
      problems.push(problemOf(error));
    }
  }
  if (problems.length > 0) throw preflightFailed(problems, false);
  for (const note of notes) ports.emit({ kind: 'note', text: note });
  return { before: { ...records, replicas, moves, orphans }, notes };
}
