// @ts-check
/**
 * A Route53 in front of moto_server (AWS_ENDPOINT_URL_ROUTE_53): it refuses
 * what Route53 refuses, applies change batches whole or not at all, reports
 * PENDING before INSYNC, pages record sets as Route53 does, and can answer
 * some requests with an injected error (what no real service does on demand).
 *
 *   const r53 = await startRoute53Proxy(moto.endpoint);          // { pendingPolls: 1 }
 *   r53.fail({ method: 'POST', path: /\/rrset\/?$/, code: 'InvalidChangeBatch', times: 1 });
 *   r53.fail({ method: 'POST', path: /\/rrset\/?$/, accessKeyId: 'AKID...', status: 403, code: 'AccessDenied' });
 *
 * What it adds to moto 5 (see /work/shared/reference "What moto 5 does not
 * emulate"); each refusal is Route53's HTTP 400 ErrorResponse with its code and
 * message (several messages in one batch: `[m1, m2]`, as Route53 joins them):
 * - InvalidChangeBatch, checked change by change against the zone as the
 *   previous changes of the same batch leave it:
 *   - CREATE of a record set that exists: "Tried to create resource record set
 *     [name='N', type='T'] but it already exists" (`, set-identifier='S'` for weighted sets);
 *   - DELETE of a missing set: "... but it was not found"; DELETE whose TTL,
 *     values, weight or alias differ: "... but the values provided do not match the current values";
 *   - a CNAME at the apex: "RRSet of type CNAME with DNS name N is not permitted at apex in zone Z";
 *   - a CNAME beside another type: "RRSet of type CNAME with DNS name N is not permitted as it
 *     conflicts with other records with the same DNS name in zone Z" (and the converse
 *     "RRSet of type T with DNS name N is not permitted because a conflicting RRSet of type
 *     CNAME with the same DNS name already exists in zone Z");
 *   - simple and weighted sets at one name and type: "RRSet with DNS name N, type T,
 *     SetIdentifier S cannot be created as a non-weighted set exists with the same name and
 *     type." / "RRSet with DNS name N, type T cannot be created as other RRSets exist with the
 *     same name and type.";
 *   - a name outside the zone: "RRSet with DNS name N is not permitted in zone Z";
 *   - one record set changed twice in a batch (other than DELETE then CREATE): "The request
 *     contains an invalid set of changes for a resource record set 'T N'";
 *   - more than 1000 ResourceRecord elements (UPSERT counts twice): "Number of records limit of 1000 exceeded."
 * - InvalidInput: an unknown action or type, a weight outside 0..255 (Route53's
 *   "1 validation error detected: Value 'W' at 'changeBatch.changes.I.member.resourceRecordSet.weight'
 *   failed to satisfy constraint: ..."), a set without AliasTarget nor TTL + ResourceRecords.
 * - Atomic batches: the whole batch is validated first, then written to moto in
 *   one request; if moto fails, the zone is restored to what it was. Batches and
 *   listings of the proxy never overlap a batch, so no reader sees half a batch.
 * - Weighted DELETE: moto deletes every record carrying the SetIdentifier in the
 *   zone; the proxy re-creates the ones that must stay, in the same moto request.
 * - ChangeInfo: PENDING in the ChangeResourceRecordSets answer and for the first
 *   `pendingPolls` GetChange calls (and `pendingMs`), then INSYNC; an unknown id is NoSuchChange.
 * - ListResourceRecordSets paged by the proxy: sorted by name with labels
 *   reversed, type, SetIdentifier; MaxItems (at most 300), StartRecordName/Type/
 *   Identifier, IsTruncated, NextRecordName/Type/Identifier.
 * Not emulated: health checks, traffic policies, geo/latency/failover validation,
 * the 32,000-character limit, TXT syntax, throttling, private zones' VPC scope.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const TYPES = new Set(['SOA', 'A', 'TXT', 'NS', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SRV', 'SPF', 'AAAA', 'CAA', 'DS', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS']);

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
const child = (n, name) => n?.children.find((c) => c.name === name);
/** @param {XmlNode | undefined} n @param {string} name */
const children = (n, name) => (n ? n.children.filter((c) => c.name === name) : []);
/** @param {XmlNode | undefined} n @param {string} name */
const textOf = (n, name) => {
  const c = child(n, name);
  return c ? c.text.trim() : undefined;
};

/** @param {XmlNode} node @returns {RecordSet} */
function recordSetFromXml(node) {
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
function recordSetXml(r) {
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

/** @param {string} name */
export const normalName = (name) => {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
};
/** @param {RecordSet} r */
const keyOf = (r) => `${normalName(r.Name)}|${r.Type}|${r.SetIdentifier ?? ''}`;
/** "com.example.www." ordering key of a name. @param {string} name */
const reversed = (name) => normalName(name).slice(0, -1).split('.').reverse().join('.');
/** @param {RecordSet} a @param {RecordSet} b */
export const compareRecordSets = (a, b) => {
  const na = reversed(a.Name);
  const nb = reversed(b.Name);
  if (na !== nb) return na < nb ? -1 : 1;
  if (a.Type !== b.Type) return a.Type < b.Type ? -1 : 1;
  const sa = a.SetIdentifier ?? '';
  const sb = b.SetIdentifier ?? '';
  return sa === sb ? 0 : sa < sb ? -1 : 1;
};
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
/** A record set as moto should hold it (names with a final dot). @param {RecordSet} r @returns {RecordSet} */
function canonical(r) {
  /** @type {RecordSet} */
  const out = { Name: normalName(r.Name), Type: r.Type };
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
    if (r.Name !== zone.name && !r.Name.endsWith(`.${zone.name}`)) {
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
    const others = [...state.values()].filter((o) => o.Name === r.Name && keyOf(o) !== key);
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
  }
  if (messages.length) throw new Route53Refusal('InvalidChangeBatch', messages);
  return [...state.values()].sort(compareRecordSets);
}

/**
 * The moto request that turns `before` into `after`, given moto's quirks:
 * a DELETE with a SetIdentifier removes every set with that identifier in the
 * zone, one without removes every set of that name and type; UPSERT matches
 * name, type and SetIdentifier. Deletes first, then upserts of every set that
 * must exist and does not (the collateral victims included).
 * @param {RecordSet[]} before @param {RecordSet[]} after @returns {Change[]}
 */
export function motoChanges(before, after) {
  const want = new Map(after.map((r) => [keyOf(r), r]));
  const values = (/** @type {RecordSet} */ r) => r.ResourceRecords?.length ?? 1;
  const had = new Map(before.map((r) => [keyOf(r), r]));
  // Sets of over 500 values cannot be UPSERTed within moto's limit: DELETE, then CREATE.
  const big = after.filter((r) => values(r) > 500 && had.has(keyOf(r)) && !sameValues(/** @type {RecordSet} */ (had.get(keyOf(r))), r));
  const deletes = before.filter((r) => !want.has(keyOf(r)) || big.some((b) => keyOf(b) === keyOf(r)));
  const left = before.filter(
    (r) => !deletes.some((d) => (d.SetIdentifier !== undefined ? r.SetIdentifier === d.SetIdentifier : normalName(r.Name) === normalName(d.Name) && r.Type === d.Type)),
  );
  const held = new Map(left.map((r) => [keyOf(r), r]));
  const writes = after.filter((r) => {
    const h = held.get(keyOf(r));
    return !h || !sameValues(h, r);
  });
  return [
    ...deletes.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })),
    ...writes.map((r) => ({ Action: values(r) > 500 ? 'CREATE' : 'UPSERT', ResourceRecordSet: r })),
  ];
}

/**
 * @param {string} target moto's endpoint, http://127.0.0.1:PORT
 * @param {{ pendingPolls?: number, pendingMs?: number }} [options]
 *   pendingPolls: GetChange calls answered PENDING before INSYNC (default 1);
 *   pendingMs: and at least this long after the change (default 0).
 */
export async function startRoute53Proxy(target, options = {}) {
  const upstream = new URL(target);
  const moto = new Route53Client({ region: 'us-east-1', endpoint: target, credentials: { accessKeyId: 'proxy', secretAccessKey: 'proxy' }, maxAttempts: 1 });
  let pendingPolls = options.pendingPolls ?? 1;
  let pendingMs = options.pendingMs ?? 0;
  /** @type {Fault[]} */
  let faults = [];
  /** @type {{ method: string, path: string, faulted: boolean, accessKeyId?: string }[]} */
  const calls = [];
  /** Change batches applied, in order. @type {ChangeRecord[]} */
  const history = [];
  /** @type {Map<string, ChangeRecord>} */
  const changeIds = new Map();
  /** @type {Map<string, string>} zone id -> zone name */
  const zoneNames = new Map();
  // A readers-writer lock: a batch runs alone; listings run side by side, never during a batch.
  let writing = Promise.resolve();
  /** @type {Set<Promise<unknown>>} */
  const reading = new Set();
  /** Runs a batch alone. @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
  const serial = (fn) => {
    const readers = [...reading];
    const run = writing.then(async () => {
      await Promise.allSettled(readers);
      return fn();
    });
    writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  /** Runs a listing once no batch is in flight. @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
  const shared = (fn) => {
    const run = writing.then(fn);
    reading.add(run);
    const done = () => reading.delete(run);
    run.then(done, done);
    return run;
  };

  /** @param {string} zoneId */
  const zoneName = async (zoneId) => {
    const known = zoneNames.get(zoneId);
    if (known) return known;
    const { HostedZone } = await moto.send(new GetHostedZoneCommand({ Id: zoneId }));
    const name = normalName(HostedZone?.Name ?? '');
    zoneNames.set(zoneId, name);
    return name;
  };
  /** Every record set of a zone, as moto holds it. @param {string} zoneId @returns {Promise<RecordSet[]>} */
  const motoRecords = async (zoneId) => {
    const { ResourceRecordSets } = await moto.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 100000 }));
    return (ResourceRecordSets ?? []).map((r) => canonical(/** @type {RecordSet} */ (r))).sort(compareRecordSets);
  };
  /**
   * Writes to moto in requests under moto's own 1000-value limit (its UPSERTs
   * count twice, and the proxy turns CREATEs into UPSERTs): the proxy's lock
   * keeps its own readers from seeing the steps.
   * @param {string} zoneId @param {Change[]} changes
   */
  const motoWrite = async (zoneId, changes) => {
    /** @type {Change[][]} */
    const chunks = [];
    let size = Infinity;
    for (const c of changes) {
      const n = (c.ResourceRecordSet.ResourceRecords?.length || 1) * (c.Action === 'UPSERT' ? 2 : 1);
      if (size + n > 1000) {
        chunks.push([]);
        size = 0;
      }
      /** @type {Change[]} */ (chunks[chunks.length - 1]).push(c);
      size += n;
    }
    for (const chunk of chunks) await moto.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: /** @type {any} */ (chunk) } }));
  };

  /** @param {string} zoneId @param {Change[]} changes @param {string | undefined} comment */
  const change = (zoneId, changes, comment) =>
    serial(async () => {
      const name = await zoneName(zoneId);
      const before = await motoRecords(zoneId);
      const after = applyBatch({ name, records: before }, changes);
      try {
        await motoWrite(zoneId, motoChanges(before, after));
      } catch (error) {
        // Restore: whatever moto applied before failing is undone.
        await motoWrite(zoneId, motoChanges(await motoRecords(zoneId), before));
        throw error;
      }
      const id = `C${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`;
      const record = { id, zoneId, changes, submittedAt: new Date(), polls: 0, ...(comment ? { comment } : {}) };
      history.push(record);
      changeIds.set(id, record);
      return record;
    });

  /** @param {ChangeRecord} c */
  const status = (c) => (c.polls > pendingPolls && Date.now() - c.submittedAt.getTime() >= pendingMs ? 'INSYNC' : 'PENDING');
  /** @param {ChangeRecord} c @param {string} status */
  const changeInfo = (c, status) => `<ChangeInfo><Id>/change/${c.id}</Id><Status>${status}</Status><SubmittedAt>${c.submittedAt.toISOString()}</SubmittedAt></ChangeInfo>`;

  /** @param {import('node:http').ServerResponse} res @param {number} code @param {string} body */
  const sendXml = (res, code, body) => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
    res.writeHead(code, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml), 'x-amzn-requestid': randomBytes(8).toString('hex') });
    res.end(xml);
  };
  /** @param {import('node:http').ServerResponse} res @param {number} code @param {string} errorCode @param {string} message */
  const sendError = (res, code, errorCode, message) =>
    sendXml(res, code, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${errorCode}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>proxy-1</RequestId></ErrorResponse>`);
  /** @param {import('node:http').ServerResponse} res @param {unknown} error */
  const sendFailure = (res, error) => {
    if (error instanceof Route53Refusal) return sendError(res, error.status, error.code, error.message);
    const e = /** @type {any} */ (error);
    return sendError(res, e?.$metadata?.httpStatusCode ?? 500, e?.name ?? 'InternalFailure', e?.message ?? String(error));
  };

  /** @param {import('node:http').IncomingMessage} req @returns {Promise<string>} */
  const body = (req) =>
    new Promise((resolve, reject) => {
      /** @type {Buffer[]} */
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  /** @param {string} zoneId @param {URLSearchParams} q @param {import('node:http').ServerResponse} res */
  const list = async (zoneId, q, res) => {
    const startName = q.get('name') ?? undefined;
    const startType = q.get('type') ?? undefined;
    const startId = q.get('identifier') ?? undefined;
    if ((startType && !startName) || (startId && !startType)) throw new Route53Refusal('InvalidInput', ['The input is not valid']);
    const maxItems = Math.min(Math.max(Number(q.get('maxitems') ?? 300) || 300, 1), 300);
    const all = await shared(() => motoRecords(zoneId));
    const from = startName ? { Name: startName, Type: startType ?? '', ...(startId !== undefined ? { SetIdentifier: startId } : {}) } : undefined;
    const rest = from ? all.filter((r) => compareRecordSets(r, from) >= 0) : all;
    const page = rest.slice(0, maxItems);
    const next = rest[maxItems];
    const nextXml = next
      ? `<NextRecordName>${xmlEscape(next.Name)}</NextRecordName><NextRecordType>${next.Type}</NextRecordType>${next.SetIdentifier !== undefined ? `<NextRecordIdentifier>${xmlEscape(next.SetIdentifier)}</NextRecordIdentifier>` : ''}`
      : '';
    sendXml(
      res,
      200,
      `<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${page.map(recordSetXml).join('')}</ResourceRecordSets><IsTruncated>${Boolean(next)}</IsTruncated>${nextXml}<MaxItems>${maxItems}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  };

  const server = http.createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const fault = faults.find(
      (f) => (f.method === undefined || f.method === method) && f.path.test(path) && (f.accessKeyId === undefined || f.accessKeyId === accessKeyId) && (f.times === undefined || f.times > 0),
    );
    calls.push({ method, path, faulted: Boolean(fault), ...(accessKeyId ? { accessKeyId } : {}) });
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1;
      req.resume();
      sendError(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
      return;
    }
    const url = new URL(path, 'http://proxy');
    const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(url.pathname);
    const changeGet = /^\/2013-04-01\/change\/([^/]+)$/.exec(url.pathname);
    try {
      if (rrset && method === 'POST') {
        const doc = parseXml(await body(req));
        const batch = child(child(doc, 'ChangeResourceRecordSetsRequest'), 'ChangeBatch');
        const changes = children(child(batch, 'Changes'), 'Change').map((c) => {
          const set = child(c, 'ResourceRecordSet');
          return { Action: textOf(c, 'Action') ?? '', ResourceRecordSet: set ? recordSetFromXml(set) : { Name: '', Type: '' } };
        });
        const done = await change(decodeURIComponent(/** @type {string} */ (rrset[1])), changes, textOf(batch, 'Comment'));
        sendXml(res, 200, `<ChangeResourceRecordSetsResponse xmlns="${NS}">${changeInfo(done, 'PENDING')}</ChangeResourceRecordSetsResponse>`);
        return;
      }
      if (rrset && method === 'GET') {
        await list(decodeURIComponent(/** @type {string} */ (rrset[1])), url.searchParams, res);
        return;
      }
      if (changeGet && method === 'GET') {
        const c = changeIds.get(decodeURIComponent(/** @type {string} */ (changeGet[1])).replace(/^\/?change\//, ''));
        if (!c) return sendError(res, 404, 'NoSuchChange', 'A change with the specified change ID does not exist.');
        c.polls += 1;
        sendXml(res, 200, `<GetChangeResponse xmlns="${NS}">${changeInfo(c, status(c))}</GetChangeResponse>`);
        return;
      }
    } catch (error) {
      if (!res.headersSent) sendFailure(res, error);
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method, path, headers: { ...req.headers, host: upstream.host } }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    /** Change batches applied through the proxy, in order: { id, zoneId, changes, submittedAt }. */
    history,
    /** @param {Fault} fault */
    fail(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults = [];
    },
    /** How long changes stay PENDING. @param {{ polls?: number, ms?: number }} p */
    setPending(p) {
      if (p.polls !== undefined) pendingPolls = p.polls;
      if (p.ms !== undefined) pendingMs = p.ms;
    },
    /** Every record set of a zone, sorted as Route53 lists them (after any batch in flight). @param {string} zoneId */
    records: (zoneId) => shared(() => motoRecords(zoneId)),
    close: () =>
      new Promise((resolve) => {
        moto.destroy();
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
