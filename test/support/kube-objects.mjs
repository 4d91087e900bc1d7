// @ts-check
/**
 * Services and Ingresses for the stand-in API server (apiserver.mjs `routes`),
 * what ExternalDNS reads: a test seeds them, the stand-in ExternalDNS
 * (external-dns.mjs) reads them from here, and the API serves them:
 *
 *   GET /api/v1/services                                    GET /apis/networking.k8s.io/v1/ingresses
 *   GET /api/v1/namespaces/NS/services[/NAME]               GET /apis/networking.k8s.io/v1/namespaces/NS/ingresses[/NAME]
 *
 *   const objects = objectStore();
 *   objects.put(loadBalancerService({ name: 'hello', annotations: { PrivateDNSName: 'hello' }, hostname: 'k8s-blue-1.elb.eu-west-3.amazonaws.com' }));
 *   objects.put(ingress({ name: 'world', annotations: { PublicDNSName: 'world' }, hosts: ['world.example.org'], hostname: '...' }));
 *   await startApiServer({ ..., routes: [deployments.route, objects.route] });
 */
import { status } from './apiserver.mjs';

/** @typedef {{ kind: 'Service' | 'Ingress', apiVersion: string, metadata: { name: string, namespace: string, annotations?: Record<string, string>, labels?: Record<string, string>, uid?: string, resourceVersion?: string }, spec: any, status: any }} KubeObject */

const clone = (/** @type {any} */ v) => JSON.parse(JSON.stringify(v));

/** status.loadBalancer.ingress entries: a hostname (ELB, NLB) or an IP. @param {{ hostname?: string, hostnames?: string[], ip?: string }} lb */
const lbIngress = (lb) => [...(lb.hostnames ?? (lb.hostname ? [lb.hostname] : [])).map((hostname) => ({ hostname })), ...(lb.ip ? [{ ip: lb.ip }] : [])];

/**
 * A Service of type LoadBalancer, as the AWS Load Balancer Controller leaves it.
 * @param {{ name: string, namespace?: string, annotations?: Record<string, string>, hostname?: string, hostnames?: string[], ip?: string }} o
 * @returns {KubeObject}
 */
export function loadBalancerService(o) {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: o.name, namespace: o.namespace ?? 'default', annotations: { ...(o.annotations ?? {}) } },
    spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: o.name } },
    status: { loadBalancer: { ingress: lbIngress(o) } },
  };
}

/**
 * An Ingress with rules' hosts, TLS hosts and its load balancer in status.
 * @param {{ name: string, namespace?: string, annotations?: Record<string, string>, hosts?: string[], tlsHosts?: string[], hostname?: string, hostnames?: string[], ip?: string }} o
 * @returns {KubeObject}
 */
export function ingress(o) {
  return {
    kind: 'Ingress',
    apiVersion: 'networking.k8s.io/v1',
    metadata: { name: o.name, namespace: o.namespace ?? 'default', annotations: { ...(o.annotations ?? {}) } },
    spec: {
      ingressClassName: 'alb',
      rules: (o.hosts ?? []).map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: o.name, port: { number: 80 } } } }] } })),
      ...(o.tlsHosts?.length ? { tls: [{ hosts: [...o.tlsHosts] }] } : {}),
    },
    status: { loadBalancer: { ingress: lbIngress(o) } },
  };
}

export function objectStore() {
  /** @type {Map<string, KubeObject>} */
  const objects = new Map();
  let rv = 1;
  /** @param {string} kind @param {string} namespace @param {string} name */
  const key = (kind, namespace, name) => `${kind}/${namespace}/${name}`;
  /** @param {'Service' | 'Ingress'} kind @param {string | undefined} namespace */
  const list = (kind, namespace) =>
    [...objects.values()].filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace)).map(clone);

  /** @type {import('./apiserver.mjs').Route} */
  const route = (req, _res, ctx) => {
    if (req.method !== 'GET') return false;
    const path = ctx.url.pathname;
    const svc = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/services(?:\/([^/]+))?$/.exec(path);
    const ing = /^\/apis\/networking\.k8s\.io\/v1(?:\/namespaces\/([^/]+))?\/ingresses(?:\/([^/]+))?$/.exec(path);
    const m = svc ?? ing;
    if (!m) return false;
    const kind = svc ? 'Service' : 'Ingress';
    const [namespace, name] = [m[1] && decodeURIComponent(m[1]), m[2] && decodeURIComponent(m[2])];
    if (name) {
      if (!namespace) return false;
      const o = objects.get(key(kind, namespace, name));
      if (o) ctx.json(200, clone(o));
      else ctx.json(404, status(404, 'NotFound', `${svc ? 'services' : 'ingresses.networking.k8s.io'} "${name}" not found`));
      return true;
    }
    ctx.json(200, { kind: `${kind}List`, apiVersion: svc ? 'v1' : 'networking.k8s.io/v1', metadata: { resourceVersion: String(rv) }, items: list(kind, namespace) });
    return true;
  };

  return {
    route,
    /** Adds or replaces a Service or an Ingress. @param {KubeObject} object */
    put(object) {
      const o = clone(object);
      o.metadata.namespace ??= 'default';
      o.metadata.uid ??= `uid-${o.kind}-${o.metadata.namespace}-${o.metadata.name}`.toLowerCase();
      o.metadata.resourceVersion = String(++rv);
      objects.set(key(o.kind, o.metadata.namespace, o.metadata.name), o);
    },
    /** @param {'Service' | 'Ingress'} kind @param {string} name @param {string} [namespace] */
    remove(kind, name, namespace = 'default') {
      rv += 1;
      return objects.delete(key(kind, namespace, name));
    },
    /** @param {'Service' | 'Ingress'} kind @param {string} name @param {string} [namespace] */
    get(kind, name, namespace = 'default') {
      const o = objects.get(key(kind, namespace, name));
      return o ? clone(o) : undefined;
    },
    /** @param {'Service' | 'Ingress'} kind @param {string} [namespace] */
    list: (kind, namespace) => list(kind, namespace),
    clear() {
      objects.clear();
      rv += 1;
    },
  };
}
