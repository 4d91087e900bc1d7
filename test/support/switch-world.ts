/**
 * The loopback world of the switch tests: moto as Route53 and STS (behind the
 * validating Route53 proxy, which refuses what Route53 refuses and can inject
 * errors), hosted zones (devinfra.local private, associated with both
 * clusters' VPCs, holding the API CNAME and production; devinfra.fr public;
 * devinfra.info with the TXT record), a DNS server whose answers follow
 * moto's Route53 state (or what a test forces), and a stand-in EKS API server
 * per colour, each with the four ExternalDNS Deployments `bascule manifests`
 * generates (live ones looping every second), Services, and a stand-in
 * ExternalDNS reconciling them into Route53 while their pods run, checking
 * tokens for its own cluster. Blue listens on 127.0.0.1 and green on
 * 127.0.0.2, so the API CNAME names a different host per colour.
 *
 * The article's example: hello and world served by both colours, blog by
 * blue only. Blue is live: its live ExternalDNS owns hello, world and blog.
 *
 * It is composed of world.ts's parts; stop() stops them all, last first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Colour } from '../../src/platform/model.js';
import { deploymentStore } from './deployments.mjs';
import { startExternalDns } from './external-dns.mjs';
import { loadBalancerService, objectStore } from './kube-objects.mjs';
import { createZone } from './route53-zone.js';
import { cleanEnv, KEYS } from './run.js';
import { ADMIN_ROLE, API_NAME, externalDnsDeployments, INTERVAL, LIVE, OWNER, platformText, resolverFrom, TXT_NAME, VPC, type Overrides } from './switch-platform.js';
import { casPart, clustersPart, composeWorld, dirPart, dnsPart, motoPart, route53ProxyPart } from './world.js';

export { ADMIN_ROLE, API_NAME, INTERVAL, LIVE, OWNER, TXT_NAME, VPC };
export const LB = { blue: 'k8s-blue-0123456789.eu-west-3.elb.amazonaws.com', green: 'k8s-green-9876543210.eu-west-3.elb.amazonaws.com' };
/** The names each colour serves (its Services' PrivateDNSName). */
export const SERVED = { blue: ['hello', 'world', 'blog'], green: ['hello', 'world'] };

const credentials = { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** externalDns: false leaves the stand-in ExternalDNS and Services out (no production records): the switch's own steps only, fast. */
export const startSwitchWorld = (options: { externalDns?: boolean } = {}) => composeWorld(async (parts) => {
  const withExternalDns = options.externalDns ?? true;
  const moto = await motoPart(parts);
  const proxy = await route53ProxyPart(parts, moto.endpoint);
  const route53 = parts.add(new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials, maxAttempts: 1 }), (c) => c.destroy());
  const zones = { api: await createZone(route53, 'devinfra.local', [VPC.blue, VPC.green]), txt: await createZone(route53, 'devinfra.info'), public: await createZone(route53, 'devinfra.fr') };

  const records = async (): Promise<ResourceRecordSet[]> => {
    const all: ResourceRecordSet[] = [];
    for (const zone of Object.values(zones)) {
      let start: { StartRecordName?: string; StartRecordType?: any } = {};
      for (;;) {
        const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, ...start }));
        all.push(...(page.ResourceRecordSets ?? []));
        if (!page.IsTruncated) break;
        start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
      }
    }
    return all;
  };
  /** Each production name: where it points and who owns it. */
  const production = async () => {
    const all = await records();
    const out: Record<string, { target: string | undefined; owner: string | undefined }> = {};
    for (const label of SERVED.blue) {
      const name = `${label}.devinfra.local.`;
      const a = all.find((r) => r.Name === name && r.Type === 'A');
      const txt = all.find((r) => r.Name === `a-${name}` && r.Type === 'TXT');
      out[label] = {
        target: a?.AliasTarget?.DNSName?.replace(/\.$/, ''),
        owner: /external-dns\/owner=([^,"]+)/.exec(txt?.ResourceRecords?.[0]?.Value ?? '')?.[1],
      };
    }
    return out;
  };
  /** What Route53 holds at a name and type, as [values, ttl]. */
  const record = async (name: string, type: 'CNAME' | 'TXT') => {
    const set = (await records()).find((r) => r.Name === `${name}.` && r.Type === type);
    return set ? { values: (set.ResourceRecords ?? []).map((r) => r.Value as string), ttl: set.TTL } : undefined;
  };

  // The resolver: what moto's Route53 holds, unless a test forces an answer (dns.setTxt / setCname).
  const dns = await dnsPart(parts, null, { resolve: resolverFrom(records) });

  const staticKeys: Record<string, { secretAccessKey: string; arn: string }> = { [KEYS.accessKeyId]: { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn } };
  const lookupSecret = async (id: string) => staticKeys[id] ?? (await moto.lookupSecret(id));
  const cas = casPart(parts, 'eks-');
  const stores = parts.add({ blue: deploymentStore({ deployments: {}, delayMs: 60 }), green: deploymentStore({ deployments: {}, delayMs: 60 }) }, (s) => {
    s.blue.close();
    s.green.close();
  });
  const objects = { blue: objectStore(), green: objectStore() };
  for (const colour of withExternalDns ? (['blue', 'green'] as const) : []) {
    for (const label of SERVED[colour]) {
      objects[colour].put(loadBalancerService({ name: label, namespace: 'default', annotations: { PrivateDNSName: label }, hostname: LB[colour] }));
    }
  }
  const api = await clustersPart(parts, cas, lookupSecret, {
    blue: { routes: [stores.blue.route, objects.blue.route], host: '127.0.0.1' },
    green: { routes: [stores.green.route, objects.green.route], host: '127.0.0.2' },
  });
  const edns =
    withExternalDns &&
    parts.add(
      {
        blue: startExternalDns({ deployments: stores.blue, objects: objects.blue, endpoint: proxy.endpoint, intervalMs: 400, cluster: 'eks-blue' }),
        green: startExternalDns({ deployments: stores.green, objects: objects.green, endpoint: proxy.endpoint, intervalMs: 400, cluster: 'eks-green' }),
      },
      (e) => Promise.all([e.blue.stop(), e.green.stop()]),
    );

  const upsert = async (zone: string, name: string, type: 'CNAME' | 'TXT', values: string[], ttl = 5) => {
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: type, TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) } }] },
      }),
    );
  };

  const world = {
    moto,
    proxy,
    dns,
    api,
    stores,
    objects,
    edns,
    production,
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
      return platformText({ zones, dnsAddress: dns.address, api, greenCaPem: cas.green.certPem }, overrides);
    },

    /**
     * Blue live: the four ExternalDNS of each colour as `bascule manifests` generates them (live ones at 1 in
     * blue, 0 in green), production on blue and owned by blue's live owner id; a fresh directory, platform
     * file and journal.
     */
    async reset(overrides: Overrides = {}): Promise<void> {
      world.dir = dirPart(parts, 'switch-');
      writeFileSync(join(world.dir, 'blue-ca.crt'), cas.blue.certPem);
      world.platformFile = join(world.dir, 'platform.yaml');
      writeFileSync(world.platformFile, world.platformText(overrides));
      const seeds = externalDnsDeployments(world.platformFile, world.dir);
      for (const colour of ['blue', 'green'] as const) stores[colour].reset(seeds[colour]);
      proxy.clearFaults();
      dns.remove(TXT_NAME);
      dns.remove(API_NAME);
      // Production wiped, then written again by blue's ExternalDNS (live and cluster-scoped) and green's cluster-scoped one.
      // The TXT zone too: a lock record a failed test left behind goes.
      for (const zone of [zones.api, zones.public, zones.txt]) {
        const sets = ((await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, MaxItems: 300 }))).ResourceRecordSets ?? []).filter((r) => r.Type !== 'SOA' && r.Type !== 'NS');
        for (const set of sets) await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: set }] } })).catch(() => undefined);
      }
      await upsert(zones.api, API_NAME, 'CNAME', [api.blue.host]);
      await upsert(zones.txt, TXT_NAME, 'TXT', ['"eks-blue"']);
      const deadline = Date.now() + 15_000;
      for (;;) {
        if (!withExternalDns) break;
        const p = await production();
        const names = new Set(((await records()).map((r) => r.Name)));
        const ready = SERVED.blue.every((l) => p[l]?.target === LB.blue && p[l]?.owner === OWNER.blue) && SERVED.green.every((l) => names.has(`${l}.eks-green.devinfra.local.`));
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`the switch world did not settle: ${JSON.stringify(p)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // Their records written, the cluster-scoped instances stop: fewer loops on moto (the switch never looks at them).
      for (const colour of ['blue', 'green'] as const) for (const d of ['external-dns-private', 'external-dns-public']) stores[colour].scale(d, 0);
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
  };
  return world;
});

export type SwitchWorld = Awaited<ReturnType<typeof startSwitchWorld>>;
export type { Colour };

/** Deployment state as `state()` reports it once settled. */
export const running = { replicas: 1, pods: 1, ready: 1 };
export const stopped = { replicas: 0, pods: 0, ready: 0 };
