/**
 * What the manifests need beyond the platform file's format, checked when it
 * loads (so every problem names its key path and line, all at once): IRSA
 * roles, pinned charts, what access entries accept.
 */
import type { Problems } from '../platform/problems.js';
import type { Platform } from '../platform/model.js';
import { COLOURS, EXTERNAL_DNS_INSTANCES } from '../platform/schema.js';
import { ADMIN_POLICY } from './access-entries.js';
import { CHART_ADDONS, CHARTS } from './addons/charts.js';

const ADDON_NAMES: Record<string, string> = {
  externalSecrets: 'External Secrets Operator',
  vpcCni: 'the AWS VPC CNI',
  linkerd: 'Linkerd',
  awsLoadBalancerController: 'the AWS Load Balancer Controller',
  awsNodeTerminationHandler: 'the AWS Node Termination Handler',
  clusterAutoscaler: 'the Cluster Autoscaler',
  descheduler: 'the Descheduler',
  metricsServer: 'Metrics Server',
  fluentBit: 'Fluent Bit',
};

/** Prefixes EKS refuses in an access entry's username. */
const RESERVED_USERNAME = /^(?:system:|eks:|aws:|amazon:|iam:)/;

export function manifestsChecks(platform: Platform, problems: Problems): void {
  if (platform.externalDns.enabled) {
    for (const colour of COLOURS) {
      const missing = EXTERNAL_DNS_INSTANCES.filter((i) => platform.clusters[colour].externalDns[i].roleArn === undefined);
      if (missing.length > 0) {
        problems.add(
          ['clusters', colour, 'externalDns', 'roleArn'],
          `is missing; ExternalDNS writes Route53 records with an IRSA role (for ${missing.join(', ')}): set it here for the four instances, or per instance`,
        );
      }
    }
  }

  const unpinned = new Set<string>();
  for (const colour of COLOURS) {
    const cluster = platform.clusters[colour];
    for (const addon of CHART_ADDONS) {
      const settings = cluster.addons[addon];
      const spec = CHARTS[addon];
      const at = ['clusters', colour, 'addons', addon, 'roleArn'];
      if (!settings.enabled) continue;
      if (settings.chartVersion === undefined && !unpinned.has(addon)) {
        unpinned.add(addon);
        problems.add(['addons', addon, 'chartVersion'], `is missing; expected the ${spec.chart} chart version to pin (${ADDON_NAMES[addon]} is enabled on ${colour})`);
      }
      if (spec.role === 'required' && settings.roleArn === undefined) {
        problems.add(
          at,
          `is missing; ${ADDON_NAMES[addon]} calls AWS APIs with an IRSA role (trusted for system:serviceaccount:${settings.namespace ?? spec.namespace}:${spec.serviceAccount})`,
        );
      }
      if (spec.role === 'none' && settings.roleArn !== undefined) problems.add(at, `${ADDON_NAMES[addon]} calls no AWS API; expected no role`);
    }
    if (cluster.addons.awsLoadBalancerController.enabled && cluster.vpcId === undefined) {
      problems.add(['clusters', colour, 'vpcId'], 'is missing; the AWS Load Balancer Controller needs the VPC id (nodes may not reach the instance metadata that would tell it)');
    }
    if (cluster.addons.linkerd.enabled) {
      if (platform.linkerd.crdsChartVersion === undefined && !unpinned.has('linkerd-crds')) {
        unpinned.add('linkerd-crds');
        problems.add(['addons', 'linkerd', 'crdsChartVersion'], 'is missing; expected the linkerd-crds chart version to pin (installed before linkerd-control-plane)');
      }
      if (platform.linkerd.trustAnchorsFile === undefined && !unpinned.has('linkerd-anchors')) {
        unpinned.add('linkerd-anchors');
        problems.add(['addons', 'linkerd', 'trustAnchorsFile'], 'is missing; linkerd-control-plane needs the trust anchor certificate (PEM file, relative to the platform file)');
      }
    }
  }

  platform.namespaces.forEach((ns, i) => {
    if (ns.name.startsWith('kube-')) {
      problems.add(['namespaces', i, 'name'], `${JSON.stringify(ns.name)} is reserved for Kubernetes (kube-*); expected an application namespace (its groups would get rights over the cluster's own components)`);
    }
  });

  const principals = new Map<string, string>();
  platform.access.forEach((level, i) => {
    const first = principals.get(level.roleArn);
    if (first !== undefined) problems.add(['access', i, 'roleArn'], `is also ${first}'s role; aws-auth and access entries map one role to one level`);
    else principals.set(level.roleArn, `access[${i}]`);
  });

  if (platform.authMode === 'aws-auth') return;
  platform.access.forEach((level, i) => {
    level.groups.forEach((group, j) => {
      if (group.startsWith('system:') && group !== 'system:masters') {
        problems.add(['access', i, 'groups', j], `${JSON.stringify(group)}: access entries may not use system: groups (only system:masters has an equivalent, the ${ADMIN_POLICY} access policy)`);
      }
    });
    if (level.groups.includes('system:masters') && !level.accessPolicies.some((p) => p.endsWith(`/${ADMIN_POLICY}`) || p === ADMIN_POLICY)) {
      problems.add(['access', i, 'accessPolicies'], `lacks ${ADMIN_POLICY}: the groups hold system:masters, which access entries refuse; the admin policy is its equivalent`);
    }
    if (RESERVED_USERNAME.test(level.username)) {
      problems.add(['access', i, 'username'], `${JSON.stringify(level.username)}: EKS access entries refuse user names starting with system:, eks:, aws:, amazon: or iam:`);
    }
  });
}
