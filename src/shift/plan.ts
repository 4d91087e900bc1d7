/**
 * The weighted shift's plan (changes nothing): production observed once and
 * judged by the one shift verdict, the clusters and bascule's own records
 * checked, each shifted name's signals mapped to load balancers, every batch
 * the shift will send computed and sized. Refusals are data: the presenter
 * phrases them, `--apply` refuses them all at once, before the lock and the
 * journal.
 */
import type { Colour } from '../platform/model.js';
import { apiAnswers, liveDeploymentProblems, observeLive, type LiveObservation } from '../cutover/actions/live.js';
import { checkZones, simpleRecord, type RecordValue } from '../cutover/actions/records.js';
import { txtClusterName } from '../cutover/actions/follows.js';
import type { ActionPorts } from '../cutover/actions/ports.js';
import { problemOf } from '../cutover/actions/wait.js';
import type { ShiftedName, ShiftOptions, SignalSource } from '../cutover/shift-journal.js';
import { colourOfApiTarget, colourOfClusterName, unquoteTxt, type CutoverSpec } from '../cutover/spec.js';
import type { ProductionName } from '../production/inventory.js';
import { withLiveAffixes } from '../production/layout.js';
import { observeProduction, type Observed } from '../production/observe.js';
import { effectiveTtl } from '../production/records.js';
import { orphansAgainst, shiftVerdict, type ShiftAction, type Verdict } from '../production/verdicts.js';
import { conversionChanges, diffChanges, oversized, pairAt, pairFor, pairWeights, settledFor, toBatches, weightChanges, type ZoneChange } from './batches.js';
import { mapWatches, missingSignals, FIVE_XX_METRICS, loadBalancerDimension, type NameWatch, type SignalPort } from './signals.js';
import { shareOf } from './weights.js';

export interface PlanPorts extends ActionPorts {
  readonly signals: SignalPort;
}

/** Why the shift cannot run as planned: what is at fault and what resolves it. */
export interface Refusal {
  readonly kind: 'preflight' | 'orphan' | 'unwatched' | 'signals' | 'convert' | 'oversize' | 'weights' | 'allowed' | 'nothing';
  readonly text: string;
}

export interface ShiftPlan {
  readonly spec: CutoverSpec;
  readonly options: ShiftOptions;
  readonly verdicts: readonly Verdict<ShiftAction>[];
  readonly shifted: readonly ShiftedName[];
  readonly watches: readonly NameWatch[];
  readonly signals: readonly SignalSource[];
  readonly startShare: number;
  readonly records: { readonly api: RecordValue | null; readonly txt: RecordValue | null };
  readonly replicas: Readonly<Record<string, number>>;
  readonly orphans: readonly string[];
  readonly refusals: readonly Refusal[];
  readonly recovering: boolean;
}

export interface PlanRequest {
  readonly options: ShiftOptions;
  readonly allowOrphans: readonly string[];
  readonly allowUnwatched: readonly string[];
  /** A recovery (--break-lock over an interrupted cut-over): what an interrupted cut-over leaves is accepted. */
  readonly recovering: boolean;
}

const refuse = (kind: Refusal['kind'], problems: readonly string[]): Refusal[] => problems.map((text) => ({ kind, text }));

/** Both colours' live ExternalDNS as the shift needs them: the new colour's stopped (not in a recovery), both as generated. */
function liveProblems(spec: CutoverSpec, live: LiveObservation, recovering: boolean): string[] {
  const problems: string[] = [];
  const ns = spec.externalDns.namespace;
  for (const colour of [spec.from, spec.to]) {
    for (const l of spec.live) {
      const d = live.deployments[colour][l.deployment];
      if (!d) continue;
      if (colour === spec.to && !recovering && (d.desired !== 0 || d.replicas !== 0)) {
        problems.push(`${colour}: ${ns}/${l.deployment} runs ${d.desired} replica(s); it must be at 0 before the shift: two live ExternalDNS would both write the shared zones`);
      }
      problems.push(...liveDeploymentProblems(spec, colour, l.deployment, d, { migration: recovering }));
    }
  }
  return problems;
}

/** The API and TXT records name the old colour (either colour in a recovery), in Route53 and through the resolver. */
async function recordProblems(spec: CutoverSpec, ports: PlanPorts, recovering: boolean, problems: string[]): Promise<{ api: RecordValue | null; txt: RecordValue | null }> {
  const ok = (c: Colour | undefined) => c === spec.from || (recovering && c !== undefined);
  const api = await simpleRecord(ports, spec.apiRecord, 'CNAME');
  const txt = await simpleRecord(ports, spec.txtRecord, 'TXT');
  const apiColour = api?.values.length === 1 ? colourOfApiTarget(spec.clusters, api.values[0] as string) : undefined;
  if (api && !ok(apiColour)) problems.push(`${spec.apiRecord.name} points at ${api.values.join(' ')}, not ${spec.from}'s endpoint ${spec.clusters[spec.from].endpointHost}: the live colour is not the one the shift starts from; run \`bascule status\``);
  const names = (txt?.values ?? []).map(unquoteTxt);
  const txtColour = names.length === 1 ? colourOfClusterName(spec.clusters, names[0] as string) : undefined;
  if (!ok(txtColour)) problems.push(`TXT ${spec.txtRecord.name} in Route53 (zone ${spec.txtRecord.zoneId}) holds ${names.join(', ') || 'no cluster name'}, not ${spec.clusters[spec.from].clusterName}; run \`bascule status\``);
  try {
    const seen = await txtClusterName(spec, ports);
    if (!ok(colourOfClusterName(spec.clusters, seen))) problems.push(`TXT ${spec.txtRecord.name} resolves to ${seen} via ${ports.dns.where}, not ${spec.clusters[spec.from].clusterName}`);
  } catch (error) {
    problems.push(problemOf(error));
  }
  return { api, txt };
}

/** The names the shift moves, their pairs (or why one cannot be converted). */
function shiftedNames(verdicts: readonly Verdict<ShiftAction>[], from: Colour, to: Colour, refusals: Refusal[]): { shifted: ShiftedName[]; shares: number[] } {
  const shifted: ShiftedName[] = [];
  const shares: number[] = [];
  for (const v of verdicts) {
    const n = v.name;
    if (v.action === 'converts') {
      const pair = pairFor(n, from, to);
      if (typeof pair === 'string') refusals.push({ kind: 'convert', text: `${n.name} cannot become a weighted pair: ${pair}` });
      else shifted.push({ name: n.name, zoneId: n.zoneId, action: 'converts', sets: n.sets, registry: n.registry.map((e) => e.set), pair, watch: [], ttl: Math.max(n.ttl, ...pair.map(effectiveTtl)) });
    } else if (v.action === 'shifts') {
      const w = pairWeights(n.sets, n.sets, from);
      const share = w ? shareOf(w) : undefined;
      if (share === undefined) {
        refusals.push({ kind: 'weights', text: `${n.name} holds weight 0 for both colours (Route53 then splits its traffic equally: its share is unknown); set its weights by hand, then plan again` });
        continue;
      }
      shares.push(share);
      shifted.push({ name: n.name, zoneId: n.zoneId, action: 'shifts', sets: n.sets, registry: [], pair: n.sets, watch: [], ttl: n.ttl });
    }
  }
  return { shifted, shares };
}

/** Orphans against --allow-orphan; a weighted pair one colour no longer serves is refused either way (the shift could not settle it). */
function orphanRefusals(spec: CutoverSpec, verdicts: readonly Verdict<ShiftAction>[], allowed: readonly string[]): Refusal[] {
  const out: Refusal[] = [];
  const { refused, unknown } = orphansAgainst(verdicts, allowed);
  for (const v of verdicts.filter((x) => x.action === 'orphan' && x.name.owner.kind === 'bascule')) {
    out.push({ kind: 'orphan', text: `${v.name.name} is a weighted pair ${v.reason}: the shift cannot take it to ${spec.to} and settle it; serve it from both colours (or restore it by hand), then plan again` });
  }
  const plain = refused.filter((v) => v.name.owner.kind !== 'bascule');
  if (plain.length > 0) {
    const names = plain.map((v) => v.name.name);
    out.push({
      kind: 'orphan',
      text: `${names.length === 1 ? 'a production name is' : `${names.length} production names are`} not served by both colours: ${plain.map((v) => `${v.name.name} (${v.reason})`).join('; ')}. Serve ${names.length === 1 ? 'it' : 'them'} from ${spec.to} too, or leave ${names.length === 1 ? 'it' : 'them'} on ${spec.from} with ${names.map((n) => `--allow-orphan ${n}`).join(' ')}`,
    });
  }
  if (unknown.length > 0) out.push({ kind: 'allowed', text: `--allow-orphan names ${unknown.join(', ')}, which the inventory does not find as an orphan; check the name` });
  return out;
}

/** Each shifted name's load balancers; the sources the holds read (target groups, a request metric), or what is missing. */
async function mapSignals(ports: PlanPorts, observed: Observed, to: Colour, shifted: ShiftedName[], allowUnwatched: readonly string[], refusals: Refusal[]): Promise<{ watches: NameWatch[]; sources: SignalSource[]; shifted: ShiftedName[] }> {
  const byName = new Map(observed.names.map((n) => [n.name, n]));
  const lbs = await ports.signals.loadBalancers();
  const watches = mapWatches(shifted.map((s) => ({ name: s.name, targets: byName.get(s.name)?.colours[to]?.targets ?? [] })), lbs);
  const unwatched = watches.filter((w) => w.unwatched !== undefined);
  const refused = unwatched.filter((w) => !allowUnwatched.includes(w.name));
  if (refused.length > 0) {
    refusals.push({
      kind: 'unwatched',
      text: `no failure signal can watch ${refused.map((w) => `${w.name} (${to}: ${w.unwatched})`).join('; ')}: a stage would move traffic there blind. Point ${to}'s record at a load balancer of the region, or accept it with ${refused.map((w) => `--allow-unwatched ${w.name}`).join(' ')}`,
    });
  }
  const stray = allowUnwatched.filter((a) => !unwatched.some((w) => w.name === a));
  if (stray.length > 0) refusals.push({ kind: 'allowed', text: `--allow-unwatched names ${stray.join(', ')}, which is not a shifted name without a load balancer; check the name` });
  const used = new Set(watches.flatMap((w) => w.loadBalancers));
  const sources: SignalSource[] = [];
  const found: { name: string; type: string; hasRequestMetric: boolean; targetGroups: number }[] = [];
  for (const lb of lbs.filter((l) => used.has(l.name))) {
    const targetGroups = await ports.signals.targetGroups(lb.arn);
    const hasRequestMetric = lb.type === 'application' ? await ports.signals.metricExists({ namespace: FIVE_XX_METRICS.namespace, metric: FIVE_XX_METRICS.requests, dimension: loadBalancerDimension(lb.arn) }) : true;
    sources.push({ name: lb.name, arn: lb.arn, type: lb.type, targetGroups });
    found.push({ name: lb.name, type: lb.type, hasRequestMetric, targetGroups: targetGroups.length });
  }
  const missing = missingSignals(found);
  if (missing.length > 0) refusals.push(...refuse('signals', missing.map((m) => `${m}; send test traffic to ${to}'s own names first (its metrics appear with its first requests)`)));
  const watching = new Map(watches.map((w) => [w.name, w.loadBalancers]));
  return { watches, sources, shifted: shifted.map((s) => ({ ...s, watch: watching.get(s.name) ?? [] })) };
}

/** Every batch the shift will send, sized: one that does not fit one Route53 batch is refused here, before anything changes. */
export function batchRefusals(spec: CutoverSpec, observed: Observed, shifted: readonly ShiftedName[], liveAffixes: LiveObservation['affixes']): string[] {
  const { from, to } = spec;
  const byName = new Map(observed.names.map((n) => [n.name, n]));
  const settle: ZoneChange[] = [];
  for (const s of shifted) {
    const n = byName.get(s.name) as ProductionName;
    const kind = spec.layout.kinds.find((k) => k.kind === n.kind);
    const settled = kind ? settledFor(n, to, kind.colours[to].liveOwner, liveAffixes[n.kind] ?? kind.liveAffixes) : 'no layout';
    if (typeof settled !== 'string') settle.push(...diffChanges(pairAt(s.pair, from, { from: 0, to: 100 }), [...settled.sets, ...settled.registry]).map((change) => ({ zoneId: s.zoneId, change })));
  }
  const restore = shifted.flatMap((s) => diffChanges(pairAt(s.pair, from, { from: 100, to: 0 }), [...s.sets, ...s.registry]).map((change) => ({ zoneId: s.zoneId, change })));
  return [
    ...oversized('the conversion', toBatches(conversionChanges(shifted, from))),
    ...oversized("a stage's weights", toBatches(weightChanges(shifted, to, 50))),
    ...oversized('the settle', toBatches(settle)),
    ...oversized('a rollback', toBatches(restore)),
  ];
}

/** Observes the clusters, bascule's records and production once, and judges them for this shift. */
export async function planShift(spec: CutoverSpec, ports: PlanPorts, request: PlanRequest): Promise<ShiftPlan> {
  const { from, to } = spec;
  const problems: string[] = [];
  const refusals: Refusal[] = [];
  await apiAnswers(ports, to, problems);
  await apiAnswers(ports, from, problems);
  const live = await observeLive(spec, ports, [to, from], problems);
  problems.push(...liveProblems(spec, live, request.recovering));
  const replicas = Object.fromEntries(spec.externalDns.deployments.map((d) => [d, live.deployments[from][d]?.desired ?? 1]));
  await checkZones(spec, ports, problems);
  let records: { api: RecordValue | null; txt: RecordValue | null } = { api: null, txt: null };
  try {
    records = await recordProblems(spec, ports, request.recovering, problems);
  } catch (error) {
    problems.push(problemOf(error));
  }
  refusals.push(...refuse('preflight', problems));
  const observed = await observeProduction(ports.route53, withLiveAffixes(spec.layout, live.affixes));
  const verdicts = observed.names.map((n) => shiftVerdict(n, from, to));
  refusals.push(...orphanRefusals(spec, verdicts, request.allowOrphans));
  const names = shiftedNames(verdicts, from, to, refusals);
  if (names.shifted.length === 0 && !request.recovering) {
    refusals.push({ kind: 'nothing', text: `no production name is ${from}'s and served by both colours: nothing to shift (the table says what each name is)` });
  }
  let watched: { watches: NameWatch[]; sources: SignalSource[]; shifted: ShiftedName[] } = { watches: [], sources: [], shifted: names.shifted };
  try {
    watched = await mapSignals(ports, observed, to, names.shifted, request.allowUnwatched, refusals);
  } catch (error) {
    refusals.push({ kind: 'signals', text: problemOf(error) });
  }
  refusals.push(...refuse('oversize', batchRefusals(spec, observed, watched.shifted, live.affixes)));
  return {
    spec,
    options: request.options,
    verdicts,
    shifted: watched.shifted,
    watches: watched.watches,
    signals: watched.sources,
    startShare: Math.max(0, ...names.shares),
    records,
    replicas,
    orphans: verdicts.filter((v) => v.action === 'orphan' && request.allowOrphans.includes(v.name.name)).map((v) => v.name.name),
    refusals,
    recovering: request.recovering,
  };
}
