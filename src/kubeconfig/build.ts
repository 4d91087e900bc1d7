/**
 * The kubeconfig, as an object (pure): platform + resolved clusters + options
 * in, a kubeconfig out; serialised once, elsewhere.
 *
 * Per access level:
 *   <name>-<access>          the live cluster behind the stable name. Its CA
 *                            data holds both clusters' CAs and tls-server-name
 *                            is the in-cluster name both serving certificates
 *                            carry, so either cluster verifies: no
 *                            insecure-skip-tls-verify. The token names the
 *                            cluster the TXT record holds, among the two.
 *   <name>-<colour>-<access> one cluster directly (its endpoint, its CA only),
 *                            for work on the inactive colour during a migration.
 *
 * Every user entry passes provideClusterInfo: true and --allow-server for the
 * platform's three API servers (the stable name, each colour's endpoint): a
 * user entry reused with another cluster, or an edited server, gets no token.
 */
import type { ClusterAccess } from '../platform/clusters.js';
import { sourceName, type AccessLevel, type Colour, type Platform } from '../platform/model.js';
import { COLOURS } from '../platform/schema.js';
import { colourContextName, liveContextName } from '../platform/contexts.js';

export const EXEC_API_VERSION = 'client.authentication.k8s.io/v1';

export const INSTALL_HINT = [
  'This kubeconfig uses bascule, the blue/green EKS credential plugin, to get tokens.',
  'Install bascule (its README: the single binary, or `npm install -g` from its repository) and put it on your PATH;',
  'check with: bascule version',
].join('\n');

/** A cluster's connection details, once read from the file, the CA file, or EKS. */
export type { ClusterAccess };

export interface KubeconfigOptions {
  /** Access level names to include (default: all, in the file's order). */
  readonly access?: readonly string[];
  /** The exec command kubectl runs (default "bascule", found on PATH). */
  readonly command?: string;
}

export interface NamedCluster {
  name: string;
  cluster: { 'certificate-authority-data': string; server: string; 'tls-server-name'?: string };
}
export interface NamedContext {
  name: string;
  context: { cluster: string; user: string };
}
export interface ExecConfig {
  apiVersion: string;
  args: string[];
  command: string;
  env?: { name: string; value: string }[];
  installHint: string;
  interactiveMode: 'Never' | 'IfAvailable';
  provideClusterInfo: boolean;
}
export interface NamedUser {
  name: string;
  user: { exec: ExecConfig };
}
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: NamedCluster[];
  contexts: NamedContext[];
  'current-context': string;
  preferences: Record<string, never>;
  users: NamedUser[];
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Access levels selected by name, in the file's order; unknown names are the caller's error. */
export function selectAccess(platform: Platform, names: readonly string[] | undefined): AccessLevel[] {
  if (!names || names.length === 0) return [...platform.access];
  const wanted = new Set(names);
  return platform.access.filter((a) => wanted.has(a.name));
}

/**
 * An --allow-server entry for a server URL: its host, and its port when the
 * URL writes one (none: any port of that host). The WHATWG parser gives the
 * host as --allow-server reads it (lower case, punycode, [IPv6]).
 */
export function allowServerEntry(url: string): string {
  const { hostname, port } = new URL(url);
  return port ? `${hostname}:${port}` : hostname;
}

/** The platform's API servers: the stable name's and each colour's endpoint (every context's token may go to these only). */
export function platformServers(platform: Platform, clusters: Readonly<Record<Colour, ClusterAccess>>): string[] {
  return [...new Set([platform.api.server, ...COLOURS.map((colour) => clusters[colour].endpoint)].map(allowServerEntry))];
}

function exec(platform: Platform, access: AccessLevel, command: string, servers: readonly string[], target: { kind: 'live' } | { kind: 'colour'; cluster: string }): ExecConfig {
  const args = ['token'];
  if (target.kind === 'live') {
    args.push('-i', platform.clusterNameRecord.name);
  } else {
    args.push('-i', target.cluster, '--no-dns');
  }
  args.push('-r', access.roleArn, '--region', platform.aws.region);
  if (access.sourceIdentity) args.push('--source-identity', access.sourceIdentity);
  for (const [key, value] of access.tags) args.push('--tag', `${key}=${value}`);
  if (target.kind === 'live') {
    for (const colour of COLOURS) args.push('--allow-cluster', platform.clusters[colour].name);
    if (platform.clusterNameRecord.dnsServer) args.push('--dns-server', platform.clusterNameRecord.dnsServer);
  }
  for (const server of servers) args.push('--allow-server', server);
  return {
    apiVersion: EXEC_API_VERSION,
    args,
    command,
    ...(access.profile ? { env: [{ name: 'AWS_PROFILE', value: access.profile }] } : {}),
    installHint: INSTALL_HINT,
    interactiveMode: access.mfa ? 'IfAvailable' : 'Never',
    // kubectl then tells the plugin which server it calls: --allow-server refuses any other.
    provideClusterInfo: true,
  };
}

/**
 * How much a level may do, from what bascule grants it: 0 view (rbac
 * readonlyGroups, AmazonEKSViewPolicy), 1 debug (pods exec/port-forward),
 * 2 edit (readwrite groups, AmazonEKSEditPolicy, and any group or policy
 * bascule does not know), 3 cluster admin (system:masters, the admin policies).
 */
export function privilegeOf(platform: Pick<Platform, 'rbac'>, access: AccessLevel): number {
  const ofGroup = (group: string) =>
    group === 'system:masters' ? 3
    : platform.rbac.readonlyGroups.includes(group) ? 0
    : platform.rbac.debugGroups.includes(group) ? 1
    : 2;
  const ofPolicy = (policy: string) => {
    const name = policy.slice(policy.lastIndexOf('/') + 1);
    return name === 'AmazonEKSViewPolicy' ? 0 : name === 'AmazonEKSClusterAdminPolicy' || name === 'AmazonEKSAdminPolicy' ? 3 : 2;
  };
  return Math.max(0, ...access.groups.map(ofGroup), ...access.accessPolicies.map(ofPolicy));
}

/**
 * The current-context of a standalone kubeconfig: the live context of the
 * least-privileged level among those written (the first of equals), so a
 * command run without --context reads rather than changes; none when every
 * level is cluster admin: a default context is never production admin.
 */
export function defaultContext(platform: Platform, levels: readonly AccessLevel[]): string {
  let best: AccessLevel | undefined;
  for (const level of levels) if (!best || privilegeOf(platform, level) < privilegeOf(platform, best)) best = level;
  return best && privilegeOf(platform, best) < 3 ? liveContextName(platform, best.name) : '';
}

export function buildKubeconfig(platform: Platform, clusters: Readonly<Record<Colour, ClusterAccess>>, options: KubeconfigOptions = {}): Kubeconfig {
  const command = options.command ?? 'bascule';
  const levels = selectAccess(platform, options.access);
  const liveCluster = platform.name;
  const colourCluster = (colour: Colour) => `${platform.name}-${colour}`;

  // Both CAs, blue then green, each certificate once.
  const bundle = [...new Set(COLOURS.flatMap((colour) => clusters[colour].caPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? []))].join('');

  const kubeClusters: NamedCluster[] = [
    {
      name: liveCluster,
      cluster: { 'certificate-authority-data': b64(bundle), server: platform.api.server, 'tls-server-name': platform.api.tlsServerName },
    },
    ...COLOURS.map((colour) => {
      const c = clusters[colour];
      return {
        name: colourCluster(colour),
        cluster: { 'certificate-authority-data': b64(c.caPem), server: c.endpoint, ...(c.tlsServerName ? { 'tls-server-name': c.tlsServerName } : {}) },
      };
    }),
  ];

  const servers = platformServers(platform, clusters);
  const contexts: NamedContext[] = [];
  const users: NamedUser[] = [];
  for (const access of levels) {
    const name = liveContextName(platform, access.name);
    contexts.push({ name, context: { cluster: liveCluster, user: name } });
    users.push({ name, user: { exec: exec(platform, access, command, servers, { kind: 'live' }) } });
  }
  for (const colour of COLOURS) {
    for (const access of levels) {
      const name = colourContextName(platform, colour, access.name);
      contexts.push({ name, context: { cluster: colourCluster(colour), user: name } });
      users.push({ name, user: { exec: exec(platform, access, command, servers, { kind: 'colour', cluster: clusters[colour].name }) } });
    }
  }

  // kubectl's own key order, so diffs against kubectl-written files stay small.
  return {
    apiVersion: 'v1',
    clusters: kubeClusters,
    contexts,
    'current-context': defaultContext(platform, levels),
    kind: 'Config',
    preferences: {},
    users,
  } as Kubeconfig;
}

/** The lines of the generated file's header comment. */
export function kubeconfigHeader(platform: Platform, currentContext: string): string[] {
  return [
    `Generated by bascule from ${sourceName(platform)}; do not edit: change the platform file and run \`bascule kubeconfig\` again.`,
    `${platform.name}-<access>: the live cluster behind ${platform.api.server} (TXT ${platform.clusterNameRecord.name} names it; either CA, tls-server-name ${platform.api.tlsServerName}).`,
    `${platform.name}-blue-<access>, ${platform.name}-green-<access>: one cluster directly, e.g. the inactive one during a migration.`,
    currentContext
      ? `current-context: ${currentContext}, the least-privileged level here; pick another with kubectl --context.`
      : 'No current-context: every level here is cluster admin, never a default; pick one with kubectl --context.',
  ];
}
