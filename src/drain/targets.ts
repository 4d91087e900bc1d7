/**
 * Which load balancers serve a colour? (pure) From its cluster-scoped records
 * (the names its own ExternalDNS writes under eks-blue.devinfra.local and
 * eks-blue.devinfra.fr) and the region's load balancers.
 *
 * ExternalDNS writes an alias A (and, since v0.22, AAAA) record to the load
 * balancer's DNS name, or a CNAME to it; the alias name may carry a
 * `dualstack.` prefix. The colour's API record (a CNAME to the EKS endpoint)
 * and the TXT registry records are not traffic. A target that is no load
 * balancer of the region is listed as unknown: the drain cannot prove it quiet.
 */
import type { LoadBalancerKind } from './decide.js';

export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl: number | undefined;
  /** Alias target DNS name. */
  readonly alias: string | undefined;
  readonly values: readonly string[];
  readonly setIdentifier: string | undefined;
}

export interface LoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  /** 'application', 'network', 'gateway' (DescribeLoadBalancers' Type). */
  readonly type: string;
}

export interface Served {
  readonly lb: LoadBalancer & { readonly type: LoadBalancerKind };
  /** The colour's names that point at it. */
  readonly names: readonly string[];
}

export interface Unmapped {
  readonly name: string;
  readonly target: string;
  readonly reason: string;
}

export interface ColourTargets {
  readonly served: readonly Served[];
  readonly unmapped: readonly Unmapped[];
  /** The longest TTL of the records that point at load balancers (alias records: 60 s, the ELB's). */
  readonly ttlSeconds: number;
  /** How many records under the colour's domains were looked at. */
  readonly records: number;
}

/** Alias records to an ELB resolve with the ELB's own TTL: 60 seconds. */
export const ALIAS_TTL_SECONDS = 60;

/** Record names and targets compare without case, trailing dot, Route53's octal escapes or the dualstack. prefix. */
export function normHost(name: string): string {
  return name
    .trim()
    .replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .replace(/\.$/, '')
    .toLowerCase()
    .replace(/^dualstack\./, '');
}

export const under = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);

export function colourTargets(input: {
  records: readonly RecordSet[];
  /** The colour's own domains (eks-blue.devinfra.local, eks-blue.devinfra.fr). */
  domains: readonly string[];
  /** Names that are not traffic: the colour's API record. */
  exclude: readonly string[];
  loadBalancers: readonly LoadBalancer[];
}): ColourTargets {
  const domains = input.domains.map(normHost);
  const exclude = new Set(input.exclude.map(normHost));
  const byDns = new Map(input.loadBalancers.map((lb) => [normHost(lb.dnsName), lb]));
  const served = new Map<string, { lb: LoadBalancer & { type: LoadBalancerKind }; names: Set<string> }>();
  const unmapped: Unmapped[] = [];
  let ttl = 0;
  let records = 0;
  for (const r of input.records) {
    const name = normHost(r.name);
    if (!domains.some((d) => under(name, d)) || exclude.has(name)) continue;
    if (r.type !== 'A' && r.type !== 'AAAA' && r.type !== 'CNAME') continue;
    records += 1;
    const targets = r.alias !== undefined ? [r.alias] : r.type === 'CNAME' ? r.values : [];
    if (targets.length === 0) {
      unmapped.push({ name, target: r.values.join(' '), reason: `a plain ${r.type} record (addresses, not a load balancer name)` });
      continue;
    }
    for (const target of targets.map(normHost)) {
      const lb = byDns.get(target);
      if (!lb) {
        unmapped.push({ name, target, reason: 'no load balancer of the region has this DNS name (ELBv2 DescribeLoadBalancers)' });
        continue;
      }
      if (lb.type !== 'application' && lb.type !== 'network') {
        unmapped.push({ name, target, reason: `a ${lb.type} load balancer: bascule reads ALB RequestCount and NLB ActiveFlowCount only` });
        continue;
      }
      const entry = served.get(lb.arn) ?? { lb: lb as LoadBalancer & { type: LoadBalancerKind }, names: new Set<string>() };
      entry.names.add(name);
      served.set(lb.arn, entry);
      ttl = Math.max(ttl, r.alias !== undefined ? ALIAS_TTL_SECONDS : (r.ttl ?? 0));
    }
  }
  const unique = new Map(unmapped.map((u) => [`${u.name} ${u.target}`, u]));
  return {
    served: [...served.values()].map((s) => ({ lb: s.lb, names: [...s.names].sort() })).sort((a, b) => a.lb.name.localeCompare(b.lb.name) || a.lb.arn.localeCompare(b.lb.arn)),
    unmapped: [...unique.values()].sort((a, b) => a.name.localeCompare(b.name)),
    ttlSeconds: ttl,
    records,
  };
}

/** CloudWatch's LoadBalancer dimension: the ARN's part after "loadbalancer/" (app/NAME/ID, net/NAME/ID). */
export function loadBalancerDimension(arn: string): string {
  const at = arn.indexOf(':loadbalancer/');
  return at < 0 ? arn : arn.slice(at + ':loadbalancer/'.length);
}

export interface MetricSpec {
  readonly namespace: string;
  readonly metric: string;
  readonly stat: string;
  readonly dimension: string;
}

/** ALB: requests (Sum of RequestCount); NLB: flows open (Maximum of ActiveFlowCount). */
export function drainMetric(lb: LoadBalancer & { type: LoadBalancerKind }): MetricSpec {
  const dimension = loadBalancerDimension(lb.arn);
  return lb.type === 'application'
    ? { namespace: 'AWS/ApplicationELB', metric: 'RequestCount', stat: 'Sum', dimension }
    : { namespace: 'AWS/NetworkELB', metric: 'ActiveFlowCount', stat: 'Maximum', dimension };
}
