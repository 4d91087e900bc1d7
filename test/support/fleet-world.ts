/**
 * The loopback world of `status --fleet`: a fleet of platforms over two AWS
 * accounts (111111111111, 222222222222), each account with three hosted zones
 * (z1, z2, z3.devinfra.net: the same names, each account its own), moto 5
 * behind the validating Route53 proxy (which tells moto the caller's account,
 * x-moto-account-id, and answers Throttling above 5 requests a second per
 * account, as Route53 does), one resolver answering every platform's TXT and
 * API records, and two stand-in EKS API servers per platform (blue on
 * 127.0.0.1, green on 127.0.0.2) answering its live ExternalDNS Deployments.
 *
 * Platform `<a|b><NN>` lives in zone z<(NN-1) mod 3 + 1> of its account: its
 * domains `<name>.z<g>.devinfra.net` and `<name>-pub.z<g>.devinfra.net`, its
 * records `eks-<name>` and `api-<name>` beside them; blue is live; each of its
 * `names` production names (n000...) is served by both colours (each colour's
 * own alias A and registry entry, the production alias A to blue's load
 * balancer with its registry entry owned by blue's live owner id): six record
 * sets a name, seeded straight into moto in batches of 500 UPSERTs (moto's
 * CREATE costs grow with the zone: 10,000 sets take 97 s as CREATEs, 19 s as
 * UPSERTs). Options make some platforms split (weighted pairs), some keep
 * orphans (names blue only serves), one hold an unfinished switch (its journal
 * here, its lock record in Route53), one with an API that never answers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { ChangeResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { lockValue } from '../../src/cutover/lock.js';
import { newJournal, stepDone, stepFailed, stepStarted, SWITCH_STEPS } from '../../src/cutover/switch-journal.js';
import { registryValue } from '../../src/production/registry.js';
import { makeServerCert } from './certs.mjs';
import { fleetPlatformText } from './fleet-platforms.js';
import { createZone } from './route53-zone.js';
import { cleanEnv } from './run.js';
import { apiServerPart, casPart, composeWorld, dirPart, dnsPart, motoPart, route53ProxyPart, type Parts } from './world.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const ACCOUNTS = {
  a: { id: '111111111111', key: 'AKIDFLEETACCOUNTA', secret: 'fleet-a-secret' },
  b: { id: '222222222222', key: 'AKIDFLEETACCOUNTB', secret: 'fleet-b-secret' },
} as const;
type AccountKey = keyof typeof ACCOUNTS;
export const ZONE_NAMES = ['z1.devinfra.net', 'z2.devinfra.net', 'z3.devinfra.net'];
export const LB = { blue: 'k8s-blue-1.eu-west-3.elb.amazonaws.com', green: 'k8s-green-2.eu-west-3.elb.amazonaws.com' };
const ELB_ZONE = 'Z3Q77PNBQS71R4';

export interface FleetOptions {
  /** Platforms per account. */
  readonly perAccount: number;
  /** Production names per platform. */
  readonly names: number;
  /** Platforms whose first 3 names are split blue 50 / green 50 (weighted pairs a shift left). */
  readonly split: readonly string[];
  /** Platforms whose first 5 names blue only serves (orphans). */
  readonly orphans: readonly string[];
  /** The platform with an unfinished switch (journal here, lock held). */
  readonly unfinished: string | undefined;
  /** The platform whose API servers accept connections and never answer. */
  readonly silent: string | undefined;
}

export interface FleetPlatformInfo {
  readonly name: string;
  readonly account: AccountKey;
  readonly zoneId: string;
  readonly group: number;
  readonly domain: string;
}

/** moto, as one account (the header moto reads), for seeding straight into it. */
function motoAs(endpoint: string, account: AccountKey): Route53Client {
  const a = ACCOUNTS[account];
  const client = new Route53Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId: a.key, secretAccessKey: a.secret }, maxAttempts: 1 });
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = a.id;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

const alias = (name: string, lb: string, extra: Partial<ResourceRecordSet> = {}): ResourceRecordSet => ({ Name: name, Type: 'A', AliasTarget: { HostedZoneId: ELB_ZONE, DNSName: lb, EvaluateTargetHealth: true }, ...extra });
const txt = (name: string, value: string): ResourceRecordSet => ({ Name: name, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: value }] });
const reg = (owner: string) => registryValue({ owner, resource: 'service/default/web' });

/** The record sets of one platform's production, as its ExternalDNS (and, where asked, a shift) left them. */
export function platformSets(p: FleetPlatformInfo, o: FleetOptions): ResourceRecordSet[] {
  const sets: ResourceRecordSet[] = [];
  const colourDomain = (c: 'blue' | 'green') => `${p.name}-${c}.${p.domain}`;
  for (let i = 0; i < o.names; i++) {
    const label = `n${String(i).padStart(3, '0')}`;
    const orphan = o.orphans.includes(p.name) && i < 5;
    for (const c of orphan ? (['blue'] as const) : (['blue', 'green'] as const)) {
      sets.push(alias(`${label}.${colourDomain(c)}`, LB[c]), txt(`a-${label}.${colourDomain(c)}`, reg(`ingress-${colourDomain(c)}`)));
    }
    const name = `${label}.${p.domain}`;
    if (o.split.includes(p.name) && i < 3) {
      for (const c of ['blue', 'green'] as const) sets.push({ Name: name, Type: 'A', SetIdentifier: c, Weight: 50, AliasTarget: { HostedZoneId: p.zoneId, DNSName: `${label}.${colourDomain(c)}`, EvaluateTargetHealth: true } });
    } else {
      sets.push(alias(name, LB.blue), txt(`a-${label}.${p.domain}`, reg(`live-${p.name}-blue.${p.domain}`)));
    }
  }
  return sets;
}

/** UPSERTs in batches of 500 (moto counts an UPSERT twice against its 1000). */
async function seed(client: Route53Client, zoneId: string, sets: readonly ResourceRecordSet[]): Promise<void> {
  for (let i = 0; i < sets.length; i += 500) {
    const Changes = sets.slice(i, i + 500).map((ResourceRecordSet) => ({ Action: 'UPSERT' as const, ResourceRecordSet }));
    await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes } }));
  }
}

/** A TCP server that accepts connections and never answers (an API that does not). */
async function silentServer(parts: Parts, host: string): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((done) => server.listen(0, host, () => done()));
  parts.add(server, (s) => new Promise<void>((done) => {
    for (const socket of sockets) socket.destroy();
    s.close(() => done());
  }));
  return `https://${host}:${(server.address() as net.AddressInfo).port}`;
}

/** GET of a live ExternalDNS Deployment: running (1/1) in blue, stopped (0) in green. */
function liveDeployments(replicas: number) {
  return (req: { method?: string }, _res: unknown, ctx: { url: URL; json: (code: number, value: unknown) => void }) => {
    const m = /^\/apis\/apps\/v1\/namespaces\/kube-system\/deployments\/(live-external-dns-(?:private|public))$/.exec(ctx.url.pathname);
    if (req.method !== 'GET' || !m) return false;
    const name = m[1] as string;
    ctx.json(200, {
      kind: 'Deployment',
      metadata: { name, namespace: 'kube-system', generation: 1 },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { spec: { containers: [{ name: 'external-dns', image: 'registry.k8s.io/external-dns/external-dns:v0.22.0', args: [] }] } } },
      status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
    });
    return true;
  };
}

/** The unfinished switch's journal (stopped at its dns step) and the lock value it holds. */
function unfinishedSwitch(p: FleetPlatformInfo, file: string, now: Date): { journal: object; lock: string; lockName: string } {
  const account = ACCOUNTS[p.account].id;
  const lockName = `_bascule-lock.eks-${p.name}.${ZONE_NAMES[p.group]}`;
  const lock = lockValue({ platform: p.name, account, kind: 'switch', op: 'switch', from: 'blue', to: 'green', step: 'dns', sha: 'fleet-world' }, now);
  const owner = { pid: 999_999_999, host: 'elsewhere' };
  let j = newJournal({ platform: p.name, account, platformFile: file, from: 'blue', to: 'green', steps: SWITCH_STEPS, now, owner, pins: { platformHash: 'h', facts: {} } });
  j = stepDone(stepStarted(j, 'preflight', now, owner), 'preflight', now, { before: { api: null, txt: { values: [`"${p.name}-blue"`], ttl: 5 }, replicas: {} } });
  j = stepFailed(stepStarted(j, 'dns', now, owner), 'dns', now, 'Route53 said no');
  return { journal: { ...j, lock: { zoneId: p.zoneId, name: lockName, value: lock } }, lock, lockName };
}

interface Shared {
  readonly parts: Parts;
  readonly o: FleetOptions;
  readonly dir: string;
  readonly dns: Awaited<ReturnType<typeof dnsPart>>;
  readonly cas: ReturnType<typeof casPart>;
  readonly certs: Record<'blue' | 'green', { certPem: string; keyPem: string }>;
  readonly silent: { blue: string; green: string } | undefined;
}

const staticKeys = Object.fromEntries(Object.values(ACCOUNTS).map((a) => [a.key, { secretAccessKey: a.secret, arn: `arn:aws:iam::${a.id}:user/fleet` }]));
const lookupSecret = async (id: string) => staticKeys[id];

/** One platform: its clusters' stand-ins, its file, its DNS answers; returns the record sets its zone gets. */
async function addPlatform(w: Shared, p: FleetPlatformInfo): Promise<ResourceRecordSet[]> {
  const { name } = p;
  const server = (c: 'blue' | 'green') =>
    apiServerPart(w.parts, { clusterName: `${name}-${c}`, ca: w.cas[c], cert: w.certs[c], lookupSecret, routes: [liveDeployments(c === 'blue' ? 1 : 0)], host: c === 'blue' ? '127.0.0.1' : '127.0.0.2' });
  const endpoints = name === w.o.silent && w.silent ? w.silent : { blue: (await server('blue')).url, green: (await server('green')).url };
  const zone = ZONE_NAMES[p.group] as string;
  writeFileSync(
    join(w.dir, 'platforms', `${name}.yaml`),
    fleetPlatformText({
      name,
      account: ACCOUNTS[p.account].id,
      private: p.domain,
      public: `${name}-pub.${zone}`,
      txt: `eks-${name}.${zone}`,
      api: `api-${name}.${zone}`,
      zones: { private: p.zoneId, public: p.zoneId, txt: p.zoneId, api: p.zoneId },
      endpoints,
      ca: { blue: { file: 'blue-ca.crt' }, green: { file: 'green-ca.crt' } },
      tlsServerName: 'kubernetes.default.svc',
      dnsServer: w.dns.address,
    }),
  );
  const host = new URL(endpoints.blue).hostname;
  w.dns.setTxt(`eks-${name}.${zone}`, [`${name}-blue`]);
  w.dns.setCname(`api-${name}.${zone}`, host);
  return [...platformSets(p, w.o), txt(`eks-${name}.${zone}`, `"${name}-blue"`), { Name: `api-${name}.${zone}`, Type: 'CNAME', TTL: 5, ResourceRecords: [{ Value: host }] }];
}

/** The files bascule runs with: the fleet file, account B's profile, the environment. */
function runFiles(dir: string, proxyEndpoint: string): NodeJS.ProcessEnv {
  writeFileSync(join(dir, 'fleet.yaml'), 'platforms:\n  - platforms/a*.yaml\n  - path: platforms/b*.yaml\n    profile: acct-b\n');
  writeFileSync(join(dir, 'credentials'), `[acct-b]\naws_access_key_id = ${ACCOUNTS.b.key}\naws_secret_access_key = ${ACCOUNTS.b.secret}\n`);
  writeFileSync(join(dir, 'config'), '[profile acct-b]\nregion = eu-west-3\n');
  return cleanEnv({
    AWS_ACCESS_KEY_ID: ACCOUNTS.a.key,
    AWS_SECRET_ACCESS_KEY: ACCOUNTS.a.secret,
    AWS_REGION: 'eu-west-3',
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_ENDPOINT_URL_ROUTE_53: proxyEndpoint,
    XDG_STATE_HOME: join(dir, 'state'),
  });
}

export const startFleetWorld = (o: FleetOptions) =>
  composeWorld(async (parts) => {
    const moto = await motoPart(parts);
    const accountOf = (key: string | undefined) => Object.values(ACCOUNTS).find((a) => a.key === key)?.id;
    const proxy = await route53ProxyPart(parts, moto.endpoint, { accountOf, throttle: { rate: 5, burst: 5 } });
    const clients = { a: parts.add(motoAs(moto.endpoint, 'a'), (c) => c.destroy()), b: parts.add(motoAs(moto.endpoint, 'b'), (c) => c.destroy()) };
    const zones: Record<AccountKey, string[]> = { a: [], b: [] };
    for (const account of ['a', 'b'] as const) for (const name of ZONE_NAMES) zones[account].push(await createZone(clients[account], name));
    const cas = casPart(parts, 'fleet-');
    const dir = dirPart(parts, 'fleet-');
    mkdirSync(join(dir, 'platforms'));
    writeFileSync(join(dir, 'platforms', 'blue-ca.crt'), cas.blue.certPem);
    writeFileSync(join(dir, 'platforms', 'green-ca.crt'), cas.green.certPem);
    const silent = o.silent ? { blue: await silentServer(parts, '127.0.0.1'), green: await silentServer(parts, '127.0.0.2') } : undefined;
    const w: Shared = { parts, o, dir, dns: await dnsPart(parts, null), cas, certs: { blue: makeServerCert(cas.blue), green: makeServerCert(cas.green) }, silent };
    const platforms: FleetPlatformInfo[] = [];
    const bySeededZone = new Map<string, { account: AccountKey; sets: ResourceRecordSet[] }>();
    for (const account of ['a', 'b'] as const) {
      for (let i = 1; i <= o.perAccount; i++) {
        const name = `${account}${String(i).padStart(2, '0')}`;
        const group = (i - 1) % 3;
        const p: FleetPlatformInfo = { name, account, group, zoneId: zones[account][group] as string, domain: `${name}.${ZONE_NAMES[group]}` };
        platforms.push(p);
        const entry = bySeededZone.get(p.zoneId) ?? { account, sets: [] };
        entry.sets.push(...(await addPlatform(w, p)));
        bySeededZone.set(p.zoneId, entry);
      }
    }
    const unfinished = platforms.find((p) => p.name === o.unfinished);
    if (unfinished) {
      const u = unfinishedSwitch(unfinished, join(dir, 'platforms', `${unfinished.name}.yaml`), new Date());
      const at = join(dir, 'state', 'bascule', ACCOUNTS[unfinished.account].id);
      mkdirSync(at, { recursive: true });
      writeFileSync(join(at, `switch-${unfinished.name}.json`), `${JSON.stringify(u.journal, null, 2)}\n`);
      bySeededZone.get(unfinished.zoneId)?.sets.push({ Name: u.lockName, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: u.lock }] });
    }
    const seeding = Date.now();
    for (const [zoneId, z] of bySeededZone) await seed(clients[z.account], zoneId, z.sets);
    const seedMs = Date.now() - seeding;
    return {
      moto,
      proxy,
      dns: w.dns,
      dir,
      env: runFiles(dir, proxy.endpoint),
      zones: [...zones.a.map((id) => ({ id, account: 'a' as const })), ...zones.b.map((id) => ({ id, account: 'b' as const }))],
      platforms,
      seedMs,
      seededSets: [...bySeededZone.values()].reduce((n, z) => n + z.sets.length, 0),
      /** Every record set of a zone as Route53 lists it (through the proxy, as its account). */
      records: (zoneId: string, account: AccountKey) => proxy.records(zoneId, ACCOUNTS[account].key),
    };
  });

export type FleetWorld = Awaited<ReturnType<typeof startFleetWorld>>;
