/**
 * The one Route53 adapter: hosted zones, every record set of a zone (all
 * pages), the sets at one name, change batches and their status. Record sets
 * go in and out as src/production/records.ts's RecordSet, names in the normal
 * form (decoded); they are encoded for Route53 here only. The SDK client loads
 * with this module (the commands chunk), never on the token path.
 *
 * The endpoint is the one `aws --profile` would use (AWS_ENDPOINT_URL_ROUTE_53,
 * the profile's services section, AWS_ENDPOINT_URL, its endpoint_url), read
 * from the command's environment, as are the proxies.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
  type RRType,
} from '@aws-sdk/client-route-53';
import { BasculeError } from '../errors.js';
import { normName, route53Name } from '../production/names.js';
import type { Change, RecordSet } from '../production/records.js';
import { configuredEndpoint, readAwsFiles, selectedProfile } from './config-files.js';
import type { AwsCredentials } from './eks-token.js';
import { awsError } from './errors.js';
import { accountLimiter, route53Rate, type RateLimiter } from './rate.js';
import { listSets, route53Global } from './route53-list.js';
import { ENDPOINT_BY_BASCULE, requestHandler } from './sdk.js';

export interface HostedZone {
  readonly id: string;
  /** Normal form. */
  readonly name: string;
  readonly private: boolean;
  /** The VPCs a private zone is associated with (ids). */
  readonly vpcs: readonly string[];
}

export interface Route53Port {
  /** undefined: no such hosted zone. */
  zone(zoneId: string): Promise<HostedZone | undefined>;
  /** Every record set of the zone (all pages). */
  list(zoneId: string): Promise<RecordSet[]>;
  /** The record sets at one name (of one type, when given; every set identifier). */
  at(zoneId: string, name: string, type?: string): Promise<RecordSet[]>;
  /**
   * Submits one change batch (applied whole or not at all); returns its change
   * id, or `conflict` when Route53 refused it as InvalidChangeBatch and the
   * caller asked for that answer (a CREATE of a set that exists, a DELETE whose
   * values differ: the compare-and-swap of the lock record).
   */
  change(zoneId: string, changes: readonly Change[], comment: string, options?: { conflict?: 'return' }): Promise<string>;
  changeStatus(changeId: string): Promise<string>;
  /** How many requests were sent (the bench and the tests count them). */
  readonly requests: () => number;
  destroy(): void;
}

const ROUTING = ['Region', 'GeoLocation', 'Failover', 'MultiValueAnswer', 'CidrRoutingConfig', 'GeoProximityLocation', 'TrafficPolicyInstanceId'] as const;

/** A listed set in bascule's form (pure). */
export function fromSdk(s: ResourceRecordSet): RecordSet {
  const routing = ROUTING.find((k) => s[k] !== undefined);
  return {
    name: normName(s.Name ?? ''),
    type: s.Type ?? '',
    ...(s.TTL !== undefined && !s.AliasTarget ? { ttl: s.TTL } : {}),
    ...(s.ResourceRecords && s.ResourceRecords.length > 0 ? { values: s.ResourceRecords.map((r) => r.Value ?? '') } : {}),
    ...(s.AliasTarget ? { alias: { zoneId: s.AliasTarget.HostedZoneId ?? '', dnsName: normName(s.AliasTarget.DNSName ?? ''), evaluateTargetHealth: s.AliasTarget.EvaluateTargetHealth === true } } : {}),
    ...(s.SetIdentifier !== undefined ? { setIdentifier: s.SetIdentifier } : {}),
    ...(s.Weight !== undefined ? { weight: s.Weight } : {}),
    ...(routing ? { routing: routing === 'Region' ? `latency (${s.Region})` : routing.toLowerCase() } : {}),
    ...(s.HealthCheckId ? { healthCheckId: s.HealthCheckId } : {}),
  };
}

/** A set as Route53 is sent it (pure): names encoded. */
export function toSdk(r: RecordSet): ResourceRecordSet {
  if (r.routing) throw new BasculeError('internal', `bascule does not write ${r.routing} record sets (${r.name})`);
  return {
    Name: route53Name(r.name),
    Type: r.type as RRType,
    ...(r.setIdentifier !== undefined ? { SetIdentifier: r.setIdentifier } : {}),
    ...(r.weight !== undefined ? { Weight: r.weight } : {}),
    ...(r.healthCheckId ? { HealthCheckId: r.healthCheckId } : {}),
    ...(r.alias
      ? { AliasTarget: { HostedZoneId: r.alias.zoneId, DNSName: route53Name(r.alias.dnsName), EvaluateTargetHealth: r.alias.evaluateTargetHealth } }
      : { TTL: r.ttl, ResourceRecords: (r.values ?? []).map((Value) => ({ Value })) }),
  };
}

const bare = (id: string) => id.replace(/^\/(hostedzone|change)\//, '');
const errorName = (error: unknown) => (error as { name?: string })?.name;

export interface Route53Options {
  readonly region: string;
  readonly env: NodeJS.ProcessEnv;
  readonly profile: string | undefined;
  readonly credentials: () => Promise<AwsCredentials>;
  /** The account whose request budget the calls spend (src/aws/rate.ts); unknown: one budget for all. */
  readonly account?: string | undefined;
  /** The bound on each request (--aws-timeout; absent: 15 s). */
  readonly timeoutMs?: number;
}

type Fail = (call: string, target: string, error: unknown) => Error;
type Start = { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string };

/** Every page of a listing from `start`, until `stop` says a set is past what is wanted. */
async function listPages(client: Route53Client, fail: Fail, zoneId: string, start: Start = {}, stop?: (s: RecordSet) => boolean): Promise<RecordSet[]> {
  const all: RecordSet[] = [];
  let next = start;
  for (let page = 0; page < 10_000; page++) {
    let answer;
    try {
      answer = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: bare(zoneId), MaxItems: 300, ...next }));
    } catch (error) {
      throw fail('ListResourceRecordSets', `in zone ${zoneId}`, error);
    }
    for (const s of answer.ResourceRecordSets ?? []) {
      const set = fromSdk(s);
      if (stop?.(set)) return all;
      all.push(set);
    }
    if (!answer.IsTruncated || !answer.NextRecordName) return all;
    next = {
      StartRecordName: answer.NextRecordName,
      ...(answer.NextRecordType ? { StartRecordType: answer.NextRecordType } : {}),
      ...(answer.NextRecordIdentifier ? { StartRecordIdentifier: answer.NextRecordIdentifier } : {}),
    };
  }
  throw new BasculeError('aws', `Route53 ListResourceRecordSets in zone ${zoneId}: more than 10000 pages; giving up`);
}

/** The SDK client, its requests waiting their turn in the account's budget and counted. */
function budgetedClient(options: Route53Options, endpoint: string | undefined): { client: Route53Client; requests: () => number; count: () => void; limiter: RateLimiter } {
  const client = new Route53Client({
    region: options.region,
    // Throttling that still happens is retried with backoff, the client slowing itself down (adaptive).
    maxAttempts: 8,
    retryMode: 'adaptive',
    credentials: options.credentials,
    requestHandler: requestHandler(options.env, undefined, options.timeoutMs),
    ...ENDPOINT_BY_BASCULE,
    ...(endpoint ? { endpoint } : {}),
  });
  let requests = 0;
  const limiter = accountLimiter(options.account ?? '', route53Rate(options.env));
  // Inside the SDK's retry loop: every HTTP request, retries included.
  client.middlewareStack.add(
    (next) => async (args) => {
      await limiter.take();
      requests += 1;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'basculeRequestBudget' },
  );
  return { client, requests: () => requests, count: () => void (requests += 1), limiter };
}

export function route53Client(options: Route53Options): Route53Port {
  const endpoint = configuredEndpoint('route_53', options.env, readAwsFiles(options.env), selectedProfile(options.profile, options.env).name);
  const { client, requests, count, limiter } = budgetedClient(options, endpoint);
  const fail: Fail = (call, target, error) => awsError({ service: 'Route53', operation: call, target, ...(endpoint ? { endpoint } : {}) }, error);
  // Listings without the SDK's client where bascule knows the endpoint (src/aws/route53-list.ts); else through it.
  const global = route53Global(options.region);
  const lister = endpoint || global ? { endpoint: endpoint ?? (global?.endpoint as string), signingRegion: global?.signingRegion ?? 'us-east-1', env: options.env, credentials: options.credentials, limiter, count, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) } : undefined;
  const pages = async (zoneId: string, start?: Start, stop?: (s: RecordSet) => boolean): Promise<RecordSet[]> => {
    if (!lister) return listPages(client, fail, zoneId, start, stop);
    try {
      return await listSets(lister, bare(zoneId), { ...(start?.StartRecordName ? { name: start.StartRecordName } : {}), ...(start?.StartRecordType ? { type: start.StartRecordType } : {}) }, stop);
    } catch (error) {
      throw fail('ListResourceRecordSets', `in zone ${zoneId}`, error);
    }
  };

  return {
    async zone(zoneId) {
      try {
        const { HostedZone, VPCs } = await client.send(new GetHostedZoneCommand({ Id: bare(zoneId) }));
        if (!HostedZone?.Name) return undefined;
        return { id: bare(HostedZone.Id ?? zoneId), name: normName(HostedZone.Name), private: HostedZone.Config?.PrivateZone === true, vpcs: (VPCs ?? []).map((v) => v.VPCId ?? '').filter(Boolean) };
      } catch (error) {
        if (errorName(error) === 'NoSuchHostedZone') return undefined;
        throw fail('GetHostedZone', zoneId, error);
      }
    },
    list: (zoneId) => pages(zoneId),
    async at(zoneId, name, type) {
      const want = normName(name);
      // Listing starts at the name (and type), and stops at the first set past them: one page, usually.
      const start = { StartRecordName: route53Name(want), ...(type ? { StartRecordType: type as RRType } : {}) };
      return pages(zoneId, start, (s) => s.name !== want || (type !== undefined && s.type !== type));
    },
    async change(zoneId, changes, comment, opts = {}) {
      try {
        const { ChangeInfo } = await client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: bare(zoneId),
            ChangeBatch: { Comment: comment.slice(0, 256), Changes: changes.map((c) => ({ Action: c.action, ResourceRecordSet: toSdk(c.set) })) },
          }),
        );
        if (!ChangeInfo?.Id) throw new BasculeError('aws', `Route53 ChangeResourceRecordSets in zone ${zoneId} returned no change id`);
        return bare(ChangeInfo.Id);
      } catch (error) {
        if (opts.conflict === 'return' && errorName(error) === 'InvalidChangeBatch') return 'conflict';
        const what = changes.slice(0, 5).map((c) => `${c.action} ${c.set.name} ${c.set.type}${c.set.setIdentifier !== undefined ? ` [${c.set.setIdentifier}]` : ''}`);
        throw fail('ChangeResourceRecordSets', `in zone ${zoneId} (${what.join(', ')}${changes.length > 5 ? `, and ${changes.length - 5} more` : ''})`, error);
      }
    },
    async changeStatus(changeId) {
      try {
        const { ChangeInfo } = await client.send(new GetChangeCommand({ Id: bare(changeId) }));
        return ChangeInfo?.Status ?? 'UNKNOWN';
      } catch (error) {
        throw fail('GetChange', changeId, error);
      }
    },
    requests,
    destroy: () => client.destroy(),
  };
}
