/**
 * The Route53 adapter: hosted zones, one record set, a change batch and its
 * status. `@aws-sdk/client-route-53` lives only in the switch chunk. The
 * endpoint override AWS_ENDPOINT_URL_ROUTE_53 (moto, VPC endpoints) is read
 * from the command's environment and passed explicitly.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type RRType,
} from '@aws-sdk/client-route-53';
import { configuredEndpoint, readAwsFiles, selectedProfile } from '../aws/config-files.js';
import type { AwsCredentials } from '../aws/eks-token.js';
import { awsError } from '../aws/errors.js';
import { requestHandler } from '../aws/sdk.js';
import { BasculeError } from '../errors.js';
import { normName, type RecordSet } from './inventory.js';
import type { RecordValue } from './journal.js';

export type RecordType = 'CNAME' | 'TXT';

export interface RecordChange {
  readonly action: 'UPSERT' | 'DELETE';
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly values: readonly string[];
}

export interface HostedZone {
  readonly id: string;
  /** Without the trailing dot. */
  readonly name: string;
  readonly private: boolean;
  /** The VPCs a private zone is associated with (ids). */
  readonly vpcs: readonly string[];
}

export interface Route53Port {
  /** undefined: no such hosted zone. */
  zone(zoneId: string): Promise<HostedZone | undefined>;
  /** The simple (not weighted) record set at name/type; undefined: none. */
  record(zoneId: string, name: string, type: RecordType): Promise<RecordValue | undefined>;
  /** Submits one change batch; returns its change id. */
  change(zoneId: string, changes: readonly RecordChange[], comment: string): Promise<string>;
  changeStatus(changeId: string): Promise<string>;
  /** Every record set of the zone (all pages). */
  recordSets(zoneId: string): Promise<RecordSet[]>;
  /**
   * One change batch of CREATE/DELETE of TXT values, exact: Route53 refuses a
   * CREATE of a record set that exists and a DELETE whose values differ
   * (InvalidChangeBatch). Returns the change id, or `conflict` when refused so.
   */
  exact(zoneId: string, action: 'CREATE' | 'DELETE', name: string, ttl: number, values: readonly string[], comment: string): Promise<string | 'conflict'>;
  destroy(): void;
}

/** Maps an SDK failure to a message naming the call and the zone, never a secret (the one AWS mapper). */
export function route53Error(call: string, target: string, error: unknown): BasculeError {
  return awsError({ service: 'Route53', operation: call, target }, error);
}

export function route53Client(options: {
  region: string;
  env: NodeJS.ProcessEnv;
  profile: string | undefined;
  credentials: () => Promise<AwsCredentials>;
}): Route53Port {
  // As `aws --profile`: AWS_ENDPOINT_URL_ROUTE_53, the profile's services section, AWS_ENDPOINT_URL, its endpoint_url.
  const endpoint = configuredEndpoint('route_53', options.env, readAwsFiles(options.env), selectedProfile(options.profile, options.env).name);
  const client = new Route53Client({
    region: options.region,
    maxAttempts: 3,
    credentials: options.credentials,
    requestHandler: requestHandler(options.env, undefined),
    ...(endpoint ? { endpoint } : {}),
  });
  const bare = (id: string) => id.replace(/^\/(hostedzone|change)\//, '');
  return {
    async zone(zoneId) {
      try {
        const { HostedZone, VPCs } = await client.send(new GetHostedZoneCommand({ Id: zoneId }));
        if (!HostedZone?.Name) return undefined;
        const vpcs = (VPCs ?? []).map((v) => v.VPCId ?? '').filter(Boolean);
        return { id: bare(HostedZone.Id ?? zoneId), name: normName(HostedZone.Name), private: HostedZone.Config?.PrivateZone === true, vpcs };
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchHostedZone') return undefined;
        throw route53Error('GetHostedZone', zoneId, error);
      }
    },
    async record(zoneId, name, type) {
      let sets;
      try {
        ({ ResourceRecordSets: sets } = await client.send(
          new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: type, MaxItems: 2 }),
        ));
      } catch (error) {
        throw route53Error('ListResourceRecordSets', `${name} ${type} in zone ${zoneId}`, error);
      }
      const matching = (sets ?? []).filter((s) => normName(s.Name ?? '') === normName(name) && s.Type === type);
      if (matching.some((s) => s.SetIdentifier !== undefined || s.AliasTarget !== undefined)) {
        throw new BasculeError('aws', `Route53 zone ${zoneId} holds a weighted, latency or alias ${type} record at ${name}; the switch writes one simple record there`, {
          hint: 'replace it by a simple record (one value) or remove it, then retry',
        });
      }
      const set = matching[0];
      if (!set) return undefined;
      return { values: (set.ResourceRecords ?? []).map((r) => r.Value ?? ''), ttl: set.TTL ?? 0 };
    },
    async change(zoneId, changes, comment) {
      const batch: Change[] = changes.map((c) => ({
        Action: c.action,
        ResourceRecordSet: { Name: c.name, Type: c.type, TTL: c.ttl, ResourceRecords: c.values.map((Value) => ({ Value })) },
      }));
      try {
        const { ChangeInfo } = await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment, Changes: batch } }));
        if (!ChangeInfo?.Id) throw new BasculeError('aws', `Route53 ChangeResourceRecordSets in zone ${zoneId} returned no change id`);
        return bare(ChangeInfo.Id);
      } catch (error) {
        throw route53Error('ChangeResourceRecordSets', `in zone ${zoneId} (${changes.map((c) => `${c.action} ${c.name} ${c.type}`).join(', ')})`, error);
      }
    },
    async changeStatus(changeId) {
      try {
        const { ChangeInfo } = await client.send(new GetChangeCommand({ Id: changeId }));
        return ChangeInfo?.Status ?? 'UNKNOWN';
      } catch (error) {
        throw route53Error('GetChange', changeId, error);
      }
    },
    async recordSets(zoneId) {
      const all: RecordSet[] = [];
      let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
      for (let page = 0; page < 1000; page++) {
        let answer;
        try {
          answer = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300, ...start }));
        } catch (error) {
          throw route53Error('ListResourceRecordSets', `in zone ${zoneId}`, error);
        }
        for (const s of answer.ResourceRecordSets ?? []) {
          all.push({
            name: normName(s.Name ?? ''),
            type: s.Type ?? '',
            ttl: s.TTL,
            values: s.AliasTarget ? [normName(s.AliasTarget.DNSName ?? '')] : (s.ResourceRecords ?? []).map((r) => r.Value ?? ''),
            alias: s.AliasTarget !== undefined,
            setIdentifier: s.SetIdentifier,
          });
        }
        if (!answer.IsTruncated || !answer.NextRecordName) return all;
        start = { StartRecordName: answer.NextRecordName, ...(answer.NextRecordType ? { StartRecordType: answer.NextRecordType } : {}), ...(answer.NextRecordIdentifier ? { StartRecordIdentifier: answer.NextRecordIdentifier } : {}) };
      }
      throw new BasculeError('aws', `Route53 ListResourceRecordSets in zone ${zoneId}: more than 1000 pages`);
    },
    async exact(zoneId, action, name, ttl, values, comment) {
      try {
        const { ChangeInfo } = await client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: { Comment: comment, Changes: [{ Action: action, ResourceRecordSet: { Name: name, Type: 'TXT', TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) } }] },
          }),
        );
        return bare(ChangeInfo?.Id ?? '');
      } catch (error) {
        if ((error as { name?: string }).name === 'InvalidChangeBatch') return 'conflict';
        throw route53Error('ChangeResourceRecordSets', `in zone ${zoneId} (${action} ${name} TXT)`, error);
      }
    },
    destroy: () => client.destroy(),
  };
}
