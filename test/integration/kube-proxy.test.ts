/**
 * The switch's calls to a cluster's Kubernetes API honour HTTPS_PROXY and
 * NO_PROXY as kubectl does: a CONNECT tunnel to the endpoint, TLS (the
 * cluster's CA, its TLS server name) verified inside it; and a failure of
 * the API is a `kube` error, not an AWS one.
 */
import https from 'node:https';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasculeError } from '../../src/errors.js';
import { kubeClient } from '../../src/kube/client.js';
import { makeCa, makeServerCert } from '../support/certs.mjs';
import { type ConnectProxy, startConnectProxy } from '../support/connect-proxy.js';

let ca: ReturnType<typeof makeCa>;
let api: https.Server;
let endpoint = '';
let proxy: ConnectProxy;
let proxyUrl = '';
let connects: string[] = [];

beforeAll(async () => {
  ca = makeCa('kube-proxy');
  const cert = makeServerCert(ca); // names kubernetes.default.svc, as EKS certificates do
  api = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    if (req.headers.authorization !== 'Bearer k8s-aws-v1.test') return res.writeHead(401).end('{"message":"Unauthorized"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"gitVersion":"v1.32.0-eks"}');
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  endpoint = `https://127.0.0.1:${(api.address() as net.AddressInfo).port}`;
  proxy = await startConnectProxy();
  ({ url: proxyUrl, connects } = proxy);
});

afterAll(async () => {
  api?.closeAllConnections();
  await Promise.all([new Promise((r) => api?.close(r)), proxy?.close()]);
  if (ca) rmSync(ca.dir, { recursive: true, force: true });
});

const client = (env: NodeJS.ProcessEnv, token = 'k8s-aws-v1.test') =>
  kubeClient({ label: 'green (eks-green)', clusterName: 'eks-green', endpoint, caPem: ca.certPem, tlsServerName: 'kubernetes.default.svc' }, async () => token, { timeoutMs: 5000, env });

describe('Kubernetes API calls and proxies', () => {
  it('HTTPS_PROXY: through a CONNECT tunnel, TLS verified inside it', async () => {
    connects.length = 0;
    expect(await client({ HTTPS_PROXY: proxyUrl }).version()).toBe('v1.32.0-eks');
    expect(connects).toEqual([endpoint.replace('https://', '')]);
  });

  it.each(['127.0.0.1', '127.0.0.0/8', '127.0.0.1:PORT', 'example.com,.local,127.0.0.1', '*'])('NO_PROXY=%s: direct', async (entry) => {
    const noProxy = entry.replace('PORT', new URL(endpoint).port);
    connects.length = 0;
    expect(await client({ https_proxy: proxyUrl, NO_PROXY: noProxy }).version()).toBe('v1.32.0-eks');
    expect(connects).toEqual([]);
  });

  it('a refused token is a kube error naming the cluster', async () => {
    const failure = await client({}, 'k8s-aws-v1.wrong').version().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BasculeError);
    expect((failure as BasculeError).kind).toBe('kube');
    expect((failure as BasculeError).message).toMatch(/GET \/version on green \(eks-green\) \(https:\/\/127\.0\.0\.1:\d+\): the API server refused the token for eks-green \(401 Unauthorized\)/);
  });

  it('a proxy that is not there is named', async () => {
    const failure = await client({ HTTPS_PROXY: 'http://127.0.0.1:1' }).version().catch((e: unknown) => e);
    expect((failure as BasculeError).kind).toBe('kube');
    expect((failure as BasculeError).message).toMatch(/failed: proxy 127\.0\.0\.1:1: ECONNREFUSED$/);
    expect((failure as BasculeError).hint).toMatch(/HTTPS_PROXY/);
  });
});
