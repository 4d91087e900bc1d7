// @ts-check
/**
 * What Route53 does with record sets, as pure functions: the XML of its API
 * (the little it needs), the order and paging of ListResourceRecordSets, the
 * checks of ChangeResourceRecordSets with Route53's messages, and the moto
 * request that applies a checked batch given moto 5's quirks. The validating
 * proxy (route53-proxy.mjs) and the recording (route53-recording.mjs) serve
 * with them; names follow route53-names.mjs (escaped, lower case, final dot).
 */
import { encodeName, inZone, nameSortKey } from './route53-names.mjs';

export const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
export const TYPES = new Set(['SOA', 'A', 'TXT', 'NS', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SRV', 'SPF', 'AAAA', 'CAA', 'DS', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS']);

/**
 * @typedef {{ method?: string, path: RegExp, status?: number, code: string, message?: string, times?: number, accessKeyId?: string }} Fault
 * @typedef {{ HostedZoneId?: string, DNSName?: string, EvaluateTargetHealth?: boolean }} Alias
 * @typedef {{ Name: string, Type: string, SetIdentifier?: string, Weight?: number, TTL?: number,
 *   ResourceRecords?: { Value: string }[], AliasTarget?: Alias, HealthCheckId?: string }} RecordSet
 * @typedef {{ Action: string, ResourceRecordSet: RecordSet }} Change
 * @typedef {{ id: string, zoneId: string, changes: Change[], submittedAt: Date, polls: number, comment?: string }} ChangeRecord
 */

// ---------------------------------------------------------------------------
// XML: the little Route53 needs (elements, text, entities; no attributes kept).

/** @typedef {{ name: string, children: XmlNode[], text: string }} XmlNode */

/** @param {string} s */
const decode = (s) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|quot|amp|lt|gt|apos);/gi, (_, e) => {
    const k = e.toLowerCase();
    if (k[0] === '#') return String.fromCodePoint(k[1] === 'x' ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10));
    return /** @type {Record<string, string>} */ ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" })[k] ?? '';
  });

/** @param {string} s */
export const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** @param {string} text @returns {XmlNode} */
export function parseXml(text) {
  /** @type {XmlNode} */
  const root = { name: '#root', children: [], text: '' };
  const stack = [root];
  const re = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|([^<]+)/g;
  for (const m of text.matchAll(re)) {
    const top = /** @type {XmlNode} */ (stack[stack.length - 1]);
    if (m[1] !== undefined) top.text += m[1];
    else if (m[3]) {
      const name = m[3].replace(/^.*:/, '');
      if (m[2]) {
        if (stack.length > 1) stack.pop();
      } else {
        const node = { name, children: [], text: '' };
        top.children.push(node);
        if (!m[4]) stack.push(node);
      }
    } else if (m[5] !== undefined) top.text += decode(m[5]);
  }
  return root;
}
/** @param {XmlNode | undefined} n @param {string} name */
export const child = (n, name) => n?.children.find((c) => c.name === name);
/** @param {XmlNode | undefined} n @param {string} name */
export const children = (n, name) => (n ? n.children.filter((c) => c.name === name) : []);
/** @param {XmlNode | undefined} n @param {string} name */
export const textOf = (n, name) => {
  const c = child(n, name);
  return c ? c.text.trim() : undefined;
};

/** @param {XmlNode} node @returns {RecordSet} */
export function recordSetFromXml(node) {
  /** @type {RecordSet} */
  const r = { Name: textOf(node, 'Name') ?? '', Type: textOf(node, 'Type') ?? '' };
  const set = textOf(node, 'SetIdentifier');
  if (set !== undefined) r.SetIdentifier = set;
  const weight = textOf(node, 'Weight');
  if (weight !== undefined) r.Weight = Number(weight);
  const ttl = textOf(node, 'TTL');
  if (ttl !== undefined) r.TTL = Number(ttl);
  const rrs = child(node, 'ResourceRecords');
  if (rrs) r.ResourceRecords = children(rrs, 'ResourceRecord').map((rr) => ({ Value: child(rr, 'Value')?.text ?? '' }));
  const alias = child(node, 'AliasTarget');
  if (alias) r.AliasTarget = { HostedZoneId: textOf(alias, 'HostedZoneId'), DNSName: textOf(alias, 'DNSName'), EvaluateTargetHealth: textOf(alias, 'EvaluateTargetHealth') === 'true' };
  const hc = textOf(node, 'HealthCheckId');
  if (hc !== undefined) r.HealthCheckId = hc;
  return r;
}

/** @param {RecordSet} r */
export function recordSetXml(r) {
  let x = `<ResourceRecordSet><Name>${xmlEscape(r.Name)}</Name><Type>${r.Type}</Type>`;
  if (r.SetIdentifier !== undefined) x += `<SetIdentifier>${xmlEscape(r.SetIdentifier)}</SetIdentifier>`;
  if (r.Weight !== undefined) x += `<Weight>${r.Weight}</Weight>`;
  if (r.TTL !== undefined) x += `<TTL>${r.TTL}</TTL>`;
  if (r.ResourceRecords) x += `<ResourceRecords>${r.ResourceRecords.map((v) => `<ResourceRecord><Value>${xmlEscape(v.Value)}</Value></ResourceRecord>`).join('')}</ResourceRecords>`;
  if (r.AliasTarget)
    x += `<AliasTarget><HostedZoneId>${xmlEscape(r.AliasTarget.HostedZoneId ?? '')}</HostedZoneId><DNSName>${xmlEscape(r.AliasTarget.DNSName ?? '')}</DNSName><EvaluateTargetHealth>${Boolean(r.AliasTarget.EvaluateTargetHealth)}</EvaluateTargetHealth></AliasTarget>`;
  if (r.HealthCheckId !== undefined) x += `<HealthCheckId>${xmlEscape(r.HealthCheckId)}</HealthCheckId>`;
  return `${x}</ResourceRecordSet>`;
}

// ---------------------------------------------------------------------------
// Record sets: keys, order, equality (pure).

/** A name as Route53 holds it: escaped, lower case, with its final dot (route53-names.mjs). */
export const normalName = encodeName;
/** The name moto holds a set under, when it is not the canonical one (a set written to moto directly). */
const motoNames = new WeakMap();
/** @param {RecordSet} r */
const motoName = (r) => /** @type {string} */ (motoNames.get(r) ?? r.Name);
/** @param {RecordSet} r (canonical) */
const keyOf = (r) => `${r.Name}|${r.Type}|${r.SetIdentifier ?? ''}`;
/**
 * The ordering key of a canonical set (name with labels reversed, type, set
 * identifier), as one string: NUL sorts before any character, so comparing
 * keys compares the tuples.
 * @param {{ Name: string, Type?: string, SetIdentifier?: string }} r
 */
export const orderKey = (r) => `${nameSortKey(r.Name)}\u0000${r.Type ?? ''}\u0000${r.SetIdentifier ?? ''}`;
/** @param {RecordSet} a @param {RecordSet} b */
export const compareRecordSets = (a, b) => {
  const ka = orderKey(a);
  const kb = orderKey(b);
  return ka === kb ? 0 : ka < kb ? -1 : 1;
};
/**
 * A zone's sets sorted as ListResourceRecordSets lists them, with their keys (sorted once: pages are binary searches).
 * @param {RecordSet[]} sets canonical
 * @returns {{ sets: RecordSet[], keys: string[] }}
 */
export function sortedZone(sets) {
  const decorated = sets.map((r) => ({ r, k: orderKey(r) })).sort((a, b) => (a.k === b.k ? 0 : a.k < b.k ? -1 : 1));
  return { sets: decorated.map((d) => d.r), keys: decorated.map((d) => d.k) };
}
/**
 * One page of ListResourceRecordSets (query `name`, `type`, `identifier`,
 * `maxitems`): MaxItems at most 300 (Route53's cap), from the first set at or
 * after the start; `next` is the first set of the next page.
 * @param {{ sets: RecordSet[], keys: string[] }} zone @param {URLSearchParams} q
 */
export function listPage(zone, q) {
  const startName = q.get('name') ?? undefined;
  const startType = q.get('type') ?? undefined;
  const startId = q.get('identifier') ?? undefined;
  if ((startType && !startName) || (startId && !startType)) throw new Route53Refusal('InvalidInput', ['The input is not valid']);
  const maxItems = Math.min(Math.max(Number(q.get('maxitems') ?? 300) || 300, 1), 300);
  let lo = 0;
  if (startName !== undefined) {
    const key = orderKey({ Name: startName, Type: startType, SetIdentifier: startId });
    let hi = zone.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (/** @type {string} */ (zone.keys[mid]) < key) lo = mid + 1;
      else hi = mid;
    }
  }
  return { page: zone.sets.slice(lo, lo + maxItems), next: zone.sets[lo + maxItems], maxItems };
}
/** The ListResourceRecordSets answer. @param {ReturnType<typeof listPage>} p */
export function listXml({ page, next, maxItems }) {
  const nextXml = next
    ? `<NextRecordName>${xmlEscape(next.Name)}</NextRecordName><NextRecordType>${next.Type}</NextRecordType>${next.SetIdentifier !== undefined ? `<NextRecordIdentifier>${xmlEscape(next.SetIdentifier)}</NextRecordIdentifier>` : ''}`
    : '';
  return `<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${page.map(recordSetXml).join('')}</ResourceRecordSets><IsTruncated>${Boolean(next)}</IsTruncated>${nextXml}<MaxItems>${maxItems}</MaxItems></ListResourceRecordSetsResponse>`;
}
/** Route53's error answer. @param {string} code @param {string} message */
export const errorXml = (code, message) =>
  `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>proxy-1</RequestId></ErrorResponse>`;
/** @param {{ id: string, submittedAt: Date }} c @param {string} status */
export const changeInfoXml = (c, status) => `<ChangeInfo><Id>/change/${c.id}</Id><Status>${status}</Status><SubmittedAt>${c.submittedAt.toISOString()}</SubmittedAt></ChangeInfo>`;

/**
 * The API action of a Route53 request (REST paths of 2013-04-01), for counting.
 * @param {string} method @param {string} path
 */
export function actionOf(method, path) {
  const p = new URL(path, 'http://x').pathname.replace(/^\/2013-04-01/, '').replace(/\/$/, '');
  const table = /** @type {[string, RegExp, string][]} */ ([
    ['GET', /^\/hostedzone\/[^/]+\/rrset$/, 'ListResourceRecordSets'],
    ['POST', /^\/hostedzone\/[^/]+\/rrset$/, 'ChangeResourceRecordSets'],
    ['GET', /^\/change\/[^/]+$/, 'GetChange'],
    ['GET', /^\/hostedzone\/[^/]+$/, 'GetHostedZone'],
    ['DELETE', /^\/hostedzone\/[^/]+$/, 'DeleteHostedZone'],
    ['GET', /^\/hostedzone$/, 'ListHostedZones'],
    ['POST', /^\/hostedzone$/, 'CreateHostedZone'],
    ['GET', /^\/hostedzonesbyname$/, 'ListHostedZonesByName'],
    ['GET', /^\/hostedzonecount$/, 'GetHostedZoneCount'],
    ['POST', /^\/hostedzone\/[^/]+\/associatevpc$/, 'AssociateVPCWithHostedZone'],
    ['POST', /^\/hostedzone\/[^/]+\/disassociatevpc$/, 'DisassociateVPCFromHostedZone'],
  ]);
  return table.find(([m, re]) => m === method && re.test(p))?.[2] ?? `${method} ${p}`;
}
/** @param {RecordSet} r */
const describe = (r) => `[name='${normalName(r.Name)}', type='${r.Type}'${r.SetIdentifier !== undefined ? `, set-identifier='${r.SetIdentifier}'` : ''}]`;
/** @param {RecordSet} a @param {RecordSet} b */
function sameValues(a, b) {
  const values = (/** @type {RecordSet} */ r) => (r.ResourceRecords ?? []).map((v) => v.Value).sort().join('\n');
  const alias = (/** @type {RecordSet} */ r) =>
    r.AliasTarget ? `${r.AliasTarget.HostedZoneId}|${normalName(r.AliasTarget.DNSName ?? '')}|${Boolean(r.AliasTarget.EvaluateTargetHealth)}` : '';
  return (
    (a.TTL ?? null) === (b.TTL ?? null) &&
    values(a) === values(b) &&
    (a.Weight ?? null) === (b.Weight ?? null) &&
    alias(a) === alias(b) &&
    (a.HealthCheckId ?? null) === (b.HealthCheckId ?? null)
  );
}
/**
 * A record set as Route53 holds it (names escaped, lower case, final dot). A set read from moto under
 * another name (written there directly) remembers it, so the proxy deletes it there by that name.
 * @param {RecordSet} r @param {{ fromMoto?: boolean }} [options] @returns {RecordSet}
 */
export function canonical(r, options = {}) {
  /** @type {RecordSet} */
  const out = { Name: normalName(r.Name), Type: r.Type };
  if (options.fromMoto && out.Name !== r.Name) motoNames.set(out, r.Name);
  if (r.SetIdentifier !== undefined) out.SetIdentifier = r.SetIdentifier;
  if (r.Weight !== undefined) out.Weight = r.Weight;
  // moto lists alias sets with TTL 0; Route53 gives them none.
  if (r.TTL !== undefined && !r.AliasTarget) out.TTL = r.TTL;
  if (r.ResourceRecords?.length) out.ResourceRecords = r.ResourceRecords.map((v) => ({ Value: v.Value }));
  if (r.AliasTarget) out.AliasTarget = { HostedZoneId: r.AliasTarget.HostedZoneId, DNSName: normalName(r.AliasTarget.DNSName ?? ''), EvaluateTargetHealth: Boolean(r.AliasTarget.EvaluateTargetHealth) };
  if (r.HealthCheckId !== undefined) out.HealthCheckId = r.HealthCheckId;
  return out;
}

export class Route53Refusal extends Error {
  /** @param {string} code @param {string[]} messages @param {number} [status] */
  constructor(code, messages, status = 400) {
    super(code === 'InvalidChangeBatch' ? `[${messages.join(', ')}]` : messages.join('; '));
    this.code = code;
    this.status = status;
  }
}

/**
 * Checks a batch against a zone's record sets and returns them as the batch
 * leaves them (pure); throws a Route53Refusal with Route53's messages.
 * @param {{ name: string, records: RecordSet[] }} zone  zone name with its final dot
 * @param {Change[]} changes
 * @returns {RecordSet[]}
 */
export function applyBatch(zone, changes) {
  if (changes.length === 0) throw new Route53Refusal('InvalidInput', ["1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1"]);
  // Input validation first (the API's own checks, before the batch is looked at).
  let values = 0;
  changes.forEach((c, i) => {
    const r = c.ResourceRecordSet;
    const at = `changeBatch.changes.${i + 1}.member`;
    if (!['CREATE', 'DELETE', 'UPSERT'].includes(c.Action))
      throw new Route53Refusal('InvalidInput', [`1 validation error detected: Value '${c.Action}' at '${at}.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]`]);
    if (!TYPES.has(r.Type))
      throw new Route53Refusal('InvalidInput', [`1 validation error detected: Value '${r.Type}' at '${at}.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set: [${[...TYPES].join(', ')}]`]);
    if (r.Weight !== undefined && (!Number.isInteger(r.Weight) || r.Weight < 0 || r.Weight > 255))
      throw new Route53Refusal('InvalidInput', [
        `1 validation error detected: Value '${r.Weight}' at '${at}.resourceRecordSet.weight' failed to satisfy constraint: Member must have value ${r.Weight < 0 ? 'greater than or equal to 0' : 'less than or equal to 255'}`,
      ]);
    const hasRecords = r.TTL !== undefined && (r.ResourceRecords?.length ?? 0) > 0;
    if (Boolean(r.AliasTarget) === hasRecords)
      throw new Route53Refusal('InvalidInput', [
        `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${r.AliasTarget ? 'more than one' : 'none'} in Change with [Action=${c.Action}, Name=${r.Name}, Type=${r.Type}, SetIdentifier=${r.SetIdentifier ?? 'null'}]`,
      ]);
    const n = r.ResourceRecords?.length ?? 1;
    values += c.Action === 'UPSERT' ? 2 * n : n;
  });
  if (values > 1000) throw new Route53Refusal('InvalidChangeBatch', ['Number of records limit of 1000 exceeded.']);

  /** @type {Map<string, RecordSet>} */
  const state = new Map(zone.records.map((r) => [keyOf(r), r]));
  /** The keys of the sets at each name. @type {Map<string, Set<string>>} */
  const byName = new Map();
  const index = (/** @type {RecordSet} */ r) => {
    let keys = byName.get(r.Name);
    if (!keys) byName.set(r.Name, (keys = new Set()));
    keys.add(keyOf(r));
  };
  for (const r of zone.records) index(r);
  /** @type {string[]} */
  const messages = [];
  /** @type {Map<string, string[]>} */
  const seen = new Map();
  for (const c of changes) {
    const r = canonical(c.ResourceRecordSet);
    const key = keyOf(r);
    const actions = [...(seen.get(key) ?? []), c.Action];
    seen.set(key, actions);
    if (actions.length > 1 && !(actions.length === 2 && actions[0] === 'DELETE' && actions[1] === 'CREATE')) {
      messages.push(`The request contains an invalid set of changes for a resource record set '${r.Type} ${r.Name}'`);
      continue;
    }
    if (!inZone(r.Name, zone.name)) {
      messages.push(`RRSet with DNS name ${r.Name} is not permitted in zone ${zone.name}`);
      continue;
    }
    const current = state.get(key);
    if (c.Action === 'DELETE') {
      if (!current) messages.push(`Tried to delete resource record set ${describe(r)} but it was not found`);
      else if (!sameValues(current, r)) messages.push(`Tried to delete resource record set ${describe(r)} but the values provided do not match the current values`);
      else state.delete(key);
      continue;
    }
    if (c.Action === 'CREATE' && current) {
      messages.push(`Tried to create resource record set ${describe(r)} but it already exists`);
      continue;
    }
    const others = [...(byName.get(r.Name) ?? [])].filter((k) => k !== key).flatMap((k) => state.get(k) ?? []);
    if (r.Type === 'CNAME' && r.Name === zone.name) {
      messages.push(`RRSet of type CNAME with DNS name ${r.Name} is not permitted at apex in zone ${zone.name}`);
      continue;
    }
    if (r.Type === 'CNAME' && others.some((o) => o.Type !== 'CNAME')) {
      messages.push(`RRSet of type CNAME with DNS name ${r.Name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`);
      continue;
    }
    if (r.Type !== 'CNAME' && others.some((o) => o.Type === 'CNAME')) {
      messages.push(`RRSet of type ${r.Type} with DNS name ${r.Name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}`);
      continue;
    }
    const sameType = others.filter((o) => o.Type === r.Type);
    if (r.SetIdentifier !== undefined && sameType.some((o) => o.SetIdentifier === undefined)) {
      messages.push(`RRSet with DNS name ${r.Name}, type ${r.Type}, SetIdentifier ${r.SetIdentifier} cannot be created as a non-weighted set exists with the same name and type.`);
      continue;
    }
    if (r.SetIdentifier === undefined && sameType.some((o) => o.SetIdentifier !== undefined)) {
      messages.push(`RRSet with DNS name ${r.Name}, type ${r.Type} cannot be created as other RRSets exist with the same name and type.`);
      continue;
    }
    state.set(key, r);
    index(r);
  }
  if (messages.length) throw new Route53Refusal('InvalidChangeBatch', messages);
  return sortedZone([...state.values()]).sets;
}

/**
 * The moto request that turns `before` into `after`, given moto's quirks:
 * a DELETE with a SetIdentifier removes every set with that identifier in the
 * zone, one without removes every set of that name and type (moto compares
 * names as they were written); UPSERT matches name, type and SetIdentifier.
 * Deletes first, then upserts of every set that must exist and does not (the
 * collateral victims included). A set moto holds under a name that is not
 * the canonical one is deleted there and written again under the canonical name.
 * @param {RecordSet[]} before @param {RecordSet[]} after @returns {Change[]}
 */
export function motoChanges(before, after) {
  const want = new Map(after.map((r) => [keyOf(r), r]));
  const values = (/** @type {RecordSet} */ r) => r.ResourceRecords?.length ?? 1;
  const had = new Map(before.map((r) => [keyOf(r), r]));
  // Sets of over 500 values cannot be UPSERTed within moto's limit: DELETE, then CREATE.
  const big = new Set(after.filter((r) => values(r) > 500 && had.has(keyOf(r)) && !sameValues(/** @type {RecordSet} */ (had.get(keyOf(r))), r)).map(keyOf));
  const deletes = before.filter((r) => !want.has(keyOf(r)) || big.has(keyOf(r)) || motoName(r) !== r.Name);
  const deletedIds = new Set(deletes.flatMap((d) => (d.SetIdentifier !== undefined ? [d.SetIdentifier] : [])));
  const deletedNames = new Set(deletes.flatMap((d) => (d.SetIdentifier === undefined ? [`${motoName(d)}|${d.Type}`] : [])));
  const left = before.filter((r) => !(r.SetIdentifier !== undefined && deletedIds.has(r.SetIdentifier)) && !deletedNames.has(`${motoName(r)}|${r.Type}`));
  const held = new Map(left.map((r) => [keyOf(r), r]));
  const writes = after.filter((r) => {
    const h = held.get(keyOf(r));
    return !h || !sameValues(h, r) || motoName(h) !== h.Name;
  });
  return [
    ...deletes.map((r) => ({ Action: 'DELETE', ResourceRecordSet: { ...r, Name: motoName(r) } })),
    ...writes.map((r) => ({ Action: values(r) > 500 ? 'CREATE' : 'UPSERT', ResourceRecordSet: r })),
  ];
}
