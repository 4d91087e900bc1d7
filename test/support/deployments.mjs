// @ts-check
/**
 * Deployments for the stand-in API server (apiserver.mjs `routes`): an
 * in-memory store with what the switch uses, served as the Kubernetes API
 * serves it:
 *
 *   GET   /apis/apps/v1/namespaces/NS/deployments[?labelSelector=k=v[,k=v]]
 *   GET   /apis/apps/v1/namespaces/NS/deployments/NAME
 *   PATCH /apis/apps/v1/namespaces/NS/deployments/NAME   (merge-patch, strategic-merge-patch, json-patch)
 *   PUT   /apis/apps/v1/namespaces/NS/deployments/NAME   (resourceVersion checked when given: 409 Conflict)
 *   GET   /apis/apps/v1/namespaces/NS/deployments/NAME/scale        (autoscaling/v1 Scale)
 *   PATCH /apis/apps/v1/namespaces/NS/deployments/NAME/scale        (merge-patch or strategic-merge-patch)
 *   PUT   /apis/apps/v1/namespaces/NS/deployments/NAME/scale
 *   GET   /api/v1/namespaces/NS/pods?labelSelector=k=v[,k=v]
 *
 * A Deployment is seeded either as a replica count (the old form: labels
 * `app: NAME`, one container `external-dns`, no args) or as the Deployment
 * object `bascule manifests` generates (its labels, selector, template, args).
 *
 * A little controller plays the Deployment controller and the kubelet: after
 * a scale, pods appear (not ready, then ready) or terminate (listed with a
 * deletionTimestamp, then gone), each after `delayMs`; after a change of the
 * pod template (args, image), the old pods terminate and new ones start (as
 * the Recreate strategy does). Each pod keeps the template it was started
 * with: `store.pods(NAME)` is what runs (the stand-in ExternalDNS reads its
 * args there). Status and observedGeneration follow. Faults are injected per
 * request pattern.
 *
 *   const store = deploymentStore({ deployments: { 'live-external-dns-private': 1 } });
 *   const store = deploymentStore({ deployments: { [d.metadata.name]: d } });   // d from buildExternalDns()
 *   await startApiServer({ ..., routes: [store.route] });
 *   store.fail({ method: 'PATCH', path: /\/scale$/, status: 500, times: 1 });
 */
import { status } from './apiserver.mjs';

/**
 * @typedef {{ name: string, ready: boolean, terminating: boolean, template: any, templateVersion: number }} Pod
 * @typedef {{ name: string, generation: number, observedGeneration: number, replicas: number, pods: Pod[], uid: string,
 *   rv: number, labels: Record<string, string>, annotations: Record<string, string>, selector: any, strategy: any, template: any, templateVersion: number }} Deployment
 * @typedef {{ method?: string, path: RegExp, status?: number, message?: string, mode?: 'status' | 'reset', times?: number }} Fault
 * @typedef {number | { metadata?: { name?: string, labels?: Record<string, string>, annotations?: Record<string, string> }, spec?: any }} Seed
 */

const IMAGE = 'registry.k8s.io/external-dns/external-dns:v0.22.0';
const clone = (/** @type {any} */ v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const isObject = (/** @type {unknown} */ v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. @param {any} target @param {any} patch @returns {any} */
export function mergePatch(target, patch) {
  if (!isObject(patch)) return clone(patch);
  const out = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Lists a strategic merge patch merges by key (the rest are replaced, as `args` is). */
const MERGE_KEYS = /** @type {Record<string, string>} */ ({ containers: 'name', initContainers: 'name', env: 'name', ports: 'containerPort', volumes: 'name', volumeMounts: 'mountPath' });

/** Kubernetes' strategic merge patch, for the lists a Deployment has (`$patch: delete|replace` honoured). @param {any} target @param {any} patch @param {string} [field] @returns {any} */
export function strategicMergePatch(target, patch, field = '') {
  if (Array.isArray(patch) && MERGE_KEYS[field] && Array.isArray(target)) {
    const key = /** @type {string} */ (MERGE_KEYS[field]);
    if (patch.some((p) => isObject(p) && p.$patch === 'replace')) return clone(patch.filter((p) => p.$patch !== 'replace'));
    const out = clone(target);
    for (const item of patch) {
      const at = out.findIndex((/** @type {any} */ o) => isObject(o) && o[key] === item[key]);
      if (isObject(item) && item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMergePatch(out[at], item);
      else out.push(clone(item));
    }
    return out;
  }
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch, ...rest } = patch;
    return clone(rest);
  }
  const out = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, k);
  }
  return out;
}

/** RFC 6902 JSON patch (add, remove, replace, test). @param {any} doc @param {any[]} ops @returns {any} */
export function jsonPatch(doc, ops) {
  const out = clone(doc);
  for (const op of ops) {
    const parts = String(op.path ?? '')
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = /** @type {string} */ (parts.pop());
    let parent = out;
    for (const p of parts) {
      parent = parent?.[Array.isArray(parent) ? Number(p) : p];
      if (parent === undefined || parent === null) throw new Error(`json patch: path ${op.path} does not exist`);
    }
    const index = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    if (op.op === 'test') {
      if (JSON.stringify(parent[index]) !== JSON.stringify(op.value)) throw new Error(`json patch: test failed at ${op.path}`);
    } else if (op.op === 'remove') {
      if (!(index in parent)) throw new Error(`json patch: path ${op.path} does not exist`);
      if (Array.isArray(parent)) parent.splice(Number(index), 1);
      else delete parent[index];
    } else if (op.op === 'add') {
      if (Array.isArray(parent)) parent.splice(Number(index), 0, clone(op.value));
      else parent[index] = clone(op.value);
    } else if (op.op === 'replace') {
      if (!(index in parent)) throw new Error(`json patch: path ${op.path} does not exist`);
      parent[index] = clone(op.value);
    } else throw new Error(`json patch: unsupported op ${op.op}`);
  }
  return out;
}

/** `k=v,k2=v2` matched against labels; undefined when the selector does not parse. @param {string} selector */
function parseSelector(selector) {
  const terms = selector.split(',').filter(Boolean).map((term) => /^([\w./-]+)==?([\w.-]*)$/.exec(term));
  if (terms.some((m) => !m)) return undefined;
  return (/** @type {Record<string, string>} */ labels) => terms.every((m) => labels[/** @type {string} */ (m?.[1])] === m?.[2]);
}

/**
 * @param {{ namespace?: string, deployments: Record<string, Seed>, delayMs?: number }} options
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
  /** @param {Deployment} d @param {boolean} ready @returns {Pod} */
  const newPod = (d, ready) => ({ name: `${d.name}-${(++podCounter).toString(36).padStart(5, '0')}`, ready, terminating: false, template: clone(d.template), templateVersion: d.templateVersion });

  /** @param {Deployment} d @param {Pod} pod */
  const terminate = (d, pod) => {
    pod.terminating = true;
    pod.ready = false;
    later(() => {
      d.pods = d.pods.filter((p) => p !== pod);
    });
  };

  /** The controller: old-template pods go, then pods come or go towards spec.replicas, one delay per transition. */
  function reconcile(/** @type {Deployment} */ d) {
    later(() => {
      d.observedGeneration = d.generation;
      for (const pod of d.pods.filter((p) => !p.terminating && p.templateVersion !== d.templateVersion)) terminate(d, pod);
      const live = d.pods.filter((p) => !p.terminating);
      if (live.length < d.replicas) {
        for (let i = live.length; i < d.replicas; i++) {
          const pod = newPod(d, false);
          d.pods.push(pod);
          later(() => {
            if (!neverReady && !pod.terminating) pod.ready = true;
          });
        }
      } else if (live.length > d.replicas) {
        for (const pod of live.slice(d.replicas)) terminate(d, pod);
      }
    });
  }

  /** @param {string} name @param {Seed} seed @returns {Deployment} */
  function seedDeployment(name, seed) {
    const manifest = typeof seed === 'number' ? undefined : seed;
    const replicas = typeof seed === 'number' ? seed : (manifest?.spec?.replicas ?? 1);
    const labels = manifest?.metadata?.labels ?? { app: name };
    const selector = clone(manifest?.spec?.selector) ?? { matchLabels: { app: name } };
    const template = clone(manifest?.spec?.template) ?? { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'external-dns', image: IMAGE }] } };
    /** @type {Deployment} */
    const d = {
      name,
      generation: 1,
      observedGeneration: 1,
      replicas,
      uid: `uid-${name}`,
      rv: 1,
      labels: { ...labels },
      annotations: { ...(manifest?.metadata?.annotations ?? {}) },
      selector,
      strategy: clone(manifest?.spec?.strategy),
      template,
      templateVersion: 1,
      pods: [],
    };
    d.pods = Array.from({ length: replicas }, () => newPod(d, true));
    return d;
  }

  /** Sets the Deployments' state at once (test setup): `replicas` ready pods, nothing pending. @param {Record<string, Seed>} deployments */
  function reset(deployments) {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    store.clear();
    faults = [];
    calls.length = 0;
    neverReady = false;
    for (const [name, seed] of Object.entries(deployments)) store.set(name, seedDeployment(name, seed));
  }
  reset(options.deployments);

  /** @param {Deployment} d */
  function deploymentObject(d) {
    const live = d.pods.filter((p) => !p.terminating);
    const ready = live.filter((p) => p.ready).length;
    const updated = live.filter((p) => p.templateVersion === d.templateVersion).length;
    return {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: {
        name: d.name,
        namespace,
        uid: d.uid,
        generation: d.generation,
        resourceVersion: String(d.rv),
        labels: { ...d.labels },
        ...(Object.keys(d.annotations).length ? { annotations: { ...d.annotations } } : {}),
      },
      spec: { replicas: d.replicas, selector: clone(d.selector), ...(d.strategy ? { strategy: clone(d.strategy) } : {}), template: clone(d.template) },
      status: {
        observedGeneration: d.observedGeneration,
        ...(live.length ? { replicas: live.length, updatedReplicas: updated } : {}),
        ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      },
    };
  }

  /** @param {Deployment} d */
  const scaleObject = (d) => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: d.name, namespace, uid: d.uid, resourceVersion: String(d.rv) },
    spec: { replicas: d.replicas },
    status: { replicas: d.pods.filter((p) => !p.terminating).length, selector: Object.entries(d.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') },
  });

  /** @param {Deployment} d @param {number} replicas */
  function scale(d, replicas) {
    if (d.replicas === replicas) return;
    d.replicas = replicas;
    d.generation += 1;
    d.rv += 1;
    reconcile(d);
  }

  /**
   * Writes a whole Deployment object over `d` as the API server would: the
   * selector is immutable; a new template starts a rollout; replicas scale.
   * @param {Deployment} d @param {any} next @returns {{ code: number, reason: string, message: string } | undefined}
   */
  function update(d, next) {
    const spec = next?.spec ?? {};
    const replicas = spec.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 0) return { code: 422, reason: 'Invalid', message: `Deployment.apps "${d.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` };
    if (JSON.stringify(spec.selector) !== JSON.stringify(d.selector))
      return { code: 422, reason: 'Invalid', message: `Deployment.apps "${d.name}" is invalid: spec.selector: Invalid value: ${JSON.stringify(spec.selector)}: field is immutable` };
    const containers = spec.template?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0 || containers.some((c) => !c?.name || !c?.image))
      return { code: 422, reason: 'Invalid', message: `Deployment.apps "${d.name}" is invalid: spec.template.spec.containers: Required value` };
    if (containers.some((c) => c.args !== undefined && (!Array.isArray(c.args) || c.args.some((/** @type {unknown} */ a) => typeof a !== 'string'))))
      return { code: 400, reason: 'BadRequest', message: `Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal into Go struct field Container.spec.template.spec.containers.args of type string` };
    const templateChanged = JSON.stringify(spec.template) !== JSON.stringify(d.template);
    const changed = templateChanged || replicas !== d.replicas || JSON.stringify(spec.strategy) !== JSON.stringify(d.strategy);
    d.labels = { ...(next?.metadata?.labels ?? {}) };
    d.annotations = { ...(next?.metadata?.annotations ?? {}) };
    d.strategy = clone(spec.strategy);
    d.rv += 1;
    if (templateChanged) {
      d.template = clone(spec.template);
      d.templateVersion += 1;
    }
    d.replicas = replicas;
    if (changed) {
      d.generation += 1;
      reconcile(d);
    }
    return undefined;
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
    if (method === 'GET' && path === `/apis/apps/v1/namespaces/${namespace}/deployments`) {
      calls.push({ method, path: `${path}${ctx.url.search}` });
      const match = parseSelector(ctx.url.searchParams.get('labelSelector') ?? '');
      if (!match) {
        ctx.json(400, status(400, 'BadRequest', `unable to parse requirement: ${ctx.url.searchParams.get('labelSelector')}`));
        return true;
      }
      const items = [...store.values()].filter((d) => match(d.labels)).map(deploymentObject);
      ctx.json(200, { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '1' }, items });
      return true;
    }
    const dep = new RegExp(`^/apis/apps/v1/namespaces/${namespace}/deployments/([^/]+)(/scale)?$`).exec(path);
    if (dep) {
      const d = store.get(decodeURIComponent(/** @type {string} */ (dep[1])));
      const isScale = dep[2] === '/scale';
      let body;
      if (method === 'PATCH' || method === 'PUT') {
        try {
          body = await ctx.body();
        } catch {
          calls.push({ method, path, body: 'unparsable' });
          ctx.json(400, status(400, 'BadRequest', 'the request body is not valid JSON'));
          return true;
        }
      }
      calls.push({ method, path, ...(body === undefined ? {} : { body }) });
      if (!d) {
        ctx.json(404, status(404, 'NotFound', `deployments.apps "${dep[1]}" not found`));
        return true;
      }
      const type = req.headers['content-type'] ?? '';
      if (method === 'GET') ctx.json(200, isScale ? scaleObject(d) : deploymentObject(d));
      else if (isScale && (method === 'PATCH' || method === 'PUT')) {
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
      } else if (!isScale && (method === 'PATCH' || method === 'PUT')) {
        const current = deploymentObject(d);
        let next;
        try {
          if (method === 'PUT') {
            const rv = body?.metadata?.resourceVersion;
            if (rv !== undefined && rv !== current.metadata.resourceVersion) {
              ctx.json(409, status(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${d.name}": the object has been modified; please apply your changes to the latest version and try again`));
              return true;
            }
            next = body;
          } else if (/^application\/merge-patch\+json/.test(type)) next = mergePatch(current, body);
          else if (/^application\/strategic-merge-patch\+json/.test(type)) next = strategicMergePatch(current, body);
          else if (/^application\/json-patch\+json/.test(type)) {
            if (!Array.isArray(body)) throw new Error('json patch: the body must be a list of operations');
            next = jsonPatch(current, body);
          } else {
            ctx.json(
              415,
              status(
                415,
                'UnsupportedMediaType',
                `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`,
              ),
            );
            return true;
          }
        } catch (error) {
          ctx.json(422, status(422, 'Invalid', error instanceof Error ? error.message : String(error)));
          return true;
        }
        const invalid = update(d, next);
        if (invalid) ctx.json(invalid.code, status(invalid.code, invalid.reason, invalid.message));
        else ctx.json(200, deploymentObject(d));
      } else {
        ctx.json(405, status(405, 'MethodNotAllowed', `${method} is not supported here`));
      }
      return true;
    }
    if (method === 'GET' && path === `/api/v1/namespaces/${namespace}/pods`) {
      calls.push({ method, path: `${path}${ctx.url.search}` });
      const selector = ctx.url.searchParams.get('labelSelector') ?? '';
      const match = parseSelector(selector);
      if (!match) {
        ctx.json(400, status(400, 'BadRequest', `unable to parse requirement: ${selector}`));
        return true;
      }
      const items = [...store.values()].flatMap((d) =>
        d.pods
          .filter((p) => match(p.template?.metadata?.labels ?? {}))
          .map((p) => ({
            kind: 'Pod',
            apiVersion: 'v1',
            metadata: { name: p.name, namespace, labels: { ...(p.template?.metadata?.labels ?? {}) }, ...(p.terminating ? { deletionTimestamp: new Date().toISOString() } : {}) },
            spec: clone(p.template?.spec),
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
    namespace,
    /** Replicas wanted, pods (terminating ones included) and ready pods of a Deployment. */
    get(/** @type {string} */ name) {
      const d = store.get(name);
      if (!d) return undefined;
      return { replicas: d.replicas, pods: d.pods.length, ready: d.pods.filter((p) => p.ready && !p.terminating).length, generation: d.generation };
    },
    /** The Deployment object as the API serves it. @param {string} name */
    deployment(name) {
      const d = store.get(name);
      return d ? deploymentObject(d) : undefined;
    },
    /** Names of the Deployments held. */
    names: () => [...store.keys()],
    /** The pods that run: ready and not terminating, each with the pod template it started with. @param {string} name */
    running(name) {
      const d = store.get(name);
      return d ? d.pods.filter((p) => p.ready && !p.terminating).map((p) => ({ name: p.name, template: clone(p.template), templateVersion: p.templateVersion })) : [];
    },
    /** The args of a container of the Deployment's template (default: the first). @param {string} name @param {string} [container] */
    args(name, container) {
      const containers = store.get(name)?.template?.spec?.containers ?? [];
      const c = container ? containers.find((/** @type {any} */ x) => x.name === container) : containers[0];
      return c ? [...(c.args ?? [])] : undefined;
    },
    /** Replaces a container's args (as `kubectl edit` would): a rollout follows. @param {string} name @param {string[]} args @param {string} [container] */
    setArgs(name, args, container) {
      const d = store.get(name);
      if (!d) throw new Error(`no Deployment ${name}`);
      const next = deploymentObject(d);
      const containers = next.spec.template.spec.containers;
      const c = container ? containers.find((/** @type {any} */ x) => x.name === container) : containers[0];
      if (!c) throw new Error(`Deployment ${name} has no container ${container ?? ''}`);
      c.args = [...args];
      const invalid = update(d, next);
      if (invalid) throw new Error(invalid.message);
    },
    /** Adds or replaces a Deployment from its object (e.g. from buildExternalDns), running at once. @param {any} manifest */
    apply(manifest) {
      const name = manifest?.metadata?.name;
      if (!name) throw new Error('a Deployment needs metadata.name');
      store.set(name, seedDeployment(name, manifest));
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
