/**
 * The loopback world of the end-to-end tests, composable: moto (STS), a DNS
 * server with the active-cluster TXT record, a CA and a stand-in API server
 * per colour, a directory, each a part a test starts if it needs it, all
 * stopped together; and kubeconfigs whose exec command is the built bascule.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa } from './certs.mjs';
import { startApiServer } from './apiserver.mjs';
import { startDnsServer } from './dns-server.mjs';
import { startMoto } from './moto.mjs';
import { KEYS, requireBuilt } from './run.js';
import { makeTempDir, removeTempDir } from './temp.mjs';

export const TXT_NAME = 'eks.devinfra.info';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/k8s-admin';

/**
 * What a world is made of: parts started in order and stopped together, last
 * first, whatever failed in between. A test (or a richer world, such as the
 * switch's) starts the parts it needs and adds its own with `add`.
 */
export class Parts {
  private readonly stops: (() => unknown)[] = [];

  /** Registers how to stop a part; returns the part. */
  add<T>(part: T, stop: (part: T) => unknown): T {
    this.stops.push(() => stop(part));
    return part;
  }

  async stop(): Promise<void> {
    const errors: unknown[] = [];
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `stopping the test world: ${errors.length} part(s) failed`);
  }
}

/** moto (STS, and whatever else a test asks of it). */
export const motoPart = async (parts: Parts) => parts.add(await startMoto(), (m) => m.stop());

/** The DNS server, with the active-cluster TXT record naming `live` (undefined: none); `options` as startDnsServer's (e.g. answers read from Route53). */
export async function dnsPart(parts: Parts, live: string | undefined = 'eks-green', options?: Parameters<typeof startDnsServer>[0]) {
  const dns = parts.add(await startDnsServer(options), (d) => d.close());
  if (live !== undefined) dns.setTxt(TXT_NAME, [live]);
  return dns;
}

/** A CA per colour (their directories removed at stop). */
export const casPart = (parts: Parts) => ({
  blue: parts.add(makeCa('blue'), (ca) => removeTempDir(ca.dir)),
  green: parts.add(makeCa('green'), (ca) => removeTempDir(ca.dir)),
});

type ApiServerOptions = Parameters<typeof startApiServer>[0];

/** A stand-in EKS API server per colour, each checking tokens for its own cluster; `extra` adds routes, hosts... per colour. */
export async function clustersPart(
  parts: Parts,
  cas: ReturnType<typeof casPart>,
  lookupSecret: ApiServerOptions['lookupSecret'],
  extra: Partial<Record<'blue' | 'green', Partial<ApiServerOptions>>> = {},
) {
  return {
    blue: parts.add(await startApiServer({ clusterName: 'eks-blue', ca: cas.blue, lookupSecret, ...extra.blue }), (a) => a.close()),
    green: parts.add(await startApiServer({ clusterName: 'eks-green', ca: cas.green, lookupSecret, ...extra.green }), (a) => a.close()),
  };
}

/** A working directory for the world's files (removed at stop; the run's end removes it anyway). */
export const dirPart = (parts: Parts, prefix = 'world-') => parts.add(makeTempDir(prefix), removeTempDir);

/**
 * The world of the token end-to-end tests, composed of the parts above:
 * moto (unless `moto: false`), DNS, the CAs, the two API servers, a directory.
 */
export async function startWorld(options: { moto?: boolean } = {}) {
  const parts = new Parts();
  try {
    const moto = options.moto === false ? undefined : await motoPart(parts);
    const dns = await dnsPart(parts);
    const staticKeys: Record<string, { secretAccessKey: string; arn: string }> = {
      [KEYS.accessKeyId]: { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn },
    };
    const lookupSecret = async (id: string) => staticKeys[id] ?? (await moto?.lookupSecret(id));
    const cas = casPart(parts);
    const api = await clustersPart(parts, cas, lookupSecret);
    const dir = dirPart(parts);
    return { moto, dns, cas, api, dir, parts, stop: () => parts.stop() };
  } catch (error) {
    await parts.stop().catch(() => undefined);
    throw error;
  }
}
export type World = Awaited<ReturnType<typeof startWorld>>;

/** A kubeconfig (JSON is YAML) with one context whose user runs the built bascule. */
export function writeKubeconfig(
  world: World,
  options: { server: string; caPems: string[]; args: string[]; apiVersion?: string; name?: string; command?: string; env?: { name: string; value: string }[] },
): string {
  const file = join(world.dir, `${options.name ?? 'kubeconfig'}-${Math.random().toString(36).slice(2)}.json`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'live',
        cluster: {
          server: options.server,
          'certificate-authority-data': Buffer.from(options.caPems.join('')).toString('base64'),
          'tls-server-name': 'kubernetes.default.svc',
        },
      },
    ],
    users: [
      {
        name: 'bascule',
        user: {
          exec: {
            apiVersion: options.apiVersion ?? 'client.authentication.k8s.io/v1',
            command: options.command ?? requireBuilt(),
            args: options.args,
            ...(options.env ? { env: options.env } : {}),
            interactiveMode: 'Never',
          },
        },
      },
    ],
    contexts: [{ name: 'live', context: { cluster: 'live', user: 'bascule' } }],
    'current-context': 'live',
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
