/**
 * From the validated file to the `Platform` (pure): each colour's derived
 * defaults (its domains, API record, ExternalDNS owner ids, add-ons, CA), the
 * access levels and namespaces, then the checks that span keys (two distinct
 * clusters, domains, records; one owner id per ExternalDNS instance; unique
 * names). Problems go to `problems`, each at its key path.
 */
import { isAbsolute, resolve } from 'node:path';
import type { AccessLevel, CaSource, Cluster, ClusterAddonSettings, Domain, Namespace, NodeLocalDnsSettings, Platform } from './model.js';
import { checkCaData, checkCaPem } from './pem.js';
import { formatPath, type KeyPath, type Problems } from './problems.js';
import {
  ADDONS,
  COLOURS,
  DEFAULT_KUBE_DNS_IP,
  DEFAULT_NODE_LOCAL_DNS_IMAGE,
  DEFAULT_NODE_LOCAL_DNS_IP,
  DOMAIN,
  EXTERNAL_DNS_INSTANCES,
  type AddonName,
  type Colour,
  type PlatformFile,
} from './schema.js';

export interface ResolveOptions {
  /** The file as the user named it, for messages and generated headers. */
  readonly source: string;
  /** Directory that relative paths (CA files, trust anchors) are resolved against. */
  readonly baseDir: string;
}

/** One add-on's entry as validated, with the keys only some add-ons have. */
interface AddonEntry {
  readonly enabled?: boolean;
  readonly chartVersion?: string;
  readonly namespace?: string;
  readonly roleArn?: string;
  readonly crdsChartVersion?: string;
  readonly trustAnchorsFile?: string;
  readonly kubeDnsIp?: string;
}

const addonEntry = (file: PlatformFile, name: AddonName): AddonEntry | undefined => file.addons[name] as AddonEntry | undefined;

type SharedDomains = Record<'private' | 'public', Domain>;

function isIpHost(url: string): boolean {
  const host = new URL(url).hostname;
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

const inBaseDir = (file: string, options: ResolveOptions) => (isAbsolute(file) ? file : resolve(options.baseDir, file));

function nodeLocalDnsDefaults(file: PlatformFile): NodeLocalDnsSettings {
  const nld = file.addons.nodeLocalDns as { image?: string; localIp?: string; kubeDnsIp?: string; clusterDomain?: string } | undefined;
  return {
    image: nld?.image ?? DEFAULT_NODE_LOCAL_DNS_IMAGE,
    localIp: nld?.localIp ?? DEFAULT_NODE_LOCAL_DNS_IP,
    kubeDnsIp: nld?.kubeDnsIp ?? DEFAULT_KUBE_DNS_IP,
    clusterDomain: nld?.clusterDomain ?? 'cluster.local',
  };
}

/** A colour's own domains: its `domains`, else `<cluster name>.<shared domain>`. */
function clusterDomains(file: PlatformFile, colour: Colour, shared: SharedDomains, problems: Problems): Record<'private' | 'public', Domain> {
  const c = file.clusters[colour];
  const domain = (kind: 'private' | 'public'): Domain => {
    const own = c.domains?.[kind];
    return own ? { name: own.name, zoneId: own.zoneId ?? shared[kind].zoneId } : { name: `${c.name.toLowerCase()}.${shared[kind].name}`, zoneId: shared[kind].zoneId };
  };
  const domains = { private: domain('private'), public: domain('public') };
  for (const kind of ['private', 'public'] as const) {
    if (!c.domains?.[kind] && !DOMAIN.test(domains[kind].name)) {
      problems.add(['clusters', colour, 'name'], `gives no valid default ${kind} domain (${JSON.stringify(domains[kind].name)}); set clusters.${colour}.domains.${kind}.name`);
    }
  }
  return domains;
}

/** A colour's four ExternalDNS: each instance's role and owner id (one owner id per colour for the live ones: the switch's fence, docs/switch.md). */
function clusterExternalDns(file: PlatformFile, colour: Colour, domains: Record<'private' | 'public', Domain>, shared: SharedDomains): Cluster['externalDns'] {
  const c = file.clusters[colour];
  const ed = c.externalDns ?? {};
  const instance = (name: 'private' | 'public' | 'livePrivate' | 'livePublic', defaultOwner: string) => ({ roleArn: ed[name]?.roleArn ?? ed.roleArn, ownerId: ed[name]?.ownerId ?? defaultOwner });
  return {
    private: instance('private', `ingress-${domains.private.name}`),
    public: instance('public', `ingress-${domains.public.name}`),
    livePrivate: instance('livePrivate', `live-${c.name.toLowerCase()}.${shared.private.name}`),
    livePublic: instance('livePublic', `live-${c.name.toLowerCase()}.${shared.public.name}`),
  };
}

function clusterAddons(file: PlatformFile, colour: Colour): Record<AddonName, ClusterAddonSettings> {
  const c = file.clusters[colour];
  return Object.fromEntries(
    ADDONS.map((name) => {
      const global = addonEntry(file, name);
      const own = c.addons?.[name] as AddonEntry | undefined;
      const settings: ClusterAddonSettings = { enabled: own?.enabled ?? global?.enabled ?? false, chartVersion: own?.chartVersion ?? global?.chartVersion, namespace: global?.namespace, roleArn: own?.roleArn };
      return [name, settings];
    }),
  ) as Record<AddonName, ClusterAddonSettings>;
}

/** The CA a colour names: a file (read later, by who needs it), or PEM checked now. */
function clusterCa(file: PlatformFile, colour: Colour, options: ResolveOptions, problems: Problems): CaSource | undefined {
  const c = file.clusters[colour];
  const at = ['clusters', colour, 'ca'];
  if (c.ca?.file !== undefined) return { kind: 'file', file: inBaseDir(c.ca.file, options), path: formatPath([...at, 'file']) };
  if (c.ca?.data === undefined && c.ca?.pem === undefined) return undefined;
  const key = c.ca.data !== undefined ? 'data' : 'pem';
  const check = c.ca.data !== undefined ? checkCaData(c.ca.data) : checkCaPem(c.ca.pem as string);
  if (check.ok) return { kind: 'pem', pem: check.pem, path: formatPath([...at, key]) };
  problems.add([...at, key], `${check.reason}`);
  return undefined;
}

function resolveCluster(file: PlatformFile, colour: Colour, shared: SharedDomains, options: ResolveOptions, problems: Problems): Cluster {
  const c = file.clusters[colour];
  const domains = clusterDomains(file, colour, shared, problems);
  const nodeLocalDnsGlobal = nodeLocalDnsDefaults(file);
  const ca = clusterCa(file, colour, options, problems);
  const endpoint = c.endpoint?.replace(/\/$/, '');
  if (endpoint !== undefined && c.tlsServerName === undefined && isIpHost(endpoint)) {
    problems.add(['clusters', colour, 'endpoint'], `is an IP address; EKS serving certificates carry no IP SAN, so set clusters.${colour}.tlsServerName to a name the certificate holds (e.g. kubernetes.default.svc)`);
  }
  return {
    colour,
    name: c.name,
    endpoint,
    ca,
    tlsServerName: c.tlsServerName,
    vpcId: c.vpcId,
    nodeRoleArns: c.nodeRoleArns ?? [],
    apiRecord: c.apiRecord ?? `api.${domains.private.name}`,
    domains,
    externalDns: clusterExternalDns(file, colour, domains, shared),
    addons: clusterAddons(file, colour),
    nodeLocalDns: { ...nodeLocalDnsGlobal, kubeDnsIp: (c.addons?.nodeLocalDns as AddonEntry | undefined)?.kubeDnsIp ?? nodeLocalDnsGlobal.kubeDnsIp },
  };
}

/** The checks across keys: two distinct clusters, endpoints, domains and records; one owner id per ExternalDNS instance. */
function checkAcross(file: PlatformFile, clusters: Record<Colour, Cluster>, shared: SharedDomains, problems: Problems): void {
  const { blue, green } = clusters;
  if (blue.name === green.name) problems.add(['clusters', 'green', 'name'], `is the same EKS cluster name as clusters.blue.name (${JSON.stringify(blue.name)}); expected two different clusters`);
  if (blue.endpoint !== undefined && blue.endpoint === green.endpoint) {
    problems.add(['clusters', 'green', 'endpoint'], 'is the same endpoint as clusters.blue.endpoint; expected each cluster\'s own endpoint');
  }
  for (const kind of ['private', 'public'] as const) {
    if (blue.domains[kind].name === green.domains[kind].name) {
      problems.add(['clusters', 'green', 'domains', kind, 'name'], `is the same domain as blue's (${blue.domains[kind].name}); each colour needs its own sub-domain`);
    }
    for (const colour of COLOURS) {
      if (clusters[colour].domains[kind].name === shared[kind].name) {
        problems.add(['clusters', colour, 'domains', kind, 'name'], `is the shared ${kind} domain (domains.${kind}.name); expected the cluster's own sub-domain`);
      }
    }
  }
  if (shared.private.name === shared.public.name) problems.add(['domains', 'public', 'name'], 'is the same as domains.private.name; expected two different domains');
  if (blue.apiRecord === green.apiRecord) problems.add(['clusters', 'green', 'apiRecord'], `is the same record as blue's (${blue.apiRecord}); each colour needs its own API record`);
  for (const colour of COLOURS) {
    if (clusters[colour].apiRecord === file.api.record) {
      problems.add(['clusters', colour, 'apiRecord'], `is the stable API record (api.record); expected this colour's own record`);
    }
  }
  if (file.clusterNameRecord.name === file.api.record) {
    problems.add(['clusterNameRecord', 'name'], 'is the API record (api.record); a name holds either the CNAME or the TXT record, not both');
  }
  if (file.externalDns.annotations.private === file.externalDns.annotations.public) {
    problems.add(['externalDns', 'annotations', 'public'], 'is the same annotation as externalDns.annotations.private; expected two different annotations');
  }
  // ExternalDNS ownership: every id is one instance's own (the live ones too: one per colour).
  const owners = new Map<string, string>();
  const claim = (id: string, path: KeyPath) => {
    const previous = owners.get(id);
    if (previous !== undefined) problems.add(path, `owner id ${JSON.stringify(id)} is already used by ${previous}; ExternalDNS instances that may run together need distinct owner ids`);
    else owners.set(id, formatPath(path));
  };
  for (const colour of COLOURS) {
    for (const instance of EXTERNAL_DNS_INSTANCES) claim(clusters[colour].externalDns[instance].ownerId, ['clusters', colour, 'externalDns', instance, 'ownerId']);
  }
}

/** Each entry of a list by name: a second entry of a name is a problem at its own path. */
function uniqueNames<T extends { name: string }>(list: readonly T[], key: 'access' | 'namespaces', what: string, problems: Problems): void {
  const first = new Map<string, number>();
  list.forEach((item, i) => {
    const at = first.get(item.name);
    if (at !== undefined) problems.add([key, i, 'name'], `duplicate ${what} ${JSON.stringify(item.name)} (also ${key}[${at}]); expected unique names`);
    else first.set(item.name, i);
  });
}

function accessLevels(file: PlatformFile, problems: Problems): AccessLevel[] {
  uniqueNames(file.access, 'access', 'access level', problems);
  return file.access.map((a) => ({
    name: a.name,
    roleArn: a.roleArn,
    groups: a.groups,
    username: a.username ?? `kubernetes-${a.name}`,
    accessPolicies: a.accessPolicies ?? (a.groups.includes('system:masters') ? ['AmazonEKSClusterAdminPolicy'] : []),
    profile: a.profile,
    mfa: a.mfa,
    sourceIdentity: a.sourceIdentity,
    tags: Object.entries(a.tags ?? {}),
  }));
}

function namespaces(file: PlatformFile, problems: Problems): Namespace[] {
  uniqueNames(file.namespaces, 'namespaces', 'namespace', problems);
  return file.namespaces.map((n) => ({ name: n.name, readwriteGroups: n.readwriteGroups ?? file.rbac.readwriteGroups, debugGroups: n.debugGroups ?? file.rbac.debugGroups }));
}

/** What the file says once resolved, of the parts no colour owns. */
function platformWide(file: PlatformFile, options: ResolveOptions): Pick<Platform, 'api' | 'clusterNameRecord' | 'authMode' | 'rbac' | 'externalDns' | 'addons' | 'linkerd'> {
  const ed = file.externalDns;
  const trustAnchors = addonEntry(file, 'linkerd')?.trustAnchorsFile;
  return {
    api: { record: file.api.record, server: (file.api.server ?? `https://${file.api.record}`).replace(/\/$/, ''), tlsServerName: file.api.tlsServerName, zoneId: file.api.zoneId, ttl: file.api.ttl },
    clusterNameRecord: { name: file.clusterNameRecord.name, zoneId: file.clusterNameRecord.zoneId, ttl: file.clusterNameRecord.ttl, dnsServer: file.clusterNameRecord.dnsServer },
    authMode: file.authMode,
    rbac: { readonlyGroups: file.rbac.readonlyGroups, readwriteGroups: file.rbac.readwriteGroups, debugGroups: file.rbac.debugGroups },
    externalDns: {
      enabled: ed.enabled,
      image: ed.image,
      namespace: ed.namespace,
      policy: ed.policy,
      sources: ed.sources,
      annotationPrefix: ed.annotationPrefix,
      resources: {
        requests: { cpu: ed.resources.requests.cpu, memory: ed.resources.requests.memory },
        limits: { cpu: ed.resources.limits.cpu, memory: ed.resources.limits.memory },
      },
      annotations: { private: ed.annotations.private, public: ed.annotations.public },
    },
    addons: Object.fromEntries(
      ADDONS.map((name) => {
        const entry = addonEntry(file, name);
        return [name, { enabled: entry?.enabled ?? false, chartVersion: entry?.chartVersion, namespace: entry?.namespace }];
      }),
    ) as Platform['addons'],
    linkerd: {
      crdsChartVersion: addonEntry(file, 'linkerd')?.crdsChartVersion,
      trustAnchorsFile: trustAnchors === undefined ? undefined : { file: inBaseDir(trustAnchors, options), path: 'addons.linkerd.trustAnchorsFile' },
    },
  };
}

/** The derived defaults, and the checks that span keys. Problems go to `problems`. */
export function resolvePlatform(file: PlatformFile, options: ResolveOptions, problems: Problems): Platform {
  const shared: SharedDomains = {
    private: { name: file.domains.private.name, zoneId: file.domains.private.zoneId },
    public: { name: file.domains.public.name, zoneId: file.domains.public.zoneId },
  };
  const clusters = Object.fromEntries(COLOURS.map((colour) => [colour, resolveCluster(file, colour, shared, options, problems)])) as Record<Colour, Cluster>;
  checkAcross(file, clusters, shared, problems);
  const access = accessLevels(file, problems);
  const spaces = namespaces(file, problems);
  const wide = platformWide(file, options);
  return {
    source: options.source,
    name: file.name,
    aws: { accountId: file.aws.accountId, region: file.aws.region },
    api: wide.api,
    clusterNameRecord: wide.clusterNameRecord,
    live: file.live,
    domains: shared,
    clusters,
    access,
    authMode: wide.authMode,
    rbac: wide.rbac,
    namespaces: spaces,
    externalDns: wide.externalDns,
    addons: wide.addons,
    linkerd: wide.linkerd,
  };
}
