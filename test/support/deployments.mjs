// @ts-check
/**
 * Deployments for the stand-in API server (apiserver.mjs `routes`): an
 * in-memory store with what the switch uses, served as the Kubernetes API
 * serves it:
 *
 *   GET   /apis/apps/v1/namespaces/NS/deployments/NAME
 *   GET   /apis/apps/v1/namespaces/NS/deployments/NAME/scale        (autoscaling/v1 Scale)
 *   PATCH /apis/apps/v1/namespaces/NS/deployments/NAME/scale        (merge-patch or strategic-merge-patch)
 *   PUT   /apis/apps/v1/namespaces/NS/deployments/NAME/scale
 *   GET   /api/v1/namespaces/NS/pods?labelSelector=k=v[,k=v]
 *
 * A little controller plays the Deployment controller and the kubelet: after
 * a scale, pods appear (not ready, then ready) or terminate (listed with a
 * deletionTimestamp, then gone), each after `delayMs`; status and
 * observedGeneration follow. Faults are injected per request pattern.
 *
 *   const store = deploymentStore({ deployments: { 'live-external-dns-private': 1 } });
 *   await startApiServer({ ..., routes: [store.route] });
 *   store.fail({ method: 'PATCH', path: /\/scale$/, status: 500, times: 1 });
 */
import { status } from './apiserver.mjs';

/**
 * @typedef {{ name: string, ready: boolean, terminating: boolean }} Pod
 * @typedef {{ name: string, generation: number, observedGeneration: number, replicas: number, pods: Pod[], uid: string }} Deployment
 * @typedef {{ method?: string, path: RegExp, status?: number, message?: string, mode?: 'status' | 'reset', times?: number }} Fault
 */

/**
 * @param {{ namespace?: string, deployments: Record<string, number>, delayMs?: number }} options
 */
export function deploymentStore(options) {
  const namespace = options.namespace ?? 'kube-system';
  const delayMs = options.delayMs ?? 100;
  /** @type {Map<string, Deployment>} */
  const store = new Map();
  /** @type {Fault[]} */
  let faults = [];
  /** @type {{ method: string, path: string, body?: unknown }[]} */
  const calls = [];
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();
  let neverReady = false;
  let podCounter = 0;

  const later = (/** @type {() => void} */ fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, delayMs);
    timers.add(t);
  };

  /** The controller: bring pods towards spec.replicas, one delay per transition. */
  function reconcile(/** @type {Deployment} */ d) {
    later(() => {
      d.observedGeneration = d.generation;
      const live = d.pods.filter((p) => !p.terminating);
      if (live.length < d.replicas) {
        for (let i = live.length; i < d.replicas; i++) {
          const pod = { name: `${d.name}-${(++podCounter).toString(36).padStart(5, '0')}`, ready: false, terminating: false };
          d.pods.push(pod);
          later(() => {
            if (!neverReady) pod.ready = true;
          });
        }
      } else if (live.length > d.replicas) {
        for (const pod of live.slice(d.replicas)) {
          pod.terminating = true;
          pod.ready = false;
          later(() => {
            d.pods = d.pods.filter((p) => p !== pod);
          });
        }
      }
    });
  }

  /** Sets a Deployment's state at once (test setup): `replicas` ready pods, nothing pending. */
  function reset(/** @type {Record<string, number>} */ deployments) {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    store.clear();
    faults = [];
    calls.length = 0;
    neverReady = false;
    for (const [name, replicas] of Object.entries(deployments)) {
      store.set(name, {
        name,
        generation: 1,
        observedGeneration: 1,
        replicas,
        uid: `uid-${name}`,
        pods: Array.from({ length: replicas }, () => ({ name: `${name}-${(++podCounter).toString(36).padStart(5, '0')}`, ready: true, terminating: false })),
      });
    }
  }
  reset(options.deployments);

  /** @param {Deployment} d */
  function deploymentObject(d) {
    const live = d.pods.filter((p) => !p.terminating);
    const ready = live.filter((p) => p.ready).length;
    return {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: d.name, namespace, uid: d.uid, generation: d.generation, resourceVersion: String(d.generation), labels: { app: d.name } },
      spec: {
        replicas: d.replicas,
        selector: { matchLabels: { app: d.name } },
        template: { metadata: { labels: { app: d.name } }, spec: { containers: [{ name: 'external-dns', image: 'registry.k8s.io/external-dns/external-dns:v0.22.0' }] } },
      },
      status: {
        observedGeneration: d.observedGeneration,
        ...(live.length ? { replicas: live.length, updatedReplicas: live.length } : {}),
        ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      },
    };
  }

  /** @param {Deployment} d */
  const scaleObject = (d) => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: d.name, namespace, uid: d.uid, resourceVersion: String(d.generation) },
    spec: { replicas: d.replicas },
    status: { replicas: d.pods.filter((p) => !p.terminating).length, selector: `app=${d.name}` },
  });

  /** @param {Deployment} d @param {number} replicas */
  function scale(d, replicas) {
    if (d.replicas === replicas) return;
    d.replicas = replicas;
    d.generation += 1;
    reconcile(d);
  }

  /** @type {import('./apiserver.mjs').Route} */
  const route = async (req, res, ctx) => {
    const method = req.method ?? 'GET';
    const path = ctx.url.pathname;
    const fault = faults.find((f) => (f.method === undefined || f.method === method) && f.path.test(`${path}${ctx.url.search}`) && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1;
      calls.push({ method, path: `${path}${ctx.url.search}`, body: 'fault' });
      if (fault.mode === 'reset') {
        req.socket.destroy();
        return true;
      }
      ctx.json(fault.status ?? 500, status(fault.status ?? 500, 'InternalError', fault.message ?? 'injected fault'));
      return true;
    }
    const dep = new RegExp(`^/apis/apps/v1/namespaces/${namespace}/deployments/([^/]+)(/scale)?$`).exec(path);
    if (dep) {
      const d = store.get(decodeURIComponent(/** @type {string} */ (dep[1])));
      const isScale = dep[2] === '/scale';
      const body = method === 'PATCH' || method === 'PUT' ? await ctx.body() : undefined;
      calls.push({ method, path, ...(body === undefined ? {} : { body }) });
      if (!d) {
        ctx.json(404, status(404, 'NotFound', `deployments.apps "${dep[1]}" not found`));
        return true;
      }
      if (method === 'GET') ctx.json(200, isScale ? scaleObject(d) : deploymentObject(d));
      else if (isScale && (method === 'PATCH' || method === 'PUT')) {
        const type = req.headers['content-type'] ?? '';
        if (method === 'PATCH' && !/^application\/(merge-patch|strategic-merge-patch)\+json/.test(type)) {
          ctx.json(415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`));
          return true;
        }
        const replicas = body?.spec?.replicas;
        if (!Number.isInteger(replicas) || replicas < 0) {
          ctx.json(422, status(422, 'Invalid', 'spec.replicas: Invalid value: must be greater than or equal to 0'));
          return true;
        }
        scale(d, replicas);
        ctx.json(200, scaleObject(d));
      } else {
        ctx.json(405, status(405, 'MethodNotAllowed', `${method} is not supported here`));
      }
      return true;
    }
    if (method === 'GET' && path === `/api/v1/namespaces/${namespace}/pods`) {
      calls.push({ method, path: `${path}${ctx.url.search}` });
      const selector = ctx.url.searchParams.get('labelSelector') ?? '';
      const wanted = selector.split(',').filter(Boolean).map((term) => /^([\w./-]+)=([\w.-]+)$/.exec(term));
      if (wanted.some((m) => !m)) {
        ctx.json(400, status(400, 'BadRequest', `unable to parse requirement: ${selector}`));
        return true;
      }
      const app = wanted.find((m) => m?.[1] === 'app')?.[2];
      const items = [...store.values()]
        .filter((d) => wanted.length === 0 || d.name === app)
        .flatMap((d) =>
          d.pods.map((p) => ({
            kind: 'Pod',
            apiVersion: 'v1',
            metadata: { name: p.name, namespace, labels: { app: d.name }, ...(p.terminating ? { deletionTimestamp: new Date().toISOString() } : {}) },
            status: { phase: 'Running', conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
          })),
        );
      ctx.json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
      return true;
    }
    return false;
  };

  return {
    route,
    calls,
    /** Replicas wanted, pods (terminating ones included) and ready pods of a Deployment. */
    get(/** @type {string} */ name) {
      const d = store.get(name);
      if (!d) return undefined;
      return { replicas: d.replicas, pods: d.pods.length, ready: d.pods.filter((p) => p.ready && !p.terminating).length, generation: d.generation };
    },
    reset,
    /** Scales as a human with kubectl would (the controller then follows). */
    scale(/** @type {string} */ name, /** @type {number} */ replicas) {
      const d = store.get(name);
      if (d) scale(d, replicas);
    },
    /** @param {Fault} fault */
    fail(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults = [];
    },
    /** Pods that never become ready (a bad image, a crash loop); false makes them ready. @param {boolean} value */
    setNeverReady(value) {
      neverReady = value;
      if (!value) for (const d of store.values()) for (const p of d.pods) if (!p.terminating) p.ready = true;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
