// @ts-check
/**
 * A stand-in Kubernetes API server that knows only discovery, for kubectl's
 * client-side dry runs (`kubectl apply --dry-run=client`), which map each
 * object's kind to a resource before printing it: plain HTTP on loopback, no
 * authentication, every object reported absent (404), nothing stored.
 *
 *   const api = await startDiscoveryServer(['v1/Namespace', 'apps/v1/Deployment', ...]);
 *   api.kubeconfig(dir)   writes a kubeconfig pointing at it, returns its path
 *   api.requests          what kubectl asked, in order
 */
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

/** @param {string} kind */
const plural = (kind) => {
  const lower = kind.toLowerCase();
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
};

/** @param {string[]} kinds "apiVersion/Kind", e.g. "apps/v1/Deployment" */
export async function startDiscoveryServer(kinds) {
  /** @type {Map<string, { name: string, singularName: string, namespaced: boolean, kind: string, verbs: string[] }[]>} */
  const byGroupVersion = new Map();
  for (const entry of kinds) {
    const kind = entry.slice(entry.lastIndexOf('/') + 1);
    const groupVersion = entry.slice(0, entry.lastIndexOf('/'));
    const list = byGroupVersion.get(groupVersion) ?? [];
    list.push({ name: plural(kind), singularName: kind.toLowerCase(), namespaced: !CLUSTER_SCOPED.has(kind), kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] });
    byGroupVersion.set(groupVersion, list);
  }
  const groups = [...byGroupVersion.keys()].filter((gv) => gv.includes('/'));
  /** @type {string[]} */
  const requests = [];

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    requests.push(`${req.method} ${path}`);
    /** @param {number} code @param {unknown} value */
    const send = (code, value) => {
      const body = JSON.stringify(value);
      res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (path === '/version') return send(200, { major: '1', minor: '35', gitVersion: 'v1.35.0-discovery-standin', platform: 'linux/amd64' });
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') {
      return send(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((gv) => {
          const [name, version] = gv.split('/');
          return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
        }),
      });
    }
    const gv = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') && path.split('/').length === 4 ? path.slice('/apis/'.length) : undefined;
    if (gv && byGroupVersion.has(gv)) return send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: byGroupVersion.get(gv) });
    return send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `not found: ${path}` });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    requests,
    /** @param {string} dir */
    kubeconfig(dir) {
      const file = join(dir, 'discovery.kubeconfig');
      writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'standin', cluster: { server: url } }],
          contexts: [{ name: 'standin', context: { cluster: 'standin', user: 'nobody' } }],
          users: [{ name: 'nobody', user: {} }],
          'current-context': 'standin',
        }),
      );
      return file;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
