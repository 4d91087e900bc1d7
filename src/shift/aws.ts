/**
 * The weighted shift's adapters: the production names as Route53 holds them
 * (every page of every zone involved), a change batch waited until INSYNC,
 * and the new colour's signals (ELBv2 target health, CloudWatch 5XX counts).
 * The SDK clients load here only (src/aws/: route53.ts, elb.ts, cloudwatch.ts).
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { callError, clientConfig, serviceEndpoint, type AwsContext } from '../aws/clients.js';
import { getMetrics, metricExists } from '../aws/cloudwatch.js';
import { describeTargetGroups, describeTargetHealth, listLoadBalancers } from '../aws/elb.js';
import { loadBalancerDimension, type Served } from '../drain/targets.js';
import { findTargets } from '../drain/watch.js';
import { BasculeError } from '../errors.js';
import { inventory, type Change, type Domains, type Inventory, type RecordSet } from './production.js';
import { FIVE_XX_METRICS, type ErrorCounts, type Observation, type TargetState } from './signals.js';

function toSdk(r: RecordSet): ResourceRecordSet {
  return {
    Name: r.name,
    Type: r.type as ResourceRecordSet['Type'],
    ...(r.setIdentifier !== undefined ? { SetIdentifier: r.setIdentifier } : {}),
    ...(r.weight !== undefined ? { Weight: r.weight } : {}),
    ...(r.alias
      ? { AliasTarget: { HostedZoneId: r.alias.zoneId, DNSName: r.alias.dnsName, EvaluateTargetHealth: r.alias.evaluateTargetHealth } }
      : { TTL: r.ttl, ResourceRecords: (r.values ?? []).map((Value) => ({ Value })) }),
  };
}

/** Every zone involved, read whole, then the inventory. */
export async function readInventory(ctx: AwsContext, domains: Domains): Promise<Inventory> {
  const zones = [...new Set([...domains.shared.map((d) => d.zoneId), ...Object.values(domains.colours).flatMap((c) => c.map((d) => d.zoneId))])];
  const { route53Client } = await import('../aws/route53.js');
  const route53 = route53Client({ region: ctx.region, env: ctx.env, profile: ctx.profile, credentials: ctx.credentials });
  try {
    const lists = await Promise.all(zones.map(async (z) => (await route53.list(z)).map((s) => ({ ...s, zoneId: z }))));
    return inventory(lists.flat(), domains);
  } finally {
    route53.destroy();
  }
}

/** One atomic change batch, then GetChange until INSYNC (bounded). */
export async function applyBatch(
  ctx: AwsContext,
  zoneId: string,
  changes: readonly Change[],
  comment: string,
  wait: { timeoutMs: number; pollMs: number; now: () => number; sleep: (ms: number) => Promise<void> },
): Promise<void> {
  const { Route53Client, ChangeResourceRecordSetsCommand, GetChangeCommand } = await import('@aws-sdk/client-route-53');
  const client = new Route53Client(clientConfig(ctx, 'route_53'));
  const awsError = (service: string, operation: string, target: string, error: unknown, permission: string) =>
    callError({ service, operation, target, endpoint: serviceEndpoint(ctx, 'route_53'), permission }, error);
  const what = `in zone ${zoneId} (${changes.length} change${changes.length === 1 ? '' : 's'}: ${comment})`;
  try {
    const answer = await client
      .send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment.slice(0, 256), Changes: changes.map((c) => ({ Action: c.action, ResourceRecordSet: toSdk(c.set) })) } }))
      .catch((error: unknown) => {
        throw awsError('Route53', 'ChangeResourceRecordSets', what, error, 'route53:ChangeResourceRecordSets');
      });
    const id = answer.ChangeInfo?.Id;
    if (!id) throw new BasculeError('aws', `Route53 ChangeResourceRecordSets ${what} returned no change id`);
    const deadline = wait.now() + wait.timeoutMs;
    let status = answer.ChangeInfo?.Status;
    while (status !== 'INSYNC') {
      if (wait.now() >= deadline) throw new BasculeError('aws', `Route53 change ${id} ${what} is still ${status} after ${Math.round(wait.timeoutMs / 1000)}s`, { hint: 'Route53 is slow to propagate; resume when `aws route53 get-change` says INSYNC' });
      await wait.sleep(wait.pollMs);
      status = (
        await client.send(new GetChangeCommand({ Id: id })).catch((error: unknown) => {
          throw awsError('Route53', 'GetChange', id, error, 'route53:GetChange');
        })
      ).ChangeInfo?.Status;
    }
  } finally {
    client.destroy();
  }
}

/** The new colour's load balancers: the targets of its cluster-scoped names. */
export async function colourLoadBalancers(ctx: AwsContext, domains: readonly { name: string; zoneId: string }[], exclude: readonly string[]): Promise<readonly Served[]> {
  // The drain's own search, through the AWS adapters.
  const { route53Client } = await import('../aws/route53.js');
  const route53 = route53Client({ region: ctx.region, env: ctx.env, profile: ctx.profile, credentials: ctx.credentials });
  try {
    const ports = { records: (zoneId: string) => route53.list(zoneId), loadBalancers: () => listLoadBalancers(ctx) };
    return (await findTargets(ports, { domains, exclude })).served;
  } finally {
    route53.destroy();
  }
}

export interface SignalSource {
  readonly lb: Served['lb'];
  readonly targetGroups: readonly string[];
  readonly hasRequestMetric: boolean;
}

/** What the signals will read, found once before anything changes (the missing ones refuse the shift). */
export async function signalSources(ctx: AwsContext, lbs: readonly Served[]): Promise<SignalSource[]> {
  return Promise.all(
    lbs.map(async (s) => ({
      lb: s.lb,
      targetGroups: await describeTargetGroups(ctx, s.lb.arn),
      hasRequestMetric: s.lb.type === 'application' ? await metricExists(ctx, { namespace: FIVE_XX_METRICS.namespace, metric: FIVE_XX_METRICS.requests, dimension: loadBalancerDimension(s.lb.arn) }) : true,
    })),
  );
}

/** Target health of every target group, and each ALB's requests and 5XX since a moment. */
export async function observe(ctx: AwsContext, sources: readonly SignalSource[], sinceMs: number, nowMs: number): Promise<Observation> {
  const targets: TargetState[] = [];
  for (const s of sources) {
    for (const tg of s.targetGroups) {
      for (const t of await describeTargetHealth(ctx, tg)) targets.push({ loadBalancer: s.lb.name, target: t.target, state: t.state, reason: t.reason });
    }
  }
  const albs = sources.filter((s) => s.lb.type === 'application');
  const counts: ErrorCounts[] = [];
  if (albs.length > 0) {
    const specs = albs.flatMap((s) => {
      const dimension = loadBalancerDimension(s.lb.arn);
      return [FIVE_XX_METRICS.requests, ...FIVE_XX_METRICS.errors].map((metric) => ({ namespace: FIVE_XX_METRICS.namespace, metric, stat: 'Sum', dimension }));
    });
    const start = Math.floor(sinceMs / 60_000) * 60_000;
    const answers = await getMetrics(ctx, specs, { start, end: Math.max(nowMs, start + 60_000), periodMs: 60_000 });
    const per = 1 + FIVE_XX_METRICS.errors.length;
    albs.forEach((s, i) => {
      const sum = (k: number) => (answers[i * per + k]?.points ?? []).reduce((n, p) => n + p.value, 0);
      counts.push({ loadBalancer: s.lb.name, requests: sum(0), errors5xx: sum(1) + sum(2) });
    });
  }
  return { targets, counts };
}
