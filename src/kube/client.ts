/**
 * The Kubernetes API adapter of the switch and status: HTTPS straight to a
 * cluster's endpoint with node's `https` (its CA, its TLS server name), a
 * bearer token bascule signs itself, and the few calls the switch needs:
 * version, GET deployment, PATCH its /scale subresource, list its pods.
 * No kubectl binary, no kubeconfig.
 */
import https from 'node:https';
import { proxyAgents } from '../aws/proxy.js';
import { BasculeError, redact } from '../errors.js';
import { escapeControl } from '../vocabulary.js';

export interface ClusterConnection {
  /** For messages: "green (eks-green)". */
  readonly label: string;
  readonly clusterName: string;
  /** https://host[:port] */
  readonly endpoint: string;
  readonly caPem: string;
  readonly tlsServerName: string | undefined;
}

export interface DeploymentState {
  readonly name: string;
  readonly namespace: string;
  /** spec.replicas (Kubernetes' default is 1). */
  readonly desired: number;
  readonly generation: number;
  readonly observedGeneration: number;
  readonly replicas: number;
  readonly updated: number;
  readonly ready: number;
  readonly available: number;
  /** spec.selector as a label selector query ("app=x,tier in (a,b)"). */
  readonly selector: string;
  /** The ExternalDNS container (named external-dns, else the first): its image and args. */
  readonly container: { readonly index: number; readonly image: string; readonly args: readonly string[] } | undefined;
}

export interface KubePort {
  readonly connection: ClusterConnection;
  version(): Promise<string>;
  /** undefined: no such Deployment (404). */
  deployment(namespace: string, name: string): Promise<DeploymentState | undefined>;
  scale(namespace: string, name: string, replicas: number): Promise<void>;
  /** Names of the pods matching the selector, terminating ones included. */
  pods(namespace: string, selector: string): Promise<string[]>;
  /**
   * Replaces a container's args, only if they still are `from` (a JSON patch
   * whose `test` makes the API server refuse, 422, when someone changed them).
   */
  patchArgs(namespace: string, name: string, container: number, from: readonly string[], to: readonly string[]): Promise<void>;
}

type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

/** A Deployment's spec.selector as the labelSelector query parameter (pure). */
export function selectorQuery(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

const num = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** Reads what the switch needs from a Deployment object (pure). */
export function deploymentState(object: Record<string, any>): DeploymentState {
  const selector = selectorQuery(object.spec?.selector);
  const containers: any[] = Array.isArray(object.spec?.template?.spec?.containers) ? object.spec.template.spec.containers : [];
  const found = containers.findIndex((c) => c?.name === 'external-dns');
  const index = found >= 0 ? found : containers.length > 0 ? 0 : -1;
  const c = containers[index];
  return {
    name: String(object.metadata?.name ?? ''),
    namespace: String(object.metadata?.namespace ?? ''),
    desired: num(object.spec?.replicas, 1),
    generation: num(object.metadata?.generation, 0),
    observedGeneration: num(object.status?.observedGeneration, 0),
    replicas: num(object.status?.replicas),
    updated: num(object.status?.updatedReplicas),
    ready: num(object.status?.readyReplicas),
    available: num(object.status?.availableReplicas),
    selector,
    container:
      index < 0 ? undefined : { index, image: String(c?.image ?? ''), args: Array.isArray(c?.args) ? c.args.map(String) : [] },
  };
}

/** Scaled down: the controller saw the change and no replica is left (pods are checked apart). */
export const isScaledDown = (d: DeploymentState) => d.desired === 0 && d.observedGeneration >= d.generation && d.replicas === 0;

/** Rolled out at `replicas`, as `kubectl rollout status` sees it. */
export function isRolledOut(d: DeploymentState, replicas: number): boolean {
  return d.desired === replicas && d.observedGeneration >= d.generation && d.updated >= replicas && d.replicas === replicas && d.ready >= replicas && d.available >= replicas;
}


function describeNetworkError(error: NodeJS.ErrnoException): { what: string; hint: string } {
  const code = error.code ?? '';
  if ((error as { proxy?: string }).proxy) return { what: escapeControl(error.message), hint: 'check HTTPS_PROXY (or add the endpoint to NO_PROXY)' };
  if (code === 'ECONNREFUSED') return { what: 'connection refused', hint: 'check the endpoint, and that this machine can reach it (VPN, endpoint access)' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { what: `the endpoint's name does not resolve (${code})`, hint: 'check clusters.<colour>.endpoint' };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { what: 'the connection was reset', hint: 'check the endpoint and any proxy on the way' };
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return { what: 'no answer in time', hint: 'check the network, or raise --request-timeout' };
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') {
    return { what: `the server's certificate does not verify (${code}: ${error.message})`, hint: 'check clusters.<colour>.ca (or --fetch) and clusters.<colour>.tlsServerName' };
  }
  return { what: `${code || 'error'}: ${escapeControl(redact(error.message))}`, hint: 'check the endpoint and the network' };
}

export function kubeClient(connection: ClusterConnection, token: () => Promise<string>, options: { timeoutMs: number; env?: NodeJS.ProcessEnv }): KubePort {
  const base = new URL(connection.endpoint);
  // HTTPS_PROXY / NO_PROXY as kubectl takes them: a CONNECT tunnel, TLS to the cluster inside it.
  const agent = proxyAgents(options.env ?? process.env, options.timeoutMs)?.httpsAgent ?? false;

  const request = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> => {
    const bearer = await token();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          protocol: 'https:',
          hostname: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || 443,
          path,
          method,
          ca: connection.caPem,
          ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
          agent,
          timeout: options.timeoutMs,
          headers: {
            authorization: `Bearer ${bearer}`,
            accept: 'application/json',
            'user-agent': 'bascule-switch',
            ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: any;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => {
        const { what, hint } = describeNetworkError(error);
        reject(new BasculeError('kube', `${method} ${path} on ${connection.label} (${connection.endpoint}) failed: ${what}`, { hint }));
      });
      req.end(payload);
    });
  };

  const fail = (method: string, path: string, status: number, json: any): BasculeError => {
    const message = typeof json?.message === 'string' ? `: ${escapeControl(redact(json.message).split('\n')[0] ?? '')}` : '';
    const where = `${method} ${path} on ${connection.label} (${connection.endpoint})`;
    if (status === 401) {
      return new BasculeError('kube', `${where}: the API server refused the token for ${connection.clusterName} (401 Unauthorized)`, {
        hint: 'check that the identity (or --access / --role) is mapped in the cluster (access entry or aws-auth), and the AWS credentials in use',
      });
    }
    if (status === 403) return new BasculeError('kube', `${where}: forbidden (403)${message}`, { hint: 'the identity in use needs get and patch on deployments and deployments/scale, and list on pods, in the ExternalDNS namespace' });
    return new BasculeError('kube', `${where}: the API server answered ${status}${message}`, { hint: 'check the cluster\'s health, then retry' });
  };

  return {
    connection,
    async version() {
      const { status, json } = await request('GET', '/version');
      if (status !== 200) throw fail('GET', '/version', status, json);
      return typeof json?.gitVersion === 'string' ? json.gitVersion : 'unknown';
    },
    async deployment(namespace, name) {
      const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`;
      const { status, json } = await request('GET', path);
      if (status === 404) return undefined;
      if (status !== 200 || typeof json !== 'object') throw fail('GET', path, status, json);
      return deploymentState(json);
    },
    async scale(namespace, name, replicas) {
      const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}/scale`;
      const { status, json } = await request('PATCH', path, { spec: { replicas } }, 'application/merge-patch+json');
      if (status !== 200 && status !== 201) throw fail('PATCH', path, status, json);
    },
    async patchArgs(namespace, name, container, from, to) {
      const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`;
      const at = `/spec/template/spec/containers/${container}/args`;
      const patch = [
        { op: 'test', path: at, value: from },
        { op: 'replace', path: at, value: to },
      ];
      const { status, json } = await request('PATCH', path, patch, 'application/json-patch+json');
      if (status === 422 || status === 409) {
        throw new BasculeError('check', `PATCH ${path} on ${connection.label}: the container's args changed under bascule (${status}); someone else is editing ${namespace}/${name}`, {
          hint: 'look at the Deployment (kubectl get deploy -o yaml), then resume',
        });
      }
      if (status !== 200) throw fail('PATCH', path, status, json);
    },
    async pods(namespace, selector) {
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`;
      const { status, json } = await request('GET', path);
      if (status !== 200 || !Array.isArray(json?.items)) throw fail('GET', path, status, json);
      return json.items.map((p: any) => String(p?.metadata?.name ?? ''));
    },
  };
}
