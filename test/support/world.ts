/**
 * The loopback world of the end-to-end tests, composable: moto (STS), a DNS
 * server with the active-cluster TXT record, a CA and a stand-in API server
 * per colour, a directory, each a part a test starts if it needs it, all
 * stopped together; and kubeconfigs whose exec command is the built bascule.
 * The richer worlds (doctor-world.ts, switch-world.ts) are compositions of the
 * same parts plus their own (the presigned-STS front, the Route53 proxy, a
 * plain loopback HTTP service...).
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { makeCa } from './certs.mjs';
import { startApiServer } from './apiserver.mjs';
import { startDnsServer } from './dns-server.mjs';
import { startMoto } from './moto.mjs';
import { startRoute53Proxy } from './route53-proxy.mjs';
import { startPresignedSts } from './sts-presigned.mjs';
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

/**
 * The DNS server, with the active-cluster TXT record naming `live` (null: none; undefined takes the default);
 * `options` as startDnsServer's (e.g. answers read from Route53).
 */
export async function dnsPart(parts: Parts, live: string | null = 'eks-green', options?: Parameters<typeof startDnsServer>[0]) {
  const dns = parts.add(await startDnsServer(options), (d) => d.close());
  if (live !== null) dns.setTxt(TXT_NAME, [live]);
  return dns;
}

/** The validating Route53 proxy in front of `target` (moto). */
export const route53ProxyPart = async (parts: Parts, target: string, options?: Parameters<typeof startRoute53Proxy>[1]) =>
  parts.add(await startRoute53Proxy(target, options), (p) => p.close());

/** The presigned-STS front (signatures checked as STS does) in front of moto. */
export const presignedStsPart = async (parts: Parts, options: Parameters<typeof startPresignedSts>[0]) =>
  parts.add(await startPresignedSts(options), (s) => s.close());

/** A CA per colour, named `${prefix}blue` and `${prefix}green` (their directories removed at stop). */
export const casPart = (parts: Parts, prefix = '') => ({
  blue: parts.add(makeCa(`${prefix}blue`), (ca) => removeTempDir(ca.dir)),
  green: parts.add(makeCa(`${prefix}green`), (ca) => removeTempDir(ca.dir)),
});

type ApiServerOptions = Parameters<typeof startApiServer>[0];

/** One stand-in EKS API server. */
export const apiServerPart = async (parts: Parts, options: ApiServerOptions) => parts.add(await startApiServer(options), (a) => a.close());

/** A stand-in EKS API server per colour, each checking tokens for its own cluster; `extra` adds routes, hosts... per colour. */
export async function clustersPart(
  parts: Parts,
  cas: ReturnType<typeof casPart>,
  lookupSecret: ApiServerOptions['lookupSecret'],
  extra: Partial<Record<'blue' | 'green', Partial<ApiServerOptions>>> = {},
) {
  return {
    blue: await apiServerPart(parts, { clusterName: 'eks-blue', ca: cas.blue, lookupSecret, ...extra.blue }),
    green: await apiServerPart(parts, { clusterName: 'eks-green', ca: cas.green, lookupSecret, ...extra.green }),
  };
}

/** A plain HTTP service on a loopback port (a stand-in AWS API moto lacks); `endpoint` is its base URL. */
export async function httpPart(parts: Parts, handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return parts.add({ server, endpoint }, ({ server: s }) => new Promise<void>((done) => {
    s.closeAllConnections();
    s.close(() => done());
  }));
}

/** Starts a world: `build` composes it from parts; if it throws, what was started is stopped. The world gets `parts` and `stop()`. */
export async function composeWorld<T extends object>(build: (parts: Parts) => Promise<T>): Promise<T & { parts: Parts; stop: () => Promise<void> }> {
  const parts = new Parts();
  try {
    return Object.assign(await build(parts), { parts, stop: () => parts.stop() });
  } catch (error) {
    await parts.stop().catch(() => undefined);
    throw error;
  }
}

/** A working directory for the world's files (removed at stop; the run's end removes it anyway). */
export const dirPart = (parts: Parts, prefix = 'world-') => parts.add(makeTempDir(prefix), removeTempDir);

/**
 * The world of the token end-to-end tests, composed of the parts above:
 * moto (unless `moto: false`), DNS, the CAs, the two API servers, a directory.
 */
export async function startWorld(options: { moto?: boolean } = {}) {
  return composeWorld(async (parts) => {
    const moto = options.moto === false ? undefined : await motoPart(parts);
    const dns = await dnsPart(parts);
    const staticKeys: Record<string, { secretAccessKey: string; arn: string }> = {
      [KEYS.accessKeyId]: { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn },
    };
    const lookupSecret = async (id: string) => staticKeys[id] ?? (await moto?.lookupSecret(id));
    const cas = casPart(parts);
    const api = await clustersPart(parts, cas, lookupSecret);
    const dir = dirPart(parts);
    return { moto, dns, cas, api, dir };
  });
}
export type World = Awaited<ReturnType<typeof startWorld>>;

/** A kubeconfig (JSON is YAML) with one context whose user runs the built bascule. */
export function writeKubeconfig(
  world: Pick<World, 'dir'>,
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
