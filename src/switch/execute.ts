/**
 * Runs the planned steps, in order, each checked before the next, and
 * journals each one before and after. The adapters come in as ports, so the
 * steps run the same against real clusters, loopback stand-ins, or fakes.
 */
import { BasculeError } from '../errors.js';
import type { Colour } from '../platform/model.js';
import { assertAllowed, clusterNameFromTxt, isExternalDnsRegistryRecord, quoteValue } from '../dns/cluster-name.js';
import type { DnsPort } from '../cutover/dns.js';
import { formatInventory, positionOf, takeInventory, unallowedOrphans, type Inventory, type InventoryZone } from './inventory.js';
import { stepDone, stepFailed, stepStarted, type Before, type Journal, type RecordValue, type StepId } from './journal.js';
import { isRolledOut, isScaledDown, type DeploymentState, type KubePort } from '../kube/client.js';
import { formatMs, parseDurationMs } from './options.js';
import type { LiveWrite } from '../cutover/live-edit.js';
import { describeStep } from './plan.js';
import { affixesFromArgs, argValue, argValues, NO_AFFIXES } from './registry.js';
import type { RecordChange, Route53Port } from './route53.js';
import { colourOfApiTarget, colourOfClusterName, isRegistryValue, txtValuesFor, unquoteTxt, type RecordSpec, type SwitchSpec } from '../cutover/spec.js';

/** What a long step reports while it runs (the terminal reporter decides how to show it). */
export interface ProgressEvent {
  readonly step: string;
  readonly state: string;
  readonly detail?: string;
}

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
  /** Waits and step transitions, as data. */
  readonly progress: (event: ProgressEvent) => void;
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

/** A failure bascule explains becomes one preflight problem; anything else (a bug) surfaces as it is. */
function problemOf(error: unknown): string {
  if (error instanceof BasculeError) return error.message;
  throw error;
}

/** Polls `probe` until it says done; fails with its last word after `timeoutMs`. */
async function waitUntil(
  ports: SwitchPorts,
  options: { timeoutMs: number; pollMs: number; step?: string; hint?: string },
  probe: () => Promise<{ done: boolean; state: string }>,
): Promise<void> {
  const deadline = ports.now().getTime() + options.timeoutMs;
  for (;;) {
    const { done, state } = await probe();
    if (done) return;
    if (ports.now().getTime() >= deadline) {
      throw new BasculeError('check', `${state}, still after ${formatMs(options.timeoutMs)}`, { hint: options.hint ?? 'raise --timeout if the cluster is only slow' });
    }
    ports.progress({ step: options.step ?? 'wait', state: 'waiting', detail: state });
    await ports.sleep(Math.min(options.pollMs, Math.max(0, deadline - ports.now().getTime())));
  }
}

// --- Scaling ---------------------------------------------------------------

const MIGRATE = 'migrate-from-txt-owner';

/** The args with the hand-over flag set to `from` (or removed when undefined). */
export function withMigration(args: readonly string[], from: string | undefined): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith(`--${MIGRATE}=`)) continue;
    if (a === `--${MIGRATE}`) {
      i++;
      continue;
    }
    kept.push(a);
  }
  return from === undefined ? kept : [...kept, `--${MIGRATE}=${from}`];
}

/** Sets (or removes) --migrate-from-txt-owner on a colour's live Deployments; true when any changed. */
async function setMigration(spec: SwitchSpec, ports: SwitchPorts, colour: Colour, from: Colour | undefined): Promise<boolean> {
  const kube = ports.kube[colour];
  const ns = spec.externalDns.namespace;
  let changed = false;
  for (const live of spec.live) {
    const d = await kube.deployment(ns, live.deployment);
    if (!d) throw new BasculeError('check', `${colour}: Deployment ${ns}/${live.deployment} disappeared`);
    if (!d.container) throw new BasculeError('check', `${colour}: Deployment ${ns}/${live.deployment} has no container`);
    const want = withMigration(d.container.args, from === undefined ? undefined : live.owner[from]);
    if (want.join('\n') === d.container.args.join('\n')) continue;
    await kube.patchArgs(ns, live.deployment, d.container.index, d.container.args, want);
    changed = true;
    ports.out(`      ${colour}: ${ns}/${live.deployment} ${from === undefined ? `runs without --${MIGRATE}` : `takes over ${live.owner[from]}'s records (--${MIGRATE}=${live.owner[from]})`}`);
  }
  return changed;
}

async function scaleTo(spec: SwitchSpec, ports: SwitchPorts, colour: Colour, replicas: Readonly<Record<string, number>>, options: { migrateFrom?: Colour | 'none' } = {}): Promise<void> {
  const kube = ports.kube[colour];
  const ns = spec.externalDns.namespace;
  if (options.migrateFrom !== undefined) await setMigration(spec, ports, colour, options.migrateFrom === 'none' ? undefined : options.migrateFrom);
  for (const name of spec.externalDns.deployments) {
    const want = replicas[name] as number;
    // Only the hand-over flag changed (end of a hand-over): the replicas are already right.
    if (options.migrateFrom === 'none' && want > 0 && (await kube.deployment(ns, name))?.desired === want) continue;
    await kube.scale(ns, name, want);
    ports.out(`      ${colour}: ${ns}/${name} scaled to ${want}`);
  }
  await waitUntil(ports, { ...spec.waits, step: `${colour} live ExternalDNS` }, async () => {
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
    ...spec.production.map((z): [string, RecordSpec] => [`domains.${z.kind}.zoneId`, { name: z.domain, zoneId: z.zoneId, ttl: 0 }]),
  ];
  const seen = new Map<string, Awaited<ReturnType<Route53Port['zone']>> | null>();
  for (const [key, record] of records) {
    if (!seen.has(record.zoneId)) {
      try {
        const zone = await ports.route53.zone(record.zoneId);
        seen.set(record.zoneId, zone);
        // A private zone answers only inside its VPCs: once the old colour is stopped, the new one must still see it.
        for (const colour of [spec.from, spec.to]) {
          const vpc = spec.vpcs[colour];
          if (!zone?.private) continue;
          if (vpc === undefined) problems.push(`the hosted zone ${record.zoneId} (${zone.name}) is private, and clusters.${colour}.vpcId is not set: bascule cannot check that ${colour}'s VPC sees it; set it`);
          else if (!zone.vpcs.includes(vpc)) {
            problems.push(`the private hosted zone ${record.zoneId} (${zone.name}) is not associated with ${colour}'s VPC ${vpc}: ${colour} would not resolve it (aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${record.zoneId} --vpc VPCRegion=...,VPCId=${vpc})`);
          }
        }
      } catch (error) {
        problems.push(problemOf(error));
        seen.set(record.zoneId, null);
      }
    }
    const zone = seen.get(record.zoneId);
    if (zone === undefined) problems.push(`the Route53 hosted zone ${record.zoneId} (${key}) does not exist`);
    else if (zone !== null && !inZone(record.name, zone.name)) problems.push(`${record.name} is not in the hosted zone ${record.zoneId} (${zone.name}) that ${key} names`);
    else if (zone !== null && key === 'api.zoneId' && record.name === zone.name) {
      problems.push(`${record.name} is the apex of the hosted zone ${record.zoneId}: Route53 refuses a CNAME there; give api.record a name below it (api.${zone.name})`);
    }
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

/** How long resolvers may keep the old answers: the larger of the old and new TTLs, plus 30 s (unless --dns-wait says). */
export function dnsWaitMs(spec: SwitchSpec, before: Before | null): number {
  if (spec.waits.dnsWaitSet) return spec.waits.dnsWaitMs;
  const old = Math.max(before?.api?.ttl ?? 0, before?.txt?.ttl ?? 0);
  return Math.max(spec.waits.dnsWaitMs, (old + 30) * 1000);
}

async function waitForDns(spec: SwitchSpec, ports: SwitchPorts, colour: Colour, before: Before | null): Promise<string[]> {
  const want = spec.clusters[colour];
  const notes: string[] = [];
  let apiUnseen: string | undefined;
  await waitUntil(ports, { timeoutMs: dnsWaitMs(spec, before), pollMs: spec.waits.pollMs, step: 'DNS' }, async () => {
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

// --- Production records ----------------------------------------------------

/** Every record set of the production zones and the cluster sub-domains' zones, read once per zone. */
export async function readInventory(
  spec: SwitchSpec,
  route53: Pick<Route53Port, 'recordSets'>,
  from: Colour,
  to: Colour,
  affixes: Readonly<Record<string, ReturnType<typeof affixesFromArgs>>>,
): Promise<Inventory> {
  const cache = new Map<string, Awaited<ReturnType<Route53Port['recordSets']>>>();
  const sets = async (zoneId: string) => {
    if (!cache.has(zoneId)) cache.set(zoneId, await route53.recordSets(zoneId));
    return cache.get(zoneId) ?? [];
  };
  const zones: InventoryZone[] = [];
  for (const z of spec.production) {
    const records = await sets(z.zoneId);
    const own = async (colour: Colour) => (z.clusterZoneIds[colour] === z.zoneId ? [] : await sets(z.clusterZoneIds[colour]));
    zones.push({
      kind: z.kind,
      zoneId: z.zoneId,
      domain: z.domain,
      clusterDomains: z.clusterDomains,
      liveOwners: [...new Set(spec.live.filter((l) => l.kind === z.kind).flatMap((l) => [l.owner.blue, l.owner.green]))],
      clusterOwners: z.clusterOwners,
      affixes: affixes[z.kind] ?? NO_AFFIXES,
      excluded: [spec.apiRecord.name, spec.txtRecord.name],
      records,
      clusterRecords: { blue: await own('blue'), green: await own('green') },
    });
  }
  return takeInventory(zones, from, to);
}

/** The flags of a live Deployment that must be what `bascule manifests` generates. */
const PINNED_FLAGS = ['txt-owner-id', 'policy', 'registry', 'domain-filter', 'zone-id-filter', 'exclude-domains', 'txt-prefix', 'txt-suffix', 'aws-zone-type', MIGRATE];

/** What differs between a live Deployment and what `bascule manifests` generates for it. */
export function liveDeploymentProblems(spec: SwitchSpec, colour: Colour, deployment: string, d: DeploymentState): string[] {
  const live = spec.live.find((l) => l.deployment === deployment);
  if (!live) return [];
  const where = `${colour}: ${spec.externalDns.namespace}/${deployment}`;
  if (!d.container) return [`${where} has no container`];
  const problems: string[] = [];
  const want = live.args[colour];
  for (const flag of PINNED_FLAGS) {
    const has = argValues(d.container.args, flag);
    const wanted = argValues(want, flag);
    if (has.join(',') === wanted.join(',')) continue;
    const show = (v: string[]) => (v.length === 0 ? 'none' : v.map((x) => `--${flag}=${x}`).join(' '));
    if (flag === MIGRATE) problems.push(`${where} still runs ${show(has)} (a hand-over left unfinished): it would take records from another owner; apply the manifests \`bascule manifests\` generates, then retry`);
    else problems.push(`${where} runs ${show(has)}, not ${show(wanted)} as \`bascule manifests\` generates: apply the generated manifests (or fix the platform file), then retry`);
  }
  if (d.container.image !== spec.externalDns.image) {
    problems.push(`${where} runs the image ${d.container.image}, not ${spec.externalDns.image} (externalDns.image): an older ExternalDNS may write a registry format the inventory cannot read; apply the generated manifests`);
  }
  return problems;
}

/** ExternalDNS's --interval (default 1m), from a Deployment's args. */
export function intervalMs(args: readonly string[]): number {
  const value = argValue(args, 'interval');
  if (value === undefined) return 60_000;
  try {
    return parseDurationMs('--interval', value, { min: 1, max: 24 * 3_600_000 });
  } catch {
    return 60_000;
  }
}

/**
 * Waits until every name in `names` targets `colour`'s load balancers and its
 * registry entry names `colour`'s live owner id; bounded by 3 ExternalDNS
 * intervals (at least two full loops after the one under way).
 */
async function productionFollows(spec: SwitchSpec, ports: SwitchPorts, colour: Colour, names: readonly string[], label: string): Promise<string[]> {
  if (spec.live.length === 0) return [];
  const other = colour === spec.to ? spec.from : spec.to;
  if (names.length === 0) {
    ports.out(`      no production name to wait for`);
    return [];
  }
  const intervals: number[] = [];
  const affixes: Record<string, ReturnType<typeof affixesFromArgs>> = {};
  for (const live of spec.live) {
    const d = await ports.kube[colour].deployment(spec.externalDns.namespace, live.deployment);
    if (d?.container) {
      intervals.push(intervalMs(d.container.args));
      affixes[live.kind] = affixesFromArgs(d.container.args);
    }
  }
  const interval = intervals.length > 0 ? Math.max(...intervals) : 60_000;
  const bound = 3 * interval;
  const ownerOf = (kind: string) => spec.live.find((l) => l.kind === kind)?.owner[colour];
  let still: string[] = [];
  await waitUntil(
    ports,
    {
      timeoutMs: bound,
      pollMs: Math.min(spec.waits.pollMs, Math.max(100, Math.floor(interval / 2))),
      step: label,
      hint: `${colour}'s live ExternalDNS did not take them over: read its logs (kubectl -n ${spec.externalDns.namespace} logs deploy/${spec.live[0]?.deployment}), check its IAM role may change the zones (route53:ChangeResourceRecordSets), its --domain-filter and --txt-owner-id; the journal says how to resume or roll back`,
    },
    async () => {
      const inventory = await readInventory(spec, ports.route53, other, colour, affixes);
      still = [];
      for (const name of names) {
        const row = inventory.rows.find((r) => r.name === name);
        if (!row) {
          still.push(`${name} (gone from Route53)`);
          continue;
        }
        const at = positionOf(row, other, colour);
        if (at !== colour) still.push(`${name} -> ${row.targets.join(' ')} (${at === other ? `still on ${other}` : 'neither colour'})`);
        else if (row.owner !== ownerOf(row.kind)) still.push(`${name} (targets ${colour}, but its registry entry still names ${row.owner ?? 'nobody'}, not ${ownerOf(row.kind)})`);
      }
      return { done: still.length === 0, state: `${still.length} production name${still.length === 1 ? '' : 's'} not on ${colour} after ${formatMs(bound)} (3 ExternalDNS intervals of ${formatMs(interval)}): ${still.join('; ')}` };
    },
  );
  ports.out(`      Route53: ${names.join(', ')} target ${colour}'s load balancers, owned by ${colour}'s live ExternalDNS`);
  return [];
}

// --- The steps -------------------------------------------------------------

async function apiAnswers(ports: SwitchPorts, colour: Colour, problems: string[]): Promise<boolean> {
  const kube = ports.kube[colour];
  try {
    const version = await kube.version();
    ports.out(`      ${colour}: the API answers (${version}) with a token for ${kube.connection.clusterName}`);
    return true;
  } catch (error) {
    problems.push(problemOf(error));
    return false;
  }
}

function preflightFailed(problems: string[], rollback: boolean): BasculeError {
  return new BasculeError('check', `${rollback ? 'rollback ' : ''}preflight found ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Reads both colours' live Deployments; checks them against the generated ones; returns the source's replicas and each kind's registry affixes. */
async function checkLiveDeployments(spec: SwitchSpec, ports: SwitchPorts, reachable: Record<Colour, boolean>, problems: string[], rollback: boolean) {
  const { from, to } = spec;
  const ns = spec.externalDns.namespace;
  const replicas: Record<string, number> = {};
  const affixes: Record<string, ReturnType<typeof affixesFromArgs>> = {};
  for (const live of spec.live) {
    const name = live.deployment;
    try {
      if (reachable[to]) {
        const d = await ports.kube[to].deployment(ns, name);
        if (!d) problems.push(`${to}: the Deployment ${ns}/${name} does not exist (bascule's manifests create it, with 0 replicas)`);
        else {
          if (!rollback && (d.desired !== 0 || d.replicas !== 0)) {
            problems.push(`${to}: ${ns}/${name} runs ${d.desired} replica(s) (${d.replicas} pods); it must be at 0 before the switch: two live ExternalDNS would both write the shared zones`);
          }
          if (!rollback) problems.push(...liveDeploymentProblems(spec, to, name, d));
        }
      }
      if (reachable[from]) {
        const d = await ports.kube[from].deployment(ns, name);
        if (!d) problems.push(`${from}: the Deployment ${ns}/${name} does not exist`);
        else {
          replicas[name] = d.desired;
          if (!rollback) problems.push(...liveDeploymentProblems(spec, from, name, d));
          if (d.container) affixes[live.kind] = affixesFromArgs(d.container.args);
        }
      }
    } catch (error) {
      problems.push(problemOf(error));
    }
  }
  return { replicas, affixes };
}

async function preflight(spec: SwitchSpec, ports: SwitchPorts): Promise<StepResult> {
  const { from, to } = spec;
  const problems: string[] = [];
  const notes: string[] = [];
  const reachable = { [to]: await apiAnswers(ports, to, problems), [from]: await apiAnswers(ports, from, problems) } as Record<Colour, boolean>;
  const { replicas, affixes } = await checkLiveDeployments(spec, ports, reachable, problems, false);
  if (spec.live.length > 0 && problems.length === 0) ports.out(`      ${to}'s live ExternalDNS are at 0; both colours' run what \`bascule manifests\` generates`);

  await checkZones(spec, ports, problems);
  let api: RecordValue | null = null;
  let txt: RecordValue | null = null;
  const source = spec.clusters[from].clusterName;
  try {
    api = (await ports.route53.record(spec.apiRecord.zoneId, spec.apiRecord.name, 'CNAME')) ?? null;
    txt = (await ports.route53.record(spec.txtRecord.zoneId, spec.txtRecord.name, 'TXT')) ?? null;
    const values = (txt?.values ?? []).map(unquoteTxt);
    const names = values.filter((v) => !isExternalDnsRegistryRecord(v));
    if (names.length !== 1 || names[0] !== source) {
      const holds = names.length === 0 ? 'holds no cluster name' : `holds ${names.map(quoteValue).join(', ')}`;
      const colour = names.length === 1 ? colourOfClusterName(spec.clusters, names[0] as string) : undefined;
      problems.push(
        `TXT ${spec.txtRecord.name} in Route53 (zone ${spec.txtRecord.zoneId}) ${holds}${colour ? ` (${colour})` : ''}, not ${quoteValue(source)}: ${colour === to ? `${to} may be live already` : 'the live colour is not the one the switch starts from'}; run \`bascule status\``,
      );
    } else ports.out(`      Route53: TXT ${spec.txtRecord.name} names ${source}`);
    if ((txt?.values ?? []).some(isRegistryValue)) {
      problems.push(
        `TXT ${spec.txtRecord.name} holds an ExternalDNS registry value: an ExternalDNS claims that name and may rewrite or delete the record naming the live cluster; exclude ${spec.txtRecord.name} from every ExternalDNS (--exclude-domains; \`bascule manifests\` does), remove that value, then retry`,
      );
    }
    const target = api?.values[0];
    if (!api) notes.push(`${spec.apiRecord.name} has no CNAME in zone ${spec.apiRecord.zoneId}: the switch creates it (a rollback deletes it)`);
    else if (api.values.length !== 1 || !target || colourOfApiTarget(spec.clusters, target) !== from) {
      problems.push(`${spec.apiRecord.name} points at ${api.values.join(' ')}, not ${from}'s endpoint ${spec.clusters[from].endpointHost}: the live colour is not the one the switch starts from; run \`bascule status\``);
    }
    const beside = (await ports.route53.recordSets(spec.apiRecord.zoneId)).filter((r) => r.name === spec.apiRecord.name && r.type !== 'CNAME');
    if (beside.length > 0) {
      problems.push(`${spec.apiRecord.name} also holds ${beside.map((r) => r.type).join(', ')} record(s) in zone ${spec.apiRecord.zoneId}: Route53 refuses a CNAME beside another type; remove them`);
    }
  } catch (error) {
    problems.push(problemOf(error));
  }
  try {
    const seen = await txtClusterName(spec, ports);
    if (seen !== source) problems.push(`TXT ${spec.txtRecord.name} resolves to ${seen} via ${ports.dns.where}, not ${source}`);
  } catch (error) {
    const text = problemOf(error);
    problems.push(text.includes(' via ') ? text : `${text} (asked ${ports.dns.where})`);
  }
  let moves: string[] = [];
  let orphans: string[] = [];
  if (spec.live.length > 0) {
    try {
      const inventory = await readInventory(spec, ports.route53, from, to, affixes);
      ports.out(formatInventory(inventory).trimEnd().replace(/^/gm, '      '));
      moves = inventory.rows.filter((r) => r.verdict === 'moves').map((r) => r.name);
      orphans = inventory.rows.filter((r) => r.verdict === 'orphan').map((r) => r.name);
      const { missing, unknown } = unallowedOrphans(inventory, spec.allowOrphans);
      if (missing.length > 0) {
        problems.push(
          `${missing.length} production name${missing.length === 1 ? ' is' : 's are'} served by ${from} only: ${missing.join(', ')}. After the switch nothing updates ${missing.length === 1 ? 'it' : 'them'} (upsert-only never deletes) and ${missing.length === 1 ? 'it keeps' : 'they keep'} sending traffic to ${from}'s load balancers; deleting ${from}'s ingresses would take ${missing.length === 1 ? 'it' : 'them'} down. Serve ${missing.length === 1 ? 'it' : 'them'} from ${to} too, or accept that with ${missing.map((n) => `--allow-orphan ${n}`).join(' ')}`,
        );
      }
      if (unknown.length > 0) problems.push(`--allow-orphan names ${unknown.join(', ')}, which the inventory does not find as an orphan (served by ${from} only); check the name`);
    } catch (error) {
      problems.push(problemOf(error));
    }
  }
  if (problems.length > 0) throw preflightFailed(problems, false);
  for (const note of notes) ports.out(`      note: ${note}`);
  return { before: { api, txt, replicas, moves, orphans }, notes };
}

function switchChanges(spec: SwitchSpec): { zoneId: string; change: RecordChange }[] {
  const dst = spec.clusters[spec.to];
  return [
    { zoneId: spec.apiRecord.zoneId, change: { action: 'UPSERT', name: spec.apiRecord.name, type: 'CNAME', ttl: spec.apiRecord.ttl, values: [dst.endpointHost] } },
    { zoneId: spec.txtRecord.zoneId, change: { action: 'UPSERT', name: spec.txtRecord.name, type: 'TXT', ttl: spec.txtRecord.ttl, values: txtValuesFor(dst.clusterName) } },
  ];
}

async function repointDns(spec: SwitchSpec, ports: SwitchPorts): Promise<StepResult> {
  const changes = switchChanges(spec);
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

async function postcheck(spec: SwitchSpec, ports: SwitchPorts, journal: Journal): Promise<StepResult> {
  await productionFollows(spec, ports, spec.to, journal.before?.moves ?? [], 'production records');
  const notes = await waitForDns(spec, ports, spec.to, journal.before);
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
  const reachable = {
    [spec.to]: ids.has('stop-target') ? await apiAnswers(ports, spec.to, problems) : false,
    [spec.from]: ids.has('start-source') ? await apiAnswers(ports, spec.from, problems) : false,
  } as Record<Colour, boolean>;
  if (ids.has('restore-dns')) {
    if (!journal.before) problems.push('the journal holds no record of the DNS values before the switch; restore them by hand');
    await checkZones(spec, ports, problems);
  }
  if (ids.has('start-source') && spec.live.length > 0) {
    const { affixes } = await checkLiveDeployments(spec, ports, reachable, problems, true);
    try {
      // The same procedure backwards: its own inventory, production names moving back.
      const inventory = await readInventory(spec, ports.route53, spec.to, spec.from, affixes);
      ports.out(formatInventory(inventory).trimEnd().replace(/^/gm, '      '));
    } catch (error) {
      problems.push(problemOf(error));
    }
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

async function rollbackPostcheck(spec: SwitchSpec, ports: SwitchPorts, journal: Journal): Promise<StepResult> {
  if (spec.live.length > 0 && (journal.rollback ?? []).some((s) => s.id === 'start-source')) {
    // The names the source serves that the live instances own (its own inventory, now).
    const inventory = await readInventory(spec, ports.route53, spec.to, spec.from, {});
    const names = inventory.rows.filter((r) => r.verdict === 'moves').map((r) => r.name);
    await productionFollows(spec, ports, spec.from, names, 'production records');
  }
  return { notes: await waitForDns(spec, ports, spec.from, journal.before) };
}

async function execute(spec: SwitchSpec, ports: SwitchPorts, journal: Journal, id: StepId): Promise<StepResult> {
  const { from, to } = spec;
  switch (id) {
    case 'preflight':
      return preflight(spec, ports);
    case 'stop-source':
      await scaleTo(spec, ports, from, replicasOf(spec, 0));
      return {};
    case 'dns':
      return repointDns(spec, ports);
    case 'start-target':
      await scaleTo(spec, ports, to, replicasOf(spec, 1), { migrateFrom: from });
      return {};
    case 'postcheck':
      return postcheck(spec, ports, journal);
    case 'end-handover':
      await scaleTo(spec, ports, to, replicasOf(spec, 1), { migrateFrom: 'none' });
      return {};
    case 'record-live':
      return recordLive(ports, to, from);
    case 'rollback-preflight':
      return rollbackPreflight(spec, ports, journal);
    case 'stop-target':
      await scaleTo(spec, ports, to, replicasOf(spec, 0), { migrateFrom: 'none' });
      return {};
    case 'restore-dns':
      return restoreDns(spec, ports, journal);
    case 'start-source':
      await scaleTo(spec, ports, from, sourceReplicas(spec, journal), { migrateFrom: to });
      return {};
    case 'rollback-postcheck':
      return rollbackPostcheck(spec, ports, journal);
    case 'rollback-end-handover':
      await scaleTo(spec, ports, from, sourceReplicas(spec, journal), { migrateFrom: 'none' });
      return {};
    case 'restore-live':
      return recordLive(ports, from, to);
  }
}

const sourceReplicas = (spec: SwitchSpec, journal: Journal) => Object.fromEntries(spec.externalDns.deployments.map((d) => [d, journal.before?.replicas[d] ?? 1]));

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
    ports.progress({ step: id, state: 'started', detail: step.title });
    const started = ports.now().getTime();
    let result: StepResult;
    try {
      result = await execute(spec, ports, j, id);
    } catch (error) {
      j = stepFailed(j, id, ports.now(), errorText(error));
      ports.writeJournal(j);
      ports.out(`      FAILED`);
      ports.progress({ step: id, state: 'failed', detail: errorText(error) });
      throw new StepFailure(id, error, j);
    }
    j = stepDone(j, id, ports.now(), result.before ? { before: result.before } : {});
    ports.writeJournal(j);
    notes.push(...(result.notes ?? []));
    ports.out(`      ok (${formatMs(ports.now().getTime() - started)})`);
    ports.progress({ step: id, state: 'done' });
  }
  return { journal: j, notes };
}

