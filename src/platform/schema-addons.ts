/**
 * The add-ons of the platform file: the chart each installs (pinned), its
 * namespace and the keys only some have, for the whole platform (addons) and
 * per cluster (clusters.<colour>.addons: overrides, the IRSA role). NodeLocal
 * DNSCache has no chart: bascule writes its upstream manifest.
 */
import * as v from 'valibot';
import { bool, chartVersion, DOMAIN, IMAGE, IPV4, ipv4, namespaceName, roleArn, str } from './schema-values.js';

export const ADDONS = [
  'externalSecrets',
  'vpcCni',
  'linkerd',
  'nodeLocalDns',
  'awsLoadBalancerController',
  'awsNodeTerminationHandler',
  'clusterAutoscaler',
  'descheduler',
  'metricsServer',
  'fluentBit',
] as const;
export type AddonName = (typeof ADDONS)[number];

const ADDON_TITLES: Record<AddonName, string> = {
  externalSecrets: 'External Secrets Operator (external-secrets.io)',
  vpcCni: 'AWS VPC CNI',
  linkerd: 'Linkerd',
  nodeLocalDns: 'NodeLocal DNSCache',
  awsLoadBalancerController: 'AWS Load Balancer Controller',
  awsNodeTerminationHandler: 'AWS Node Termination Handler',
  clusterAutoscaler: 'Cluster Autoscaler',
  descheduler: 'Descheduler',
  metricsServer: 'Metrics Server',
  fluentBit: 'Fluent Bit',
};

export const DEFAULT_NODE_LOCAL_DNS_IMAGE = 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4';
export const DEFAULT_NODE_LOCAL_DNS_IP = '169.254.20.10';
/** EKS's kube-dns ClusterIP in a VPC within 10.0.0.0/8 (10.100.0.10 otherwise). */
export const DEFAULT_KUBE_DNS_IP = '172.20.0.10';

/** Keys some add-ons have besides enabled, chartVersion and namespace. */
const ADDON_EXTRAS: Partial<Record<AddonName, v.ObjectEntries>> = {
  linkerd: {
    crdsChartVersion: chartVersion('the version of the linkerd-crds chart, installed before linkerd-control-plane'),
    trustAnchorsFile: v.optional(
      v.pipe(
        v.string('expected a file path'),
        v.minLength(1, 'expected a file path'),
        v.description('PEM of the Linkerd trust anchor (the root certificate, not its key), relative to this file: identityTrustAnchorsPEM'),
      ),
    ),
  },
};

/** NodeLocal DNSCache has no chart: bascule writes the upstream manifest, placeholders filled. */
const NodeLocalDnsSchema = v.pipe(
  v.strictObject(
    {
      enabled: bool('deploy it (default false)', false),
      image: v.optional(str(IMAGE, 'a container image reference', 'the node-cache image'), DEFAULT_NODE_LOCAL_DNS_IMAGE),
      localIp: v.optional(str(IPV4, 'an IPv4 address like 169.254.20.10', 'the link-local address node-local-dns listens on (__PILLAR__LOCAL__DNS__)'), DEFAULT_NODE_LOCAL_DNS_IP),
      kubeDnsIp: ipv4('the ClusterIP of the kube-dns Service (__PILLAR__DNS__SERVER__); EKS picks 172.20.0.10 in VPCs within 10.0.0.0/8, else 10.100.0.10: check with kubectl -n kube-system get svc kube-dns (default 172.20.0.10)'),
      clusterDomain: v.optional(str(DOMAIN, 'a DNS domain like cluster.local', 'the cluster DNS domain (__PILLAR__DNS__DOMAIN__)'), 'cluster.local'),
    },
    'expected a mapping with enabled, image, localIp, kubeDnsIp and clusterDomain',
  ),
  v.description('NodeLocal DNSCache (the upstream manifest, placeholders filled; no chart)'),
);

const addonKeysText = (keys: string[]) => `expected a mapping with ${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}`;

const AddonSchema = (name: AddonName) => {
  const entries = {
    enabled: bool('deploy it (default false)', false),
    chartVersion: chartVersion('the Helm chart version to install (required when enabled: every release is pinned)'),
    namespace: v.optional(namespaceName('the namespace to install into (default: the chart\'s usual one)')),
    ...ADDON_EXTRAS[name],
  };
  return v.pipe(v.strictObject(entries, addonKeysText(Object.keys(entries))), v.description(ADDON_TITLES[name]));
};

const ClusterAddonSchema = (name: AddonName) => {
  const entries: v.ObjectEntries =
    name === 'nodeLocalDns'
      ? {
          enabled: v.optional(v.pipe(v.boolean('expected true or false'), v.description('override addons.nodeLocalDns.enabled on this cluster'))),
          kubeDnsIp: ipv4('override addons.nodeLocalDns.kubeDnsIp on this cluster (its kube-dns ClusterIP)'),
        }
      : {
          enabled: v.optional(v.pipe(v.boolean('expected true or false'), v.description('override addons.<name>.enabled on this cluster'))),
          chartVersion: chartVersion('override addons.<name>.chartVersion on this cluster (e.g. the upgrade tried on green)'),
          roleArn: v.optional(roleArn('the IRSA role of the add-on on this cluster')),
        };
  return v.pipe(v.strictObject(entries, addonKeysText(Object.keys(entries))), v.description(`${ADDON_TITLES[name]} on this cluster`));
};

const entriesOf = <T>(make: (name: AddonName) => T) => Object.fromEntries(ADDONS.map((name) => [name, make(name)])) as Record<AddonName, T>;

export const AddonsSchema = v.strictObject(
  entriesOf((name) => v.optional(name === 'nodeLocalDns' ? NodeLocalDnsSchema : AddonSchema(name))),
  `expected a mapping of add-ons (${ADDONS.join(', ')})`,
);
export const ClusterAddonsSchema = v.strictObject(
  entriesOf((name) => v.optional(ClusterAddonSchema(name))),
  `expected a mapping of add-ons (${ADDONS.join(', ')})`,
);
