/**
 * The ELBv2 adapter: every load balancer of the region, the target groups
 * behind one, the health of a target group's targets. Each call lists every
 * page. The SDK client is imported inside each call (import()), so loading
 * this module, or the chunk holding it, evaluates none of the SDK: only a
 * call does (bascule drain, the weighted shift's signals).
 *
 * Endpoint: AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2, the profile's
 * services section, AWS_ENDPOINT_URL, its endpoint_url (clients.ts).
 */
import { BasculeError } from '../errors.js';
import { callError, clientConfig, serviceEndpoint, type AwsContext } from './clients.js';

export interface LoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  /** 'application', 'network', 'gateway' (DescribeLoadBalancers' Type). */
  readonly type: string;
}

export interface TargetHealth {
  readonly target: string;
  readonly state: string;
  readonly reason: string | undefined;
}

async function client(ctx: AwsContext) {
  const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
  return { sdk, client: new sdk.ElasticLoadBalancingV2Client(clientConfig(ctx, 'elastic_load_balancing_v2')) };
}

const fail = (ctx: AwsContext, operation: string, target: string, permission: string, error: unknown) =>
  callError({ service: 'ELBv2', operation, target, endpoint: serviceEndpoint(ctx, 'elastic_load_balancing_v2'), permission }, error);

/** Every load balancer of the region, following NextMarker. */
export async function listLoadBalancers(ctx: AwsContext): Promise<LoadBalancer[]> {
  const { sdk, client: elb } = await client(ctx);
  const out: LoadBalancer[] = [];
  try {
    let marker: string | undefined;
    for (let page = 0; page < 10_000; page += 1) {
      const answer = await elb.send(new sdk.DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
      for (const lb of answer.LoadBalancers ?? []) {
        out.push({ arn: lb.LoadBalancerArn ?? '', name: lb.LoadBalancerName ?? '', dnsName: lb.DNSName ?? '', type: lb.Type ?? 'application' });
      }
      marker = answer.NextMarker;
      if (!marker) return out;
    }
    throw new BasculeError('aws', 'ELBv2 DescribeLoadBalancers: more than 10000 pages; giving up');
  } catch (error) {
    throw fail(ctx, 'DescribeLoadBalancers', `in ${ctx.region}`, 'elasticloadbalancing:DescribeLoadBalancers', error);
  } finally {
    elb.destroy();
  }
}

/** The health of every target of a target group. */
export async function describeTargetHealth(ctx: AwsContext, targetGroupArn: string): Promise<TargetHealth[]> {
  const { sdk, client: elb } = await client(ctx);
  try {
    const answer = await elb.send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return (answer.TargetHealthDescriptions ?? []).map((d) => ({
      target: `${d.Target?.Id ?? '?'}${d.Target?.Port ? `:${d.Target.Port}` : ''}`,
      state: d.TargetHealth?.State ?? 'unavailable',
      reason: d.TargetHealth?.Reason,
    }));
  } catch (error) {
    throw fail(ctx, 'DescribeTargetHealth', targetGroupArn, 'elasticloadbalancing:DescribeTargetHealth', error);
  } finally {
    elb.destroy();
  }
}

/** The target groups behind a load balancer, following NextMarker. */
export async function describeTargetGroups(ctx: AwsContext, loadBalancerArn: string): Promise<string[]> {
  const { sdk, client: elb } = await client(ctx);
  const out: string[] = [];
  try {
    let marker: string | undefined;
    for (let page = 0; page < 1000; page += 1) {
      const answer = await elb.send(new sdk.DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn, PageSize: 400, ...(marker ? { Marker: marker } : {}) }));
      for (const g of answer.TargetGroups ?? []) if (g.TargetGroupArn) out.push(g.TargetGroupArn);
      marker = answer.NextMarker;
      if (!marker) return out;
    }
    return out;
  } catch (error) {
    throw fail(ctx, 'DescribeTargetGroups', loadBalancerArn, 'elasticloadbalancing:DescribeTargetGroups', error);
  } finally {
    elb.destroy();
  }
}
