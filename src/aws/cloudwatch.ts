/**
 * The CloudWatch adapter: metric datapoints (GetMetricData, 500 queries a
 * call, every page) and whether a metric exists (ListMetrics). The SDK client
 * is imported inside each call (import()), as in elb.ts.
 *
 * Endpoint: AWS_ENDPOINT_URL_CLOUDWATCH, the profile's services section,
 * AWS_ENDPOINT_URL, its endpoint_url (clients.ts).
 */
import { callError, clientConfig, serviceEndpoint, type AwsContext } from './clients.js';
import { outsideMessage } from './errors.js';

/** One metric of one load balancer (dimension LoadBalancer: app/NAME/ID, net/NAME/ID). */
export interface MetricSpec {
  readonly namespace: string;
  readonly metric: string;
  readonly stat: string;
  readonly dimension: string;
}

/** What GetMetricData said for one query: its datapoints (times in ms) and status. */
export interface MetricAnswer {
  /** Complete, PartialData, InternalError, Forbidden; 'missing' when CloudWatch returned no result. */
  readonly status: string;
  readonly points: readonly { readonly at: number; readonly value: number }[];
  readonly message?: string;
}

async function client(ctx: AwsContext) {
  const sdk = await import('@aws-sdk/client-cloudwatch');
  return { sdk, client: new sdk.CloudWatchClient(clientConfig(ctx, 'cloudwatch')) };
}

const fail = (ctx: AwsContext, operation: string, target: string, permission: string, error: unknown) =>
  callError({ service: 'CloudWatch', operation, target, endpoint: serviceEndpoint(ctx, 'cloudwatch'), permission }, error);

/** GetMetricData, 500 queries a call, following NextToken; one answer per query, in order. */
export async function getMetrics(ctx: AwsContext, queries: readonly MetricSpec[], range: { start: number; end: number; periodMs: number }): Promise<MetricAnswer[]> {
  const { sdk, client: cw } = await client(ctx);
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
        const answer = await cw.send(
          new sdk.GetMetricDataCommand({ StartTime: new Date(range.start), EndTime: new Date(range.end), MetricDataQueries: batch, ...(token ? { NextToken: token } : {}) }),
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
    throw fail(ctx, 'GetMetricData', '', 'cloudwatch:GetMetricData', error);
  } finally {
    cw.destroy();
  }
}

/** Does CloudWatch know this metric for this load balancer at all? (ListMetrics) */
export async function metricExists(ctx: AwsContext, spec: Pick<MetricSpec, 'namespace' | 'metric' | 'dimension'>): Promise<boolean> {
  const { sdk, client: cw } = await client(ctx);
  try {
    const answer = await cw.send(
      new sdk.ListMetricsCommand({ Namespace: spec.namespace, MetricName: spec.metric, Dimensions: [{ Name: 'LoadBalancer', Value: spec.dimension }] }),
    );
    return (answer.Metrics ?? []).length > 0;
  } catch (error) {
    throw fail(ctx, 'ListMetrics', `${spec.namespace} ${spec.metric}`, 'cloudwatch:ListMetrics', error);
  } finally {
    cw.destroy();
  }
}
