/**
 * `bascule kubeconfig --fetch` against moto's EKS (CreateCluster, then
 * bascule's DescribeCluster through AWS_ENDPOINT_URL_EKS).
 *
 * moto returns random characters as certificateAuthority.data, not a
 * certificate: bascule must refuse it, naming the cluster, and write nothing.
 * A real EKS returns its cluster CA; to test that path end to end, a small
 * HTTP proxy in front of moto swaps in the test PKI's CA for each cluster and
 * changes nothing else, and kubectl then uses the fetched CAs.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startApiServer } from '../support/apiserver.mjs';
import { makeCa } from '../support/certs.mjs';
import { startDnsServer } from '../support/dns-server.mjs';
import { BASCULE, bascule, cleanEnv, kubectl, startTcpProxy } from '../support/kube.mjs';
import { startMoto } from '../support/moto.mjs';
import { makeTempDir } from '../support/temp.mjs';

// The test's own EKS client (CreateCluster in moto): the SDK's Node-version notice kept off the run's output, as bascule keeps it off its own (src/aws/sdk.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ACCESS_KEY = 'AKIDEXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const REGION = 'eu-west-3';

let moto: Awaited<ReturnType<typeof startMoto>>;
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let green: Awaited<ReturnType<typeof startApiServer>>;
let stable: Awaited<ReturnType<typeof startTcpProxy>>;
let eksProxy: { url: string; close: () => Promise<void> };
let dir: string;
let env: Record<string, string>;
const cas = { 'eks-blue': makeCa('eks-blue'), 'eks-green': makeCa('eks-green') };
const motoEndpoints: Record<string, string> = {};

/** An HTTP proxy to moto that replaces DescribeCluster's certificateAuthority.data with the test CA. */
async function startCaSwappingProxy(target: string) {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? 'GET',
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length') as [string, string][]),
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = Buffer.from(await upstream.arrayBuffer());
    const m = /^\/clusters\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && m && upstream.ok) {
      const json = JSON.parse(body.toString('utf8'));
      const ca = cas[decodeURIComponent(m[1] as string) as keyof typeof cas];
      if (ca) json.cluster.certificateAuthority = { data: Buffer.from(ca.certPem).toString('base64') };
      body = Buffer.from(JSON.stringify(json));
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = server.address() as import('node:net').AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const platform = (overrides: { accountId?: string; blueName?: string; blueEndpoint?: string } = {}) => ({
  name: 'devinfra',
  aws: { accountId: overrides.accountId ?? '123456789012', region: REGION },
  api: { record: 'api.devinfra.local', server: stable.url },
  clusterNameRecord: { name: 'eks.devinfra.info', dnsServer: dns.address },
  live: 'green',
  domains: { private: { name: 'devinfra.local' }, public: { name: 'devinfra.fr' } },
  clusters: {
    // No endpoint, no CA: --fetch reads them.
    blue: { name: overrides.blueName ?? 'eks-blue', ...(overrides.blueEndpoint ? { endpoint: overrides.blueEndpoint } : {}) },
    green: { name: 'eks-green' },
  },
  access: [{ name: 'admin', roleArn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sadmin', groups: ['system:masters'] }],
});

function writePlatform(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(value));
  return file;
}

beforeAll(async () => {
  moto = await startMoto();
  const eks = new EKSClient({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  for (const name of ['eks-blue', 'eks-green']) {
    const { cluster } = await eks.send(
      new CreateClusterCommand({ name, roleArn: 'arn:aws:iam::123456789012:role/eks-cluster', resourcesVpcConfig: { subnetIds: ['subnet-0123456789abcdef0'] } }),
    );
    motoEndpoints[name] = (cluster?.endpoint ?? '').replace(/\/$/, '');
  }
  eks.destroy();
  eksProxy = await startCaSwappingProxy(moto.endpoint);
  green = await startApiServer({ clusterName: 'eks-green', ca: cas['eks-green'], lookupSecret: moto.lookupSecret });
  stable = await startTcpProxy(green.port);
  dns = await startDnsServer();
  dns.setTxt('eks.devinfra.info', ['eks-green']);
  dir = makeTempDir('fetch-e2e-');
  env = cleanEnv({
    HOME: join(dir, 'home'),
    KUBECACHEDIR: join(dir, 'kubecache'),
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_ENDPOINT_URL_EKS: moto.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});

afterAll(async () => {
  await Promise.all([stable?.close(), green?.close(), dns?.close(), eksProxy?.close()]);
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('--fetch against moto EKS', () => {
  it('refuses moto\'s certificateAuthority.data (not a certificate), naming the cluster; writes nothing', async () => {
    const out = join(dir, 'refused.yaml');
    const result = await bascule(['kubeconfig', '--config', writePlatform('p.yaml', platform()), '--fetch', '--out', out], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: EKS DescribeCluster eks-(blue|green) \(clusters\.(blue|green)\): certificateAuthority\.data is/);
    expect(result.stderr).toContain('bascule puts only a verified CA certificate in a kubeconfig');
    expect(existsSync(out)).toBe(false);
  });

  it('with EKS returning real CAs: endpoints and CAs from DescribeCluster, and kubectl verifies the live cluster with them', async () => {
    const out = join(dir, 'fetched.yaml');
    const result = await bascule(
      ['kubeconfig', '--config', writePlatform('p.yaml', platform({ blueEndpoint: 'https://stale.example.com' })), '--fetch', '--out', out, '--command', BASCULE],
      { env: { ...env, AWS_ENDPOINT_URL_EKS: eksProxy.url } },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`note: clusters.blue.endpoint in ${join(dir, 'p.yaml')} is https://stale.example.com; EKS says ${motoEndpoints['eks-blue']}: using EKS's`);
    const config = parse(readFileSync(out, 'utf8'));
    const cluster = (name: string) => config.clusters.find((c: { name: string }) => c.name === name).cluster;
    expect(cluster('devinfra-blue').server).toBe(motoEndpoints['eks-blue']);
    expect(cluster('devinfra-green').server).toBe(motoEndpoints['eks-green']);
    expect(cluster('devinfra-blue')['tls-server-name']).toBeUndefined();
    const pem = (name: string) => Buffer.from(cluster(name)['certificate-authority-data'], 'base64').toString();
    expect(pem('devinfra-blue').replace(/\s/g, '')).toBe(cas['eks-blue'].certPem.replace(/\s/g, ''));
    expect(pem('devinfra').replace(/\s/g, '')).toBe((cas['eks-blue'].certPem + cas['eks-green'].certPem).replace(/\s/g, ''));

    const get = await kubectl(['--kubeconfig', out, '--context', 'devinfra-admin', 'get', '--raw', '/api/v1/namespaces'], { env });
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout).items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('eks-green');
  });

  it('a cluster EKS does not know: an error naming it, nothing written', async () => {
    const out = join(dir, 'missing.yaml');
    const result = await bascule(['kubeconfig', '--config', writePlatform('missing.yaml.in', platform({ blueName: 'eks-purple' })), '--fetch', '--out', out], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: EKS has no cluster named eks-purple in ${REGION}`);
    expect(existsSync(out)).toBe(false);
  });

  it('a cluster in another account than aws.accountId: refused', async () => {
    const result = await bascule(['kubeconfig', '--config', writePlatform('other.yaml', platform({ accountId: '210987654321' })), '--fetch'], {
      env: { ...env, AWS_ENDPOINT_URL_EKS: eksProxy.url },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the cluster is in account 123456789012, not aws\.accountId 210987654321/);
    expect(result.stdout).toBe('');
  });

  it('without --fetch, a platform with no endpoints or CAs says which keys are missing', async () => {
    const result = await bascule(['kubeconfig', '--config', writePlatform('p2.yaml', platform())], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('clusters.blue.endpoint is not set');
    expect(result.stderr).toContain('clusters.green.ca is not set');
    expect(result.stderr).toContain('--fetch');
  });
});
