/**
 * The weighted shift's signals over the AWS adapters (ELBv2 and CloudWatch),
 * behind the shift's own port (signals.ts). The SDK loads on the first call.
 */
import type { AwsContext } from '../aws/clients.js';
import { getMetrics, metricExists } from '../aws/cloudwatch.js';
import { describeTargetGroups, describeTargetHealth, listLoadBalancers } from '../aws/elb.js';
import type { SignalPort } from './signals.js';

export function signalPort(ctx: AwsContext): SignalPort {
  return {
    loadBalancers: () => listLoadBalancers(ctx),
    targetGroups: (arn) => describeTargetGroups(ctx, arn),
    targetHealth: (arn) => describeTargetHealth(ctx, arn),
    metrics: (queries, range) => getMetrics(ctx, queries, range),
    metricExists: (spec) => metricExists(ctx, spec),
  };
}
