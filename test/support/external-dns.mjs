// @ts-check
/**
 * A stand-in ExternalDNS (v0.22, provider aws, registry txt) for one cluster:
 * while an ExternalDNS Deployment of the stand-in API server has a running pod,
 * it reconciles that cluster's Services and Ingresses (kube-objects.mjs) into
 * Route53 (moto through the validating proxy) in loops, with the args the pod
 * was started with (deployments.mjs: a changed template rolls out, and the new
 * pod's first loop uses the new args).
 *
 *   const edns = startExternalDns({ deployments, objects, endpoint: proxy.endpoint, intervalMs: 150 });
 *   await edns.loops(2);                // two more full loops of every running instance
 *   edns.status('live-external-dns-private')   // { loops, error, changes, running }
 *   await edns.stop();
 *
 * Rules implemented, named after ExternalDNS's sources (kubernetes-sigs/external-dns, tag v0.22.0):
 * - pkg/apis/externaldns/types.go: the flags below; an unknown flag or a missing
 *   --policy stops the instance (its status carries the error, nothing is written).
 * - source/service.go, source/ingress.go, endpoint/utils.go EndpointsForHostname:
 *   Services of type LoadBalancer and Ingresses, targets from
 *   status.loadBalancer.ingress (hostname -> CNAME, IPv4 -> A, IPv6 -> AAAA) unless the
 *   `<prefix>target` annotation; hostnames from the `<prefix>hostname` annotation (unless
 *   --ignore-hostname-annotation), Ingress rules' hosts (unless --ignore-ingress-rules-spec)
 *   and TLS hosts (unless --ignore-ingress-tls-spec); the resource label `service/NS/NAME`.
 * - source/template/engine.go: --fqdn-template applies only when the object gave no
 *   hostname (or always with --combine-fqdn-annotation); comma-separated results, trimmed,
 *   final dot dropped; a missing annotation renders "<no value>", as Go templates do.
 *   Supported: {{ .Annotations.K }}, {{ index .Annotations "K" }}, {{ .Name }}, {{ .Namespace }}, {{ .Labels.K }}.
 * - source/annotations/filter.go: --annotation-filter is a label selector over annotations
 *   (K, !K, K=V, K==V, K!=V, K in (..), K notin (..)); --label-filter the same over labels;
 *   --namespace limits the objects.
 * - source/annotations/{annotations,provider_specific}.go: --annotation-prefix (default
 *   external-dns.kubernetes.io/); `<prefix>ttl`, `<prefix>set-identifier`, `<prefix>aws-weight`
 *   (-> SetIdentifier and Weight: weighted record sets).
 * - endpoint/domain_filter.go: --domain-filter suffix match (`x` matches x and *.x; `.x`
 *   only subdomains), --exclude-domains the same, excluded first.
 * - provider/aws/aws.go: zones by --zone-id-filter, --aws-zone-type (public/private) and the
 *   domain filter (a parent zone only with --aws-zone-match-parent); records go to every
 *   matching private zone and the longest matching public zone; ListResourceRecordSets paged
 *   by 300; AdjustEndpoints: a CNAME to an ELB hostname becomes an ALIAS A record plus an
 *   ALIAS AAAA copy (canonical hosted zone of the ELB, EvaluateTargetHealth from
 *   --aws-evaluate-target-health, default true) unless --aws-prefer-cname; other records
 *   TTL 300 unless the ttl annotation; aliases read back as TTL 300; an update that changes
 *   type, alias-ness, SetIdentifier or routing policy is DELETE + CREATE, else UPSERT;
 *   changes sorted UPSERT, DELETE, CREATE then name, type, batched by --aws-batch-change-size
 *   (1000); a refused batch is retried group by group (a record with its TXT).
 * - registry/txt/registry.go + registry/mapper/mapper.go: TXT values
 *   "heritage=external-dns,external-dns/owner=ID,external-dns/resource=KIND/NS/NAME" (labels
 *   sorted); written at the v0.18+ name `<type>-<name>` (`a-` for alias A records too, with
 *   --txt-prefix/--txt-suffix placed as the mapper does: prefix before the first label,
 *   suffix after it, `%{record_type}` templating); read in both formats (the new one first,
 *   then the old same-name one except for AAAA; `cname-` for alias A as the legacy name);
 *   an owned record whose new-format TXT is missing is rewritten (force update);
 *   --migrate-from-txt-owner relabels records of that owner as its own, and every owned
 *   record is then rewritten on each loop; TXT values that do not start with heritage= are
 *   plain records. v0.22 writes only the new format (it no longer writes the old one).
 * - plan/plan.go, plan/conflict.go, plan/policy.go: rows by (name, SetIdentifier); creates
 *   at a taken name only when every current record there is owned; updates when the TTL
 *   (if set), the targets, provider-specific properties or the owner migration differ;
 *   several candidates: CNAME dropped beside A/AAAA, the resource already holding the
 *   record wins, else the smallest targets; policies then owner filter: sync = all,
 *   upsert-only = creates and updates, create-only = creates; updates and deletes only of
 *   records owned by --txt-owner-id.
 * Not emulated (refused when in the args, never silently ignored): other sources, providers
 * and registries, --txt-encrypt-*, --txt-wildcard-replacement, --publish-*, target templates,
 * regex domain filters, zone tags, ingress classes, assumed roles. Accepted without effect:
 * logging, metrics, events, timeouts, retries, the records cache. Not emulated at all:
 * /healthz (which proves nothing anyway), rate limits.
 * One loop per Deployment (whatever its replicas), every --interval (or the test's
 * `intervalMs`), the first at once when a pod starts; instances run side by side; each
 * signs with its own credentials (option `credentials`, default `accessKeyId(name)`), so the
 * proxy can refuse one instance's writes.
 */
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';

const HERITAGE = 'external-dns';
const DEFAULT_TTL = 300;
const MAPPER_TYPES = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'PTR', 'SRV', 'NAPTR', 'TXT', 'DNAME'];
/** Canonical hosted zones of load balancers (AWS's published ids), for the regions tests use. */
const ELB_ZONES = /** @type {Record<string, string>} */ ({
  'eu-west-3.elb.amazonaws.com': 'Z3Q77PNBQS71R4',
  'elb.eu-west-3.amazonaws.com': 'Z1CMS0P5QUZ6D5',
  'eu-west-1.elb.amazonaws.com': 'Z32O12XQLNTSW2',
  'elb.eu-west-1.amazonaws.com': 'Z2IFOLAFXWLO4F',
  'us-east-1.elb.amazonaws.com': 'Z35SXDOTRQ7X7K',
  'elb.us-east-1.amazonaws.com': 'Z26RNL4JYFTOTI',
});

/**
 * @typedef {{ dnsName: string, type: string, targets: string[], ttl: number, setIdentifier: string,
 *   labels: Record<string, string>, props: Record<string, string> }} Endpoint
 * @typedef {{ create: Endpoint[], updateOld: Endpoint[], updateNew: Endpoint[], delete: Endpoint[] }} Changes
 */

// ---------------------------------------------------------------------------
// Flags (pkg/apis/externaldns/types.go)

const REPEATED = new Set(['source', 'domain-filter', 'exclude-domains', 'zone-id-filter', 'managed-record-types', 'exclude-record-types', 'fqdn-template']);
const BOOLEAN = new Set([
  'aws-zone-match-parent',
  'ignore-hostname-annotation',
  'ignore-ingress-tls-spec',
  'ignore-ingress-rules-spec',
  'combine-fqdn-annotation',
  'aws-prefer-cname',
  'aws-evaluate-target-health',
  'dry-run',
  'once',
  'events',
]);
/** Flags of ExternalDNS that change what it writes, which the stand-in does not emulate: refused, never ignored. */
const NOT_EMULATED = new Set(['publish-internal-services', 'publish-host-ip', 'txt-encrypt-enabled', 'txt-encrypt-aes-key', 'txt-wildcard-replacement', 'aws-assume-role', 'aws-profile', 'fqdn-target-template', 'target-template', 'aws-zone-tags', 'regex-domain-filter', 'regex-domain-exclusion', 'ingress-class', 'service-type-filter']);
const VALUED = new Set([
  'provider',
  'policy',
  'registry',
  'txt-owner-id',
  'txt-prefix',
  'txt-suffix',
  'migrate-from-txt-owner',
  'annotation-filter',
  'label-filter',
  'annotation-prefix',
  'aws-zone-type',
  'aws-batch-change-size',
  'namespace',
  'interval',
  'log-level',
  'log-format',
  'metrics-address',
  'request-timeout',
  'aws-api-retries',
  'aws-batch-change-interval',
  'txt-cache-interval',
  'min-event-sync-interval',
]);

export class ExternalDnsArgsError extends Error {}

/** @param {string[]} args */
export function parseArgs(args) {
  /** @type {Record<string, string[]>} */
  const values = {};
  /** @type {Record<string, boolean>} */
  const flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new ExternalDnsArgsError(`error: unexpected argument '${arg}'`);
    const [, no, name, inline] = /** @type {[string, string | undefined, string, string | undefined]} */ (/** @type {unknown} */ (m));
    if (NOT_EMULATED.has(name)) throw new ExternalDnsArgsError(`error: the stand-in does not emulate --${name}`);
    if (no && !BOOLEAN.has(name)) throw new ExternalDnsArgsError(`error: unknown long flag '--no-${name}'`);
    if (BOOLEAN.has(name)) {
      flags[name] = no ? false : inline === undefined ? true : inline === 'true';
    } else if (VALUED.has(name) || REPEATED.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new ExternalDnsArgsError(`error: expected argument for flag '--${name}'`);
      (values[name] ??= []).push(value);
    } else throw new ExternalDnsArgsError(`error: unknown long flag '--${name}'`);
  }
  const one = (/** @type {string} */ k, /** @type {string} */ d) => values[k]?.[values[k].length - 1] ?? d;
  const many = (/** @type {string} */ k) => (values[k] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const policy = one('policy', '');
  if (!['sync', 'upsert-only', 'create-only'].includes(policy)) throw new ExternalDnsArgsError(policy ? `error: enum value must be one of sync,upsert-only,create-only, got '${policy}'` : 'error: required flag --policy not provided');
  if (one('provider', '') !== 'aws') throw new ExternalDnsArgsError(`error: the stand-in emulates --provider=aws only (got '${one('provider', '')}')`);
  if (one('registry', 'txt') !== 'txt') throw new ExternalDnsArgsError(`error: the stand-in emulates --registry=txt only (got '${one('registry', '')}')`);
  const prefix = one('txt-prefix', '');
  const suffix = one('txt-suffix', '');
  if (prefix && suffix) throw new ExternalDnsArgsError('error: txt-prefix and txt-suffix are mutual exclusive');
  const zoneType = one('aws-zone-type', '');
  if (!['', 'public', 'private'].includes(zoneType)) throw new ExternalDnsArgsError(`error: enum value must be one of public,private, got '${zoneType}'`);
  const sources = many('source');
  for (const s of sources) if (!['service', 'ingress'].includes(s)) throw new ExternalDnsArgsError(`error: the stand-in emulates --source=service and --source=ingress only (got '${s}')`);
  const templates = (values['fqdn-template'] ?? []).flatMap((t) => splitTemplates(t)).map(parseTemplate);
  return {
    sources,
    policy,
    ownerId: one('txt-owner-id', 'default'),
    oldOwnerId: one('migrate-from-txt-owner', ''),
    prefix: prefix.toLowerCase(),
    suffix: suffix.toLowerCase(),
    domainFilter: many('domain-filter').map(normalizeDomain),
    excludeDomains: many('exclude-domains').map(normalizeDomain),
    zoneIdFilter: many('zone-id-filter').map((z) => z.replace(/^\/hostedzone\//, '')),
    zoneType,
    matchParent: flags['aws-zone-match-parent'] ?? false,
    annotationFilter: parseSelector(one('annotation-filter', ''), 'annotation-filter'),
    labelFilter: parseSelector(one('label-filter', ''), 'label-filter'),
    annotationPrefix: one('annotation-prefix', 'external-dns.kubernetes.io/'),
    templates,
    combine: flags['combine-fqdn-annotation'] ?? false,
    ignoreHostnameAnnotation: flags['ignore-hostname-annotation'] ?? false,
    ignoreTls: flags['ignore-ingress-tls-spec'] ?? false,
    ignoreRules: flags['ignore-ingress-rules-spec'] ?? false,
    preferCname: flags['aws-prefer-cname'] ?? false,
    evaluateTargetHealth: flags['aws-evaluate-target-health'] ?? true,
    dryRun: flags['dry-run'] ?? false,
    namespace: one('namespace', ''),
    managed: many('managed-record-types').length ? many('managed-record-types') : ['A', 'AAAA', 'CNAME'],
    excludedTypes: many('exclude-record-types'),
    batchSize: Number(one('aws-batch-change-size', '1000')) || 1000,
    intervalMs: values.interval ? parseDuration(one('interval', '')) : undefined,
  };
}
/** @typedef {ReturnType<typeof parseArgs>} Config */

// ---------------------------------------------------------------------------
// Templates (a tiny subset of Go's text/template, what --fqdn-template uses)

/** Splits "t1,t2" at commas outside {{ }}. @param {string} s */
function splitTemplates(s) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith('{{', i)) depth++;
    if (s.startsWith('}}', i)) depth--;
    if (s[i] === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

/** @param {string} text @returns {(o: any) => string} */
function parseTemplate(text) {
  /** @type {((o: any) => string)[]} */
  const parts = [];
  const re = /\{\{-?\s*(.*?)\s*-?\}\}/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const literal = text.slice(last, m.index);
    parts.push(() => literal);
    last = (m.index ?? 0) + m[0].length;
    const expr = /** @type {string} */ (m[1]);
    const dot = /^\.(Annotations|Labels)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    const index = /^index \.(Annotations|Labels) "((?:[^"\\]|\\.)*)"$/.exec(expr);
    const field = /^\.(Name|Namespace|Kind)$/.exec(expr);
    if (dot || index) {
      const [, where, key] = /** @type {[string, string, string]} */ (/** @type {unknown} */ (dot ?? index));
      const map = where === 'Annotations' ? 'annotations' : 'labels';
      parts.push((o) => {
        const v = o.metadata?.[map]?.[key];
        return v === undefined ? (dot ? '<no value>' : '') : String(v);
      });
    } else if (field) {
      const f = /** @type {string} */ (field[1]);
      parts.push((o) => (f === 'Kind' ? o.kind : o.metadata?.[f.toLowerCase()]) ?? '');
    } else throw new ExternalDnsArgsError(`error: --fqdn-template ${JSON.stringify(text)}: the stand-in does not understand {{ ${expr} }}`);
  }
  const tail = text.slice(last);
  parts.push(() => tail);
  return (o) => parts.map((p) => p(o)).join('');
}

// ---------------------------------------------------------------------------
// Selectors (label selector syntax, applied to annotations or labels)

/** @param {string} text @param {string} flag @returns {(m: Record<string, string>) => boolean} */
export function parseSelector(text, flag) {
  if (!text.trim()) return () => true;
  /** @type {((m: Record<string, string>) => boolean)[]} */
  const reqs = [];
  for (const raw of text.split(/,(?![^(]*\))/)) {
    const term = raw.trim();
    let m;
    if ((m = /^!\s*([\w./-]+)$/.exec(term))) {
      const k = /** @type {string} */ (m[1]);
      reqs.push((x) => !(k in x));
    } else if ((m = /^([\w./-]+)$/.exec(term))) {
      const k = /** @type {string} */ (m[1]);
      reqs.push((x) => k in x);
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term))) {
      const [, k, op, v] = /** @type {[string, string, string, string]} */ (/** @type {unknown} */ (m));
      reqs.push(op === '!=' ? (x) => x[k] !== v : (x) => x[k] === v);
    } else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [, k, op, list] = /** @type {[string, string, string, string]} */ (/** @type {unknown} */ (m));
      const set = new Set(list.split(',').map((s) => s.trim()));
      reqs.push(op === 'in' ? (x) => x[k] !== undefined && set.has(x[k]) : (x) => x[k] === undefined || !set.has(x[k]));
    } else throw new ExternalDnsArgsError(`error: --${flag}: unable to parse requirement: ${term}`);
  }
  return (x) => reqs.every((r) => r(x));
}

// ---------------------------------------------------------------------------
// Domain filter (endpoint/domain_filter.go)

/** @param {string} d */
const normalizeDomain = (d) => d.trim().toLowerCase().replace(/\.$/, '');
/** @param {string[]} filters @param {string} domain @param {boolean} empty */
function matchFilter(filters, domain, empty) {
  if (filters.length === 0) return empty;
  const d = normalizeDomain(domain);
  return filters.some((f) => f !== '' && ((f.startsWith('.') && d.endsWith(f)) || d === f || d.endsWith(`.${f}`)));
}
/** @param {Config} cfg @param {string} domain */
const domainMatch = (cfg, domain) => matchFilter(cfg.domainFilter, domain, true) && !matchFilter(cfg.excludeDomains, domain, false);
/** @param {Config} cfg @param {string} domain */
function domainMatchParent(cfg, domain) {
  if (matchFilter(cfg.excludeDomains, domain, false)) return false;
  if (cfg.domainFilter.length === 0) return true;
  const d = normalizeDomain(domain);
  return cfg.domainFilter.some((f) => f !== '' && !f.startsWith('.') && f.endsWith(`.${d}`));
}

// ---------------------------------------------------------------------------
// TXT registry names and values (registry/mapper/mapper.go, endpoint/labels.go)

const TEMPLATE = '%{record_type}';

/** @param {Config} cfg @param {string} dns @param {string} recordType */
export function toTxtName(cfg, dns, recordType) {
  const i = dns.indexOf('.');
  let first = i < 0 ? dns : dns.slice(0, i);
  const rest = i < 0 ? undefined : dns.slice(i + 1);
  const t = recordType.toLowerCase();
  const prefix = cfg.prefix.replaceAll(TEMPLATE, t);
  const suffix = cfg.suffix.replaceAll(TEMPLATE, t);
  if (!cfg.prefix.includes(TEMPLATE) && !cfg.suffix.includes(TEMPLATE)) first = `${t}-${first}`;
  return rest === undefined ? `${prefix}${first}${suffix}` : `${prefix}${first}${suffix}.${rest}`;
}

/** @param {string} name @returns {[string, string]} */
function extractTypeDefault(name) {
  const head = name.split('-')[0];
  for (const t of MAPPER_TYPES) if (head === t.toLowerCase()) return [name.slice(head.length + 1), t];
  return [name, ''];
}
/** @param {Config} cfg @param {string} name @returns {[string, string]} */
function dropAffixExtractType(cfg, name) {
  let { prefix, suffix } = cfg;
  const isPrefix = suffix.length === 0;
  if (prefix.includes(TEMPLATE) || suffix.includes(TEMPLATE)) {
    for (const t of MAPPER_TYPES) {
      const ip = prefix.replaceAll(TEMPLATE, t.toLowerCase());
      const is = suffix.replaceAll(TEMPLATE, t.toLowerCase());
      if (isPrefix && name.startsWith(ip)) return [name.slice(ip.length), t];
      if (!isPrefix && name.endsWith(is)) return [name.slice(0, name.length - is.length), t];
    }
    prefix = prefix.replaceAll(TEMPLATE, '');
    suffix = suffix.replaceAll(TEMPLATE, '');
  }
  if (isPrefix && name.startsWith(prefix)) return extractTypeDefault(name.slice(prefix.length));
  if (!isPrefix && name.endsWith(suffix)) return extractTypeDefault(name.slice(0, name.length - suffix.length));
  return ['', ''];
}
/** The record a registry TXT name is about: [name, type ('' = old format)]. @param {Config} cfg @param {string} txtName @returns {[string, string]} */
export function toEndpointName(cfg, txtName) {
  const lower = txtName.toLowerCase();
  if (cfg.suffix.length === 0) return dropAffixExtractType(cfg, lower);
  const dc = (cfg.suffix.match(/\./g) ?? []).length;
  const all = lower.split('.');
  const parts = [...all.slice(0, 1 + dc), ...(all.length > 1 + dc ? [all.slice(1 + dc).join('.')] : [])];
  if (parts.length <= dc) return ['', ''];
  const [r, t] = dropAffixExtractType(cfg, parts.slice(0, 1 + dc).join('.'));
  if (parts.length <= 1 + dc) return [r, t];
  return [`${r}.${parts[1 + dc]}`, t];
}

/** @param {Record<string, string>} labels */
export function serializeLabels(labels) {
  const keys = Object.keys(labels).sort();
  return `"${[`heritage=${HERITAGE}`, ...keys.map((k) => `${HERITAGE}/${k}=${labels[k]}`)].join(',')}"`;
}
/** Labels of a registry value; undefined when it is not one (no heritage=external-dns). @param {string} text */
export function parseLabels(text) {
  /** @type {Record<string, string>} */
  const labels = {};
  let heritage = false;
  for (const token of text.replace(/^"+|"+$/g, '').split(',')) {
    const at = token.indexOf('=');
    if (at < 0) continue;
    const [k, v] = [token.slice(0, at), token.slice(at + 1)];
    if (k === 'heritage') {
      if (v !== HERITAGE) return undefined;
      heritage = true;
    } else if (k.startsWith(`${HERITAGE}/`)) labels[k.slice(HERITAGE.length + 1)] = v;
  }
  return heritage ? labels : undefined;
}

// ---------------------------------------------------------------------------
// Sources (source/service.go, source/ingress.go)

/** @param {string} t */
const suitableType = (t) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(t) ? 'A' : t.includes(':') && /^[0-9a-f:.]+$/i.test(t) ? 'AAAA' : 'CNAME');

/** @param {string} hostname @param {string[]} targets @param {number} ttl @param {Record<string, string>} props @param {string} setIdentifier @param {string} resource @returns {Endpoint[]} */
function endpointsForHostname(hostname, targets, ttl, props, setIdentifier, resource) {
  /** @type {Record<string, string[]>} */
  const byType = {};
  for (const t of targets) (byType[suitableType(t)] ??= []).push(t.replace(/\.$/, ''));
  return ['A', 'AAAA', 'CNAME']
    .filter((type) => byType[type]?.length)
    .map((type) => ({ dnsName: hostname, type, targets: /** @type {string[]} */ (byType[type]), ttl, setIdentifier, labels: { resource }, props: { ...props } }));
}

/** @param {Config} cfg @param {any} o @returns {Endpoint[]} */
function endpointsOf(cfg, o) {
  const a = o.metadata?.annotations ?? {};
  const p = cfg.annotationPrefix;
  const kind = o.kind === 'Service' ? 'service' : 'ingress';
  const resource = `${kind}/${o.metadata.namespace}/${o.metadata.name}`;
  const ttlText = a[`${p}ttl`];
  const ttl = ttlText && /^\d+$/.test(ttlText) ? Number(ttlText) : 0;
  const annotated = String(a[`${p}target`] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const targets = annotated.length ? annotated : (o.status?.loadBalancer?.ingress ?? []).flatMap((/** @type {any} */ lb) => [lb.ip, lb.hostname].filter(Boolean));
  /** @type {Record<string, string>} */
  const props = {};
  let setIdentifier = '';
  for (const [k, v] of Object.entries(a)) {
    if (k === `${p}set-identifier`) setIdentifier = String(v);
    else if (k.startsWith(`${p}aws-`)) props[`aws/${k.slice(`${p}aws-`.length)}`] = String(v);
  }
  if (kind === 'service' && o.spec?.type !== 'LoadBalancer') return [];
  /** @type {string[]} */
  const hosts = [];
  if (kind === 'ingress' && !cfg.ignoreRules) for (const r of o.spec?.rules ?? []) if (r.host) hosts.push(r.host);
  if (kind === 'ingress' && !cfg.ignoreTls) for (const t of o.spec?.tls ?? []) for (const h of t.hosts ?? []) if (h) hosts.push(h);
  if (!cfg.ignoreHostnameAnnotation)
    for (const h of String(a[`${p}hostname`] ?? '').split(',')) {
      const name = h.trim().replace(/\.$/, '');
      if (name) hosts.push(name);
    }
  /** @type {Endpoint[]} */
  let eps = hosts.flatMap((h) => endpointsForHostname(h, targets, ttl, props, setIdentifier, resource));
  if (cfg.templates.length && (cfg.combine || eps.length === 0)) {
    const names = [
      ...new Set(
        cfg.templates
          .flatMap((t) => t(o).split(','))
          .map((n) => n.trim().replace(/\.$/, ''))
          .filter(Boolean),
      ),
    ].sort();
    eps = [...(cfg.combine ? eps : []), ...names.flatMap((h) => endpointsForHostname(h, targets, ttl, props, setIdentifier, resource))];
  }
  return eps;
}

/** @param {Config} cfg @param {ReturnType<typeof import('./kube-objects.mjs').objectStore>} objects */
function desiredEndpoints(cfg, objects) {
  const ns = cfg.namespace || undefined;
  const items = [...(cfg.sources.includes('service') ? objects.list('Service', ns) : []), ...(cfg.sources.includes('ingress') ? objects.list('Ingress', ns) : [])];
  return items.filter((o) => cfg.annotationFilter(o.metadata?.annotations ?? {}) && cfg.labelFilter(o.metadata?.labels ?? {})).flatMap((o) => endpointsOf(cfg, o));
}

// ---------------------------------------------------------------------------
// Provider aws (provider/aws/aws.go)

/** @param {string} hostname */
function canonicalZone(hostname) {
  const parts = hostname.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = parts.length - 2; i >= 0; i--) {
    const zone = ELB_ZONES[parts.slice(i).join('.')];
    if (zone) return zone;
  }
  return '';
}

/** AdjustEndpoints: ELB CNAMEs become ALIAS A (+ AAAA); alias TTL; alias=false on other CNAMEs. @param {Config} cfg @param {Endpoint[]} eps */
function adjustEndpoints(cfg, eps) {
  /** @type {Endpoint[]} */
  const extra = [];
  for (const ep of eps) {
    if (ep.type === 'CNAME') {
      if (ep.props.alias === undefined) ep.props.alias = String(!cfg.preferCname && canonicalZone(ep.targets[0] ?? '') !== '');
      if (ep.props.alias === 'true') {
        ep.type = 'A';
        if (ep.ttl) ep.ttl = DEFAULT_TTL;
        ep.props['aws/evaluate-target-health'] ??= String(cfg.evaluateTargetHealth);
        extra.push({ ...ep, type: 'AAAA', targets: [...ep.targets], labels: { ...ep.labels }, props: { ...ep.props } });
      } else delete ep.props['aws/evaluate-target-health'];
    } else if (ep.props.alias !== 'true') {
      delete ep.props.alias;
      delete ep.props['aws/evaluate-target-health'];
    }
  }
  return [...eps, ...extra];
}

/** A Route53 record set as an endpoint (labels empty). @param {any} r @returns {Endpoint} */
function endpointOfRecordSet(r) {
  const name = String(r.Name).replace(/\.$/, '').replace(/\\052/g, '*');
  /** @type {Record<string, string>} */
  const props = {};
  let targets;
  let ttl = r.TTL ?? 0;
  if (r.AliasTarget) {
    targets = [String(r.AliasTarget.DNSName).replace(/\.$/, '')];
    props.alias = 'true';
    props['aws/evaluate-target-health'] = String(Boolean(r.AliasTarget.EvaluateTargetHealth));
    if (!ttl) ttl = DEFAULT_TTL;
  } else {
    targets = (r.ResourceRecords ?? []).map((/** @type {any} */ v) => (r.Type === 'TXT' ? v.Value : String(v.Value).replace(/\.$/, '')));
    if (r.Type === 'CNAME') props.alias = 'false';
  }
  if (r.SetIdentifier !== undefined && r.Weight !== undefined) props['aws/weight'] = String(r.Weight);
  return { dnsName: name, type: r.Type, targets, ttl, setIdentifier: r.SetIdentifier ?? '', labels: {}, props };
}

/** @param {Endpoint} ep */
function recordSetOf(ep) {
  /** @type {any} */
  const r = { Name: ep.dnsName, Type: ep.type };
  if ((ep.type === 'A' || ep.type === 'AAAA') && ep.props.alias === 'true') {
    r.AliasTarget = { DNSName: ep.targets[0], HostedZoneId: ep.props['aws/target-hosted-zone'] ?? canonicalZone(ep.targets[0] ?? ''), EvaluateTargetHealth: ep.props['aws/evaluate-target-health'] === 'true' };
  } else {
    r.TTL = ep.ttl || DEFAULT_TTL;
    r.ResourceRecords = ep.targets.map((Value) => ({ Value }));
  }
  if (ep.setIdentifier) r.SetIdentifier = ep.setIdentifier;
  if (ep.props['aws/weight'] !== undefined) r.Weight = Number(ep.props['aws/weight']) || 0;
  return r;
}

// ---------------------------------------------------------------------------
// Registry txt (registry/txt/registry.go)

/** @param {Config} cfg @param {Endpoint[]} records */
function registryRecords(cfg, records) {
  /** @type {Map<string, Record<string, string>>} */
  const labelMap = new Map();
  const txtNames = new Set();
  /** @type {Endpoint[]} */
  const endpoints = [];
  for (const r of records) {
    if (r.type !== 'TXT') {
      endpoints.push(r);
      continue;
    }
    const labels = r.targets.length ? parseLabels(/** @type {string} */ (r.targets[0])) : undefined;
    if (!labels) {
      endpoints.push(r);
      continue;
    }
    const [name, type] = toEndpointName(cfg, r.dnsName);
    labelMap.set(`${name}|${type}|${r.setIdentifier}`, labels);
    txtNames.add(`${r.dnsName.toLowerCase()}|${r.setIdentifier}`);
  }
  for (const ep of endpoints) {
    const name = ep.dnsName.toLowerCase();
    let labels = labelMap.get(`${name}|${ep.type}|${ep.setIdentifier}`);
    if (!labels && ep.type === 'A' && ep.props.alias === 'true') labels = labelMap.get(`${name}|CNAME|${ep.setIdentifier}`);
    if (!labels && ep.type !== 'AAAA') labels = labelMap.get(`${name}||${ep.setIdentifier}`);
    if (labels) Object.assign(ep.labels, labels);
    if (cfg.oldOwnerId && ep.labels.owner === cfg.oldOwnerId) ep.labels.owner = cfg.ownerId;
    if (txtNames.size > 0 && ep.labels.owner === cfg.ownerId && isManaged(cfg, ep.type) && !txtNames.has(`${toTxtName(cfg, ep.dnsName, ep.type).toLowerCase()}|${ep.setIdentifier}`)) {
      ep.props['txt/force-update'] = 'true';
    }
  }
  return { endpoints, txtNames };
}

/** @param {Config} cfg @param {string} type */
const isManaged = (cfg, type) => !cfg.excludedTypes.includes(type) && cfg.managed.includes(type);

/** The registry TXT of a record: at its new-format name, same SetIdentifier and routing. @param {Config} cfg @param {Endpoint} r @returns {Endpoint} */
function txtOf(cfg, r) {
  if (cfg.oldOwnerId && r.labels.owner === cfg.oldOwnerId) r.labels.owner = cfg.ownerId;
  const { alias, 'aws/evaluate-target-health': _eth, 'txt/force-update': _fu, ...props } = r.props;
  return { dnsName: toTxtName(cfg, r.dnsName, r.type), type: 'TXT', targets: [serializeLabels(r.labels)], ttl: 0, setIdentifier: r.setIdentifier, labels: { 'owned-record': r.dnsName }, props };
}

// ---------------------------------------------------------------------------
// Plan (plan/plan.go, plan/conflict.go, plan/policy.go)

/** @param {Endpoint} a @param {Endpoint} b */
const sameTargets = (a, b) => {
  const norm = (/** @type {Endpoint} */ e) => e.targets.map((t) => t.toLowerCase()).sort().join('\n');
  return norm(a) === norm(b);
};
/** @param {Endpoint} a @param {Endpoint} b */
const targetsLess = (a, b) => {
  const x = [...a.targets].sort();
  const y = [...b.targets].sort();
  if (x.length !== y.length) return x.length < y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return /** @type {string} */ (x[i]) < /** @type {string} */ (y[i]);
  return false;
};
/** @param {Endpoint[]} candidates */
const resolveCreate = (candidates) => candidates.reduce((min, c) => (targetsLess(c, min) ? c : min));
/** @param {Endpoint} current @param {Endpoint[]} candidates */
function resolveUpdate(current, candidates) {
  const sorted = [...candidates].sort((a, b) => (targetsLess(a, b) ? -1 : targetsLess(b, a) ? 1 : 0));
  return sorted.find((c) => c.labels.resource === current.labels.resource) ?? resolveCreate(candidates);
}
/** @param {Endpoint} desired @param {Endpoint} current */
function propsChanged(desired, current) {
  const d = new Map(Object.entries(desired.props));
  for (const [k, v] of Object.entries(current.props)) {
    if (!d.has(k) || d.get(k) !== v) return true;
    d.delete(k);
  }
  return d.size > 0;
}

/** @param {Config} cfg @param {Endpoint[]} current @param {Endpoint[]} desired @returns {Changes} */
export function calculatePlan(cfg, current, desired) {
  /** @type {Map<string, { current: Endpoint[], candidates: Endpoint[], records: Map<string, { current?: Endpoint, candidates: Endpoint[] }> }>} */
  const rows = new Map();
  const row = (/** @type {Endpoint} */ e) => {
    const key = `${e.dnsName.toLowerCase()}|${e.setIdentifier}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { current: [], candidates: [], records: new Map() }));
    let t = r.records.get(e.type);
    if (!t) r.records.set(e.type, (t = { candidates: [] }));
    return { r, t };
  };
  for (const e of current) {
    const { r, t } = row(e);
    r.current.push(e);
    t.current = e;
  }
  for (const e of desired) {
    const { r, t } = row(e);
    r.candidates.push(e);
    t.candidates.push(e);
  }
  /** @type {Changes} */
  const changes = { create: [], updateOld: [], updateNew: [], delete: [] };
  const owned = (/** @type {Endpoint} */ e) => e.labels.owner === cfg.ownerId;
  for (const r of rows.values()) {
    let records = r.records;
    if (r.candidates.length > 1 && r.candidates.some((c) => c.type === 'CNAME') && r.candidates.some((c) => c.type !== 'CNAME')) {
      records = new Map([...records].map(([type, rec]) => [type, type === 'CNAME' ? { ...rec, candidates: [] } : rec]));
    }
    if (r.current.length === 0) {
      for (const rec of records.values()) if (rec.candidates.length) changes.create.push(resolveCreate(rec.candidates));
      continue;
    }
    if (r.candidates.length === 0) {
      changes.delete.push(...r.current);
      continue;
    }
    /** @type {Endpoint[]} */
    const creates = [];
    for (const rec of records.values()) {
      if (rec.current && rec.candidates.length === 0) changes.delete.push(rec.current);
      else if (!rec.current && rec.candidates.length) creates.push(resolveCreate(rec.candidates));
      else if (rec.current && rec.candidates.length) {
        const update = resolveUpdate(rec.current, rec.candidates);
        const cur = rec.current;
        const ttlChanged = update.ttl !== 0 && update.ttl !== cur.ttl;
        const migrate = cfg.oldOwnerId !== '' && cur.labels.owner !== cfg.oldOwnerId;
        if (ttlChanged || !sameTargets(update, cur) || propsChanged(update, cur) || migrate) {
          /** @type {Endpoint} */
          const next = { ...update, labels: { ...update.labels }, props: { ...update.props } };
          if (cur.labels.owner === undefined) delete next.labels.owner;
          else next.labels.owner = cur.labels.owner;
          changes.updateNew.push(next);
          changes.updateOld.push(cur);
        }
      }
    }
    if (creates.length && r.current.every(owned)) changes.create.push(...creates);
  }
  const policy = cfg.policy;
  /** @type {Changes} */
  const applied =
    policy === 'sync'
      ? changes
      : policy === 'upsert-only'
        ? { create: changes.create, updateOld: changes.updateOld, updateNew: changes.updateNew, delete: [] }
        : { create: changes.create, updateOld: [], updateNew: [], delete: [] };
  const seen = new Set();
  return {
    create: applied.create,
    updateOld: applied.updateOld.filter(owned),
    updateNew: applied.updateNew.filter(owned),
    delete: applied.delete.filter(owned).filter((e) => {
      const k = `${e.dnsName}|${e.type}|${e.setIdentifier}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
  };
}

// ---------------------------------------------------------------------------
// One loop of one instance (controller.RunOnce)

/**
 * @param {Config} cfg
 * @param {Route53Client} client
 * @param {ReturnType<typeof import('./kube-objects.mjs').objectStore>} objects
 */
export async function runOnce(cfg, client, objects) {
  // Zones (provider/aws/aws.go zones()).
  /** @type {{ id: string, name: string, private: boolean }[]} */
  const zones = [];
  let marker;
  do {
    /** @type {any} */
    const page = await client.send(new ListHostedZonesCommand({ ...(marker ? { Marker: marker } : {}) }));
    for (const z of page.HostedZones ?? []) {
      const id = String(z.Id).replace(/^\/hostedzone\//, '');
      const name = String(z.Name);
      const priv = Boolean(z.Config?.PrivateZone);
      if (cfg.zoneIdFilter.length && !cfg.zoneIdFilter.includes(id)) continue;
      if (cfg.zoneType && (cfg.zoneType === 'private') !== priv) continue;
      if (!domainMatch(cfg, name) && !(cfg.matchParent && domainMatchParent(cfg, name))) continue;
      zones.push({ id, name: normalizeDomain(name), private: priv });
    }
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);

  // Records, paged by 300 (NextRecordName/Type/Identifier).
  /** @type {Endpoint[]} */
  const records = [];
  for (const z of zones) {
    /** @type {any} */
    let from = {};
    for (;;) {
      /** @type {any} */
      const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: z.id, MaxItems: 300, ...from }));
      for (const r of page.ResourceRecordSets ?? []) if (['A', 'AAAA', 'CNAME', 'TXT', 'SRV', 'MX', 'NAPTR', 'PTR', 'NS'].includes(r.Type)) records.push(endpointOfRecordSet(r));
      if (!page.IsTruncated) break;
      from = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}) };
    }
  }
  const { endpoints: current, txtNames } = registryRecords(cfg, records);
  const desired = adjustEndpoints(cfg, desiredEndpoints(cfg, objects));

  const inZones = (/** @type {Endpoint} */ e) => zones.some((z) => normalizeDomain(e.dnsName) === z.name || normalizeDomain(e.dnsName).endsWith(`.${z.name}`));
  const forPlan = (/** @type {Endpoint[]} */ eps) => eps.filter((e) => domainMatch(cfg, e.dnsName) && inZones(e) && isManaged(cfg, e.type));
  const plan = calculatePlan(cfg, forPlan(current), forPlan(desired));

  // Registry ApplyChanges: each record with its TXT.
  /** @type {{ action: string, ep: Endpoint, owned: string }[]} */
  const out = [];
  const add = (/** @type {string} */ action, /** @type {Endpoint} */ ep, /** @type {string} */ owned) => out.push({ action, ep, owned });
  for (const r of plan.create) {
    r.labels = { ...r.labels, owner: cfg.ownerId };
    add('CREATE', r, r.dnsName);
    const txt = txtOf(cfg, r);
    if (!txtNames.has(`${txt.dnsName.toLowerCase()}|${txt.setIdentifier}`)) add('CREATE', txt, r.dnsName);
  }
  for (const r of plan.delete) {
    add('DELETE', r, r.dnsName);
    add('DELETE', txtOf(cfg, r), r.dnsName);
  }
  const olds = plan.updateOld.flatMap((r) => [r, txtOf(cfg, { ...r, labels: { ...r.labels } })]);
  const news = plan.updateNew.flatMap((r) => [r, txtOf(cfg, r)]);
  news.forEach((n, i) => {
    const o = /** @type {Endpoint} */ (olds[i]);
    const aliasOf = (/** @type {Endpoint} */ e) => e.props.alias ?? '';
    const policyOf = (/** @type {Endpoint} */ e) => ['aws/weight', 'aws/region', 'aws/failover'].map((k) => (k in e.props ? k : '')).join();
    if (o.type !== n.type || (o.type === 'A' && aliasOf(o) !== aliasOf(n)) || o.setIdentifier !== n.setIdentifier || policyOf(o) !== policyOf(n)) {
      add('DELETE', o, n.labels['owned-record'] ?? n.dnsName);
      add('CREATE', n, n.labels['owned-record'] ?? n.dnsName);
    } else add('UPSERT', n, n.labels['owned-record'] ?? n.dnsName);
  });
  if (cfg.dryRun || out.length === 0) return { plan, submitted: 0, failed: [] };

  // Per zone: every matching private zone and the longest matching public one.
  /** @type {Map<string, typeof out>} */
  const byZone = new Map();
  for (const c of out) {
    const name = normalizeDomain(c.ep.dnsName);
    const matching = zones.filter((z) => name === z.name || name.endsWith(`.${z.name}`));
    const publicZone = matching.filter((z) => !z.private).sort((a, b) => b.name.length - a.name.length)[0];
    for (const z of [...matching.filter((z) => z.private), ...(publicZone ? [publicZone] : [])]) {
      let list = byZone.get(z.id);
      if (!list) byZone.set(z.id, (list = []));
      list.push(c);
    }
  }
  const order = (/** @type {typeof out} */ cs) =>
    [...cs].sort((a, b) => (a.action !== b.action ? (a.action > b.action ? -1 : 1) : a.ep.dnsName !== b.ep.dnsName ? (a.ep.dnsName < b.ep.dnsName ? -1 : 1) : a.ep.type < b.ep.type ? -1 : a.ep.type > b.ep.type ? 1 : 0));
  const submit = (/** @type {string} */ zoneId, /** @type {typeof out} */ cs) =>
    client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: cs.map((c) => ({ Action: /** @type {any} */ (c.action), ResourceRecordSet: recordSetOf(c.ep) })) } }));
  let submitted = 0;
  /** @type {string[]} */
  const failed = [];
  for (const [zoneId, cs] of byZone) {
    for (let i = 0; i < cs.length; i += cfg.batchSize) {
      const batch = order(cs.slice(i, i + cfg.batchSize));
      try {
        await submit(zoneId, batch);
        submitted += batch.length;
      } catch (error) {
        /** @type {Map<string, typeof out>} */
        const groups = new Map();
        for (const c of batch) {
          let g = groups.get(c.owned);
          if (!g) groups.set(c.owned, (g = []));
          g.push(c);
        }
        if (groups.size <= 1) {
          failed.push(`${zoneId}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
          continue;
        }
        for (const g of groups.values()) {
          try {
            await submit(zoneId, order(g));
            submitted += g.length;
          } catch (e) {
            failed.push(`${zoneId}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
          }
        }
      }
    }
  }
  return { plan, submitted, failed };
}

// ---------------------------------------------------------------------------
// The controller: loops of every running ExternalDNS Deployment of one cluster

/** A Go duration ("1m", "30s", "150ms", "1m30s") in milliseconds. @param {string} text */
export function parseDuration(text) {
  const units = /** @type {Record<string, number>} */ ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 });
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) throw new ExternalDnsArgsError(`error: --interval: time: invalid duration "${text}"`);
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(m[1]) * /** @type {number} */ (units[/** @type {string} */ (m[2])]);
  return total;
}

/**
 * @param {{
 *   deployments: ReturnType<typeof import('./deployments.mjs').deploymentStore>,
 *   objects: ReturnType<typeof import('./kube-objects.mjs').objectStore>,
 *   endpoint: string,
 *   intervalMs?: number,
 *   cluster?: string,
 *   region?: string,
 *   credentials?: (deployment: string) => { accessKeyId: string, secretAccessKey: string, sessionToken?: string },
 *   isExternalDns?: (container: any) => boolean,
 * }} options
 *   endpoint: Route53 (the proxy);
 *   intervalMs: pause between an instance's loops when its args have no --interval (default 200;
 *     ExternalDNS's own default, 1m, is too slow for tests); an --interval in the args wins;
 *   cluster: names the default credentials, so two clusters' instances of one name sign differently;
 *   credentials: per Deployment (default access key `accessKeyId(name)`:
 *     `AKIDEXTERNALDNS` + cluster + Deployment name, upper case, letters and digits only);
 *   isExternalDns: which containers are ExternalDNS (default: named external-dns or an external-dns image).
 */
export function startExternalDns(options) {
  const intervalMs = options.intervalMs ?? 200;
  const baseMs = Math.max(10, Math.min(intervalMs, 50));
  const isExternalDns = options.isExternalDns ?? ((/** @type {any} */ c) => c?.name === 'external-dns' || /external-dns/.test(String(c?.image ?? '')));
  const accessKeyId = (/** @type {string} */ name) => `AKIDEXTERNALDNS${`${options.cluster ?? ''}${name}`.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
  const credentials = options.credentials ?? ((/** @type {string} */ name) => ({ accessKeyId: accessKeyId(name), secretAccessKey: 'stand-in' }));
  /**
   * One per Deployment; `pod` is the pod whose process runs (a new pod is a new process: its first loop runs at once).
   * @type {Map<string, { loops: number, error?: string, changes?: Changes, submitted: number, failed: string[], args: string[], client?: Route53Client, key?: string, pod?: string, lastStart: number }>}
   */
  const instances = new Map();
  /** @type {{ at: number, deployment: string, message: string }[]} */
  const log = [];
  let ticks = 0;
  /** @type {(() => boolean)[]} */
  let waiters = [];
  let stopped = false;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  let running = Promise.resolve();

  /** The pod that runs the Deployment's ExternalDNS, with its container, if any. @param {string} name */
  const runningPod = (name) => {
    const pod = options.deployments.running(name).sort((a, b) => b.templateVersion - a.templateVersion)[0];
    const container = (pod?.template?.spec?.containers ?? []).find(isExternalDns);
    return pod && container ? { pod, container } : undefined;
  };

  /** @param {string} name @param {{ pod: { name: string }, container: any }} proc */
  const loopOnce = async (name, proc) => {
    const args = [...(proc.container.args ?? [])];
    let inst = instances.get(name);
    if (!inst) instances.set(name, (inst = { loops: 0, submitted: 0, failed: [], args, lastStart: 0 }));
    let cfg;
    try {
      cfg = parseArgs(args);
    } catch (error) {
      cfg = undefined;
      inst.error = error instanceof Error ? error.message : String(error);
    }
    const due = inst.pod !== proc.pod.name || Date.now() - inst.lastStart >= (cfg?.intervalMs ?? intervalMs);
    if (!due) return;
    inst.pod = proc.pod.name;
    inst.lastStart = Date.now();
    inst.args = args;
    try {
      if (!cfg) throw new ExternalDnsArgsError(inst.error);
      const creds = credentials(name);
      if (!inst.client || inst.key !== creds.accessKeyId) {
        inst.client?.destroy();
        inst.client = new Route53Client({ region: options.region ?? 'us-east-1', endpoint: options.endpoint, credentials: creds, maxAttempts: 1 });
        inst.key = creds.accessKeyId;
      }
      const result = await runOnce(cfg, inst.client, options.objects);
      inst.changes = result.plan;
      inst.submitted += result.submitted;
      inst.failed = result.failed;
      delete inst.error;
      if (result.failed.length) {
        inst.error = `failed to submit all changes: ${result.failed.join('; ')}`;
        log.push({ at: Date.now(), deployment: name, message: inst.error });
      }
    } catch (error) {
      inst.error = error instanceof Error ? (error.name && error.name !== 'Error' && !(error instanceof ExternalDnsArgsError) ? `${error.name}: ${error.message}` : error.message) : String(error);
      log.push({ at: Date.now(), deployment: name, message: inst.error });
    }
    inst.loops += 1;
  };

  const tick = async () => {
    // Instances run side by side, as separate pods do.
    await Promise.all(
      options.deployments.names().map(async (name) => {
        const proc = runningPod(name);
        if (proc) await loopOnce(name, proc);
      }),
    );
    ticks += 1;
    waiters = waiters.filter((done) => !done());
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, baseMs);
  };
  schedule();

  return {
    /**
     * Resolves once every instance running now has completed `n` more loops (or stopped
     * running); with none running, after `n` intervals.
     */
    loops(n = 1) {
      const names = options.deployments.names().filter((name) => runningPod(name));
      const targets = new Map(names.map((name) => [name, (instances.get(name)?.loops ?? 0) + n]));
      const until = Date.now() + n * intervalMs;
      return new Promise((resolve) => {
        waiters.push(() => {
          const done =
            stopped ||
            (targets.size === 0 ? Date.now() >= until : [...targets].every(([name, target]) => (instances.get(name)?.loops ?? 0) >= target || !runningPod(name)));
          if (done) resolve(undefined);
          return done;
        });
      });
    },
    /**
     * How an instance fares: loops run, last error (args, AWS), last plan, changes submitted so far.
     * @param {string} deployment
     * @returns {{ running: boolean, loops: number, submitted: number, args?: string[], error?: string, changes?: Changes }}
     */
    status(deployment) {
      const inst = instances.get(deployment);
      const running = runningPod(deployment) !== undefined;
      if (!inst) return { running, loops: 0, submitted: 0 };
      return { running, loops: inst.loops, submitted: inst.submitted, args: [...inst.args], ...(inst.error ? { error: inst.error } : {}), ...(inst.changes ? { changes: inst.changes } : {}) };
    },
    /** The access key a Deployment's instance signs with by default (for proxy.fail({ accessKeyId })). */
    accessKeyId,
    /** Errors logged, in order (an ExternalDNS's log lines at level error). */
    log,
    get ticks() {
      return ticks;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
      for (const inst of instances.values()) inst.client?.destroy();
      for (const done of waiters) done();
      waiters = [];
    },
  };
}
