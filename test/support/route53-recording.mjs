#!/usr/bin/env node
// @ts-check
/**
 * A recording of Route53 for the bench: the article's platform
 * (examples/platform.yaml: zones Z0DEVINFRALOCAL01 devinfra.local, private,
 * associated with both clusters' VPCs; Z0DEVINFRAFR02 devinfra.fr;
 * Z0DEVINFRAINFO03 devinfra.info) with N production names hello-0001...
 * served by both colours, each record set as the stand-in ExternalDNS v0.22
 * (external-dns.mjs) writes it, served on loopback with no delay:
 *
 *   per name and colour   hello-0001.eks-blue.devinfra.local   A + AAAA alias to blue's ALB
 *                         a-hello-0001.eks-blue.devinfra.local, aaaa-...   TXT registry, owner ingress-eks-blue.devinfra.local
 *   per name (live)       hello-0001.devinfra.local            A + AAAA alias to the live colour's ALB
 *                         a-hello-0001.devinfra.local, aaaa-...            TXT registry, owner live-eks-blue.devinfra.local
 *   once                  NS + SOA at each apex, api.devinfra.local CNAME (the live endpoint),
 *                         api.eks-<colour>.devinfra.local CNAMEs, eks.devinfra.info TXT "eks-blue"
 *
 * 12 record sets a name (N = 4000: 48,000 sets, 161 pages of 300). It answers
 * ListResourceRecordSets (paged by 300 as Route53 does, names escaped and
 * ordered as route53-names.mjs says), GetHostedZone, ListHostedZones,
 * GetChange (INSYNC at once) and ChangeResourceRecordSets (checked and applied
 * as the validating proxy does, or refused with AccessDenied: `changes:
 * 'refuse'`), and counts requests per API action. Nothing else (NoSuchAction).
 *
 *   const r = await startRoute53Recording({ names: 4000 });    // r.endpoint, r.requests(), r.close()
 *   node test/support/route53-recording.mjs --names 4000 [--live green] [--changes refuse] [--public]
 *     prints one JSON line { endpoint, zones, recordSets }, serves until its standard input
 *     closes (or SIGTERM); GET /__recording/requests answers the counts, DELETE resets them.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseChangeBatch, readBody, requestCounter, sendError, sendXml } from './route53-http.mjs';
import { encodeName } from './route53-names.mjs';
import { actionOf, applyBatch, canonical, changeInfoXml, listPage, listXml, NS, Route53Refusal, sortedZone, xmlEscape } from './route53-rules.mjs';

/** @typedef {import('./route53-rules.mjs').RecordSet} RecordSet */
/** @typedef {'blue' | 'green'} Colour */

export const ZONES = { private: 'Z0DEVINFRALOCAL01', public: 'Z0DEVINFRAFR02', txt: 'Z0DEVINFRAINFO03' };
export const VPCS = ['vpc-0a1b2c3d4e5f60718', 'vpc-0f1e2d3c4b5a69788'];
/** The clusters' endpoint hosts of examples/platform.yaml, as a CNAME names them. */
export const ENDPOINTS = { blue: 'a1b2c3d4e5f60718293a4b5c6d7e8f90.gr7.eu-west-3.eks.amazonaws.com', green: '0f9e8d7c6b5a49382716f5e4d3c2b1a0.yl4.eu-west-3.eks.amazonaws.com' };
export const LOAD_BALANCERS = { blue: 'k8s-blue-web-1234567890.eu-west-3.elb.amazonaws.com', green: 'k8s-green-web-0987654321.eu-west-3.elb.amazonaws.com' };
/** The canonical hosted zone of eu-west-3's ALBs (what ExternalDNS writes in an alias). */
const ALB_ZONE = 'Z3Q77PNBQS71R4';

/** @param {string} owner @param {string} label */
const registry = (owner, label) => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=service/default/${label}"`;

/**
 * The record sets one ExternalDNS instance writes for one Service: alias A and AAAA to its load balancer, and their registry entries.
 * @param {string} label @param {string} domain @param {string} owner @param {string} loadBalancer @returns {RecordSet[]}
 */
export function externalDnsSets(label, domain, owner, loadBalancer) {
  // Built as Route53 lists them (canonical() of each set is the slow part of a 48,000-set start).
  const name = encodeName(`${label}.${domain}`);
  const alias = { HostedZoneId: ALB_ZONE, DNSName: encodeName(loadBalancer), EvaluateTargetHealth: true };
  const value = registry(owner, label);
  return [
    { Name: name, Type: 'A', AliasTarget: alias },
    { Name: name, Type: 'AAAA', AliasTarget: { ...alias } },
    { Name: `a-${name}`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: value }] },
    { Name: `aaaa-${name}`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: value }] },
  ];
}

/**
 * The record sets of one shared domain for these labels: each colour's cluster-scoped names and the live colour's production names.
 * @param {{ labels: string[], domain: string, live: Colour, loadBalancers: Record<Colour, string> }} o
 */
export function productionSets({ labels, domain, live, loadBalancers }) {
  return labels.flatMap((label) => [
    ...externalDnsSets(label, `eks-blue.${domain}`, `ingress-eks-blue.${domain}`, loadBalancers.blue),
    ...externalDnsSets(label, `eks-green.${domain}`, `ingress-eks-green.${domain}`, loadBalancers.green),
    ...externalDnsSets(label, domain, `live-eks-${live}.${domain}`, loadBalancers[live]),
  ]);
}

/** NS and SOA at a zone's apex, as Route53 creates them. @param {string} domain @returns {RecordSet[]} */
const apexSets = (domain) => [
  canonical({ Name: domain, Type: 'NS', TTL: 172800, ResourceRecords: ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.co.uk.', 'ns-3.awsdns-03.com.', 'ns-4.awsdns-04.net.'].map((Value) => ({ Value })) }),
  canonical({ Name: domain, Type: 'SOA', TTL: 900, ResourceRecords: [{ Value: 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' }] }),
];
/** @param {string} name @param {string} value @returns {RecordSet} */
const cname = (name, value) => canonical({ Name: name, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: value }] });

/**
 * The recorded zones: `names` labels hello-0001... (or `labels`), in the private zone (and the public one with `public`).
 * @param {{ names?: number, labels?: string[], live?: Colour, public?: boolean, loadBalancers?: Record<Colour, string> }} [o]
 */
export function recordedZones(o = {}) {
  const names = o.names ?? 4000;
  const width = Math.max(4, String(names).length);
  const labels = o.labels ?? Array.from({ length: names }, (_, i) => `hello-${String(i + 1).padStart(width, '0')}`);
  const live = o.live ?? 'blue';
  const loadBalancers = o.loadBalancers ?? LOAD_BALANCERS;
  const shared = (/** @type {string} */ domain) => productionSets({ labels, domain, live, loadBalancers });
  return {
    [ZONES.private]: {
      name: 'devinfra.local.',
      private: true,
      sets: [
        ...apexSets('devinfra.local'),
        cname('api.devinfra.local', ENDPOINTS[live]),
        cname('api.eks-blue.devinfra.local', ENDPOINTS.blue),
        cname('api.eks-green.devinfra.local', ENDPOINTS.green),
        ...shared('devinfra.local'),
      ],
    },
    [ZONES.public]: { name: 'devinfra.fr.', private: false, sets: [...apexSets('devinfra.fr'), ...(o.public ? shared('devinfra.fr') : [])] },
    [ZONES.txt]: {
      name: 'devinfra.info.',
      private: false,
      sets: [...apexSets('devinfra.info'), canonical({ Name: 'eks.devinfra.info', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: `"eks-${live}"` }] })],
    },
  };
}

/** @param {string} id @param {{ name: string, private: boolean, sets: unknown[] }} z */
const hostedZoneXml = (id, z) =>
  `<HostedZone><Id>/hostedzone/${id}</Id><Name>${xmlEscape(z.name)}</Name><CallerReference>recording-${id}</CallerReference><Config><PrivateZone>${z.private}</PrivateZone></Config><ResourceRecordSetCount>${z.sets.length}</ResourceRecordSetCount></HostedZone>`;

/**
 * Starts the recording on a loopback port.
 * @param {{ names?: number, labels?: string[], live?: Colour, public?: boolean, changes?: 'accept' | 'refuse', port?: number }} [o]
 */
export async function startRoute53Recording(o = {}) {
  const zones = new Map(Object.entries(recordedZones(o)).map(([id, z]) => [id, { ...z, sorted: sortedZone(z.sets) }]));
  const counter = requestCounter();
  /** @type {Map<string, { id: string, submittedAt: Date }>} */
  const changes = new Map();
  /** Batches accepted, in order. @type {{ id: string, zoneId: string, changes: import('./route53-rules.mjs').Change[] }[]} */
  const history = [];
  /** Pages already made, by zone and start position; cleared by every accepted batch. @type {Map<string, string>} */
  const pages = new Map();

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {string} action */
  const answer = async (req, res, action) => {
    const url = new URL(req.url ?? '/', 'http://recording');
    const id = decodeURIComponent(url.pathname.split('/')[3] ?? '');
    const zone = zones.get(id);
    if (['ListResourceRecordSets', 'GetHostedZone', 'ChangeResourceRecordSets'].includes(action) && !zone) return sendError(res, 404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
    if (action === 'ListResourceRecordSets' && zone) {
      // A recording answers at once: each page is made once per start position, until a change lands.
      const key = `${id}?${url.searchParams}`;
      let xml = pages.get(key);
      if (xml === undefined) pages.set(key, (xml = listXml(listPage(zone.sorted, url.searchParams))));
      return sendXml(res, 200, xml);
    }
    if (action === 'GetHostedZone' && zone) {
      const vpcs = VPCS.map((v) => `<VPC><VPCRegion>eu-west-3</VPCRegion><VPCId>${v}</VPCId></VPC>`).join('');
      const extra = zone.private ? `<VPCs>${vpcs}</VPCs>` : '<DelegationSet><NameServers><NameServer>ns-1.awsdns-01.org</NameServer></NameServers></DelegationSet>';
      return sendXml(res, 200, `<GetHostedZoneResponse xmlns="${NS}">${hostedZoneXml(id, zone)}${extra}</GetHostedZoneResponse>`);
    }
    if (action === 'ListHostedZones') {
      const all = [...zones].map(([zid, z]) => hostedZoneXml(zid, z)).join('');
      return sendXml(res, 200, `<ListHostedZonesResponse xmlns="${NS}"><HostedZones>${all}</HostedZones><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>`);
    }
    if (action === 'GetChange') {
      const c = changes.get(id);
      if (!c) return sendError(res, 404, 'NoSuchChange', 'A change with the specified change ID does not exist.');
      return sendXml(res, 200, `<GetChangeResponse xmlns="${NS}">${changeInfoXml(c, 'INSYNC')}</GetChangeResponse>`);
    }
    if (action === 'ChangeResourceRecordSets' && zone) {
      const batch = parseChangeBatch(await readBody(req));
      if (o.changes === 'refuse') throw new Route53Refusal('AccessDenied', ['User is not authorized to perform: route53:ChangeResourceRecordSets (the recording refuses changes)'], 403);
      zone.sorted = sortedZone(applyBatch({ name: zone.name, records: zone.sorted.sets }, batch.changes));
      zone.sets = zone.sorted.sets;
      const c = { id: `C${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`, submittedAt: new Date() };
      changes.set(c.id, c);
      pages.clear();
      history.push({ id: c.id, zoneId: id, changes: batch.changes });
      return sendXml(res, 200, `<ChangeResourceRecordSetsResponse xmlns="${NS}">${changeInfoXml(c, 'PENDING')}</ChangeResourceRecordSetsResponse>`);
    }
    return sendError(res, 400, 'NoSuchAction', `the recording does not answer ${action}`);
  };

  const server = http.createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    if ((req.url ?? '').startsWith('/__recording/requests')) {
      if (method === 'DELETE') counter.reset();
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(counter.requests()));
    }
    const action = actionOf(method, req.url ?? '/');
    counter.count(action, /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1]);
    try {
      await answer(req, res, action);
    } catch (error) {
      const e = error instanceof Route53Refusal ? error : new Route53Refusal('InternalFailure', [String(error)], 500);
      if (!res.headersSent) sendError(res, e.status, e.code, e.message);
    }
  });
  await new Promise((resolve) => server.listen(o.port ?? 0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${port}`,
    zones: ZONES,
    /** Record sets served, all zones. */
    recordSets: () => [...zones.values()].reduce((n, z) => n + z.sets.length, 0),
    /** A zone's record sets as listed (escaped names, Route53's order). @param {string} zoneId */
    records: (zoneId) => [...(zones.get(zoneId)?.sorted.sets ?? [])],
    history,
    /** Requests per API action since the last reset (of one access key, or of all). */
    requests: counter.requests,
    resetRequests: counter.reset,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/** `--names N --live C --changes accept|refuse --public --port P` @param {string[]} argv */
function parseCli(argv) {
  /** @type {Parameters<typeof startRoute53Recording>[0] & {}} */
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--public') o.public = true;
    else if (flag === '--names' && value && /^\d+$/.test(value)) (o.names = Number(value)), i++;
    else if (flag === '--port' && value && /^\d+$/.test(value)) (o.port = Number(value)), i++;
    else if (flag === '--live' && (value === 'blue' || value === 'green')) (o.live = value), i++;
    else if (flag === '--changes' && (value === 'accept' || value === 'refuse')) (o.changes = value), i++;
    else throw new Error(`route53-recording: unexpected argument ${JSON.stringify(flag)} (--names N --live blue|green --changes accept|refuse --public --port P)`);
  }
  return o;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const recording = await startRoute53Recording(parseCli(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify({ endpoint: recording.endpoint, zones: recording.zones, recordSets: recording.recordSets() })}\n`);
  const stop = () => recording.close().then(() => process.exit(0));
  process.stdin.on('end', stop).resume();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
