/**
 * The four ExternalDNS of a colour (pure): private/public x cluster-scoped/live.
 *
 *   external-dns-private       <name>.<cluster private domain>  ingress-<cluster private domain>
 *   external-dns-public        <name>.<cluster public domain>   ingress-<cluster public domain>
 *   live-external-dns-private  <name>.<shared private domain>   live-<cluster name>.<shared private domain>
 *   live-external-dns-public   <name>.<shared public domain>    live-<cluster name>.<shared public domain>
 *
 * The name comes only from the annotation (PrivateDNSName / PublicDNSName)
 * through --fqdn-template: the hostname annotation and Ingress hosts are
 * ignored. ExternalDNS updates only records whose TXT registry entry carries
 * its own owner id. Each colour's live instances have their own owner id: at
 * a switch, bascule runs the new colour's with --migrate-from-txt-owner=<the
 * old colour's id> until every production record names the new owner, then
 * without it; the old colour's live instances, if they ever run again, own
 * nothing (docs/switch.md, the fence). Only the live colour runs them
 * (replicas 1; 0 on the other). They always run upsert-only, whatever
 * externalDns.policy says: sync would delete every production record the new
 * colour does not serve on its first loop, create-only would freeze them.
 *
 * Zone selection cannot capture a sub-zone: --zone-id-filter and
 * --aws-zone-type pick the zone; --domain-filter plus --exclude-domains (the
 * live instances exclude both clusters' sub-domains and the records the
 * switch owns) limit the names within it.
 */
import type { Colour, Domain, Platform } from '../platform/model.js';
import { EXTERNAL_DNS_DEPLOYMENTS } from '../platform/names.js';
import type { ExternalDnsInstance } from '../platform/schema.js';
import { EXTERNAL_DNS_INSTANCES } from '../platform/schema.js';
import { IRSA_ANNOTATION, meta, RBAC_GROUP, type IClusterRole, type IClusterRoleBinding, type IDeployment, type INamespace, type IServiceAccount } from './objects.js';

export const METRICS_PORT = 7979;
/** nobody: the image's non-root user, with a read-only root file system. */
const USER = 65534;

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

function clusterRoleRules(platform: Platform): IClusterRole['rules'] {
  const rules: NonNullable<IClusterRole['rules']> = [];
  if (platform.externalDns.sources.includes('service')) {
    rules.push(
      { apiGroups: [''], resources: ['nodes', 'pods', 'services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    );
  }
  if (platform.externalDns.sources.includes('ingress')) rules.push({ apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] });
  return rules;
}

type ExternalDnsObject = INamespace | IServiceAccount | IClusterRole | IClusterRoleBinding | IDeployment;

export function buildExternalDns(platform: Platform, colour: Colour): ExternalDnsObject[] {
  const ed = platform.externalDns;
  if (!ed.enabled) return [];
  const out: ExternalDnsObject[] = [];
  if (!['kube-system', 'default'].includes(ed.namespace) && !platform.namespaces.some((n) => n.name === ed.namespace)) {
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(platform, ed.namespace) });
  }
  for (const instance of EXTERNAL_DNS_INSTANCES) {
    const name = EXTERNAL_DNS_DEPLOYMENTS[instance];
    const settings = platform.clusters[colour].externalDns[instance];
    const selector = { 'app.kubernetes.io/name': 'external-dns', 'app.kubernetes.io/instance': name };
    const labels = { ...selector, 'app.kubernetes.io/component': isLive(instance) ? 'live' : 'cluster' };
    out.push(
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(platform, name, ed.namespace, labels, settings.roleArn ? { [IRSA_ANNOTATION]: settings.roleArn } : undefined),
      },
      { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: meta(platform, name, undefined, labels), rules: clusterRoleRules(platform) },
      {
        apiVersion: `${RBAC_GROUP}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: meta(platform, name, undefined, labels),
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ed.namespace }],
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta(platform, name, ed.namespace, labels),
        spec: {
          replicas: externalDnsReplicas(platform, colour, instance),
          revisionHistoryLimit: 3,
          // Never two pods of one instance writing at once, not even during a rollout.
          strategy: { type: 'Recreate' },
          selector: { matchLabels: selector },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: name,
              priorityClassName: 'system-cluster-critical',
              securityContext: { runAsNonRoot: true, runAsUser: USER, runAsGroup: USER, fsGroup: USER, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [
                {
                  name: 'external-dns',
                  image: ed.image,
                  args: externalDnsArgs(platform, colour, instance),
                  env: [{ name: 'AWS_DEFAULT_REGION', value: platform.aws.region }],
                  ports: [{ name: 'http', containerPort: METRICS_PORT, protocol: 'TCP' }],
                  livenessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 2 },
                  readinessProbe: { httpGet: { path: '/healthz', port: METRICS_PORT }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                  resources: {
                    requests: { cpu: ed.resources.requests.cpu, memory: ed.resources.requests.memory },
                    limits: { ...(ed.resources.limits.cpu ? { cpu: ed.resources.limits.cpu } : {}), memory: ed.resources.limits.memory },
                  },
                  securityContext: {
                    runAsNonRoot: true,
                    runAsUser: USER,
                    runAsGroup: USER,
                    readOnlyRootFilesystem: true,
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    capabilities: { drop: ['ALL'] },
                    seccompProfile: { type: 'RuntimeDefault' },
                  },
                },
              ],
            },
          },
        },
      },
    );
  }
  return out;
}
