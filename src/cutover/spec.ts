/**
 * What a cut-over is about (pure): the platform, the two colours, and
 * everything the steps touch (the API and cluster-name records, the live
 * ExternalDNS, where production lives), derived once from the resolved
 * platform so the planners, the steps and the messages of both the plain
 * switch and the weighted shift read the same values.
 */
import { createHash } from 'node:crypto';
import { BasculeError, usageError } from '../errors.js';
import { externalDnsArgs, zoneKind } from '../platform/external-dns.js';
import type { Colour, Platform } from '../platform/model.js';
import { EXTERNAL_DNS_DEPLOYMENTS, LIVE_EXTERNAL_DNS_INSTANCES } from '../platform/names.js';
import { normName } from '../production/names.js';
import type { ProductionLayout, ZoneKind } from '../production/inventory.js';
import { productionLayout } from '../production/layout.js';
import { isRegistryValue as isRegistryText } from '../production/registry.js';
import { COLOURS } from '../platform/schema.js';
import type { Waits } from './options.js';

export interface ColourTarget {
  readonly colour: Colour;
  /** EKS cluster name: what the TXT record holds and tokens are signed for. */
  readonly clusterName: string;
  /** https://host[:port] */
  readonly endpoint: string;
  /** What the API CNAME points at when this colour is live. */
  readonly endpointHost: string;
  /** This colour's own API record (api.eks-blue.devinfra.local): a CNAME to endpointHost. */
  readonly apiRecord: string;
}

export interface RecordSpec {
  readonly name: string;
  readonly zoneId: string;
  readonly ttl: number;
}

/** A shared zone whose production records the live ExternalDNS write. */
export interface SharedZone {
  readonly kind: ZoneKind;
  readonly zoneId: string;
  /** The shared domain (devinfra.local). */
  readonly domain: string;
  readonly clusterDomains: Readonly<Record<Colour, string>>;
  /** The zone of each colour's sub-domain (the shared zone when it lives there). */
  readonly clusterZoneIds: Readonly<Record<Colour, string>>;
  readonly clusterOwners: Readonly<Record<Colour, string>>;
}

/** One live ExternalDNS Deployment, as `bascule manifests` generates it for each colour. */
export interface LiveInstance {
  readonly deployment: string;
  readonly kind: ZoneKind;
  readonly owner: Readonly<Record<Colour, string>>;
  readonly args: Readonly<Record<Colour, readonly string[]>>;
}

export interface CutoverSpec {
  readonly platform: string;
  /** The platform file as the user named it. */
  readonly platformFile: string;
  readonly from: Colour;
  readonly to: Colour;
  readonly clusters: Readonly<Record<Colour, ColourTarget>>;
  /** The live ExternalDNS Deployments (empty when externalDns.enabled is false). */
  readonly externalDns: { readonly namespace: string; readonly deployments: readonly string[]; readonly image: string };
  /** Each live Deployment: its zone kind, owner ids and generated args per colour. */
  readonly live: readonly LiveInstance[];
  /** The shared zones the inventory reads (none without ExternalDNS). */
  readonly production: readonly SharedZone[];
  /** Where production lives and who writes it (the one inventory reads it). */
  readonly layout: ProductionLayout;
  /** Each cluster's VPC: private zones the switch touches must be associated with both. */
  readonly vpcs: Readonly<Record<Colour, string | undefined>>;
  /** Orphans the operator accepts leaving on the old colour (--allow-orphan). */
  readonly allowOrphans: readonly string[];
  /** The stable API name: CNAME -> the live colour's endpoint host. */
  readonly apiRecord: RecordSpec;
  /** The TXT record naming the live cluster. */
  readonly txtRecord: RecordSpec;
  /** DNS server to ask (HOST[:PORT]); undefined: the system resolver. */
  readonly resolver: string | undefined;
  /** dnsWaitSet: --dns-wait was given (else the post-check waits for the larger of the old and new TTLs, plus 30 s). */
  readonly waits: Waits & { readonly dnsWaitMs: number; readonly dnsWaitSet: boolean };
  readonly journal: string;
}

export const other = (colour: Colour): Colour => (colour === 'blue' ? 'green' : 'blue');

/** CNAME targets and record names compare without case and trailing dot. */
/** The live ExternalDNS Deployment names, or none when bascule does not run ExternalDNS. */
export function liveExternalDnsDeployments(platform: Platform): string[] {
  return platform.externalDns.enabled ? LIVE_EXTERNAL_DNS_INSTANCES.map((i) => EXTERNAL_DNS_DEPLOYMENTS[i]) : [];
}

/** Refuses what can never be a switch: the target colour is already live per the platform file. */
export function checkTarget(platform: Platform, to: Colour): void {
  if (platform.live === to) {
    throw new BasculeError('usage', `${to} is already the live colour (${platform.source} says live: ${to}); there is nothing to switch to`, {
      hint: `run \`bascule status --config ${platform.source}\` to see what DNS says; to move production to the other cluster, use --to ${other(to)}`,
    });
  }
}

/** The zone ids the switch needs that the platform file lacks, as key (what). */
export function missingZones(platform: Platform): string[] {
  const missing: string[] = [];
  if (!platform.api.zoneId) missing.push(`api.zoneId (the Route53 hosted zone of ${platform.api.record})`);
  if (!platform.clusterNameRecord.zoneId) missing.push(`clusterNameRecord.zoneId (the Route53 hosted zone of ${platform.clusterNameRecord.name})`);
  if (platform.externalDns.enabled) {
    for (const kind of ['private', 'public'] as const) {
      if (!platform.domains[kind].zoneId) missing.push(`domains.${kind}.zoneId (the zone of ${platform.domains[kind].name}, where the live ExternalDNS write production records)`);
    }
  }
  return missing;
}

/** The zone ids the switch writes to; all missing ones are reported at once. */
export function requireZones(platform: Platform): { api: string; txt: string } {
  const missing = missingZones(platform);
  if (missing.length > 0) {
    throw new BasculeError('config', `${platform.source}: the switch reads and repoints Route53 records, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`, {
      hint: 'add the hosted zone id(s), e.g. zoneId: Z0123456789ABCDEFGHIJ (aws route53 list-hosted-zones-by-name --dns-name <domain>); nothing was changed',
    });
  }
  return { api: platform.api.zoneId as string, txt: platform.clusterNameRecord.zoneId as string };
}

export function endpointHost(endpoint: string): string {
  return normName(new URL(endpoint).hostname.replace(/^\[|\]$/g, ''));
}

export function buildSpec(
  platform: Platform,
  endpoints: Readonly<Record<Colour, string>>,
  options: { from: Colour; to: Colour; resolver: string | undefined; waits: Waits; journal: string; allowOrphans?: readonly string[]; planOnly?: boolean },
): CutoverSpec {
  if (options.from === options.to) throw usageError(`the switch goes from one colour to the other; got ${options.from} to ${options.to}`);
  // A plan may be printed without zone ids (they show as missing); anything else needs them.
  const zones = options.planOnly
    ? { api: platform.api.zoneId ?? '<api.zoneId not set>', txt: platform.clusterNameRecord.zoneId ?? '<clusterNameRecord.zoneId not set>' }
    : requireZones(platform);
  const clusters = Object.fromEntries(
    COLOURS.map((colour) => {
      const c = platform.clusters[colour];
      const endpoint = endpoints[colour];
      return [colour, { colour, clusterName: c.name, endpoint, endpointHost: endpointHost(endpoint), apiRecord: c.apiRecord }];
    }),
  ) as Record<Colour, ColourTarget>;
  const ttl = Math.max(platform.api.ttl, platform.clusterNameRecord.ttl);
  return {
    platform: platform.name,
    platformFile: platform.source,
    from: options.from,
    to: options.to,
    clusters,
    externalDns: { namespace: platform.externalDns.namespace, deployments: liveExternalDnsDeployments(platform), image: platform.externalDns.image },
    live: liveInstances(platform),
    production: productionZones(platform),
    layout: productionLayout(platform),
    vpcs: { blue: platform.clusters.blue.vpcId, green: platform.clusters.green.vpcId },
    allowOrphans: (options.allowOrphans ?? []).map(normName),
    apiRecord: { name: normName(platform.api.record), zoneId: zones.api, ttl: platform.api.ttl },
    txtRecord: { name: normName(platform.clusterNameRecord.name), zoneId: zones.txt, ttl: platform.clusterNameRecord.ttl },
    resolver: options.resolver,
    waits: { ...options.waits, dnsWaitMs: options.waits.dnsWaitMs ?? (ttl + 30) * 1000, dnsWaitSet: options.waits.dnsWaitMs !== undefined },
    journal: options.journal,
  };
}

function liveInstances(platform: Platform): LiveInstance[] {
  if (!platform.externalDns.enabled) return [];
  return LIVE_EXTERNAL_DNS_INSTANCES.map((instance) => ({
    deployment: EXTERNAL_DNS_DEPLOYMENTS[instance],
    kind: zoneKind(instance),
    owner: { blue: platform.clusters.blue.externalDns[instance].ownerId, green: platform.clusters.green.externalDns[instance].ownerId },
    args: { blue: externalDnsArgs(platform, 'blue', instance), green: externalDnsArgs(platform, 'green', instance) },
  }));
}

function productionZones(platform: Platform): SharedZone[] {
  if (!platform.externalDns.enabled) return [];
  return (['private', 'public'] as const).map((kind) => {
    const shared = platform.domains[kind];
    const zoneId = shared.zoneId ?? `<domains.${kind}.zoneId not set>`;
    const of = (colour: Colour) => platform.clusters[colour].domains[kind];
    return {
      kind,
      zoneId,
      domain: normName(shared.name),
      clusterDomains: { blue: normName(of('blue').name), green: normName(of('green').name) },
      clusterZoneIds: { blue: of('blue').zoneId ?? zoneId, green: of('green').zoneId ?? zoneId },
      clusterOwners: { blue: platform.clusters.blue.externalDns[kind].ownerId, green: platform.clusters.green.externalDns[kind].ownerId },
    };
  });
}

/** sha256 of the platform file's text, its `live:` value left out (the switch itself rewrites it). */
export function platformHash(text: string): string {
  return createHash('sha256').update(text.replace(/^(live:)[ \t]*[^\s#]*/m, '$1')).digest('hex');
}

/** Every fact the steps act on, as text: pinned in the journal, compared on --resume and --rollback. */
export function specFacts(spec: CutoverSpec): Record<string, string> {
  const facts: Record<string, string> = {
    from: spec.from,
    to: spec.to,
    'api record': `${spec.apiRecord.name} in zone ${spec.apiRecord.zoneId}, TTL ${spec.apiRecord.ttl}`,
    'cluster-name record': `${spec.txtRecord.name} in zone ${spec.txtRecord.zoneId}, TTL ${spec.txtRecord.ttl}`,
    'ExternalDNS namespace': spec.externalDns.namespace,
    'live ExternalDNS': spec.externalDns.deployments.join(', '),
  };
  for (const colour of COLOURS) {
    const c = spec.clusters[colour];
    facts[`${colour} cluster`] = `${c.clusterName} at ${c.endpoint}`;
  }
  for (const l of spec.live) facts[`${l.deployment} owner ids`] = `blue ${l.owner.blue}, green ${l.owner.green}`;
  for (const z of spec.production) facts[`${z.kind} production zone`] = `${z.domain} in zone ${z.zoneId}`;
  return facts;
}

/** What changed between two sets of facts, one phrase each. */
export function changedFacts(pinned: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string[] {
  const keys = [...new Set([...Object.keys(pinned), ...Object.keys(now)])];
  return keys.filter((k) => pinned[k] !== now[k]).map((k) => `${k}: ${pinned[k] ?? '(none)'} -> ${now[k] ?? '(none)'}`);
}

/** The colour a CNAME target designates: its endpoint host or its own API record; undefined if none or both. */
export function colourOfApiTarget(clusters: Readonly<Record<Colour, Pick<ColourTarget, 'endpointHost' | 'apiRecord'>>>, target: string): Colour | undefined {
  const t = normName(target);
  const matches = COLOURS.filter((colour) => clusters[colour].endpointHost === t || normName(clusters[colour].apiRecord) === t);
  return matches.length === 1 ? matches[0] : undefined;
}

/** The colour whose cluster a TXT value names. */
export function colourOfClusterName(clusters: Readonly<Record<Colour, Pick<ColourTarget, 'clusterName'>>>, name: string): Colour | undefined {
  return COLOURS.find((colour) => clusters[colour].clusterName === name);
}

/** The TXT record's value as Route53 stores it: one quoted string. */
export const txtValue = (clusterName: string) => `"${clusterName}"`;

/**
 * The TXT record's values once it names `clusterName`. Preflight refuses
 * ExternalDNS registry values at that name (an ExternalDNS owning it would
 * rewrite or delete the record), so the cluster name is its only value.
 */
export function txtValuesFor(clusterName: string): string[] {
  return [txtValue(clusterName)];
}

/** Is this TXT value an ExternalDNS registry entry? */
export const isRegistryValue = (value: string) => isRegistryText(unquoteTxt(value));

/** A Route53 TXT value ("eks-blue", or "eks" "-blue" in chunks) as the string it holds. */
export function unquoteTxt(value: string): string {
  const chunks = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1'));
  return chunks.length > 0 ? chunks.join('') : value;
}

/** The spec's old name, while the plain switch's modules move over. */
export type SwitchSpec = CutoverSpec;
