/**
 * Where each add-on's chart lives: the projects' own repositories. The
 * versions are the platform file's (every release is pinned there).
 *
 * AWS Node Termination Handler left eks-charts in 2024 (its last chart there
 * is 0.21.0, from 2023): its chart is the project's own, in public ECR (OCI).
 */
import type { AddonName } from '../../platform/schema.js';

export interface Repository {
  readonly name: string;
  readonly url: string;
  readonly oci?: true;
}

export const REPOSITORIES = {
  externalSecrets: { name: 'external-secrets', url: 'https://charts.external-secrets.io' },
  eks: { name: 'eks', url: 'https://aws.github.io/eks-charts' },
  awsEc2: { name: 'aws-ec2', url: 'public.ecr.aws/aws-ec2/helm', oci: true },
  linkerd: { name: 'linkerd', url: 'https://helm.linkerd.io/stable' },
  autoscaler: { name: 'autoscaler', url: 'https://kubernetes.github.io/autoscaler' },
  descheduler: { name: 'descheduler', url: 'https://kubernetes-sigs.github.io/descheduler/' },
  metricsServer: { name: 'metrics-server', url: 'https://kubernetes-sigs.github.io/metrics-server/' },
  fluent: { name: 'fluent', url: 'https://fluent.github.io/helm-charts' },
} as const satisfies Record<string, Repository>;

export type ChartAddon = Exclude<AddonName, 'nodeLocalDns'>;

export interface ChartSpec {
  readonly repository: Repository;
  readonly chart: string;
  /** Release name (and the name the chart gives its ServiceAccount). */
  readonly release: string;
  readonly namespace: string;
  /**
   * The IRSA role: `required` (the add-on calls AWS APIs and has no other
   * credentials), `optional` (used when given) or `none` (calls no AWS API).
   */
  readonly role: 'required' | 'optional' | 'none';
  /** The ServiceAccount an IRSA role's trust policy must name. */
  readonly serviceAccount?: string;
}

export const CHARTS: Readonly<Record<ChartAddon, ChartSpec>> = {
  externalSecrets: { repository: REPOSITORIES.externalSecrets, chart: 'external-secrets', release: 'external-secrets', namespace: 'external-secrets', role: 'required', serviceAccount: 'external-secrets' },
  vpcCni: { repository: REPOSITORIES.eks, chart: 'aws-vpc-cni', release: 'aws-vpc-cni', namespace: 'kube-system', role: 'required', serviceAccount: 'aws-node' },
  linkerd: { repository: REPOSITORIES.linkerd, chart: 'linkerd-control-plane', release: 'linkerd-control-plane', namespace: 'linkerd', role: 'none' },
  awsLoadBalancerController: {
    repository: REPOSITORIES.eks,
    chart: 'aws-load-balancer-controller',
    release: 'aws-load-balancer-controller',
    namespace: 'kube-system',
    role: 'required',
    serviceAccount: 'aws-load-balancer-controller',
  },
  awsNodeTerminationHandler: {
    repository: REPOSITORIES.awsEc2,
    chart: 'aws-node-termination-handler',
    release: 'aws-node-termination-handler',
    namespace: 'kube-system',
    role: 'optional',
    serviceAccount: 'aws-node-termination-handler',
  },
  clusterAutoscaler: { repository: REPOSITORIES.autoscaler, chart: 'cluster-autoscaler', release: 'cluster-autoscaler', namespace: 'kube-system', role: 'required', serviceAccount: 'cluster-autoscaler' },
  descheduler: { repository: REPOSITORIES.descheduler, chart: 'descheduler', release: 'descheduler', namespace: 'kube-system', role: 'none' },
  metricsServer: { repository: REPOSITORIES.metricsServer, chart: 'metrics-server', release: 'metrics-server', namespace: 'kube-system', role: 'none' },
  fluentBit: { repository: REPOSITORIES.fluent, chart: 'fluent-bit', release: 'fluent-bit', namespace: 'logging', role: 'optional', serviceAccount: 'fluent-bit' },
};

/** Linkerd's CRDs come first, from their own chart. */
export const LINKERD_CRDS: ChartSpec = { repository: REPOSITORIES.linkerd, chart: 'linkerd-crds', release: 'linkerd-crds', namespace: 'linkerd', role: 'none' };

export const CHART_ADDONS = Object.keys(CHARTS) as ChartAddon[];
