/**
 * What a switch is about (pure): the platform, the two colours, and
 * everything the steps touch, derived once from the resolved platform so the
 * planner, the executor and the messages all read the same values.
 */
import { BasculeError, usageError } from '../errors.js';
import type { Colour, Platform } from '../platform/model.js';
import { EXTERNAL_DNS_DEPLOYMENTS, LIVE_EXTERNAL_DNS_INSTANCES } from '../platform/names.js';
import { COLOURS } from '../platform/schema.js';
import { isExternalDnsRegistryRecord } from '../dns/cluster-name.js';
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

export interface SwitchSpec {
  readonly platform: string;
  /** The platform file as the user named it. */
  readonly platformFile: string;
  readonly from: Colour;
  readonly to: Colour;
  readonly clusters: Readonly<Record<Colour, ColourTarget>>;
  /** The live ExternalDNS Deployments (empty when externalDns.enabled is false). */
  readonly externalDns: { readonly namespace: string; readonly deployments: readonly string[] };
  /** The stable API name: CNAME -> the live colour's endpoint host. */
  readonly apiRecord: RecordSpec;
  /** The TXT record naming the live cluster. */
  readonly txtRecord: RecordSpec;
  /** DNS server to ask (HOST[:PORT]); undefined: the system resolver. */
  readonly resolver: string | undefined;
  readonly waits: Waits & { readonly dnsWaitMs: number };
  readonly journal: string;
}

export const other = (colour: Colour): Colour => (colour === 'blue' ? 'green' : 'blue');

/** CNAME targets and record names compare without case and trailing dot. */
export const normName = (name: string) => name.trim().replace(/\.$/, '').toLowerCase();

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

/** The zone ids the switch writes to; all missing ones are reported at once. */
export function requireZones(platform: Platform): { api: string; txt: string } {
  const missing: string[] = [];
  if (!platform.api.zoneId) missing.push(`api.zoneId (the Route53 hosted zone of ${platform.api.record})`);
  if (!platform.clusterNameRecord.zoneId) missing.push(`clusterNameRecord.zoneId (the Route53 hosted zone of ${platform.clusterNameRecord.name})`);
  if (missing.length > 0) {
    throw new BasculeError('config', `${platform.source}: the switch repoints Route53 records, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`, {
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
  options: { from: Colour; to: Colour; resolver: string | undefined; waits: Waits; journal: string },
): SwitchSpec {
  if (options.from === options.to) throw usageError(`the switch goes from one colour to the other; got ${options.from} to ${options.to}`);
  const zones = requireZones(platform);
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
    externalDns: { namespace: platform.externalDns.namespace, deployments: liveExternalDnsDeployments(platform) },
    apiRecord: { name: normName(platform.api.record), zoneId: zones.api, ttl: platform.api.ttl },
    txtRecord: { name: normName(platform.clusterNameRecord.name), zoneId: zones.txt, ttl: platform.clusterNameRecord.ttl },
    resolver: options.resolver,
    waits: { ...options.waits, dnsWaitMs: options.waits.dnsWaitMs ?? (ttl + 30) * 1000 },
    journal: options.journal,
  };
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
 * The TXT record's values once it names `clusterName`: ExternalDNS registry
 * entries sharing the name (heritage=...) are kept, the cluster name replaced.
 */
export function txtValuesFor(before: readonly string[] | undefined, clusterName: string): string[] {
  return [...(before ?? []).filter((v) => isExternalDnsRegistryRecord(unquoteTxt(v))), txtValue(clusterName)];
}

/** A Route53 TXT value ("eks-blue", or "eks" "-blue" in chunks) as the string it holds. */
export function unquoteTxt(value: string): string {
  const chunks = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1'));
  return chunks.length > 0 ? chunks.join('') : value;
}
