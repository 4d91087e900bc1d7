/**
 * Loading `platform.yaml` (pure: text in, `Platform` out): parse the YAML with
 * positions, validate with the schema, then the checks that span keys
 * (duplicates, distinct names), then fill in the derived defaults.
 *
 * Every problem names the key path, its line, and what is expected; all of
 * them are reported at once, in one `config` error.
 */
import { isAbsolute, resolve } from 'node:path';
import * as v from 'valibot';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { BasculeError } from '../errors.js';
import type { AccessLevel, CaSource, Cluster, ClusterAddonSettings, Domain, Namespace, NodeLocalDnsSettings, Platform } from './model.js';
import { checkCaData, checkCaPem } from './pem.js';
import {
  EXTERNAL_DNS_INSTANCES,
  ADDONS,
  COLOURS,
  DEFAULT_KUBE_DNS_IP,
  DEFAULT_NODE_LOCAL_DNS_IMAGE,
  DEFAULT_NODE_LOCAL_DNS_IP,
  DOMAIN,
  PlatformSchema,
  type AddonName,
  type Colour,
  type PlatformFile,
} from './schema.js';

export type KeyPath = readonly (string | number)[];

export function formatPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out === '' ? '(top level)' : out;
}

const MAX_SHOWN = 25;

/** Problems found in one file, each located by key path (and line, when the YAML has it). */
export class Problems {
  private readonly list: { path: KeyPath; line: number | undefined; message: string }[] = [];

  constructor(
    private readonly source: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  /** `onKey`: point at the key itself (unknown keys) rather than its value. */
  add(path: KeyPath, message: string, onKey = false): void {
    this.list.push({ path, line: this.lineOf(path, onKey), message });
  }

  get size(): number {
    return this.list.length;
  }

  lineOf(path: KeyPath, onKey = false): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    // The deepest node that exists on the path (a missing key points at its parent).
    let node: unknown = this.doc.contents;
    let offset: number | undefined = rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key);
        if (!pair) break;
        const at = onKey && key === path[path.length - 1] ? rangeStart(pair.key) : (rangeStart(pair.value) ?? rangeStart(pair.key));
        if (at !== undefined) offset = at;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) break;
        const at = rangeStart(item);
        if (at !== undefined) offset = at;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, MAX_SHOWN).map(({ path, line, message }) => `  ${formatPath(path)}${line === undefined ? '' : ` (line ${line})`}: ${message}`);
    if (this.list.length > MAX_SHOWN) shown.push(`  ... and ${this.list.length - MAX_SHOWN} more`);
    const count = this.list.length === 1 ? '1 problem' : `${this.list.length} problems`;
    throw new BasculeError('config', `${this.source} is not a valid platform description (${count}):\n${shown.join('\n')}`, {
      hint: 'the format is in `bascule schema` (a JSON Schema editors can use); `bascule init` writes a commented starter',
    });
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}

/** A value as a message may show it: short, and never a long blob (a key, a certificate). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  if (typeof value === 'string') {
    if (value.length > 80) return `a ${value.length}-character string`;
    return JSON.stringify(value);
  }
  return String(value);
}

type AnySchema = { type?: string; kind?: string; message?: unknown; wrapped?: unknown; pipe?: AnySchema[]; entries?: Record<string, unknown>; item?: unknown };

/** The schema under optional() and pipe(). */
function unwrap(schema: unknown): AnySchema {
  let cur = schema as AnySchema;
  for (let i = 0; i < 10; i++) {
    if (cur.pipe && cur.pipe[0] !== cur) cur = cur.pipe[0] as AnySchema;
    else if (cur.wrapped) cur = cur.wrapped as AnySchema;
    else break;
  }
  return cur;
}

/** The schema at a key path, if the path follows the schema's shape. */
function schemaAt(path: KeyPath): unknown {
  let schema: unknown = PlatformSchema;
  for (const key of path) {
    const s = unwrap(schema);
    if (typeof key === 'number' && s.item) schema = s.item;
    else if (typeof key === 'string' && s.entries && key in s.entries) schema = s.entries[key];
    else return undefined;
  }
  return schema;
}

/** Allowed keys at a path of the schema, for "unknown key" messages. */
function keysAt(path: KeyPath): string[] {
  const s = schemaAt(path);
  const entries = s === undefined ? undefined : unwrap(s).entries;
  return entries ? Object.keys(entries) : [];
}

/** "expected ..." of the schema at a path: its most specific check's message. */
function expectationAt(path: KeyPath): string | undefined {
  let s = schemaAt(path) as AnySchema | undefined;
  for (let i = 0; s && i < 10; i++) {
    if (s.pipe) {
      const messages = s.pipe.map((item) => item.message).filter((m): m is string => typeof m === 'string' && m.startsWith('expected '));
      if (messages.length > 0) return messages.find((m) => m !== messages[0]) ?? messages[0];
      s = s.pipe[0] !== s ? s.pipe[0] : undefined;
    } else if (s.wrapped) s = s.wrapped as AnySchema;
    else return typeof s.message === 'string' && s.message.startsWith('expected ') ? s.message : undefined;
  }
  return undefined;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let cur = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * valibot takes a list for an object (arrays are objects) and reports its
 * items as unknown keys: report "expected a mapping, got a list" once instead.
 */
function listWhereMappingExpected(data: unknown, path: KeyPath): KeyPath | undefined {
  for (let i = 0; i < path.length; i++) {
    const prefix = path.slice(0, i);
    const schema = schemaAt(prefix);
    if (schema !== undefined && unwrap(schema).entries && Array.isArray(valueAt(data, prefix))) return prefix;
  }
  return undefined;
}

function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const prev = d[i - 1] as number[];
        row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      }
    }
    return (d[a.length] as number[])[b.length] as number;
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = distance(word, c);
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function issueMessage(issue: v.BaseIssue<unknown>, path: KeyPath): { message: string; onKey: boolean } {
  if (issue.kind === 'schema' && issue.input === undefined && path.length > 0) {
    return { message: `is missing; ${expectationAt(path) ?? 'expected a value'}`, onKey: false };
  }
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const key = String(path[path.length - 1]);
    const allowed = keysAt(path.slice(0, -1));
    const guess = closest(key, allowed);
    return {
      message: `unknown key ${JSON.stringify(key)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; expected one of: ${allowed.join(', ')}`,
      onKey: true,
    };
  }
  const expected = issue.message.startsWith('expected ') ? issue.message : `expected ${issue.expected ?? 'a valid value'}`;
  return { message: `${expected}, got ${describeValue(issue.input)}`, onKey: false };
}

export interface LoadOptions {
  /** The file as the user named it, for messages and generated headers. */
  readonly source: string;
  /** Directory that relative paths (CA files) are resolved against. */
  readonly baseDir: string;
}

/**
 * Checks a generator adds on top of the format's (e.g. the manifests need
 * IRSA roles that a kubeconfig does not): reported with the others, each
 * naming its key path and line.
 */
export type PlatformChecks = (platform: Platform, problems: Problems) => void;

/** Alias uses a platform file may expand: far above any real file, far below a billion laughs. */
export const MAX_ALIAS_COUNT = 100;

/** Parses and validates a platform file. Throws one `config` BasculeError listing every problem. */
export function loadPlatform(text: string, options: LoadOptions, checks?: PlatformChecks): Platform {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const problems = new Problems(options.source, doc, lines);
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, 5).map((e) => {
      const pos = e.pos ? lines.linePos(e.pos[0]) : undefined;
      return `  ${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
    });
    throw new BasculeError('config', `${options.source} is not valid YAML:\n${shown.join('\n')}`, {
      hint: 'fix the YAML syntax (indentation, quoting, duplicate keys) and retry',
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml refuses aliases that expand too far (a "billion laughs"): the file's fault, not bascule's.
    throw new BasculeError('config', `${options.source}: its YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} alias uses; a "billion laughs" file): ${(error as Error).message.split('\n')[0]}`, {
      hint: 'write the values out, or use fewer anchors and aliases',
    });
  }
  if (data === null || data === undefined) {
    throw new BasculeError('config', `${options.source} is empty`, { hint: '`bascule init` writes a commented starter' });
  }
  const parsed = v.safeParse(PlatformSchema, data, { abortEarly: false, abortPipeEarly: true });
  if (!parsed.success) {
    const reported = new Set<string>();
    for (const issue of parsed.issues) {
      const path: (string | number)[] = (issue.path ?? []).map((p) => p.key as string | number);
      const list = listWhereMappingExpected(data, path);
      if (list) {
        const key = formatPath(list);
        if (!reported.has(key)) problems.add(list, `${expectationAt(list) ?? 'expected a mapping'}, got a list`);
        reported.add(key);
        continue;
      }
      const { message, onKey } = issueMessage(issue, path);
      problems.add(path, message, onKey);
    }
    problems.throwIfAny();
  }
  const platform = resolvePlatform(parsed.output as PlatformFile, options, problems);
  if (problems.size === 0) checks?.(platform, problems);
  problems.throwIfAny();
  return platform;
}

/** The derived defaults, and the checks that span keys. Problems go to `problems`. */
export function resolvePlatform(file: PlatformFile, options: LoadOptions, problems: Problems): Platform {
  const shared = {
    private: { name: file.domains.private.name, zoneId: file.domains.private.zoneId },
    public: { name: file.domains.public.name, zoneId: file.domains.public.zoneId },
  };

  const nld = file.addons.nodeLocalDns as { image?: string; localIp?: string; kubeDnsIp?: string; clusterDomain?: string } | undefined;
  const nodeLocalDnsGlobal: NodeLocalDnsSettings = {
    image: nld?.image ?? DEFAULT_NODE_LOCAL_DNS_IMAGE,
    localIp: nld?.localIp ?? DEFAULT_NODE_LOCAL_DNS_IP,
    kubeDnsIp: nld?.kubeDnsIp ?? DEFAULT_KUBE_DNS_IP,
    clusterDomain: nld?.clusterDomain ?? 'cluster.local',
  };

  const clusters = {} as Record<Colour, Cluster>;
  for (const colour of COLOURS) {
    const c = file.clusters[colour];
    const at = ['clusters', colour] as const;
    const domain = (kind: 'private' | 'public'): Domain => {
      const own = c.domains?.[kind];
      return own ? { name: own.name, zoneId: own.zoneId ?? shared[kind].zoneId } : { name: `${c.name.toLowerCase()}.${shared[kind].name}`, zoneId: shared[kind].zoneId };
    };
    const domains = { private: domain('private'), public: domain('public') };
    for (const kind of ['private', 'public'] as const) {
      if (!c.domains?.[kind] && !DOMAIN.test(domains[kind].name)) {
        problems.add([...at, 'name'], `gives no valid default ${kind} domain (${JSON.stringify(domains[kind].name)}); set clusters.${colour}.domains.${kind}.name`);
      }
    }
    const ed = c.externalDns ?? {};
    const instance = (name: 'private' | 'public', defaultOwner: string) => ({
      roleArn: ed[name]?.roleArn ?? ed.roleArn,
      ownerId: ed[name]?.ownerId ?? defaultOwner,
    });
    // One owner id per colour, so the old colour's live instances own nothing once the switch migrated production (docs/switch.md, the fence).
    const live = (name: 'livePrivate' | 'livePublic', defaultOwner: string) => ({ roleArn: ed[name]?.roleArn ?? ed.roleArn, ownerId: ed[name]?.ownerId ?? defaultOwner });
    const addons = Object.fromEntries(
      ADDONS.map((name) => {
        const global = addonEntry(file, name);
        const own = c.addons?.[name] as AddonEntry | undefined;
        const settings: ClusterAddonSettings = {
          enabled: own?.enabled ?? global?.enabled ?? false,
          chartVersion: own?.chartVersion ?? global?.chartVersion,
          namespace: global?.namespace,
          roleArn: own?.roleArn,
        };
        return [name, settings];
      }),
    ) as Record<(typeof ADDONS)[number], ClusterAddonSettings>;
    const nodeLocalDns: NodeLocalDnsSettings = {
      ...nodeLocalDnsGlobal,
      kubeDnsIp: (c.addons?.nodeLocalDns as AddonEntry | undefined)?.kubeDnsIp ?? nodeLocalDnsGlobal.kubeDnsIp,
    };

    let ca: CaSource | undefined;
    if (c.ca?.file !== undefined) {
      ca = { kind: 'file', file: isAbsolute(c.ca.file) ? c.ca.file : resolve(options.baseDir, c.ca.file), path: formatPath([...at, 'ca', 'file']) };
    } else if (c.ca?.data !== undefined || c.ca?.pem !== undefined) {
      const key = c.ca.data !== undefined ? 'data' : 'pem';
      const check = c.ca.data !== undefined ? checkCaData(c.ca.data) : checkCaPem(c.ca.pem as string);
      if (check.ok) ca = { kind: 'pem', pem: check.pem, path: formatPath([...at, 'ca', key]) };
      else problems.add([...at, 'ca', key], `${check.reason}`);
    }

    const endpoint = c.endpoint?.replace(/\/$/, '');
    if (endpoint !== undefined && c.tlsServerName === undefined && isIpHost(endpoint)) {
      problems.add(
        [...at, 'endpoint'],
        `is an IP address; EKS serving certificates carry no IP SAN, so set clusters.${colour}.tlsServerName to a name the certificate holds (e.g. kubernetes.default.svc)`,
      );
    }

    clusters[colour] = {
      colour,
      name: c.name,
      endpoint,
      ca,
      tlsServerName: c.tlsServerName,
      vpcId: c.vpcId,
      nodeRoleArns: c.nodeRoleArns ?? [],
      apiRecord: c.apiRecord ?? `api.${domains.private.name}`,
      domains,
      externalDns: {
        private: instance('private', `ingress-${domains.private.name}`),
        public: instance('public', `ingress-${domains.public.name}`),
        livePrivate: live('livePrivate', `live-${c.name.toLowerCase()}.${shared.private.name}`),
        livePublic: live('livePublic', `live-${c.name.toLowerCase()}.${shared.public.name}`),
      },
      addons,
      nodeLocalDns,
    };
  }

  // --- Checks across keys ---
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

  const linkerdTrustAnchors = addonEntry(file, 'linkerd')?.trustAnchorsFile;

  const access: AccessLevel[] = [];
  const accessNames = new Map<string, number>();
  file.access.forEach((a, i) => {
    const first = accessNames.get(a.name);
    if (first !== undefined) problems.add(['access', i, 'name'], `duplicate access level ${JSON.stringify(a.name)} (also access[${first}]); expected unique names`);
    else accessNames.set(a.name, i);
    access.push({
      name: a.name,
      roleArn: a.roleArn,
      groups: a.groups,
      username: a.username ?? `kubernetes-${a.name}`,
      accessPolicies: a.accessPolicies ?? (a.groups.includes('system:masters') ? ['AmazonEKSClusterAdminPolicy'] : []),
      profile: a.profile,
      mfa: a.mfa,
      sourceIdentity: a.sourceIdentity,
      tags: Object.entries(a.tags ?? {}),
    });
  });

  const namespaces: Namespace[] = [];
  const namespaceNames = new Map<string, number>();
  file.namespaces.forEach((n, i) => {
    const first = namespaceNames.get(n.name);
    if (first !== undefined) problems.add(['namespaces', i, 'name'], `duplicate namespace ${JSON.stringify(n.name)} (also namespaces[${first}]); expected unique names`);
    else namespaceNames.set(n.name, i);
    namespaces.push({
      name: n.name,
      readwriteGroups: n.readwriteGroups ?? file.rbac.readwriteGroups,
      debugGroups: n.debugGroups ?? file.rbac.debugGroups,
    });
  });

  return {
    source: options.source,
    name: file.name,
    aws: { accountId: file.aws.accountId, region: file.aws.region },
    api: {
      record: file.api.record,
      server: (file.api.server ?? `https://${file.api.record}`).replace(/\/$/, ''),
      tlsServerName: file.api.tlsServerName,
      zoneId: file.api.zoneId,
      ttl: file.api.ttl,
    },
    clusterNameRecord: {
      name: file.clusterNameRecord.name,
      zoneId: file.clusterNameRecord.zoneId,
      ttl: file.clusterNameRecord.ttl,
      dnsServer: file.clusterNameRecord.dnsServer,
    },
    live: file.live,
    domains: shared,
    clusters,
    access,
    authMode: file.authMode,
    rbac: { readonlyGroups: file.rbac.readonlyGroups, readwriteGroups: file.rbac.readwriteGroups, debugGroups: file.rbac.debugGroups },
    namespaces,
    externalDns: {
      enabled: file.externalDns.enabled,
      image: file.externalDns.image,
      namespace: file.externalDns.namespace,
      policy: file.externalDns.policy,
      sources: file.externalDns.sources,
      annotationPrefix: file.externalDns.annotationPrefix,
      resources: {
        requests: { cpu: file.externalDns.resources.requests.cpu, memory: file.externalDns.resources.requests.memory },
        limits: { cpu: file.externalDns.resources.limits.cpu, memory: file.externalDns.resources.limits.memory },
      },
      annotations: { private: file.externalDns.annotations.private, public: file.externalDns.annotations.public },
    },
    addons: Object.fromEntries(
      ADDONS.map((name) => {
        const entry = addonEntry(file, name);
        return [name, { enabled: entry?.enabled ?? false, chartVersion: entry?.chartVersion, namespace: entry?.namespace }];
      }),
    ) as Platform['addons'],
    linkerd: {
      crdsChartVersion: addonEntry(file, 'linkerd')?.crdsChartVersion,
      trustAnchorsFile: linkerdTrustAnchors === undefined ? undefined : { file: isAbsolute(linkerdTrustAnchors) ? linkerdTrustAnchors : resolve(options.baseDir, linkerdTrustAnchors), path: 'addons.linkerd.trustAnchorsFile' },
    },
  };
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

function isIpHost(url: string): boolean {
  const host = new URL(url).hostname;
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

