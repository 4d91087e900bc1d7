/**
 * The drain's ports over the AWS adapters: Route53 (src/aws/route53.ts, the
 * one Route53 adapter), ELBv2 (src/aws/elb.ts) and CloudWatch
 * (src/aws/cloudwatch.ts). This module sits in the aws-sdk chunk
 * (scripts/chunks.mjs) with them, so the SDK has one copy; each SDK client
 * loads on its first call.
 */
import type { AwsContext } from '../aws/clients.js';
import { getMetrics } from '../aws/cloudwatch.js';
import { listLoadBalancers } from '../aws/elb.js';
import type { DrainPorts } from './watch.js';

export type DrainAws = Pick<DrainPorts, 'records' | 'loadBalancers' | 'metrics'> & { readonly destroy: () => void };

/** `account`: the platform's account id, whose Route53 request budget the listing spends (src/aws/rate.ts). */
export async function drainAws(ctx: AwsContext, account: string): Promise<DrainAws> {
  const { route53Client } = await import('../aws/route53.js');
  const route53 = route53Client({ region: ctx.region, env: ctx.env, profile: ctx.profile, credentials: ctx.credentials, account, ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}) });
  return {
    records: (zoneId) => route53.list(zoneId),
    loadBalancers: () => listLoadBalancers(ctx),
    metrics: (queries, range) => getMetrics(ctx, queries, range),
    destroy: () => route53.destroy(),
  };
}
