/**
 * The loopback world of the cut-over tests (the plain switch, the weighted
 * shift, status, drain) on one production: moto as Route53 (behind the
 * validating proxy: Route53's refusals, atomic batches, PENDING, paging,
 * names escaped as Route53 lists them, requests counted) and STS, moto as
 * ELBv2 and CloudWatch; the switch world's zones, resolver, stand-in EKS API servers
 * (blue 127.0.0.1, green 127.0.0.2) with each colour's four ExternalDNS
 * Deployments as `bascule manifests` generates them, and the stand-in
 * ExternalDNS v0.22 reconciling each colour's Services into Route53.
 *
 * Each colour has a real moto ALB (k8s-blue-web, k8s-green-web: a target
 * group, a listener, a registered target), created before the clusters'
 * Services, whose `status.loadBalancer.ingress[].hostname` is that ALB's DNS
 * name: the stand-in ExternalDNS writes alias A and AAAA records to load
 * balancers ELBv2 DescribeLoadBalancers maps, and CloudWatch holds the
 * datapoints a test puts for them (`putTraffic`).
 *
 * After `reset()`: blue is live; the article's example (hello and world served
 * by both colours, blog by blue only), production written by blue's live
 * ExternalDNS (owner live-eks-blue.devinfra.local), each colour's own names by
 * its cluster-scoped one (ingress-eks-<colour>.devinfra.local, then scaled to 0:
 * `addService` runs them again). Helpers add what the design note's cases need:
 * a Service in one colour only, production names hand-made, foreign-owned or
 * stale, the apex, `*.devinfra.local`, `café.devinfra.local`.
 *
 * A name served through a Service goes through the stand-in ExternalDNS, which
 * (as ExternalDNS's AWS provider) unescapes only `\052` when it reads Route53:
 * a Service named café would be created once, then refused every loop. So
 * café is written as records (`addProduction`, `addColourName`), as an
 * ExternalDNS would have left it.
 *
 * Two moto servers: one for Route53 and STS (`moto`), one for ELBv2,
 * CloudWatch and EC2 (`elbMoto`): the stand-in API servers check each token
 * against moto's whole state, which EC2's default resources make slow.
 *
 * Composed of world.ts's parts; stop() stops them all, last first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeResourceRecordSetsCommand, Route53Client, type Change, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { deploymentStore } from './deployments.mjs';
import { startExternalDns } from './external-dns.mjs';
import { loadBalancerService, objectStore } from './kube-objects.mjs';
import { clearOfMinuteEdge, loadBalancersPart, type Alb } from './load-balancers.js';
import { colourView, COLOURS, productionView, type Colour, type Layout, type NameView } from './production-view.js';
import { encodeName } from './route53-names.mjs';
import { externalDnsSets } from './route53-recording.mjs';
import { createZone } from './route53-zone.js';
import { removeTempDir } from './temp.mjs';
import { cleanEnv, KEYS, runBuilt, type Result } from './run.js';
import {
  ADMIN_ROLE,
  API_NAME,
  CLUSTER_OWNER,
  CLUSTER_SCOPED,
  externalDnsDeployments,
  INTERVAL,
  LIVE,
  OWNER,
  platformText,
  resolverFrom,
  TXT_NAME,
  VPC,
  type Overrides,
} from './switch-platform.js';
import { casPart, clustersPart, composeWorld, dirPart, dnsPart, motoPart, type Parts, route53ProxyPart } from './world.js';

export { ADMIN_ROLE, API_NAME, clearOfMinuteEdge, CLUSTER_OWNER, CLUSTER_SCOPED, INTERVAL, LIVE, OWNER, TXT_NAME, VPC, type Alb, type Colour };
/** The names each colour serves after reset (its Services' PrivateDNSName). */
export const SERVED = { blue: ['hello', 'world', 'blog'], green: ['hello', 'world'] };
export const APEX = 'devinfra.local';
export const WILDCARD = '*.devinfra.local';
export const CAFE = 'café.devinfra.local';
/** The access key bascule runs with (world.env): `route53Requests()` counts its requests only. */
export const BASCULE_KEY = KEYS.accessKeyId;
/** The access key of the world's own writes through the proxy (helpers). */
export const WORLD_KEY = 'AKIDCUTOVERWORLD';
export const LAYOUT_DOMAINS = { shared: ['devinfra.local', 'devinfra.fr'], blue: ['eks-blue.devinfra.local', 'eks-blue.devinfra.fr'], green: ['eks-green.devinfra.local', 'eks-green.devinfra.fr'] };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type ZoneKey = 'private' | 'public' | 'txt';
type Stores = Record<Colour, ReturnType<typeof deploymentStore>>;
type Objects = Record<Colour, ReturnType<typeof objectStore>>;

/** moto, the proxy, the zones, the ALBs, the resolver: what the clusters then point at. */
async function awsParts(parts: Parts) {
  const moto = await motoPart(parts);
  const proxy = await route53ProxyPart(parts, moto.endpoint);
  const credentials = { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey };
  const direct = parts.add(new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials, maxAttempts: 3 }), (c) => c.destroy());
  const route53 = parts.add(new Route53Client({ region: 'us-east-1', endpoint: proxy.endpoint, credentials: { accessKeyId: WORLD_KEY, secretAccessKey: 'world' }, maxAttempts: 3 }), (c) => c.destroy());
  const zones = { api: await createZone(direct, 'devinfra.local', [VPC.blue, VPC.green]), txt: await createZone(direct, 'devinfra.info'), public: await createZone(direct, 'devinfra.fr') };
  // ELBv2, CloudWatch and EC2 in a moto of their own: the stand-in API servers check every token against moto's
  // state (/moto-api/data.json), which EC2's default resources (read by ELBv2) make slow to serialise.
  const elbMoto = await motoPart(parts);
  const lb = await loadBalancersPart(parts, elbMoto.endpoint);
  const lbs: Record<Colour, Alb> = { blue: await lb.createAlb('k8s-blue-web'), green: await lb.createAlb('k8s-green-web') };
  const extra: Record<Colour, Alb[]> = { blue: [], green: [] };
  const zoneId = (zone: ZoneKey | string) => (zone === 'private' ? zones.api : zone === 'public' ? zones.public : zone === 'txt' ? zones.txt : zone);
  /** Every record set of a zone as Route53 lists it (escaped names), read from moto now. */
  const records = async (zone: ZoneKey | string = 'private') => (await proxy.records(zoneId(zone))) as ResourceRecordSet[];
  const all = async () => (await Promise.all([zones.api, zones.public, zones.txt].map((z) => records(z)))).flat();
  const dns = await dnsPart(parts, null, { resolve: resolverFrom(all) });
  const layout = (): Layout => ({
    domains: LAYOUT_DOMAINS.shared,
    subdomains: { blue: LAYOUT_DOMAINS.blue, green: LAYOUT_DOMAINS.green },
    loadBalancers: { blue: [lbs.blue, ...extra.blue].map((l) => l.dnsName), green: [lbs.green, ...extra.green].map((l) => l.dnsName) },
    own: [API_NAME, TXT_NAME, 'api.eks-blue.devinfra.local', 'api.eks-green.devinfra.local'],
  });
  return { moto, elbMoto, proxy, direct, route53, zones, lb, lbs, extra, zoneId, records, all, dns, layout };
}
type Aws = Awaited<ReturnType<typeof awsParts>>;

/** The stand-in clusters: Deployments, Services, API servers, and the stand-in ExternalDNS of each colour. */
async function clusterParts(parts: Parts, aws: Aws, withExternalDns: boolean) {
  const staticKeys: Record<string, { secretAccessKey: string; arn: string }> = { [KEYS.accessKeyId]: { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn } };
  const lookupSecret = async (id: string) => staticKeys[id] ?? (await aws.moto.lookupSecret(id));
  const cas = casPart(parts, 'eks-');
  const stores: Stores = parts.add({ blue: deploymentStore({ deployments: {}, delayMs: 60 }), green: deploymentStore({ deployments: {}, delayMs: 60 }) }, (s) => {
    s.blue.close();
    s.green.close();
  });
  const objects: Objects = { blue: objectStore(), green: objectStore() };
  const api = await clustersPart(parts, cas, lookupSecret, {
    blue: { routes: [stores.blue.route, objects.blue.route], host: '127.0.0.1' },
    green: { routes: [stores.green.route, objects.green.route], host: '127.0.0.2' },
  });
  const edns = withExternalDns
    ? parts.add(
        {
          blue: startExternalDns({ deployments: stores.blue, objects: objects.blue, endpoint: aws.proxy.endpoint, intervalMs: 400, cluster: 'eks-blue' }),
          green: startExternalDns({ deployments: stores.green, objects: objects.green, endpoint: aws.proxy.endpoint, intervalMs: 400, cluster: 'eks-green' }),
        },
        (e) => Promise.all([e.blue.stop(), e.green.stop()]),
      )
    : undefined;
  return { cas, stores, objects, api, edns };
}
type Clusters = Awaited<ReturnType<typeof clusterParts>>;

/** Waits (polling every 50 ms, at most `ms`) until `ready()` holds; the error names `what`. */
async function until(what: () => string, ready: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`the cut-over world: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writing records through the proxy, as the world's own key: what ExternalDNS or a human would have left. */
function recordHelpers(aws: Aws) {
  const zoneOf = (name: string) => (encodeName(name).endsWith('devinfra.fr.') ? 'public' : encodeName(name).endsWith('devinfra.info.') ? 'txt' : 'private');
  const lbOf = (colour: Colour | Alb) => (typeof colour === 'string' ? aws.lbs[colour] : colour).dnsName;
  const write = async (zone: ZoneKey | string, changes: Change[]) => {
    await aws.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: aws.zoneId(zone), ChangeBatch: { Changes: changes } }));
  };
  const upsert = (sets: ResourceRecordSet[]) => write(zoneOf(sets[0]?.Name ?? ''), sets.map((ResourceRecordSet) => ({ Action: 'UPSERT' as const, ResourceRecordSet })));
  /** The sets an ExternalDNS writes for `label` under `domain` (owner null: the records without their registry entries). */
  const written = (label: string, domain: string, owner: string | null, colour: Colour | Alb, registry: 'new' | 'old' = 'new') => {
    const sets = externalDnsSets(label, domain, owner ?? 'nobody', lbOf(colour)) as ResourceRecordSet[];
    const records = sets.filter((s) => s.Type !== 'TXT');
    if (owner === null) return records;
    if (registry === 'new') return sets;
    const at = label === '' ? domain : `${label}.${domain}`;
    return [...records, { Name: at, Type: 'TXT' as const, TTL: 300, ResourceRecords: [sets.find((s) => s.Type === 'TXT')?.ResourceRecords?.[0] ?? { Value: '' }] }];
  };
  return {
    write,
    upsert,
    /**
     * A production name (decoded, under devinfra.local or devinfra.fr) as alias A + AAAA to a colour's ALB,
     * with its registry entries naming `owner` (default: that colour's live owner id; null: none, hand-made),
     * in the v0.18+ format (`a-`, `aaaa-`) or the old one (a TXT at the name itself).
     */
    addProduction(name: string, colour: Colour, o: { owner?: string | null; registry?: 'new' | 'old'; loadBalancer?: Alb } = {}) {
      const [label, ...rest] = name.split('.');
      if (rest.join('.') === '' || encodeName(name) === encodeName(APEX)) throw new Error(`test: addProduction(${name}): the apex is addApex's`);
      return upsert(written(label as string, rest.join('.'), o.owner === undefined ? OWNER[colour] : o.owner, o.loadBalancer ?? colour, o.registry));
    },
    /**
     * A colour's own name `<label>.eks-<colour>.devinfra.local`, alias to its ALB, owned by `owner` (default its
     * cluster-scoped owner id; another id or null makes it stale: not its cluster-scoped ExternalDNS's).
     */
    addColourName(colour: Colour, label: string, o: { owner?: string | null } = {}) {
      return upsert(written(label, `eks-${colour}.devinfra.local`, o.owner === undefined ? CLUSTER_OWNER[colour] : o.owner, colour));
    },
    /** The zone apex devinfra.local as an older ExternalDNS leaves it: alias A + AAAA to the colour's ALB, the registry TXT at the apex itself. */
    addApex(colour: Colour, owner: string | null = OWNER[colour]) {
      const sets = externalDnsSets('x', APEX, owner ?? 'nobody', aws.lbs[colour].dnsName).filter((s) => s.Type !== 'TXT').map((s) => ({ ...s, Name: `${APEX}.` }));
      const registry = `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=service/default/apex"`;
      return upsert([...sets, ...(owner === null ? [] : [{ Name: APEX, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: registry }] }])] as ResourceRecordSet[]);
    },
  };
}

/** Services in one colour, and the stand-in ExternalDNS that turns them into records. */
function serviceHelpers(aws: Aws, clusters: Clusters) {
  const put = (colour: Colour, label: string, zone: 'private' | 'public', lb: Alb) =>
    clusters.objects[colour].put(loadBalancerService({ name: label, namespace: 'default', annotations: { [zone === 'private' ? 'PrivateDNSName' : 'PublicDNSName']: label }, hostname: lb.dnsName }));
  return {
    put,
    /**
     * A Service in one colour (PrivateDNSName, or PublicDNSName with zone 'public') on its ALB (or `loadBalancer`),
     * then its cluster-scoped ExternalDNS run until it wrote `<label>.eks-<colour>.<domain>` (and scaled to 0
     * again), and, when the colour's live ExternalDNS runs, two of its loops.
     */
    async addService(colour: Colour, label: string, o: { zone?: 'private' | 'public'; loadBalancer?: Alb } = {}) {
      const zone = o.zone ?? 'private';
      put(colour, label, zone, o.loadBalancer ?? aws.lbs[colour]);
      const edns = clusters.edns;
      if (!edns) return;
      const instance = zone === 'private' ? CLUSTER_SCOPED[0] : CLUSTER_SCOPED[1];
      const listed = encodeName(`${label}.eks-${colour}.${zone === 'private' ? 'devinfra.local' : 'devinfra.fr'}`);
      clusters.stores[colour].scale(instance, 1);
      await until(
        () => `${colour}'s ${instance} did not write ${listed}: ${edns[colour].status(instance).error ?? 'no error'}`,
        async () => (await aws.records(zone)).some((r) => r.Name === listed && r.Type === 'A'),
      );
      clusters.stores[colour].scale(instance, 0);
      if ((clusters.stores[colour].get(LIVE[0])?.replicas ?? 0) > 0) await edns[colour].loops(2);
    },
    removeService(colour: Colour, label: string) {
      return clusters.objects[colour].remove('Service', label);
    },
  };
}

/** Where a reset puts the world's files, and the environment bascule runs with. */
interface Files {
  dir: string;
  platformFile: string;
  journalFile: string;
  shiftJournalFile: string;
  env: NodeJS.ProcessEnv;
}

/** Reading what Route53 and CloudWatch hold, and adding to them. */
function observeHelpers(aws: Aws) {
  const shared = async () => [...(await aws.records('private')), ...(await aws.records('public'))];
  const putMetric = (lb: Colour | Alb, metric: string, value: number, at?: Date) => aws.lb.putMetric(typeof lb === 'string' ? aws.lbs[lb] : lb, metric, value, at);
  return {
    records: aws.records,
    /** Each production name as Route53 holds it, by decoded name: form, targets, weights, traffic per colour, owner. */
    production: async () => productionView(aws.layout(), await shared()),
    /** A colour's own names (under its sub-domains). */
    colourNames: async (colour: Colour) => colourView(aws.layout(), await shared(), colour),
    /** Route53 requests bascule made (its access key) since the last reset, per API action. */
    route53Requests: () => aws.proxy.requests({ accessKeyId: BASCULE_KEY }),
    resetRoute53Requests: () => aws.proxy.resetRequests(),
    /** Another ALB for a colour (named, e.g. k8s-green-api), for a Service of its own. */
    async addLoadBalancer(colour: Colour, name: string): Promise<Alb> {
      const alb = await aws.lb.createAlb(name);
      aws.extra[colour].push(alb);
      return alb;
    },
    /** One datapoint of an AWS/ApplicationELB metric for a colour's ALB (or any ALB), at `at` (default now). */
    putMetric,
    /** Requests and 5XX answers of an ALB in one minute: RequestCount, HTTPCode_Target_5XX_Count, HTTPCode_ELB_5XX_Count. */
    async putTraffic(lb: Colour | Alb, t: { requests: number; target5xx?: number; elb5xx?: number }, at?: Date) {
      await putMetric(lb, 'RequestCount', t.requests, at);
      if (t.target5xx !== undefined) await putMetric(lb, 'HTTPCode_Target_5XX_Count', t.target5xx, at);
      if (t.elb5xx !== undefined) await putMetric(lb, 'HTTPCode_ELB_5XX_Count', t.elb5xx, at);
    },
  };
}

/** Running the built bascule in the world, and what its operations leave. */
function operatorHelpers(files: Files, aws: Aws, clusters: Clusters) {
  const run = (args: string[], o: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Result> => runBuilt(args, { env: files.env, timeoutMs: 60_000, ...o });
  return {
    /** The built bascule with the world's environment. */
    run,
    /** `bascule status --output json` (as admin), with the JSON parsed when it printed some. */
    async status(...args: string[]): Promise<Result & { json: any }> {
      const r = await run(['status', '--config', files.platformFile, '--access', 'admin', '--output', 'json', '--request-timeout', '15s', '--dns-timeout', '10s', ...args]);
      let json: any;
      try {
        json = JSON.parse(r.stdout);
      } catch {
        json = undefined;
      }
      return { ...r, json };
    },
    journal: (kind: 'switch' | 'shift' = 'switch'): any => JSON.parse(readFileSync(kind === 'switch' ? files.journalFile : files.shiftJournalFile, 'utf8')),
    /** The API record and TXT values, the live Deployments, and the file's live: colour. */
    async state() {
      const all = await aws.all();
      const values = (name: string, type: string) => all.find((r) => r.Name === encodeName(name) && r.Type === type)?.ResourceRecords?.map((v) => v.Value as string);
      return {
        api: values(API_NAME, 'CNAME'),
        txt: values(TXT_NAME, 'TXT'),
        blue: Object.fromEntries(LIVE.map((d) => [d, clusters.stores.blue.get(d)])),
        green: Object.fromEntries(LIVE.map((d) => [d, clusters.stores.green.get(d)])),
        live: /^live: (\w+)/m.exec(readFileSync(files.platformFile, 'utf8'))?.[1],
      };
    },
  };
}

/**
 * Blue live, the article's example: each colour's four ExternalDNS as generated, the default Services,
 * production on blue owned by blue's live owner id, green's own names written; a fresh directory,
 * platform file, journals and environment; faults cleared, request counts reset. ALBs added and
 * CloudWatch datapoints stay (moto keeps them).
 */
async function resetWorld(parts: Parts, files: Files, aws: Aws, clusters: Clusters, overrides: Overrides): Promise<void> {
  const { cas, stores, objects, api, edns } = clusters;
  files.dir = dirPart(parts, 'cutover-');
  writeFileSync(join(files.dir, 'blue-ca.crt'), cas.blue.certPem);
  files.platformFile = join(files.dir, 'platform.yaml');
  writeFileSync(files.platformFile, platformText({ zones: aws.zones, dnsAddress: aws.dns.address, api, greenCaPem: cas.green.certPem }, overrides));
  const services = serviceHelpers(aws, clusters);
  for (const colour of COLOURS) {
    objects[colour].clear();
    for (const label of edns ? SERVED[colour] : []) services.put(colour, label, 'private', aws.lbs[colour]);
  }
  const seeds = externalDnsDeployments(files.platformFile, files.dir);
  for (const colour of COLOURS) stores[colour].reset(seeds[colour]);
  // A loop in flight as the stores were reset (the last test's live ExternalDNS of green, say) would write
  // after the wipe below, and production would settle on the wrong colour: each controller finishes one more.
  if (edns) await Promise.all(COLOURS.map((colour) => edns[colour].loops(1)));
  aws.proxy.clearFaults();
  for (const name of [TXT_NAME, API_NAME]) aws.dns.remove(name);
  await wipe(aws);
  const { upsert } = recordHelpers(aws);
  await upsert([{ Name: API_NAME, Type: 'CNAME', TTL: 5, ResourceRecords: [{ Value: api.blue.host }] }]);
  await upsert([{ Name: TXT_NAME, Type: 'TXT', TTL: 5, ResourceRecords: [{ Value: '"eks-blue"' }] }]);
  if (edns) await settle(observeHelpers(aws));
  for (const colour of COLOURS) for (const d of CLUSTER_SCOPED) stores[colour].scale(d, 0);
  mkdirSync(join(files.dir, 'state'));
  files.journalFile = join(files.dir, 'state', 'bascule', '123456789012', 'switch-devinfra.json');
  files.shiftJournalFile = join(files.dir, 'state', 'bascule', '123456789012', 'shift-devinfra.json');
  files.env = cleanEnv({
    AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    AWS_REGION: 'eu-west-3',
    AWS_ENDPOINT_URL_STS: aws.moto.endpoint,
    AWS_ENDPOINT_URL_ROUTE_53: aws.proxy.endpoint,
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: aws.elbMoto.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: aws.elbMoto.endpoint,
    XDG_STATE_HOME: join(files.dir, 'state'),
    NODE_EXTRA_CA_CERTS: undefined,
  });
  parts.add(files.env.HOME as string, removeTempDir);
  aws.proxy.resetRequests();
}

/** externalDns: false leaves the stand-in ExternalDNS out (no production records): the operations' own steps only. */
export const startCutoverWorld = (options: { externalDns?: boolean } = {}) =>
  composeWorld(async (parts) => {
    const aws = await awsParts(parts);
    const clusters = await clusterParts(parts, aws, options.externalDns ?? true);
    const services = serviceHelpers(aws, clusters);
    // Filled by reset(): the world's own fields, read by its helpers when they run.
    const files: Files = { dir: '', platformFile: '', journalFile: '', shiftJournalFile: '', env: {} };
    const world = Object.assign(files, {
      moto: aws.moto,
      elbMoto: aws.elbMoto,
      proxy: aws.proxy,
      dns: aws.dns,
      zones: aws.zones,
      /** Each colour's ALB, as ELBv2 describes it. */
      lbs: aws.lbs,
      /** moto's ELBv2 and CloudWatch clients, and Route53 through the proxy as the world's key. */
      aws: { elb: aws.lb.elb, cloudwatch: aws.lb.cloudwatch, route53: aws.route53 },
      ...clusters,
      ...recordHelpers(aws),
      addService: services.addService,
      removeService: services.removeService,
      ...observeHelpers(aws),
      ...operatorHelpers(files, aws, clusters),
      platformText: (overrides: Overrides = {}) => platformText({ zones: aws.zones, dnsAddress: aws.dns.address, api: clusters.api, greenCaPem: clusters.cas.green.certPem }, overrides),
      reset: (overrides: Overrides = {}) => resetWorld(parts, files, aws, clusters, overrides),
    });
    return world;
  });

export type CutoverWorld = Awaited<ReturnType<typeof startCutoverWorld>>;

/** Every record set of the three zones but their NS and SOA, deleted through the proxy (a lock record a failed test left goes too). */
async function wipe(aws: Aws): Promise<void> {
  for (const zone of [aws.zones.api, aws.zones.public, aws.zones.txt]) {
    const sets = (await aws.records(zone)).filter((r) => r.Type !== 'SOA' && r.Type !== 'NS');
    for (let i = 0; i < sets.length; i += 300) {
      const changes = sets.slice(i, i + 300).map((ResourceRecordSet) => ({ Action: 'DELETE' as const, ResourceRecordSet }));
      await aws.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: changes } }));
    }
  }
}

/** Until blue's live ExternalDNS wrote production (owner, target) and both colours' cluster-scoped ones wrote their names. */
async function settle(world: { production(): Promise<Record<string, NameView>>; colourNames(colour: Colour): Promise<Record<string, NameView>> }): Promise<void> {
  let seen = '';
  await until(
    () => `it did not settle: ${seen}`,
    async () => {
      const production = await world.production();
      const own = { blue: await world.colourNames('blue'), green: await world.colourNames('green') };
      seen = JSON.stringify({ production: Object.values(production).map((p) => [p.name, p.targets, p.owner]), blue: Object.keys(own.blue), green: Object.keys(own.green) });
      return (
        SERVED.blue.every((l) => production[`${l}.devinfra.local`]?.traffic.blue === 100 && production[`${l}.devinfra.local`]?.owner === OWNER.blue && production[`${l}.devinfra.local`]?.types.join() === 'A,AAAA') &&
        COLOURS.every((c) => SERVED[c].every((l) => own[c][`${l}.eks-${c}.devinfra.local`]?.owner === CLUSTER_OWNER[c]))
      );
    },
  );
}
