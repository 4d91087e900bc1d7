/**
 * Route53's ListResourceRecordSets answer, read straight into bascule's
 * RecordSet (pure). The SDK's generic XML deserializer was most of a large
 * zone's listing (48,000 record sets: ~0.9 s of parsing and most of 0.7 s of
 * garbage collection, measured with --cpu-prof); this reads the one document
 * shape Route53 answers (2013-04-01 API, ResourceRecordSet elements, no
 * attributes, no CDATA) in one pass of one regular expression over a page
 * (a third of the time of looking each field up in each set: 163 pages of
 * 48,000 sets, 1.07 s against 3.07 s cold in the binary's runtime, 0.35 s
 * against 0.65 s warm), and keeps copies, not slices, of the fields (a slice
 * keeps its ~700 KB page alive). test/unit/route53-xml.test.ts
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

/** The routing policies other than weighted, in the order a set holding two would be named by. */
const ROUTING: Readonly<Record<string, [rank: number, name: (text: string) => string]>> = {
  Region: [0, (x) => `latency (${x})`],
  GeoLocation: [1, () => 'geolocation'],
  Failover: [2, () => 'failover'],
  MultiValueAnswer: [3, () => 'multivalueanswer'],
  CidrRoutingConfig: [4, () => 'cidrroutingconfig'],
  GeoProximityLocation: [5, () => 'geoproximitylocation'],
  TrafficPolicyInstanceId: [6, () => 'trafficpolicyinstanceid'],
};

/**
 * Each element of a ResourceRecordSet that bascule reads, with the text that
 * follows its opening tag (a leaf's value; a container's is empty), and the
 * end of each set. The nested elements' children (Value; HostedZoneId,
 * DNSName, EvaluateTargetHealth; ContinentCode...; CollectionId...;
 * AWSRegion, Latitude...) share no name with the set's own elements, so each
 * is known by its tag alone, and one pass of one expression reads a page.
 */
const ELEMENT = new RegExp(`<(Name|Type|TTL|SetIdentifier|Weight|HealthCheckId|Value|AliasTarget|HostedZoneId|DNSName|EvaluateTargetHealth|${Object.keys(ROUTING).join('|')}|/ResourceRecordSet)>([^<]*)`, 'g');

interface Fields {
  name: string;
  type: string;
  ttl: string | undefined;
  values: string[];
  alias: boolean;
  zoneId: string;
  dnsName: string;
  health: boolean;
  setIdentifier: string | undefined;
  weight: string | undefined;
  healthCheckId: string | undefined;
  routing: { rank: number; tag: string; text: string } | undefined;
}

const fresh = (): Fields => ({ name: '', type: '', ttl: undefined, values: [], alias: false, zoneId: '', dnsName: '', health: false, setIdentifier: undefined, weight: undefined, healthCheckId: undefined, routing: undefined });

function recordSet(f: Fields): RecordSet {
  // One shape for every set (absent fields undefined): tens of thousands of objects of one hidden class.
  return {
    name: intern(normName(xmlText(f.name))),
    type: intern(xmlText(f.type)),
    ttl: f.ttl !== undefined && !f.alias ? Number(f.ttl) : undefined,
    values: f.values.length > 0 ? f.values : undefined,
    alias: f.alias ? { zoneId: intern(xmlText(f.zoneId)), dnsName: intern(normName(xmlText(f.dnsName))), evaluateTargetHealth: f.health } : undefined,
    setIdentifier: f.setIdentifier !== undefined ? intern(xmlText(f.setIdentifier)) : undefined,
    weight: f.weight !== undefined ? Number(f.weight) : undefined,
    routing: f.routing ? (ROUTING[f.routing.tag] as [number, (x: string) => string])[1](xmlText(f.routing.text)) : undefined,
    healthCheckId: f.healthCheckId ? xmlText(f.healthCheckId) : undefined,
  };
}

/** The record sets of one ListResourceRecordSetsResponse document, in one pass. */
export function parseSets(xml: string): RecordSet[] {
  const sets: RecordSet[] = [];
  const start = xml.indexOf('<ResourceRecordSets>');
  if (start < 0) return sets;
  const end = xml.lastIndexOf('</ResourceRecordSets>');
  let f = fresh();
  ELEMENT.lastIndex = start;
  for (let m = ELEMENT.exec(xml); m !== null && m.index < end; m = ELEMENT.exec(xml)) {
    const [, tag, raw] = m as unknown as [string, string, string];
    switch (tag) {
      case '/ResourceRecordSet':
        sets.push(recordSet(f));
        f = fresh();
        break;
      case 'Name': f.name = raw; break;
      case 'Type': f.type = raw; break;
      case 'TTL': f.ttl = raw; break;
      case 'Value': f.values.push(intern(xmlText(raw))); break;
      case 'AliasTarget': f.alias = true; break;
      case 'HostedZoneId': f.zoneId = raw; break;
      case 'DNSName': f.dnsName = raw; break;
      case 'EvaluateTargetHealth': f.health = raw === 'true'; break;
      case 'SetIdentifier': f.setIdentifier = raw; break;
      case 'Weight': f.weight = raw; break;
      case 'HealthCheckId': f.healthCheckId = raw; break;
      default: {
        const rank = (ROUTING[tag] as [number, unknown])[0];
        if (!f.routing || rank < f.routing.rank) f.routing = { rank, tag, text: raw };
      }
    }
  }
  ELEMENT.lastIndex = 0;
  return sets;
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
