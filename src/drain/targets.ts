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
import type { LoadBalancer } from '../aws/elb.js';
import type { MetricSpec } from '../aws/cloudwatch.js';
import { normName, normTarget, under } from '../production/names.js';
import { effectiveTtl, targetsOf, TRAFFIC_TYPES, type RecordSet } from '../production/records.js';
import type { LoadBalancerKind } from './decide.js';

export type { LoadBalancer, MetricSpec };

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
  /** Everything the colour's records point at (load balancers' names in normal form, addresses), sorted: what production is compared with. */
  readonly targets: readonly string[];
}

export function colourTargets(input: {
  records: readonly RecordSet[];
  /** The colour's own domains (eks-blue.devinfra.local, eks-blue.devinfra.fr). */
  domains: readonly string[];
  /** Names that are not traffic: the colour's API record. */
  exclude: readonly string[];
  loadBalancers: readonly LoadBalancer[];
}): ColourTargets {
  const domains = input.domains.map(normName);
  const exclude = new Set(input.exclude.map(normName));
  const byDns = new Map(input.loadBalancers.map((lb) => [normTarget(lb.dnsName), lb]));
  const served = new Map<string, { lb: LoadBalancer & { type: LoadBalancerKind }; names: Set<string> }>();
  const unmapped: Unmapped[] = [];
  const all = new Set<string>();
  let ttl = 0;
  let records = 0;
  for (const r of input.records) {
    const name = normName(r.name);
    if (!domains.some((d) => under(name, d)) || exclude.has(name)) continue;
    if (!TRAFFIC_TYPES.has(r.type)) continue;
    records += 1;
    for (const t of targetsOf([r])) all.add(t);
    if (!r.alias && r.type !== 'CNAME') {
      unmapped.push({ name, target: (r.values ?? []).join(' '), reason: `a plain ${r.type} record (addresses, not a load balancer name)` });
      continue;
    }
    for (const target of targetsOf([r])) {
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
      ttl = Math.max(ttl, effectiveTtl(r));
    }
  }
  const unique = new Map(unmapped.map((u) => [`${u.name} ${u.target}`, u]));
  return {
    served: [...served.values()].map((s) => ({ lb: s.lb, names: [...s.names].sort() })).sort((a, b) => a.lb.name.localeCompare(b.lb.name) || a.lb.arn.localeCompare(b.lb.arn)),
    unmapped: [...unique.values()].sort((a, b) => a.name.localeCompare(b.name)),
    ttlSeconds: ttl,
    records,
    targets: [...all].sort(),
  };
}

/** CloudWatch's LoadBalancer dimension: the ARN's part after "loadbalancer/" (app/NAME/ID, net/NAME/ID). */
export function loadBalancerDimension(arn: string): string {
  const at = arn.indexOf(':loadbalancer/');
  return at < 0 ? arn : arn.slice(at + ':loadbalancer/'.length);
}

/** ALB: requests (Sum of RequestCount); NLB: flows open (Maximum of ActiveFlowCount). */
export function drainMetric(lb: LoadBalancer & { type: LoadBalancerKind }): MetricSpec {
  const dimension = loadBalancerDimension(lb.arn);
  return lb.type === 'application'
    ? { namespace: 'AWS/ApplicationELB', metric: 'RequestCount', stat: 'Sum', dimension }
    : { namespace: 'AWS/NetworkELB', metric: 'ActiveFlowCount', stat: 'Maximum', dimension };
}
