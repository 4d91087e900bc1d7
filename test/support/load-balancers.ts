/**
 * Load balancers in moto (ELBv2) and their metrics (CloudWatch), as the
 * cut-over world needs them: an ALB per colour with a target group, a
 * listener and a registered target, created in the default VPC's subnets (read
 * from moto's EC2 over its query API: bascule depends on no EC2 client), and
 * datapoints put for an ALB as the AWS/ApplicationELB namespace holds them.
 *
 * moto's ALB DNS names are `<name>-1.<region>.elb.amazonaws.com`, under the
 * suffix whose canonical hosted zone ExternalDNS knows, so the stand-in
 * ExternalDNS writes alias records to them. Metrics are what tests put: moto
 * computes none, and its target health is canned `healthy`.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { KEYS } from './run.js';
import type { Parts } from './world.js';

export const REGION = 'eu-west-3';

export interface Alb {
  name: string;
  arn: string;
  /** As ELBv2 DescribeLoadBalancers gives it (no final dot). */
  dnsName: string;
  /** The CloudWatch LoadBalancer dimension: `app/<name>/<id>`. */
  dimension: string;
  targetGroupArn: string;
}

/** The default VPC and two of its subnets, read from moto's EC2 query API. */
async function defaultSubnets(motoEndpoint: string): Promise<{ vpc: string; subnets: string[] }> {
  const res = await fetch(motoEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15',
  });
  const text = await res.text();
  const subnets = [...text.matchAll(/<subnetId>([^<]+)</g)].map((m) => m[1] as string).slice(0, 2);
  const vpc = /<vpcId>([^<]+)</.exec(text)?.[1];
  if (!vpc || subnets.length < 2) throw new Error(`moto's EC2 gave no default VPC with two subnets: ${text.slice(0, 300)}`);
  return { vpc, subnets };
}

/** moto's ELBv2 and CloudWatch for the world: ALBs on demand, datapoints put. Stopped with the world's parts. */
export async function loadBalancersPart(parts: Parts, motoEndpoint: string) {
  const config = { region: REGION, endpoint: motoEndpoint, credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey }, maxAttempts: 1 };
  const elb = parts.add(new ElasticLoadBalancingV2Client(config), (c) => c.destroy());
  const cloudwatch = parts.add(new CloudWatchClient(config), (c) => c.destroy());
  const network = await defaultSubnets(motoEndpoint);
  let targets = 0;

  /** An ALB with a target group (HTTP 80, IP targets), a listener forwarding to it and one registered target. */
  async function createAlb(name: string): Promise<Alb> {
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: name, Type: 'application', Subnets: network.subnets }))).LoadBalancers?.[0];
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: network.vpc, TargetType: 'ip' }))).TargetGroups?.[0];
    if (!lb?.LoadBalancerArn || !lb.DNSName || !tg?.TargetGroupArn) throw new Error(`moto did not create the load balancer ${name}`);
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
    targets += 1;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: `10.0.${Math.floor(targets / 250)}.${targets % 250}`, Port: 80 }] }));
    return { name, arn: lb.LoadBalancerArn, dnsName: lb.DNSName, dimension: lb.LoadBalancerArn.split(':loadbalancer/')[1] as string, targetGroupArn: tg.TargetGroupArn };
  }

  /**
   * Puts one datapoint of an AWS/ApplicationELB metric (RequestCount, HTTPCode_Target_5XX_Count,
   * HTTPCode_ELB_5XX_Count...) for an ALB, at `at` (default now).
   */
  async function putMetric(lb: Alb, metric: string, value: number, at: Date = new Date()): Promise<void> {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: [{ MetricName: metric, Dimensions: [{ Name: 'LoadBalancer', Value: lb.dimension }], Value: value, Timestamp: at, Unit: 'Count' }],
      }),
    );
  }

  return { elb, cloudwatch, network, createAlb, putMetric };
}

/**
 * Waits for the next minute when less than 15 s are left of this one (at most
 * 15 s): a command reading whole minutes since a moment then sees a datapoint
 * put now in the same minute as that moment or after it.
 */
export async function clearOfMinuteEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}
