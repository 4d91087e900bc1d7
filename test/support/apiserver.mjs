// @ts-check
/**
 * A stand-in Kubernetes API server for one "EKS cluster" on loopback HTTPS:
 * it authenticates bearer tokens as EKS does (eks-verifier.mjs, for its own
 * cluster name, keys from `lookupSecret`), and serves what kubectl asks for
 * discovery and namespaces. More routes plug in through `routes`: Deployments
 * and pods (deployments.mjs), Services and Ingresses (kube-objects.mjs).
 *
 *   const api = await startApiServer({ clusterName: 'eks-green', ca, lookupSecret });
 *   api.url            https://127.0.0.1:PORT
 *   api.identities     who authenticated, in order
 */
import https from 'node:https';
import { makeServerCert } from './certs.mjs';
import { TokenRejected, verifyToken } from './eks-verifier.mjs';

/**
 * @typedef {import('node:http').IncomingMessage} Req
 * @typedef {import('node:http').ServerResponse} Res
 * @typedef {{ url: URL, identity: import('./eks-verifier.mjs').Identity, body: () => Promise<any>, json: (code: number, value: unknown) => void }} RouteContext
 * @typedef {(req: Req, res: Res, ctx: RouteContext) => boolean | Promise<boolean>} Route
 */

/** @param {Res} res @param {number} code @param {unknown} value */
function sendJson(res, code, value) {
  const body = JSON.stringify(value);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** @param {number} code @param {string} reason @param {string} message */
export const status = (code, reason, message) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

/**
 * @param {{
 *   clusterName: string,
 *   ca: ReturnType<import('./certs.mjs').makeCa>,
 *   lookupSecret: (accessKeyId: string) => any,
 *   cert?: { certPem: string, keyPem: string },
 *   namespaces?: string[],
 *   routes?: Route[],
 *   partition?: string,
 *   host?: string,
 * }} options
 *   host: the loopback address to listen on (default 127.0.0.1; Linux answers on all of 127/8,
 *   so two stand-ins can have endpoints with different hosts, as two EKS clusters do).
 */
export async function startApiServer(options) {
  const cert = options.cert ?? makeServerCert(options.ca);
  const namespaces = options.namespaces ?? ['default', 'kube-system', options.clusterName];
  /** @type {import('./eks-verifier.mjs').Identity[]} */
  const identities = [];
  /** @type {{ reason: string }[]} */
  const rejections = [];

  /** @type {Route} */
  const core = (req, res, { url }) => {
    const path = url.pathname;
    if (req.method !== 'GET') return false;
    if (path === '/version') {
      sendJson(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-eks-standin', platform: 'linux/amd64' });
    } else if (path === '/api') {
      sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    } else if (path === '/apis') {
      sendJson(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
          { name: 'networking.k8s.io', versions: [{ groupVersion: 'networking.k8s.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'networking.k8s.io/v1', version: 'v1' } },
        ],
      });
    } else if (path === '/api/v1') {
      sendJson(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list', 'watch'], shortNames: ['ns'] },
          { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'] },
          { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get', 'list', 'watch'], shortNames: ['svc'] },
        ],
      });
    } else if (path === '/apis/apps/v1') {
      sendJson(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'apps/v1',
        resources: [
          { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'] },
          { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
        ],
      });
    } else if (path === '/apis/networking.k8s.io/v1') {
      sendJson(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'networking.k8s.io/v1',
        resources: [{ name: 'ingresses', singularName: 'ingress', namespaced: true, kind: 'Ingress', verbs: ['get', 'list', 'watch'], shortNames: ['ing'] }],
      });
    } else if (path === '/api/v1/namespaces') {
      sendJson(res, 200, {
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1' },
        items: namespaces.map((name) => ({
          kind: 'Namespace',
          apiVersion: 'v1',
          metadata: { name, uid: `${options.clusterName}-${name}`, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'bascule.test/cluster': options.clusterName } },
          status: { phase: 'Active' },
        })),
      });
    } else return false;
    return true;
  };
  const routes = [...(options.routes ?? []), core];

  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, async (req, res) => {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    /** @type {import('./eks-verifier.mjs').Identity} */
    let identity;
    try {
      if (!token) throw new TokenRejected('no bearer token');
      identity = await verifyToken(token, { clusterName: options.clusterName, partition: options.partition ?? 'aws', lookupSecret: options.lookupSecret });
    } catch (error) {
      rejections.push({ reason: error instanceof Error ? error.message : String(error) });
      sendJson(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    identities.push(identity);
    const ctx = {
      url,
      identity,
      body: () =>
        new Promise((resolve, reject) => {
          /** @type {Buffer[]} */
          const chunks = [];
          req.on('data', (c) => chunks.push(c));
          req.on('end', () => {
            try {
              resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
            } catch (e) {
              reject(e);
            }
          });
        }),
      /** @param {number} code @param {unknown} value */
      json: (code, value) => sendJson(res, code, value),
    };
    try {
      for (const route of routes) if (await route(req, res, ctx)) return;
      sendJson(res, 404, status(404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`));
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, status(500, 'InternalError', String(error)));
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise((resolve) => server.listen(0, host, () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `https://${host}:${address.port}`,
    host,
    port: address.port,
    clusterName: options.clusterName,
    identities,
    rejections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
