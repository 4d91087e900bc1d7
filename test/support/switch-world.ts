/**
 * The loopback world of the switch tests: moto as Route53 and STS (behind a
 * proxy that can inject Route53 errors), hosted zones with the API CNAME and
 * the TXT record, a DNS server whose answers follow moto's Route53 state (or
 * what a test forces), and a stand-in EKS API server per colour, each with
 * the live ExternalDNS Deployments, checking tokens for its own cluster.
 * Blue listens on 127.0.0.1 and green on 127.0.0.2, so the API CNAME names a
 * different host per colour, as two EKS endpoints do.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { startApiServer } from './apiserver.mjs';
import { makeCa } from './certs.mjs';
import { deploymentStore } from './deployments.mjs';
import { startDnsServer } from './dns-server.mjs';
import { startMoto } from './moto.mjs';
import { startRoute53Proxy } from './route53-proxy.mjs';
import { cleanEnv, KEYS } from './run.js';
import { makeTempDir } from './temp.mjs';

export const TXT_NAME = 'eks.devinfra.info';
export const API_NAME = 'api.devinfra.local';
export const LIVE = ['live-external-dns-private', 'live-external-dns-public'] as const;
export const ADMIN_ROLE = 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sadmin';
export const REGISTRY_TXT = '"heritage=external-dns,external-dns/owner=ingress.devinfra.info"';

const credentials = { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey };

/** Creates a hosted zone whose id moto made look like Route53's (Z + 21 characters): moto's ids start with any letter. */
async function createZone(client: Route53Client, name: string): Promise<string> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const made = await client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${attempt}-${Date.now()}` }));
    const id = (made.HostedZone?.Id ?? '').replace('/hostedzone/', '');
    if (/^Z[0-9A-Z]{4,32}$/.test(id)) return id;
    await client.send(new DeleteHostedZoneCommand({ Id: id }));
  }
  throw new Error(`moto gave no Z... zone id for ${name} in 1000 attempts`);
}

const unquote = (value: string) => [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1')).join('') || value;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export async function startSwitchWorld() {
  const moto = await startMoto();
  const proxy = await startRoute53Proxy(moto.endpoint);
  const route53 = new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials, maxAttempts: 1 });
  const zones = { api: await createZone(route53, 'devinfra.local'), txt: await createZone(route53, 'devinfra.info') };

  const records = async (): Promise<ResourceRecordSet[]> => {
    const all: ResourceRecordSet[] = [];
    for (const zone of Object.values(zones)) all.push(...((await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? []));
    return all;
  };
  /** What Route53 holds at a name and type, as [values, ttl]. */
  const record = async (name: string, type: 'CNAME' | 'TXT') => {
    const set = (await records()).find((r) => r.Name === `${name}.` && r.Type === type);
    return set ? { values: (set.ResourceRecords ?? []).map((r) => r.Value as string), ttl: set.TTL } : undefined;
  };

  // The resolver: what moto's Route53 holds, unless a test forces an answer (dns.setTxt / setCname).
  const dns = await startDnsServer({
    resolve: async (name: string) => {
      const sets = (await records()).filter((r) => r.Name === `${name}.`);
      if (sets.length === 0) return name.endsWith('devinfra.local') || name.endsWith('devinfra.info') ? {} : undefined;
      const txt = sets.find((r) => r.Type === 'TXT');
      const cname = sets.find((r) => r.Type === 'CNAME');
      return {
        ...(txt ? { txt: (txt.ResourceRecords ?? []).map((r) => unquote(r.Value as string)) } : {}),
        ...(cname ? { cname: (cname.ResourceRecords?.[0]?.Value as string).replace(/\.$/, '') } : {}),
      };
    },
  });

  const staticKeys: Record<string, { secretAccessKey: string; arn: string }> = { [KEYS.accessKeyId]: { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn } };
  const lookupSecret = async (id: string) => staticKeys[id] ?? (await moto.lookupSecret(id));
  const cas = { blue: makeCa('eks-blue'), green: makeCa('eks-green') };
  const initial = { blue: Object.fromEntries(LIVE.map((d) => [d, 1])), green: Object.fromEntries(LIVE.map((d) => [d, 0])) };
  const stores = { blue: deploymentStore({ deployments: initial.blue, delayMs: 60 }), green: deploymentStore({ deployments: initial.green, delayMs: 60 }) };
  const api = {
    blue: await startApiServer({ clusterName: 'eks-blue', ca: cas.blue, lookupSecret, routes: [stores.blue.route], host: '127.0.0.1' }),
    green: await startApiServer({ clusterName: 'eks-green', ca: cas.green, lookupSecret, routes: [stores.green.route], host: '127.0.0.2' }),
  };

  const upsert = async (zone: string, name: string, type: 'CNAME' | 'TXT', values: string[], ttl = 5) => {
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: type, TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) } }] },
      }),
    );
  };

  type Overrides = { apiZone?: string; txtZone?: string; live?: string };
  const dirs: string[] = [];
  const world = {
    moto,
    proxy,
    dns,
    api,
    stores,
    zones,
    cas,
    record,
    upsert,
    dir: '',
    platformFile: '',
    journalFile: '',
    env: {} as NodeJS.ProcessEnv,

    /** The platform file: comments and layout the switch must keep. */
    platformText(overrides: Overrides = {}): string {
      return [
        '# The loopback platform of the switch tests.',
        'name: devinfra',
        'aws:',
        '  accountId: "123456789012"',
        '  region: eu-west-3',
        '',
        '# The stable API name: the switch repoints this CNAME.',
        'api:',
        `  record: ${API_NAME}`,
        `  zoneId: ${overrides.apiZone ?? zones.api}   # moto's zone`,
        '  ttl: 5',
        '',
        'clusterNameRecord:',
        `  name: ${TXT_NAME}`,
        `  zoneId: ${overrides.txtZone ?? zones.txt}`,
        '  ttl: 5',
        `  dnsServer: ${dns.address}   # the test's resolver`,
        '',
        '# The colour serving production now.',
        `live: ${overrides.live ?? 'blue'}   # written by bascule switch`,
        '',
        'domains:',
        '  private: { name: devinfra.local }',
        '  public: { name: devinfra.fr }',
        '',
        'clusters:',
        '  blue:',
        '    name: eks-blue',
        `    endpoint: ${api.blue.url}`,
        '    tlsServerName: kubernetes.default.svc',
        '    ca:',
        '      file: blue-ca.crt',
        '  green:',
        '    name: eks-green',
        `    endpoint: ${api.green.url}`,
        '    tlsServerName: kubernetes.default.svc',
        '    ca:',
        `      data: ${Buffer.from(cas.green.certPem).toString('base64')}`,
        '',
        'access:',
        '  - name: admin',
        `    roleArn: ${ADMIN_ROLE}`,
        '    groups: [system:masters]',
        '',
      ].join('\n');
    },

    /** Blue live: its ExternalDNS at 1, green's at 0, the records on blue; a fresh directory, platform file and journal. */
    async reset(overrides: Overrides = {}): Promise<void> {
      stores.blue.reset(initial.blue);
      stores.green.reset(initial.green);
      proxy.clearFaults();
      dns.remove(TXT_NAME);
      dns.remove(API_NAME);
      await upsert(zones.api, API_NAME, 'CNAME', [api.blue.host]);
      await upsert(zones.txt, TXT_NAME, 'TXT', [REGISTRY_TXT, '"eks-blue"']);
      world.dir = makeTempDir('switch-');
      dirs.push(world.dir);
      writeFileSync(join(world.dir, 'blue-ca.crt'), cas.blue.certPem);
      world.platformFile = join(world.dir, 'platform.yaml');
      writeFileSync(world.platformFile, world.platformText(overrides));
      mkdirSync(join(world.dir, 'state'));
      world.journalFile = join(world.dir, 'state', 'bascule', 'switch-devinfra.json');
      world.env = cleanEnv({
        AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
        AWS_REGION: 'eu-west-3',
        AWS_ENDPOINT_URL_STS: moto.endpoint,
        AWS_ENDPOINT_URL_ROUTE_53: proxy.endpoint,
        XDG_STATE_HOME: join(world.dir, 'state'),
        NODE_EXTRA_CA_CERTS: undefined,
      });
    },

    journal(): any {
      return JSON.parse(readFileSync(world.journalFile, 'utf8'));
    },

    /** Everything a finished switch to `colour` leaves. */
    async state() {
      return {
        api: (await record(API_NAME, 'CNAME'))?.values,
        txt: (await record(TXT_NAME, 'TXT'))?.values,
        blue: Object.fromEntries(LIVE.map((d) => [d, stores.blue.get(d)])),
        green: Object.fromEntries(LIVE.map((d) => [d, stores.green.get(d)])),
        live: /^live: (\w+)/m.exec(readFileSync(world.platformFile, 'utf8'))?.[1],
      };
    },

    async stop() {
      stores.blue.close();
      stores.green.close();
      route53.destroy();
      await Promise.all([api.blue.close(), api.green.close(), dns.close(), proxy.close()]);
      await moto.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      for (const ca of Object.values(cas)) rmSync(ca.dir, { recursive: true, force: true });
    },
  };
  return world;
}

export type SwitchWorld = Awaited<ReturnType<typeof startSwitchWorld>>;

/** Deployment state as `state()` reports it once settled. */
export const running = { replicas: 1, pods: 1, ready: 1 };
export const stopped = { replicas: 0, pods: 0, ready: 0 };
