/**
 * The drain's AWS adapters: every record set of a zone (Route53), every load
 * balancer of the region (ELBv2), metric datapoints (CloudWatch). Each lists
 * every page. The SDK clients are imported here only, so they load only when
 * `bascule drain` (or the weighted shift's signals) runs.
 *
 * Endpoint overrides, read from the command's environment as the SDK names
 * them: AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2,
 * AWS_ENDPOINT_URL_CLOUDWATCH, else AWS_ENDPOINT_URL.
 */
import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { awsError as mapAwsError, outsideMessage } from '../aws/errors.js';
import { requestHandler } from '../aws/sdk.js';
import { BasculeError } from '../errors.js';
import type { AwsCredentials } from '../aws/eks-token.js';
import type { MetricAnswer } from './decide.js';
import type { LoadBalancer, MetricSpec, RecordSet } from './targets.js';

export interface AwsContext {
  readonly region: string;
  readonly env: NodeJS.ProcessEnv;
  readonly credentials: () => Promise<AwsCredentials>;
}

/**
 * An SDK failure as bascule's error, through the one mapper (src/aws/errors.ts);
 * the permissions the call needs go into the hint when it was denied.
 */
export function awsError(service: string, call: string, target: string, error: unknown, permissions: string): BasculeError {
  const mapped = mapAwsError({ service, operation: call, target }, error);
  if (mapped.kind === 'aws' && / was denied: /.test(mapped.message)) return new BasculeError('aws', mapped.message, { hint: `the identity in use needs ${permissions}` });
  return mapped;
}

export function clientConfig(ctx: AwsContext, envName: string) {
  const endpoint = ctx.env[envName] || ctx.env.AWS_ENDPOINT_URL || undefined;
  // The proxy variables and timeouts of every AWS call (src/aws/sdk.ts).
  return { region: ctx.region, maxAttempts: 3, credentials: ctx.credentials, requestHandler: requestHandler(ctx.env, undefined), ...(endpoint ? { endpoint } : {}) };
}

const bareZone = (id: string) => id.replace(/^\/hostedzone\//, '');

/** Every record set of a zone as the SDK gives it, following NextRecordName/Type/Identifier. */
export async function listRecordSets(ctx: AwsContext, zoneId: string): Promise<ResourceRecordSet[]> {
  const { Route53Client, ListResourceRecordSetsCommand } = await import('@aws-sdk/client-route-53');
  const client = new Route53Client(clientConfig(ctx, 'AWS_ENDPOINT_URL_ROUTE_53'));
  const out: ResourceRecordSet[] = [];
  try {
    let next: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
    for (let page = 0; page < 10_000; page += 1) {
      const answer = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: bareZone(zoneId), MaxItems: 300, ...next }));
      out.push(...(answer.ResourceRecordSets ?? []));
      if (!answer.IsTruncated) return out;
      next = {
        ...(answer.NextRecordName ? { StartRecordName: answer.NextRecordName } : {}),
        ...(answer.NextRecordType ? { StartRecordType: answer.NextRecordType } : {}),
        ...(answer.NextRecordIdentifier ? { StartRecordIdentifier: answer.NextRecordIdentifier } : {}),
      };
    }
    throw new BasculeError('aws', `Route53 ListResourceRecordSets in zone ${zoneId}: more than 10000 pages; giving up`);
  } catch (error) {
    throw awsError('Route53', 'ListResourceRecordSets', `in zone ${zoneId}`, error, 'route53:ListResourceRecordSets');
  } finally {
    client.destroy();
  }
}

/** The drain's view of a zone's record sets. */
export async function listRecords(ctx: AwsContext, zoneId: string): Promise<RecordSet[]> {
  return (await listRecordSets(ctx, zoneId)).map((s) => ({
    name: s.Name ?? '',
    type: s.Type ?? '',
    ttl: s.TTL,
    alias: s.AliasTarget?.DNSName,
    values: (s.ResourceRecords ?? []).map((r) => r.Value ?? ''),
    setIdentifier: s.SetIdentifier,
  }));
}

/** Every load balancer of the region, following NextMarker. */
export async function listLoadBalancers(ctx: AwsContext): Promise<LoadBalancer[]> {
  const { ElasticLoadBalancingV2Client, DescribeLoadBalancersCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = new ElasticLoadBalancingV2Client(clientConfig(ctx, 'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2'));
  const out: LoadBalancer[] = [];
  try {
    let marker: string | undefined;
    for (let page = 0; page < 10_000; page += 1) {
      const answer = await client.send(new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
      for (const lb of answer.LoadBalancers ?? []) {
        out.push({ arn: lb.LoadBalancerArn ?? '', name: lb.LoadBalancerName ?? '', dnsName: lb.DNSName ?? '', type: lb.Type ?? 'application' });
      }
      marker = answer.NextMarker;
      if (!marker) return out;
    }
    throw new BasculeError('aws', 'ELBv2 DescribeLoadBalancers: more than 10000 pages; giving up');
  } catch (error) {
    throw awsError('ELBv2', 'DescribeLoadBalancers', `in ${ctx.region}`, error, 'elasticloadbalancing:DescribeLoadBalancers');
  } finally {
    client.destroy();
  }
}

export interface TargetHealth {
  readonly target: string;
  readonly state: string;
  readonly reason: string | undefined;
}

/** The health of every target of a target group. */
export async function describeTargetHealth(ctx: AwsContext, targetGroupArn: string): Promise<TargetHealth[]> {
  const { ElasticLoadBalancingV2Client, DescribeTargetHealthCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = new ElasticLoadBalancingV2Client(clientConfig(ctx, 'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2'));
  try {
    const answer = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return (answer.TargetHealthDescriptions ?? []).map((d) => ({
      target: `${d.Target?.Id ?? '?'}${d.Target?.Port ? `:${d.Target.Port}` : ''}`,
      state: d.TargetHealth?.State ?? 'unavailable',
      reason: d.TargetHealth?.Reason,
    }));
  } catch (error) {
    throw awsError('ELBv2', 'DescribeTargetHealth', targetGroupArn, error, 'elasticloadbalancing:DescribeTargetHealth');
  } finally {
    client.destroy();
  }
}

/** The target groups behind a load balancer. */
export async function describeTargetGroups(ctx: AwsContext, loadBalancerArn: string): Promise<string[]> {
  const { ElasticLoadBalancingV2Client, DescribeTargetGroupsCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = new ElasticLoadBalancingV2Client(clientConfig(ctx, 'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2'));
  const out: string[] = [];
  try {
    let marker: string | undefined;
    for (let page = 0; page < 1000; page += 1) {
      const answer = await client.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn, PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
      for (const g of answer.TargetGroups ?? []) if (g.TargetGroupArn) out.push(g.TargetGroupArn);
      marker = answer.NextMarker;
      if (!marker) return out;
    }
    return out;
  } catch (error) {
    throw awsError('ELBv2', 'DescribeTargetGroups', loadBalancerArn, error, 'elasticloadbalancing:DescribeTargetGroups');
  } finally {
    client.destroy();
  }
}

/** GetMetricData, 500 queries a call, following NextToken; one answer per query, in order. */
export async function getMetrics(ctx: AwsContext, queries: readonly MetricSpec[], range: { start: number; end: number; periodMs: number }): Promise<MetricAnswer[]> {
  const { CloudWatchClient, GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const client = new CloudWatchClient(clientConfig(ctx, 'AWS_ENDPOINT_URL_CLOUDWATCH'));
  const byId = new Map<string, { status: string; points: { at: number; value: number }[]; message?: string }>();
  try {
    for (let from = 0; from < queries.length; from += 500) {
      const batch = queries.slice(from, from + 500).map((q, i) => ({
        Id: `m${from + i}`,
        MetricStat: {
          Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: [{ Name: 'LoadBalancer', Value: q.dimension }] },
          Period: Math.round(range.periodMs / 1000),
          Stat: q.stat,
        },
        ReturnData: true,
      }));
      let token: string | undefined;
      for (let page = 0; page < 1000; page += 1) {
        const answer = await client.send(
          new GetMetricDataCommand({ StartTime: new Date(range.start), EndTime: new Date(range.end), MetricDataQueries: batch, ...(token ? { NextToken: token } : {}) }),
        );
        for (const r of answer.MetricDataResults ?? []) {
          const entry = byId.get(r.Id ?? '') ?? { status: 'Complete', points: [] };
          const times = r.Timestamps ?? [];
          const values = r.Values ?? [];
          times.forEach((t, i) => entry.points.push({ at: t.getTime(), value: values[i] ?? 0 }));
          // PartialData means "more on the next page"; the last page's status is the one that counts.
          entry.status = r.StatusCode ?? 'Complete';
          const message = r.Messages?.map((m) => m.Value).filter(Boolean).join('; ');
          if (message) entry.message = outsideMessage(message);
          byId.set(r.Id ?? '', entry);
        }
        token = answer.NextToken;
        if (!token) break;
      }
    }
    return queries.map((_, i) => byId.get(`m${i}`) ?? { status: 'missing', points: [], message: 'CloudWatch returned no result for this query' });
  } catch (error) {
    throw awsError('CloudWatch', 'GetMetricData', '', error, 'cloudwatch:GetMetricData');
  } finally {
    client.destroy();
  }
}

/** Does CloudWatch know this metric for this load balancer at all? (ListMetrics) */
export async function metricExists(ctx: AwsContext, spec: Pick<MetricSpec, 'namespace' | 'metric' | 'dimension'>): Promise<boolean> {
  const { CloudWatchClient, ListMetricsCommand } = await import('@aws-sdk/client-cloudwatch');
  const client = new CloudWatchClient(clientConfig(ctx, 'AWS_ENDPOINT_URL_CLOUDWATCH'));
  try {
    const answer = await client.send(
      new ListMetricsCommand({ Namespace: spec.namespace, MetricName: spec.metric, Dimensions: [{ Name: 'LoadBalancer', Value: spec.dimension }] }),
    );
    return (answer.Metrics ?? []).length > 0;
  } catch (error) {
    throw awsError('CloudWatch', 'ListMetrics', `${spec.namespace} ${spec.metric}`, error, 'cloudwatch:ListMetrics');
  } finally {
    client.destroy();
  }
}
