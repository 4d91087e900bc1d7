/**
 * Proof that production moved: Route53 (every moving name targets the
 * colour's load balancers and its registry entry names the colour's live
 * owner id), then DNS as clients see it (the TXT record and the API record
 * through the resolver, by the token path's rules). Shared by both cut-overs.
 */
import { BasculeError } from '../../errors.js';
import { assertAllowed, clusterNameFromTxt } from '../../dns/cluster-name.js';
import type { Colour } from '../../platform/model.js';
import { describeTraffic, otherColour, trafficColour, type ProductionLayout } from '../../production/inventory.js';
import { observeProduction } from '../../production/observe.js';
import { formatMs } from '../options.js';
import { colourOfApiTarget, type CutoverSpec } from '../spec.js';
import type { RecordValue } from './records.js';
import type { ActionPorts } from './ports.js';
import { errorText, waitUntil } from './wait.js';

/** The cluster name the TXT record gives through the resolver, by the token path's rules. */
export async function txtClusterName(spec: CutoverSpec, ports: ActionPorts): Promise<string> {
  const id = spec.txtRecord.name;
  const resolved = clusterNameFromTxt(id, await ports.dns.txt(id));
  assertAllowed(resolved, id, [spec.clusters.blue.clusterName, spec.clusters.green.clusterName]);
  return resolved.clusterName;
}

/** How long resolvers may keep the old answers: the larger of the old and new TTLs, plus 30 s (unless --dns-wait says). */
export function dnsWaitMs(spec: CutoverSpec, before: { api: RecordValue | null; txt: RecordValue | null } | null): number {
  if (spec.waits.dnsWaitSet) return spec.waits.dnsWaitMs;
  const old = Math.max(before?.api?.ttl ?? 0, before?.txt?.ttl ?? 0);
  return Math.max(spec.waits.dnsWaitMs, (old + 30) * 1000);
}

/** Waits until the TXT and API records resolve to the colour; returns notes (an API record the resolver cannot see). */
export async function waitForDns(spec: CutoverSpec, ports: ActionPorts, colour: Colour, before: { api: RecordValue | null; txt: RecordValue | null } | null): Promise<string[]> {
  const want = spec.clusters[colour];
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
      else if (colourOfApiTarget(spec.clusters, cname.target) !== colour) waiting.push(`${spec.apiRecord.name} resolves to ${cname.target} via ${ports.dns.where}, not ${want.endpointHost}`);
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
  ports.emit({ kind: 'dns-follows', record: `TXT ${spec.txtRecord.name}`, value: want.clusterName, where: ports.dns.where });
  if (apiUnseen) return [`could not check the API record through the resolver: ${apiUnseen}`];
  ports.emit({ kind: 'dns-follows', record: spec.apiRecord.name, value: want.endpointHost, where: ports.dns.where });
  return [];
}

/**
 * Waits until every name in `names` sends all its traffic to `colour` and its
 * registry entry names `colour`'s live owner id (in Route53), bounded by
 * `boundMs` (3 ExternalDNS intervals: at least two full loops after the one
 * under way).
 */
export async function productionFollows(
  spec: CutoverSpec,
  ports: ActionPorts,
  o: { colour: Colour; names: readonly string[]; layout: ProductionLayout; intervalMs: number; hint: string },
): Promise<void> {
  if (o.names.length === 0) return;
  const bound = 3 * o.intervalMs;
  const other = otherColour(o.colour);
  await waitUntil(ports, { timeoutMs: bound, pollMs: Math.min(spec.waits.pollMs, Math.max(100, Math.floor(o.intervalMs / 2))), step: 'production', hint: o.hint }, async () => {
    const production = await observeProduction(ports.route53, o.layout);
    const byName = new Map(production.names.map((n) => [n.name, n]));
    const still: string[] = [];
    for (const name of o.names) {
      const n = byName.get(name);
      if (!n) {
        still.push(`${name} (gone from Route53)`);
        continue;
      }
      const at = trafficColour(n.traffic);
      if (at !== o.colour) still.push(`${name} -> ${n.targets.join(' ')} (${at === other ? `still on ${other}` : describeTraffic(n.traffic)})`);
      else if (n.owner.kind !== 'live' || n.owner.colour !== o.colour) {
        still.push(`${name} (targets ${o.colour}, but its registry entry names ${n.owner.kind === 'live' || n.owner.kind === 'other' ? n.owner.id : 'no live owner'}, not ${o.colour}'s live ExternalDNS)`);
      }
    }
    return { done: still.length === 0, state: `${still.length} production name${still.length === 1 ? '' : 's'} not on ${o.colour} after ${formatMs(bound)} (3 ExternalDNS intervals of ${formatMs(o.intervalMs)}): ${still.join('; ')}` };
  });
  ports.emit({ kind: 'production-follows', colour: o.colour, names: o.names });
}
