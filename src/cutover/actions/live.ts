/**
 * The live ExternalDNS of each colour (the two instances writing the shared
 * zones): reading them against what `bascule manifests` generates, the
 * hand-over flag (--migrate-from-txt-owner), scaling them and waiting until
 * they run or are gone. Shared by the plain switch and the weighted shift.
 */
import { BasculeError } from '../../errors.js';
import { isRolledOut, isScaledDown, type DeploymentState } from '../../kube/client.js';
import type { Colour } from '../../platform/model.js';
import type { ZoneKind } from '../../production/inventory.js';
import { affixesFromArgs, argValue, argValues, type RegistryAffixes } from '../../production/registry.js';
import { parseDurationMs } from '../options.js';
import type { CutoverSpec } from '../spec.js';
import type { ActionPorts } from './ports.js';
import { problemOf, waitUntil } from './wait.js';

export const MIGRATE = 'migrate-from-txt-owner';

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

/** The flags of a live Deployment that must be what `bascule manifests` generates. */
const PINNED_FLAGS = ['txt-owner-id', 'policy', 'registry', 'domain-filter', 'zone-id-filter', 'exclude-domains', 'txt-prefix', 'txt-suffix', 'aws-zone-type', MIGRATE];

/** What differs between a live Deployment and what `bascule manifests` generates for it (the hand-over flag allowed when asked). */
export function liveDeploymentProblems(spec: CutoverSpec, colour: Colour, deployment: string, d: DeploymentState, options: { migration?: boolean } = {}): string[] {
  const live = spec.live.find((l) => l.deployment === deployment);
  if (!live) return [];
  const where = `${colour}: ${spec.externalDns.namespace}/${deployment}`;
  if (!d.container) return [`${where} has no container`];
  const problems: string[] = [];
  const want = live.args[colour];
  for (const flag of PINNED_FLAGS) {
    if (flag === MIGRATE && options.migration) continue;
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

/** Does this colour's API answer with a token for its cluster? A failure becomes a problem. */
export async function apiAnswers(ports: ActionPorts, colour: Colour, problems: string[]): Promise<boolean> {
  const kube = ports.kube[colour];
  try {
    const version = await kube.version();
    ports.emit({ kind: 'api-answers', colour, version, clusterName: kube.connection.clusterName });
    return true;
  } catch (error) {
    problems.push(problemOf(error));
    return false;
  }
}

/** Each colour's live Deployments as they are (undefined: absent), the problems found reading them. */
export interface LiveObservation {
  readonly deployments: Readonly<Record<Colour, Readonly<Record<string, DeploymentState | undefined>>>>;
  /** The registry affixes the live instances run with, per zone kind. */
  readonly affixes: Partial<Record<ZoneKind, RegistryAffixes>>;
}

export async function observeLive(spec: CutoverSpec, ports: ActionPorts, colours: readonly Colour[], problems: string[]): Promise<LiveObservation> {
  const deployments: Record<Colour, Record<string, DeploymentState | undefined>> = { blue: {}, green: {} };
  const affixes: Partial<Record<ZoneKind, RegistryAffixes>> = {};
  for (const colour of colours) {
    for (const live of spec.live) {
      try {
        const d = await ports.kube[colour].deployment(spec.externalDns.namespace, live.deployment);
        deployments[colour][live.deployment] = d;
        if (!d) problems.push(`${colour}: the Deployment ${spec.externalDns.namespace}/${live.deployment} does not exist (bascule's manifests create it)`);
        else if (d.container && !affixes[live.kind]) affixes[live.kind] = affixesFromArgs(d.container.args);
      } catch (error) {
        problems.push(problemOf(error));
      }
    }
  }
  return { deployments, affixes };
}

/** Sets (or removes) --migrate-from-txt-owner on a colour's live Deployments. */
async function setMigration(spec: CutoverSpec, ports: ActionPorts, colour: Colour, from: Colour | undefined): Promise<void> {
  const kube = ports.kube[colour];
  const ns = spec.externalDns.namespace;
  for (const live of spec.live) {
    const d = await kube.deployment(ns, live.deployment);
    if (!d) throw new BasculeError('check', `${colour}: Deployment ${ns}/${live.deployment} disappeared`);
    if (!d.container) throw new BasculeError('check', `${colour}: Deployment ${ns}/${live.deployment} has no container`);
    const owner = from === undefined ? undefined : live.owner[from];
    const want = withMigration(d.container.args, owner);
    if (want.join('\n') === d.container.args.join('\n')) continue;
    await kube.patchArgs(ns, live.deployment, d.container.index, d.container.args, want);
    ports.emit({ kind: 'migration', colour, deployment: `${ns}/${live.deployment}`, from: owner });
  }
}

export const replicasOf = (spec: CutoverSpec, n: number): Record<string, number> => Object.fromEntries(spec.externalDns.deployments.map((d) => [d, n]));

/**
 * Scales a colour's live Deployments (setting or removing the hand-over flag
 * first when asked), then waits until no pod is left (0) or each has its
 * replicas updated, ready and available (as `kubectl rollout status`).
 */
export async function scaleLive(spec: CutoverSpec, ports: ActionPorts, colour: Colour, replicas: Readonly<Record<string, number>>, options: { migrateFrom?: Colour | 'none' } = {}): Promise<void> {
  const kube = ports.kube[colour];
  const ns = spec.externalDns.namespace;
  if (options.migrateFrom !== undefined) await setMigration(spec, ports, colour, options.migrateFrom === 'none' ? undefined : options.migrateFrom);
  for (const name of spec.externalDns.deployments) {
    const want = replicas[name] as number;
    // Only the hand-over flag changed (end of a hand-over): the replicas are already right.
    if (options.migrateFrom === 'none' && want > 0 && (await kube.deployment(ns, name))?.desired === want) continue;
    await kube.scale(ns, name, want);
    ports.emit({ kind: 'scaled', colour, deployment: `${ns}/${name}`, replicas: want });
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
  ports.emit({ kind: 'scaled-all', colour, stopped: Object.values(replicas).every((n) => n === 0) });
}
