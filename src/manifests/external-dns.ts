/**
 * The four ExternalDNS of each colour as Kubernetes objects (pure): their
 * ServiceAccounts, RBAC and Deployments, from the instances the platform
 * implies (src/platform/external-dns.ts: domains, owner ids, args, replicas).
 */
import type { Colour, Platform } from '../platform/model.js';
import { externalDnsArgs, externalDnsReplicas, isLive } from '../platform/external-dns.js';
export { annotationExpression, excludedDomains, externalDnsArgs, externalDnsReplicas, instanceDomain, isLive, zoneKind } from '../platform/external-dns.js';
import { EXTERNAL_DNS_DEPLOYMENTS } from '../platform/names.js';
import { EXTERNAL_DNS_INSTANCES } from '../platform/schema.js';
import { IRSA_ANNOTATION, meta, RBAC_GROUP, type IClusterRole, type IClusterRoleBinding, type IDeployment, type INamespace, type IServiceAccount } from './objects.js';

export const METRICS_PORT = 7979;
/** nobody: the image's non-root user, with a read-only root file system. */
const USER = 65534;

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
