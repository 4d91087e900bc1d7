/**
 * The ExternalDNS instances a platform implies (pure): for each colour, the
 * four of the article (private/public x cluster-scoped/live), their domains,
 * owner ids and exact args. The manifests generate them from here, and the
 * cut-over reads them from here to check what runs in each cluster.
 *
 *   external-dns-private       <name>.<cluster private domain>  ingress-<cluster private domain>
 *   external-dns-public        <name>.<cluster public domain>   ingress-<cluster public domain>
 *   live-external-dns-private  <name>.<shared private domain>   live-<cluster name>.<shared private domain>
 *   live-external-dns-public   <name>.<shared public domain>    live-<cluster name>.<shared public domain>
 *
 * The name comes only from the annotation (PrivateDNSName / PublicDNSName)
 * through --fqdn-template: the hostname annotation and Ingress hosts are
 * ignored. The live instances always run upsert-only, whatever
 * externalDns.policy says (docs/switch.md says why). --zone-id-filter and
 * --aws-zone-type pick the zone; --domain-filter plus --exclude-domains (the
 * live instances exclude both clusters' sub-domains and the records the
 * switch owns) limit the names within it.
 */
import type { Colour, Domain, Platform } from './model.js';
import type { ExternalDnsInstance } from './schema.js';

export const isLive = (instance: ExternalDnsInstance): boolean => instance === 'livePrivate' || instance === 'livePublic';
export const zoneKind = (instance: ExternalDnsInstance): 'private' | 'public' => (instance === 'private' || instance === 'livePrivate' ? 'private' : 'public');

/** The domain an instance writes names under. */
export function instanceDomain(platform: Platform, colour: Colour, instance: ExternalDnsInstance): Domain {
  const kind = zoneKind(instance);
  return isLive(instance) ? platform.domains[kind] : platform.clusters[colour].domains[kind];
}

/** `{{ .Annotations.Name }}`, or `{{ index .Annotations "prefix/name" }}` for keys a template cannot dot into. */
export function annotationExpression(annotation: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(annotation) ? `{{ .Annotations.${annotation} }}` : `{{ index .Annotations ${JSON.stringify(annotation)} }}`;
}

const within = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);

/** Names under the instance's domain it must never touch: other scopes' sub-domains and the switch's records. */
export function excludedDomains(platform: Platform, colour: Colour, instance: ExternalDnsInstance): string[] {
  const domain = instanceDomain(platform, colour, instance).name;
  const kind = zoneKind(instance);
  const candidates = isLive(instance)
    ? [platform.clusters.blue.domains[kind].name, platform.clusters.green.domains[kind].name, platform.api.record, platform.clusterNameRecord.name]
    : [platform.clusters[colour].apiRecord];
  return [...new Set(candidates.filter((name) => name !== domain && within(name, domain)))];
}

export function externalDnsArgs(platform: Platform, colour: Colour, instance: ExternalDnsInstance): string[] {
  const ed = platform.externalDns;
  const kind = zoneKind(instance);
  const domain = instanceDomain(platform, colour, instance);
  const annotation = ed.annotations[kind];
  const args = [
    ...ed.sources.map((s) => `--source=${s}`),
    '--provider=aws',
    `--aws-zone-type=${kind}`,
    ...(domain.zoneId ? [`--zone-id-filter=${domain.zoneId}`] : []),
    `--domain-filter=${domain.name}`,
    ...excludedDomains(platform, colour, instance).map((d) => `--exclude-domains=${d}`),
  ];
  // A cluster sub-domain kept in the shared zone: the AWS provider must accept the parent zone.
  if (!isLive(instance) && (domain.zoneId === undefined || domain.zoneId === platform.domains[kind].zoneId)) args.push('--aws-zone-match-parent');
  args.push(
    `--fqdn-template=${annotationExpression(annotation)}.${domain.name}`,
    `--annotation-filter=${annotation}`,
    `--annotation-prefix=${ed.annotationPrefix}`,
    '--ignore-hostname-annotation',
    ...(ed.sources.includes('ingress') ? ['--ignore-ingress-rules-spec', '--ignore-ingress-tls-spec'] : []),
    `--policy=${isLive(instance) ? 'upsert-only' : ed.policy}`,
    '--registry=txt',
    `--txt-owner-id=${platform.clusters[colour].externalDns[instance].ownerId}`,
  );
  return args;
}

/** Replicas: the cluster-scoped instances always run; the live ones only in the live colour. */
export const externalDnsReplicas = (platform: Platform, colour: Colour, instance: ExternalDnsInstance): number => (isLive(instance) && colour !== platform.live ? 0 : 1);

