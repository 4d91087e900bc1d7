/**
 * The loopback world of the end-to-end tests: moto (STS), a DNS server with
 * the active-cluster TXT record, a CA and a stand-in API server per colour,
 * and kubeconfigs whose exec command is the built bascule.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa } from './certs.mjs';
import { startApiServer } from './apiserver.mjs';
import { startDnsServer } from './dns-server.mjs';
import { startMoto } from './moto.mjs';
import { KEYS, requireBuilt } from './run.js';
import { makeTempDir } from './temp.mjs';

export const TXT_NAME = 'eks.devinfra.info';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/k8s-admin';

export async function startWorld(options: { moto?: boolean } = {}) {
  const moto = options.moto === false ? undefined : await startMoto();
  const dns = await startDnsServer();
  dns.setTxt(TXT_NAME, ['eks-green']);
  const staticKeys: Record<string, { secretAccessKey: string; arn: string }> = {
    [KEYS.accessKeyId]: { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn },
  };
  const lookupSecret = async (id: string) => staticKeys[id] ?? (await moto?.lookupSecret(id));
  const cas = { blue: makeCa('blue'), green: makeCa('green') };
  const api = {
    blue: await startApiServer({ clusterName: 'eks-blue', ca: cas.blue, lookupSecret }),
    green: await startApiServer({ clusterName: 'eks-green', ca: cas.green, lookupSecret }),
  };
  const dir = makeTempDir('world-');
  return {
    moto,
    dns,
    cas,
    api,
    dir,
    async stop() {
      await Promise.all([api.blue.close(), api.green.close(), dns.close(), moto?.stop()]);
    },
  };
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
