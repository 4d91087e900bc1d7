/**
 * Route53's ListResourceRecordSets answer, read straight into bascule's
 * RecordSet (pure). The SDK's generic XML deserializer was most of a large
 * zone's listing (48,000 record sets: ~0.9 s of parsing and most of 0.7 s of
 * garbage collection, measured with --cpu-prof); this reads the one document
 * shape Route53 answers (2013-04-01 API, ResourceRecordSet elements, no
 * attributes, no CDATA) in one pass, and keeps copies, not slices, of the
 * fields (a slice keeps its ~700 KB page alive). test/unit/route53-xml.test.ts
 * holds it against the SDK's own reading of the same answers.
 */
import { normName } from '../production/names.js';
import type { RecordSet } from '../production/records.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text as the string it holds. */
export function xmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10)) : (ENTITIES[e] as string),
  );
}

/**
 * One copy of each short string a zone repeats (types, the load balancers'
 * zone ids and names, registry values): a large zone holds tens of thousands,
 * each otherwise a slice keeping its page's whole text alive.
 */
const interned = new Map<string, string>();
function intern(value: string): string {
  const found = interned.get(value);
  if (found !== undefined) return found;
  const copy = (' ' + value).slice(1);
  if (interned.size < 200_000) interned.set(copy, copy);
  return copy;
}

/** The text of the first <tag> of `xml` (undefined when absent). */
function child(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : xml.slice(start, end);
}

const text = (xml: string, tag: string): string | undefined => {
  const raw = child(xml, tag);
  return raw === undefined ? undefined : xmlText(raw);
};

/** Every <tag>...</tag> of `xml`, in order. */
function children(xml: string, tag: string): string[] {
  const out: string[] = [];
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  for (let at = xml.indexOf(open); at >= 0; at = xml.indexOf(open, at)) {
    const end = xml.indexOf(close, at);
    if (end < 0) break;
    out.push(xml.slice(at + open.length, end));
    at = end + close.length;
  }
  return out;
}

const ROUTING: readonly [string, (x: string) => string][] = [
  ['Region', (x) => `latency (${x})`],
  ['GeoLocation', () => 'geolocation'],
  ['Failover', () => 'failover'],
  ['MultiValueAnswer', () => 'multivalueanswer'],
  ['CidrRoutingConfig', () => 'cidrroutingconfig'],
  ['GeoProximityLocation', () => 'geoproximitylocation'],
  ['TrafficPolicyInstanceId', () => 'trafficpolicyinstanceid'],
];

/**
 * One ResourceRecordSet. The nested elements' children (Value; HostedZoneId,
 * DNSName, EvaluateTargetHealth; ContinentCode...; CollectionId...; AWSRegion,
 * Latitude...) share no name with the set's own elements, so each is found by
 * its tag alone.
 */
function recordSet(xml: string): RecordSet {
  const alias = child(xml, 'AliasTarget');
  const records = child(xml, 'ResourceRecords');
  const ttl = child(xml, 'TTL');
  const setIdentifier = text(xml, 'SetIdentifier');
  const weight = child(xml, 'Weight');
  const healthCheckId = text(xml, 'HealthCheckId');
  const routing = ROUTING.find(([tag]) => xml.includes(`<${tag}>`));
  const values = records === undefined ? [] : children(records, 'Value').map((v) => intern(xmlText(v)));
  // One shape for every set (absent fields undefined): tens of thousands of objects of one hidden class.
  return {
    name: intern(normName(text(xml, 'Name') ?? '')),
    type: intern(text(xml, 'Type') ?? ''),
    ttl: ttl !== undefined && alias === undefined ? Number(ttl) : undefined,
    values: values.length > 0 ? values : undefined,
    alias:
      alias !== undefined
        ? { zoneId: intern(text(alias, 'HostedZoneId') ?? ''), dnsName: intern(normName(text(alias, 'DNSName') ?? '')), evaluateTargetHealth: child(alias, 'EvaluateTargetHealth') === 'true' }
        : undefined,
    setIdentifier: setIdentifier !== undefined ? intern(setIdentifier) : undefined,
    weight: weight !== undefined ? Number(weight) : undefined,
    routing: routing ? routing[1](text(xml, routing[0]) ?? '') : undefined,
    healthCheckId: healthCheckId || undefined,
  };
}

export interface ListPage {
  readonly sets: RecordSet[];
  /** Where the next page starts, when the listing is truncated. */
  readonly next: PageStart | undefined;
}

export interface PageStart {
  readonly name: string;
  readonly type: string | undefined;
  readonly identifier: string | undefined;
}

/**
 * Where the page after this ListResourceRecordSetsResponse starts (undefined on
 * the last page), read from the document's tail alone: the lister asks for the
 * next page before it reads this one's sets.
 */
export function parseNext(xml: string): PageStart | undefined {
  const tail = xml.slice(xml.lastIndexOf('</ResourceRecordSets>') + 1);
  const truncated = child(tail, 'IsTruncated') === 'true';
  const name = text(tail, 'NextRecordName');
  if (!truncated || name === undefined) return undefined;
  return { name, type: text(tail, 'NextRecordType'), identifier: text(tail, 'NextRecordIdentifier') };
}

/** The record sets of one ListResourceRecordSetsResponse document. */
export function parseSets(xml: string): RecordSet[] {
  return children(child(xml, 'ResourceRecordSets') ?? '', 'ResourceRecordSet').map(recordSet);
}

/** One ListResourceRecordSetsResponse document. */
export function parseListPage(xml: string): ListPage {
  return { sets: parseSets(xml), next: parseNext(xml) };
}

/** Route53's ErrorResponse: its code and message (undefined when the body is not one). */
export function parseError(xml: string): { code: string; message: string } | undefined {
  const error = child(xml, 'Error');
  const code = error === undefined ? undefined : text(error, 'Code');
  if (code === undefined || error === undefined) return undefined;
  return { code, message: text(error, 'Message') ?? '' };
}
