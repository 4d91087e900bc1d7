/**
 * The weighted shift's signals over the AWS adapters (ELBv2 and CloudWatch),
 * behind the shift's own port (signals.ts). The SDK loads on the first call.
 *
 * The adapters are the drain's until src/aws/elb.ts and src/aws/cloudwatch.ts
 * exist: the swap is the import below, nothing else.
 */
import { describeTargetGroups, describeTargetHealth, getMetrics, listLoadBalancers, metricExists, type AwsContext } from '../drain/aws.js';
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
