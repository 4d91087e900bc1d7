/**
 * The add-ons of a colour as a helmfile.yaml (pure): the repositories used,
 * one pinned release per enabled add-on, values derived from the platform
 * (cluster name, region, VPC, IRSA roles). helmDefaults.kubeContext names
 * this colour's admin context of `bascule kubeconfig`, so the file cannot be
 * applied to the other cluster by mistake.
 */
import { colourContextName } from '../../platform/contexts.js';
import type { Colour, Platform } from '../../platform/model.js';
import { IRSA_ANNOTATION } from '../objects.js';
import { ADMIN_POLICY } from '../access-entries.js';
import { CHART_ADDONS, CHARTS, LINKERD_CRDS, type ChartAddon, type ChartSpec, type Repository } from './charts.js';

export interface HelmRelease {
  name: string;
  namespace: string;
  chart: string;
  version: string;
  needs?: string[];
  values?: Record<string, unknown>[];
}
export interface Helmfile {
  repositories: { name: string; url: string; oci?: true }[];
  helmDefaults: { kubeContext: string; wait: boolean; timeout: number };
  releases: HelmRelease[];
}

/** What the builder needs besides the platform: files the command read. */
export interface HelmfileInputs {
  /** PEM of the Linkerd trust anchor (addons.linkerd.trustAnchorsFile), when Linkerd is on. */
  readonly linkerdTrustAnchorsPem?: string;
}

/** The access level whose context may install cluster-wide add-ons: the first admin, else the first. */
export function adminAccess(platform: Platform): string {
  const admin = platform.access.find((a) => a.groups.includes('system:masters') || a.accessPolicies.some((p) => p.endsWith(ADMIN_POLICY)));
  return (admin ?? platform.access[0])?.name ?? 'admin';
}

const serviceAccount = (name: string, roleArn: string | undefined) => ({ create: true, name, ...(roleArn ? { annotations: { [IRSA_ANNOTATION]: roleArn } } : {}) });

function values(platform: Platform, colour: Colour, addon: ChartAddon, spec: ChartSpec, inputs: HelmfileInputs): Record<string, unknown> | undefined {
  const cluster = platform.clusters[colour];
  const role = cluster.addons[addon].roleArn;
  const sa = spec.serviceAccount ? serviceAccount(spec.serviceAccount, role) : undefined;
  switch (addon) {
    case 'externalSecrets':
      return { installCRDs: true, serviceAccount: sa };
    case 'vpcCni':
      return { serviceAccount: sa };
    case 'linkerd':
      // The issuer certificate and key are a Secret (cert-manager or by hand), never in this file.
      return { identityTrustAnchorsPEM: inputs.linkerdTrustAnchorsPem, identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } } };
    case 'awsLoadBalancerController':
      return { clusterName: cluster.name, region: platform.aws.region, vpcId: cluster.vpcId, serviceAccount: sa };
    case 'awsNodeTerminationHandler':
      return { awsRegion: platform.aws.region, serviceAccount: sa };
    case 'clusterAutoscaler':
      return { cloudProvider: 'aws', awsRegion: platform.aws.region, autoDiscovery: { clusterName: cluster.name }, rbac: { serviceAccount: sa } };
    case 'fluentBit':
      return { serviceAccount: sa };
    case 'descheduler':
    case 'metricsServer':
      return undefined;
  }
}

export function buildHelmfile(platform: Platform, colour: Colour, inputs: HelmfileInputs = {}): Helmfile | undefined {
  const cluster = platform.clusters[colour];
  const enabled = CHART_ADDONS.filter((addon) => cluster.addons[addon].enabled);
  if (enabled.length === 0) return undefined;
  const repositories: Repository[] = [];
  const releases: HelmRelease[] = [];
  const use = (repository: Repository) => {
    if (!repositories.includes(repository)) repositories.push(repository);
  };
  for (const addon of enabled) {
    const spec = CHARTS[addon];
    const namespace = cluster.addons[addon].namespace ?? spec.namespace;
    const version = cluster.addons[addon].chartVersion as string; // checked: every enabled release is pinned
    use(spec.repository);
    let needs: string[] | undefined;
    if (addon === 'linkerd') {
      releases.push({ name: LINKERD_CRDS.release, namespace, chart: `${LINKERD_CRDS.repository.name}/${LINKERD_CRDS.chart}`, version: platform.linkerd.crdsChartVersion as string });
      needs = [`${namespace}/${LINKERD_CRDS.release}`];
    }
    const v = values(platform, colour, addon, spec, inputs);
    releases.push({
      name: spec.release,
      namespace,
      chart: `${spec.repository.name}/${spec.chart}`,
      version,
      ...(needs ? { needs } : {}),
      ...(v ? { values: [dropUndefined(v)] } : {}),
    });
  }
  return {
    repositories: repositories.map((r) => ({ name: r.name, url: r.url, ...('oci' in r && r.oci ? { oci: true as const } : {}) })),
    helmDefaults: { kubeContext: colourContextName(platform, colour, adminAccess(platform)), wait: true, timeout: 600 },
    releases,
  };
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
