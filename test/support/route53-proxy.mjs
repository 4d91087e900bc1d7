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
 *   r53.requests({ accessKeyId: 'AKIDEXAMPLE' })   // { ListResourceRecordSets: 3, GetHostedZone: 2, ... }
 *   r53.resetRequests();
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
 * - Atomic batches: the whole batch is validated first, then written to moto (in
 *   requests under moto's own limit); if moto fails, the zone is restored to what
 *   it was (`failMotoWrite(n)` makes moto's n-th next write fail, to show it).
 *   Batches and listings of the proxy never overlap a batch, so no reader sees
 *   half a batch.
 * - Weighted DELETE: moto deletes every record carrying the SetIdentifier in the
 *   zone; the proxy re-creates the ones that must stay, in the same moto request.
 * - ChangeInfo: PENDING in the ChangeResourceRecordSets answer and for the first
 *   `pendingPolls` GetChange calls (and `pendingMs`), then INSYNC; an unknown id is NoSuchChange.
 * - ListResourceRecordSets paged by the proxy: sorted by name with labels
 *   reversed (final dot kept, escaped form), type, SetIdentifier; MaxItems (at
 *   most 300), StartRecordName/Type/Identifier, IsTruncated, NextRecordName/
 *   Type/Identifier. A listing's first page (or a lookup at a name) reads the
 *   zone from moto once; the pages continuing it (their start is a NextRecord*
 *   the proxy answered) are cut from that snapshot (a binary search), until a
 *   batch through the proxy changes the zone: paging a zone costs one moto
 *   listing, not one per page. A set written to moto directly shows from the
 *   next listing or lookup (not in the later pages of one under way).
 * - Names as Route53 holds them (route53-names.mjs, after Amazon Route 53
 *   Developer Guide, "DNS domain name format",
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html):
 *   lower case; every byte outside a-z 0-9 - _ listed as `\ooo`, the octal of
 *   each UTF-8 byte (`*.devinfra.local` -> `\052.devinfra.local.`, `café` ->
 *   `caf\303\251`), the final dot always there; requests may name a set
 *   escaped or not, with or without the final dot, in any case: one name.
 *   Written to moto in that form (moto itself refuses bytes above 127 and
 *   compares names as written); error messages name sets that way too.
 * - Requests counted per API action (ListResourceRecordSets, ChangeResourceRecordSets,
 *   GetChange, GetHostedZone, ListHostedZones...) and access key: `requests()`,
 *   `resetRequests()`; `motoListings` counts the proxy's own full listings of moto.
 * Not emulated: health checks, traffic policies, geo/latency/failover validation,
 * the 32,000-character limit, label and name lengths, TXT syntax, throttling,
 * private zones' VPC scope.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { ChangeResourceRecordSetsCommand, GetHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { parseChangeBatch, readBody, requestCounter, sendError, sendFailure, sendXml } from './route53-http.mjs';
import { actionOf, applyBatch, canonical, changeInfoXml, listPage, listXml, motoChanges, normalName, NS, orderKey, Route53Refusal, sortedZone } from './route53-rules.mjs';

export { applyBatch, compareRecordSets, motoChanges, normalName, parseXml, Route53Refusal, xmlEscape } from './route53-rules.mjs';

/**
 * @typedef {import('./route53-rules.mjs').Fault} Fault
 * @typedef {import('./route53-rules.mjs').RecordSet} RecordSet
 * @typedef {import('./route53-rules.mjs').Change} Change
 * @typedef {import('./route53-rules.mjs').ChangeRecord} ChangeRecord
 */

/** A readers-writer lock: a batch runs alone; listings run side by side, never during a batch. */
function readersWriterLock() {
  let writing = Promise.resolve();
  /** @type {Set<Promise<unknown>>} */
  const reading = new Set();
  return {
    /** Runs a batch alone. @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
    serial(fn) {
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
    },
    /** Runs a listing once no batch is in flight. @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
    shared(fn) {
      const run = writing.then(fn);
      reading.add(run);
      const done = () => reading.delete(run);
      run.then(done, done);
      return run;
    },
  };
}

/**
 * moto's side: zone names, whole zones read as Route53 holds them, and checked batches applied whole (in
 * requests under moto's own 1000-value limit: its UPSERTs count twice, and CREATEs become UPSERTs), undone
 * if moto fails in the middle.
 * @param {string} target
 */
function motoStore(target) {
  const moto = new Route53Client({ region: 'us-east-1', endpoint: target, credentials: { accessKeyId: 'proxy', secretAccessKey: 'proxy' }, maxAttempts: 1 });
  /** @type {Map<string, string>} zone id -> zone name */
  const zoneNames = new Map();
  const state = { listings: 0, writes: 0, failWrites: /** @type {number[]} */ ([]) };
  /** @param {string} zoneId */
  const zoneName = async (zoneId) => {
    const known = zoneNames.get(zoneId);
    if (known) return known;
    const { HostedZone } = await moto.send(new GetHostedZoneCommand({ Id: zoneId }));
    const name = normalName(HostedZone?.Name ?? '');
    zoneNames.set(zoneId, name);
    return name;
  };
  /** Every record set of a zone, as Route53 would hold what moto holds. @param {string} zoneId @returns {Promise<RecordSet[]>} */
  const records = async (zoneId) => {
    state.listings += 1;
    const { ResourceRecordSets } = await moto.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 100000 }));
    return sortedZone((ResourceRecordSets ?? []).map((r) => canonical(/** @type {RecordSet} */ (r), { fromMoto: true }))).sets;
  };
  /** @param {string} zoneId @param {Change[]} changes */
  const write = async (zoneId, changes) => {
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
    for (const chunk of chunks) {
      state.writes += 1;
      if (state.failWrites.includes(state.writes)) throw new Route53Refusal('InvalidChangeBatch', [`injected: moto refused write request ${state.writes}`]);
      await moto.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: /** @type {any} */ (chunk) } }));
    }
  };
  return {
    state,
    records,
    /** Checks a batch against the zone as moto holds it and applies it whole; a refusal changes nothing. @param {string} zoneId @param {Change[]} changes */
    async apply(zoneId, changes) {
      const before = await records(zoneId);
      const after = applyBatch({ name: await zoneName(zoneId), records: before }, changes);
      try {
        await write(zoneId, motoChanges(before, after));
      } catch (error) {
        const failures = state.failWrites;
        state.failWrites = [];
        await write(zoneId, motoChanges(await records(zoneId), before));
        state.failWrites = failures;
        throw error;
      }
    },
    destroy: () => moto.destroy(),
  };
}

/**
 * What the proxy answers itself: change batches (recorded, PENDING for `pendingPolls` GetChange calls and
 * `pendingMs`), GetChange, and ListResourceRecordSets pages (from a zone's snapshot when the request continues
 * a listing the proxy served from it, its start a `next` the proxy answered; else from a fresh listing of moto).
 * @param {ReturnType<typeof motoStore>} store @param {ReturnType<typeof readersWriterLock>} lock @param {{ pendingPolls?: number, pendingMs?: number }} options
 */
function route53Answers(store, lock, options) {
  const pending = { polls: options.pendingPolls ?? 1, ms: options.pendingMs ?? 0 };
  /** Change batches applied, in order. @type {ChangeRecord[]} */
  const history = [];
  /** @type {Map<string, ChangeRecord>} */
  const changeIds = new Map();
  /** @type {Map<string, { zone: ReturnType<typeof sortedZone>, continuations: Set<string> }>} */
  const snapshots = new Map();
  /** @param {ChangeRecord} c */
  const status = (c) => (c.polls > pending.polls && Date.now() - c.submittedAt.getTime() >= pending.ms ? 'INSYNC' : 'PENDING');
  /** @param {string} zoneId @param {URLSearchParams} q */
  const list = async (zoneId, q) => {
    const start = q.get('name') === null ? undefined : orderKey({ Name: q.get('name') ?? '', Type: q.get('type') ?? undefined, SetIdentifier: q.get('identifier') ?? undefined });
    let snapshot = snapshots.get(zoneId);
    if (!snapshot || start === undefined || !snapshot.continuations.has(start)) {
      snapshot = { zone: sortedZone(await lock.shared(() => store.records(zoneId))), continuations: new Set() };
      snapshots.set(zoneId, snapshot);
    }
    const page = listPage(snapshot.zone, q);
    if (page.next) snapshot.continuations.add(orderKey(page.next));
    return listXml(page);
  };
  /** The answer's XML, or undefined: not the proxy's to answer (forwarded to moto). @param {string} action @param {import('node:http').IncomingMessage} req */
  const answer = async (action, req) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const id = decodeURIComponent(url.pathname.split('/')[3] ?? '');
    if (action === 'ListResourceRecordSets') return list(id, url.searchParams);
    if (action === 'ChangeResourceRecordSets') {
      const { changes, comment } = parseChangeBatch(await readBody(req));
      const record = await lock.serial(async () => {
        await store.apply(id, changes);
        snapshots.delete(id);
        return { id: `C${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`, zoneId: id, changes, submittedAt: new Date(), polls: 0, ...(comment ? { comment } : {}) };
      });
      history.push(record);
      changeIds.set(record.id, record);
      return `<ChangeResourceRecordSetsResponse xmlns="${NS}">${changeInfoXml(record, 'PENDING')}</ChangeResourceRecordSetsResponse>`;
    }
    if (action === 'GetChange') {
      const c = changeIds.get(id.replace(/^\/?change\//, ''));
      if (!c) throw new Route53Refusal('NoSuchChange', ['A change with the specified change ID does not exist.'], 404);
      c.polls += 1;
      return `<GetChangeResponse xmlns="${NS}">${changeInfoXml(c, status(c))}</GetChangeResponse>`;
    }
    return undefined;
  };
  return { answer, history, pending };
}

/**
 * @param {string} target moto's endpoint, http://127.0.0.1:PORT
 * @param {{ pendingPolls?: number, pendingMs?: number }} [options]
 *   pendingPolls: GetChange calls answered PENDING before INSYNC (default 1);
 *   pendingMs: and at least this long after the change (default 0).
 */
export async function startRoute53Proxy(target, options = {}) {
  const upstream = new URL(target);
  const store = motoStore(target);
  const lock = readersWriterLock();
  const route53 = route53Answers(store, lock, options);
  /** @type {Fault[]} */
  let faults = [];
  /** @type {{ method: string, path: string, action: string, faulted: boolean, accessKeyId?: string }[]} */
  const calls = [];
  const counter = requestCounter();
  const server = http.createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const action = actionOf(method, path);
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const fault = faults.find(
      (f) => (f.method === undefined || f.method === method) && f.path.test(path) && (f.accessKeyId === undefined || f.accessKeyId === accessKeyId) && (f.times === undefined || f.times > 0),
    );
    calls.push({ method, path, action, faulted: Boolean(fault), ...(accessKeyId ? { accessKeyId } : {}) });
    counter.count(action, accessKeyId);
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1;
      req.resume();
      return sendError(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
    }
    try {
      const xml = await route53.answer(action, req);
      if (xml !== undefined) return sendXml(res, 200, xml);
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
    /** Every request, in order: method, path, API action, access key, whether a fault answered it. */
    calls,
    /** Change batches applied through the proxy, in order: { id, zoneId, changes (as sent), submittedAt }. */
    history: route53.history,
    /** Requests per API action since the last reset, of one access key (or of all): { ListResourceRecordSets: 3, ... }. */
    requests: counter.requests,
    resetRequests: counter.reset,
    /** How many times the proxy listed a whole zone from moto (first pages and lookups, batches, `records`). */
    get motoListings() {
      return store.state.listings;
    },
    /** @param {Fault} fault */
    fail(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults = [];
      store.state.failWrites = [];
    },
    /** The proxy's `n`th next write request to moto fails (counted from now, 1-based), as moto failing mid-batch would. @param {number} n */
    failMotoWrite(n) {
      store.state.failWrites.push(store.state.writes + n);
    },
    /** How long changes stay PENDING. @param {{ polls?: number, ms?: number }} p */
    setPending(p) {
      if (p.polls !== undefined) route53.pending.polls = p.polls;
      if (p.ms !== undefined) route53.pending.ms = p.ms;
    },
    /** Every record set of a zone as Route53 lists it (escaped names), read from moto now (after any batch in flight). @param {string} zoneId */
    records: (zoneId) => lock.shared(() => store.records(zoneId)),
    close: () =>
      new Promise((resolve) => {
        store.destroy();
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
