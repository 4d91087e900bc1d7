/**
 * NodeLocal DNSCache (pure): the upstream manifest
 * (kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml),
 * built as objects, for kube-proxy in iptables mode (EKS's default), with
 * the placeholders the installer fills:
 *
 *   __PILLAR__LOCAL__DNS__   the link-local address it listens on (169.254.20.10)
 *   __PILLAR__DNS__SERVER__  the kube-dns Service's ClusterIP, which it also takes over on each node
 *   __PILLAR__DNS__DOMAIN__  the cluster domain (cluster.local)
 *
 * __PILLAR__CLUSTER__DNS__ and __PILLAR__UPSTREAM__SERVERS__ stay: node-cache
 * fills them itself at start (the kube-dns-upstream Service, the node's
 * resolv.conf).
 */
import type { Colour, NodeLocalDnsSettings, Platform } from '../platform/model.js';
import { meta, type IConfigMap, type IDaemonSet, type IService, type IServiceAccount } from './objects.js';

const NAMESPACE = 'kube-system';
const NAME = 'node-local-dns';
const ADDON = { 'addonmanager.kubernetes.io/mode': 'Reconcile' };
const CLUSTER_SERVICE = { 'kubernetes.io/cluster-service': 'true' };
const PROMETHEUS = { 'prometheus.io/port': '9253', 'prometheus.io/scrape': 'true' };

/** The Corefile, block by block as upstream writes it. */
export function corefile(s: NodeLocalDnsSettings): string {
  const bind = `bind ${s.localIp} ${s.kubeDnsIp}`;
  const forwardCluster = ['forward . __PILLAR__CLUSTER__DNS__ {', '        force_tcp', '}'];
  const block = (zone: string, body: string[]) => [`${zone}:53 {`, ...body.map((line) => `    ${line}`), '    }'].join('\n');
  return (
    [
      block(s.clusterDomain, ['errors', 'cache {', '        success 9984 30', '        denial 9984 5', '}', 'reload', 'loop', bind, ...forwardCluster, 'prometheus :9253', `health ${s.localIp}:8080`]),
      block('in-addr.arpa', ['errors', 'cache 30', 'reload', 'loop', bind, ...forwardCluster, 'prometheus :9253']),
      block('ip6.arpa', ['errors', 'cache 30', 'reload', 'loop', bind, ...forwardCluster, 'prometheus :9253']),
      block('.', ['errors', 'cache 30', 'reload', 'loop', bind, 'forward . __PILLAR__UPSTREAM__SERVERS__', 'prometheus :9253']),
    ].join('\n') + '\n'
  );
}

type NodeLocalDnsObject = IServiceAccount | IService | IConfigMap | IDaemonSet;

export function buildNodeLocalDns(platform: Platform, colour: Colour): NodeLocalDnsObject[] {
  if (!platform.clusters[colour].addons.nodeLocalDns.enabled) return [];
  const s = platform.clusters[colour].nodeLocalDns;
  const selector = { 'k8s-app': NAME };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(platform, NAME, NAMESPACE, { ...CLUSTER_SERVICE, ...ADDON }) },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(platform, 'kube-dns-upstream', NAMESPACE, { 'k8s-app': 'kube-dns', ...CLUSTER_SERVICE, ...ADDON, 'kubernetes.io/name': 'KubeDNSUpstream' }),
      spec: {
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
        selector: { 'k8s-app': 'kube-dns' },
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(platform, NAME, NAMESPACE, ADDON), data: { Corefile: corefile(s) } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta(platform, NAME, NAMESPACE, { ...selector, ...CLUSTER_SERVICE, ...ADDON }),
      spec: {
        updateStrategy: { rollingUpdate: { maxUnavailable: '10%' } },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector, annotations: PROMETHEUS },
          spec: {
            priorityClassName: 'system-node-critical',
            serviceAccountName: NAME,
            hostNetwork: true,
            dnsPolicy: 'Default', // not the cluster DNS: it is the cluster DNS
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { effect: 'NoExecute', operator: 'Exists' },
              { effect: 'NoSchedule', operator: 'Exists' },
            ],
            containers: [
              {
                name: 'node-cache',
                image: s.image,
                resources: { requests: { cpu: '25m', memory: '5Mi' } },
                args: ['-localip', `${s.localIp},${s.kubeDnsIp}`, '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-pidfile', '/tmp/node-cache.pid'],
                securityContext: { capabilities: { add: ['NET_ADMIN'] } },
                ports: [
                  { containerPort: 53, name: 'dns', protocol: 'UDP' },
                  { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                  { containerPort: 9253, name: 'metrics', protocol: 'TCP' },
                ],
                livenessProbe: { httpGet: { host: s.localIp, path: '/health', port: 8080 }, initialDelaySeconds: 60, timeoutSeconds: 5 },
                volumeMounts: [
                  { mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false },
                  { name: 'config-volume', mountPath: '/etc/coredns' },
                  { name: 'kube-dns-config', mountPath: '/etc/kube-dns' },
                ],
              },
            ],
            volumes: [
              { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
              { name: 'kube-dns-config', configMap: { name: 'kube-dns', optional: true } },
              { name: 'config-volume', configMap: { name: NAME, items: [{ key: 'Corefile', path: 'Corefile.base' }] } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(platform, NAME, NAMESPACE, selector, PROMETHEUS),
      // Headless: the pods' own addresses, for Prometheus.
      spec: { clusterIP: 'None', ports: [{ name: 'metrics', port: 9253, targetPort: 9253 }], selector },
    },
  ];
}
