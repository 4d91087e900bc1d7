/**
 * Runs the planned steps, in order, each checked before the next, and
 * journals each one before and after. The adapters come in as ports, so the
 * steps run the same against real clusters, loopback stand-ins, or fakes.
 */
import { BasculeError } from '../errors.js';
import type { Colour } from '../platform/model.js';
import { assertAllowed, clusterNameFromTxt, isExternalDnsRegistryRecord, quoteValue } from '../dns/cluster-name.js';
import type { DnsPort } from './dns.js';
import { stepDone, stepFailed, stepStarted, type Before, type Journal, type RecordValue, type StepId } from './journal.js';
import { isRolledOut, isScaledDown, type KubePort } from './kube.js';
import { formatMs } from './options.js';
import type { LiveWrite } from './platform-edit.js';
import { describeStep } from './plan.js';
import type { RecordChange, Route53Port } from './route53.js';
import { colourOfApiTarget, colourOfClusterName, txtValuesFor, unquoteTxt, type RecordSpec, type SwitchSpec } from './spec.js';

export interface SwitchPorts {
  readonly kube: Readonly<Record<Colour, KubePort>>;
  readonly route53: Route53Port;
  readonly dns: DnsPort;
  readonly writeJournal: (journal: Journal) => void;
  readonly writeLive: (to: Colour, from: Colour) => LiveWrite;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly owner: Journal['owner'];
  /** Progress lines (stdout). */
  readonly out: (line: string) => void;
}

interface StepResult {
  readonly before?: Before;
  /** Something a human must do or know (printed at the end too). */
  readonly notes?: readonly string[];
}

/** A step failed; the journal says so. */
export class StepFailure extends Error {
  constructor(
    readonly step: StepId,
    override readonly cause: unknown,
    readonly journal: Journal,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Polls `probe` until it says done; fails with its last word after `timeoutMs`. */
async function waitUntil(ports: SwitchPorts, options: { timeoutMs: number; pollMs: number }, probe: () => Promise<{ done: boolean; state: string }>): Promise<void> {
  const deadline = ports.now().getTime() + options.timeoutMs;
  for (;;) {
    const { done, state } = await probe();
    if (done) return;
    if (ports.now().getTime() >= deadline) {
      throw new BasculeError('check', `${state}, still after ${formatMs(options.timeoutMs)}`, { hint: 'raise --timeout if the cluster is only slow' });
    }
    await ports.sleep(Math.min(options.pollMs, Math.max(0, deadline - ports.now().getTime())));
  }
}

// --- Scaling ---------------------------------------------------------------

async function scaleTo(spec: SwitchSpec, ports: SwitchPorts, colour: Colour, replicas: Readonly<Record<string, number>>): Promise<void> {
  const kube = ports.kube[colour];
  const ns = spec.externalDns.namespace;
  for (const name of spec.externalDns.deployments) {
    const want = replicas[name] as number;
    await kube.scale(ns, name, want);
    ports.out(`      ${colour}: ${ns}/${name} scaled to ${want}`);
  }
  await waitUntil(ports, spec.waits, async () => {
    const waiting: string[] = [];
    for (const name of spec.externalDns.deployments) {
      const want = replicas[name] as number;
      const d = await kube.deployment(ns, name);
      if (!d) throw new BasculeError('check', `${colour}: Deployment ${ns}/${name} disappeared`);
      if (want === 0) {
        if (!d.selector) throw new BasculeError('check', `${colour}: Deployment ${ns}/${name} has no pod selector; bascule cannot tell its pods`);
        const pods = isScaledDown(d) ? await kube.pods(ns, d.selector) : ['(replicas not yet 0)'];
        if (pods.length > 0) waiting.push(`${ns}/${name} has ${pods.length} pod${pods.length === 1 ? '' : 's'} left (${pods.slice(0, 3).join(', ')})`);
      } else if (!isRolledOut(d, want)) {
        waiting.push(`${ns}/${name} has ${d.ready}/${want} ready (${d.updated} updated, ${d.available} available, ${d.replicas} in all)`);
      }
    }
    return { done: waiting.length === 0, state: `${colour}: ${waiting.join('; ')}` };
  });
  const all = Object.values(replicas);
  ports.out(`      ${colour}: ${all.every((n) => n === 0) ? 'no pod left' : 'ready'}`);
}

const replicasOf = (spec: SwitchSpec, n: number) => Object.fromEntries(spec.externalDns.deployments.map((d) => [d, n]));

// --- Route53 ---------------------------------------------------------------

function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

async function checkZones(spec: SwitchSpec, ports: SwitchPorts, problems: string[]): Promise<void> {
  const records: [string, RecordSpec][] = [
    ['api.zoneId', spec.apiRecord],
    ['clusterNameRecord.zoneId', spec.txtRecord],
  ];
  const seen = new Map<string, Awaited<ReturnType<Route53Port['zone']>> | null>();
  for (const [key, record] of records) {
    if (!seen.has(record.zoneId)) {
      try {
        seen.set(record.zoneId, await ports.route53.zone(record.zoneId));
      } catch (error) {
        problems.push(errorText(error));
        seen.set(record.zoneId, null);
      }
    }
    const zone = seen.get(record.zoneId);
    if (zone === undefined) problems.push(`the Route53 hosted zone ${record.zoneId} (${key}) does not exist`);
    else if (zone !== null && !inZone(record.name, zone.name)) problems.push(`${record.name} is not in the hosted zone ${record.zoneId} (${zone.name}) that ${key} names`);
  }
}

/** Submits the changes, one batch per zone, and waits until each is INSYNC. */
async function applyChanges(spec: SwitchSpec, ports: SwitchPorts, changes: readonly { zoneId: string; change: RecordChange }[], comment: string): Promise<void> {
  const byZone = new Map<string, RecordChange[]>();
  for (const { zoneId, change } of changes) byZone.set(zoneId, [...(byZone.get(zoneId) ?? []), change]);
  const ids: string[] = [];
  for (const [zoneId, batch] of byZone) {
    const id = await ports.route53.change(zoneId, batch, comment);
    ids.push(id);
    for (const c of batch) ports.out(`      zone ${zoneId}: ${c.action} ${c.name} ${c.type} ${c.values.join(' ')} (TTL ${c.ttl}), change ${id}`);
  }
  await waitUntil(ports, spec.waits, async () => {
    const pending: string[] = [];
    for (const id of ids) {
      const status = await ports.route53.changeStatus(id);
      if (status !== 'INSYNC') pending.push(`${id} ${status}`);
    }
    return { done: pending.length === 0, state: `Route53 change ${pending.join(', ')}` };
  });
  ports.out(`      Route53: INSYNC`);
}

const sameValues = (a: readonly string[], b: readonly string[]) => [...a].sort().join('\n') === [...b].sort().join('\n');

// --- DNS as clients see it -------------------------------------------------

/** The cluster name the TXT record gives through the resolver, by the token path's rules. */
async function txtClusterName(spec: SwitchSpec, ports: SwitchPorts): Promise<string> {
  const id = spec.txtRecord.name;
  const resolved = clusterNameFromTxt(id, await ports.dns.txt(id));
  assertAllowed(resolved, id, [spec.clusters.blue.clusterName, spec.clusters.green.clusterName]);
  return resolved.clusterName;
}

async function waitForDns(spec: SwitchSpec, ports: SwitchPorts, colour: Colour): Promise<string[]> {
  const want = spec.clusters[colour];
  const notes: string[] = [];
  let apiUnseen: string | undefined;
  await waitUntil(ports, { timeoutMs: spec.waits.dnsWaitMs, pollMs: spec.waits.pollMs }, async () => {
    const waiting: string[] = [];
    let txt: string;
    try {
      txt = await txtClusterName(spec, ports);
    } catch (error) {
      txt = `(${errorText(error)})`;
    }
    if (txt !== want.clusterName) waiting.push(`TXT ${spec.txtRecord.name} resolves to ${txt} via ${ports.dns.where}, not ${want.clusterName}`);
    apiUnseen = undefined;
    try {
      const cname = await ports.dns.cname(spec.apiRecord.name);
      if (cname.kind === 'none') apiUnseen = `${spec.apiRecord.name} has no CNAME via ${ports.dns.where} (${cname.reason})`;
      else if (colourOfApiTarget(spec.clusters, cname.target) !== colour) {
        waiting.push(`${spec.apiRecord.name} resolves to ${cname.target} via ${ports.dns.where}, not ${want.endpointHost}`);
      }
    } catch (error) {
      apiUnseen = errorText(error);
    }
    return { done: waiting.length === 0, state: waiting.join('; ') };
  }).catch((error: unknown) => {
    if (error instanceof BasculeError) {
      throw new BasculeError('check', `DNS does not follow: ${error.message}`, {
        hint: 'a resolver may still hold the old answer (the TTL), or the record did not propagate; check with dig, raise --dns-wait if it is only slow',
      });
    }
    throw error;
  });
  ports.out(`      TXT ${spec.txtRecord.name} -> ${want.clusterName} via ${ports.dns.where}`);
  if (apiUnseen) notes.push(`could not check the API record through the resolver: ${apiUnseen}`);
  else ports.out(`      ${spec.apiRecord.name} -> ${want.endpointHost} via ${ports.dns.where}`);
  return notes;
}

// --- The steps -------------------------------------------------------------

async function apiAnswers(ports: SwitchPorts, colour: Colour, problems: string[]): Promise<boolean> {
  const kube = ports.kube[colour];
  try {
    const version = await kube.version();
    ports.out(`      ${colour}: the API answers (${version}) with a token for ${kube.connection.clusterName}`);
    return true;
  } catch (error) {
    problems.push(errorText(error));
    return false;
  }
}

function preflightFailed(problems: string[], rollback: boolean): BasculeError {
  return new BasculeError('check', `${rollback ? 'rollback ' : ''}preflight found ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

async function preflight(spec: SwitchSpec, ports: SwitchPorts): Promise<StepResult> {
  const { from, to } = spec;
  const ns = spec.externalDns.namespace;
  const problems: string[] = [];
  const notes: string[] = [];
  const reachable = { [to]: await apiAnswers(ports, to, problems), [from]: await apiAnswers(ports, from, problems) } as Record<Colour, boolean>;
  const replicas: Record<string, number> = {};
  for (const name of spec.externalDns.deployments) {
    try {
      if (reachable[to]) {
        const d = await ports.kube[to].deployment(ns, name);
        if (!d) problems.push(`${to}: the Deployment ${ns}/${name} does not exist (bascule's manifests create it, with 0 replicas)`);
        else if (d.desired !== 0 || d.replicas !== 0) {
          problems.push(`${to}: ${ns}/${name} runs ${d.desired} replica(s) (${d.replicas} pods); it must be at 0 before the switch: two live ExternalDNS would both write the shared zones`);
        }
      }
      if (reachable[from]) {
        const d = await ports.kube[from].deployment(ns, name);
        if (!d) problems.push(`${from}: the Deployment ${ns}/${name} does not exist`);
        else replicas[name] = d.desired;
      }
    } catch (error) {
      problems.push(errorText(error));
    }
  }
  if (spec.externalDns.deployments.length > 0 && problems.length === 0) ports.out(`      ${to}'s live ExternalDNS are at 0; ${from}'s exist`);

  await checkZones(spec, ports, problems);
  let api: RecordValue | null = null;
  let txt: RecordValue | null = null;
  const source = spec.clusters[from].clusterName;
  try {
    api = (await ports.route53.record(spec.apiRecord.zoneId, spec.apiRecord.name, 'CNAME')) ?? null;
    txt = (await ports.route53.record(spec.txtRecord.zoneId, spec.txtRecord.name, 'TXT')) ?? null;
    const names = (txt?.values ?? []).map(unquoteTxt).filter((v) => !isExternalDnsRegistryRecord(v));
    if (names.length !== 1 || names[0] !== source) {
      const holds = names.length === 0 ? 'holds no cluster name' : `holds ${names.map(quoteValue).join(', ')}`;
      const colour = names.length === 1 ? colourOfClusterName(spec.clusters, names[0] as string) : undefined;
      problems.push(
        `TXT ${spec.txtRecord.name} in Route53 (zone ${spec.txtRecord.zoneId}) ${holds}${colour ? ` (${colour})` : ''}, not ${quoteValue(source)}: ${colour === to ? `${to} may be live already` : 'the live colour is not the one the switch starts from'}; run \`bascule status\``,
      );
    } else ports.out(`      Route53: TXT ${spec.txtRecord.name} names ${source}`);
    const target = api?.values[0];
    if (!api) notes.push(`${spec.apiRecord.name} has no CNAME in zone ${spec.apiRecord.zoneId}: the switch creates it (a rollback deletes it)`);
    else if (!target || colourOfApiTarget(spec.clusters, target) !== from) notes.push(`${spec.apiRecord.name} points at ${api.values.join(' ')}, not ${from}'s endpoint ${spec.clusters[from].endpointHost}`);
  } catch (error) {
    problems.push(errorText(error));
  }
  try {
    const seen = await txtClusterName(spec, ports);
    if (seen !== source) problems.push(`TXT ${spec.txtRecord.name} resolves to ${seen} via ${ports.dns.where}, not ${source}`);
  } catch (error) {
    const text = errorText(error);
    problems.push(text.includes(' via ') ? text : `${text} (asked ${ports.dns.where})`);
  }
  if (problems.length > 0) throw preflightFailed(problems, false);
  for (const note of notes) ports.out(`      note: ${note}`);
  return { before: { api, txt, replicas }, notes };
}

function switchChanges(spec: SwitchSpec, before: Before | null): { zoneId: string; change: RecordChange }[] {
  const dst = spec.clusters[spec.to];
  return [
    { zoneId: spec.apiRecord.zoneId, change: { action: 'UPSERT', name: spec.apiRecord.name, type: 'CNAME', ttl: spec.apiRecord.ttl, values: [dst.endpointHost] } },
    { zoneId: spec.txtRecord.zoneId, change: { action: 'UPSERT', name: spec.txtRecord.name, type: 'TXT', ttl: spec.txtRecord.ttl, values: txtValuesFor(before?.txt?.values, dst.clusterName) } },
  ];
}

async function repointDns(spec: SwitchSpec, ports: SwitchPorts, journal: Journal): Promise<StepResult> {
  const changes = switchChanges(spec, journal.before);
  await applyChanges(spec, ports, changes, `bascule switch ${spec.platform}: ${spec.from} -> ${spec.to}`);
  for (const { zoneId, change } of changes) {
    const now = await ports.route53.record(zoneId, change.name, change.type);
    if (!now || !sameValues(now.values, change.values) || now.ttl !== change.ttl) {
      throw new BasculeError('check', `after the change, Route53 holds ${now ? now.values.join(' ') : 'nothing'} at ${change.name} ${change.type}, not ${change.values.join(' ')}`, {
        hint: 'someone or something else may be writing this record (another switch, ExternalDNS); look at the zone',
      });
    }
  }
  return {};
}

async function postcheck(spec: SwitchSpec, ports: SwitchPorts): Promise<StepResult> {
  const notes = await waitForDns(spec, ports, spec.to);
  // What `bascule token -i <TXT name>` does: resolve, check the allow-list, sign for that cluster.
  const name = await txtClusterName(spec, ports);
  if (name !== spec.clusters[spec.to].clusterName) throw new BasculeError('check', `a token for the stable name would be signed for ${name}, not ${spec.clusters[spec.to].clusterName}`);
  const version = await ports.kube[spec.to].version();
  ports.out(`      a token for ${spec.txtRecord.name} is signed for ${name}; ${spec.to}'s API accepts it (${version})`);
  return { notes };
}

function recordLive(ports: SwitchPorts, to: Colour, from: Colour): StepResult {
  const result = ports.writeLive(to, from);
  if (result.kind === 'written') ports.out(`      ${result.path} line ${result.line}: live: ${to}`);
  else if (result.kind === 'unchanged') ports.out(`      ${result.path} already says live: ${to}`);
  else {
    ports.out(`      ${result.instruction}`);
    return { notes: [result.instruction] };
  }
  return {};
}

async function rollbackPreflight(spec: SwitchSpec, ports: SwitchPorts, journal: Journal): Promise<StepResult> {
  const problems: string[] = [];
  const ids = new Set((journal.rollback ?? []).map((s) => s.id));
  if (ids.has('stop-target')) await apiAnswers(ports, spec.to, problems);
  if (ids.has('start-source')) await apiAnswers(ports, spec.from, problems);
  if (ids.has('restore-dns')) {
    if (!journal.before) problems.push('the journal holds no record of the DNS values before the switch; restore them by hand');
    await checkZones(spec, ports, problems);
  }
  if (problems.length > 0) throw preflightFailed(problems, true);
  return {};
}

async function restoreDns(spec: SwitchSpec, ports: SwitchPorts, journal: Journal): Promise<StepResult> {
  const before = journal.before;
  if (!before) throw new BasculeError('check', 'the journal holds no record of the DNS values before the switch', { hint: 'restore the API and TXT records by hand' });
  const changes: { zoneId: string; change: RecordChange }[] = [];
  for (const [record, type, value] of [
    [spec.apiRecord, 'CNAME', before.api],
    [spec.txtRecord, 'TXT', before.txt],
  ] as const) {
    if (value) changes.push({ zoneId: record.zoneId, change: { action: 'UPSERT', name: record.name, type, ttl: value.ttl, values: value.values } });
    else {
      // It did not exist: delete what the switch wrote, if it is still there.
      const now = await ports.route53.record(record.zoneId, record.name, type);
      if (now) changes.push({ zoneId: record.zoneId, change: { action: 'DELETE', name: record.name, type, ttl: now.ttl, values: now.values } });
    }
  }
  if (changes.length > 0) await applyChanges(spec, ports, changes, `bascule switch ${spec.platform}: rollback of ${spec.from} -> ${spec.to}`);
  return {};
}

async function rollbackPostcheck(spec: SwitchSpec, ports: SwitchPorts): Promise<StepResult> {
  return { notes: await waitForDns(spec, ports, spec.from) };
}

async function execute(spec: SwitchSpec, ports: SwitchPorts, journal: Journal, id: StepId): Promise<StepResult> {
  switch (id) {
    case 'preflight':
      return preflight(spec, ports);
    case 'stop-source':
      await scaleTo(spec, ports, spec.from, replicasOf(spec, 0));
      return {};
    case 'dns':
      return repointDns(spec, ports, journal);
    case 'start-target':
      await scaleTo(spec, ports, spec.to, replicasOf(spec, 1));
      return {};
    case 'postcheck':
      return postcheck(spec, ports);
    case 'record-live':
      return recordLive(ports, spec.to, spec.from);
    case 'rollback-preflight':
      return rollbackPreflight(spec, ports, journal);
    case 'stop-target':
      await scaleTo(spec, ports, spec.to, replicasOf(spec, 0));
      return {};
    case 'restore-dns':
      return restoreDns(spec, ports, journal);
    case 'start-source':
      await scaleTo(spec, ports, spec.from, Object.fromEntries(spec.externalDns.deployments.map((d) => [d, journal.before?.replicas[d] ?? 1])));
      return {};
    case 'rollback-postcheck':
      return rollbackPostcheck(spec, ports);
    case 'restore-live':
      return recordLive(ports, spec.from, spec.to);
  }
}

/**
 * Runs `ids` (the journal's remaining steps of its operation), journalling
 * each before and after. Returns the final journal and the notes for the
 * human; throws StepFailure (journal written) when a step fails.
 */
export async function runSteps(spec: SwitchSpec, ports: SwitchPorts, journal: Journal, ids: readonly StepId[]): Promise<{ journal: Journal; notes: string[] }> {
  const list = journal.rollback ?? journal.steps;
  const total = list.length;
  const notes: string[] = [];
  let j = journal;
  for (const id of ids) {
    const index = list.findIndex((s) => s.id === id) + 1;
    const step = describeStep(spec, id, j.before);
    j = stepStarted(j, id, ports.now(), ports.owner);
    ports.writeJournal(j);
    ports.out(`[${index}/${total}] ${step.title}`);
    const started = ports.now().getTime();
    let result: StepResult;
    try {
      result = await execute(spec, ports, j, id);
    } catch (error) {
      j = stepFailed(j, id, ports.now(), errorText(error));
      ports.writeJournal(j);
      ports.out(`      FAILED`);
      throw new StepFailure(id, error, j);
    }
    j = stepDone(j, id, ports.now(), result.before ? { before: result.before } : {});
    ports.writeJournal(j);
    notes.push(...(result.notes ?? []));
    ports.out(`      ok (${formatMs(ports.now().getTime() - started)})`);
  }
  return { journal: j, notes };
}

