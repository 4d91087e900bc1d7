/**
 * The Kubernetes API adapter of the switch and status, on the one transport
 * (./transport.ts: the endpoint, its CA and TLS server name, the proxies of
 * the command's environment): a bearer token bascule signs itself, and the
 * few calls the switch needs: version, GET deployment, PATCH its /scale
 * subresource, list its pods. No kubectl binary, no kubeconfig. An answer
 * that is not the one expected is a `kube` error carrying its HTTP status;
 * a refusal (401, 403) names the identity that signed.
 */
import { BasculeError, redact } from '../errors.js';
import { escapeControl } from '../vocabulary.js';
import { kubeTransport } from './transport.js';

export interface ClusterConnection {
  /** For messages: "green (eks-green)". */
  readonly label: string;
  readonly clusterName: string;
  /** https://host[:port] */
  readonly endpoint: string;
  readonly caPem: string;
  readonly tlsServerName: string | undefined;
  /** Who signs the tokens, for a refusal's message: "access level admin (arn:...)". */
  readonly identity?: string;
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

export function kubeClient(connection: ClusterConnection, token: () => Promise<string>, options: { timeoutMs: number; env: NodeJS.ProcessEnv }): KubePort {
  const send = kubeTransport({ label: connection.label, endpoint: connection.endpoint, caPem: connection.caPem, tlsServerName: connection.tlsServerName }, { ...options, userAgent: 'bascule-switch' });
  const request = async (method: string, path: string, body?: unknown, contentType?: string) => send(method, path, await token(), body, contentType);

  const fail = (method: string, path: string, status: number, json: any): BasculeError => {
    const message = typeof json?.message === 'string' ? `: ${escapeControl(redact(json.message).split('\n')[0] ?? '')}` : '';
    const where = `${method} ${path} on ${connection.label} (${connection.endpoint})`;
    const as = connection.identity ? `, signed as ${connection.identity}` : '';
    if (status === 401) {
      return new BasculeError('kube', `${where}: the API server refused the token for ${connection.clusterName} (401 Unauthorized)${as}`, {
        hint: 'check that the identity (or --access / --role) is mapped in the cluster (access entry or aws-auth), and the AWS credentials in use',
        httpStatus: status,
      });
    }
    if (status === 403) {
      return new BasculeError('kube', `${where}: forbidden (403)${as}${message}`, {
        hint: 'the identity in use needs get and patch on deployments and deployments/scale, and list on pods, in the ExternalDNS namespace',
        httpStatus: status,
      });
    }
    return new BasculeError('kube', `${where}: the API server answered ${status}${message}`, { hint: 'check the cluster\'s health, then retry', httpStatus: status });
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
          httpStatus: status,
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
