/**
 * Every generated Kubernetes object checked against the Kubernetes schemas
 * (kubernetes-models, one module per kind: never the package root), plus
 * what those schemas leave to the API server: names, namespaces and labels.
 * A failure is a bug in bascule, never the user's input (that is checked
 * when the platform file loads).
 */
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { ManifestFile } from './build.js';

type ModelClass = new (data: never) => { validate(): void };

const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
};

/** The kinds bascule generates, as "apiVersion/kind". */
export const GENERATED_KINDS = Object.keys(MODELS);

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
/** RBAC object names may hold ':' (system:...). */
const RBAC_NAME = /^[^/%]{1,253}$/;
const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function checkKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  return (prefix === undefined || DNS_SUBDOMAIN.test(prefix)) && LABEL_NAME.test(name);
}

/** Problems of one object ("" when none), each naming the object. */
export function validateObject(object: unknown): string[] {
  const o = object as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
  const id = `${o.apiVersion}/${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) return [`${id}: not a kind bascule knows how to check`];
  const problems: string[] = [];
  try {
    new Model(object as never).validate();
  } catch (error) {
    problems.push(`${id}: ${(error as Error).message}`);
  }
  const name = o.metadata?.name ?? '';
  const nameOk = o.kind === 'Namespace' || o.kind === 'Service' ? DNS_LABEL.test(name) : o.apiVersion?.startsWith('rbac.') ? RBAC_NAME.test(name) : DNS_SUBDOMAIN.test(name);
  if (!nameOk) problems.push(`${id}: invalid name ${JSON.stringify(name)}`);
  const namespaced = !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind ?? '');
  if (namespaced !== (o.metadata?.namespace !== undefined)) problems.push(`${id}: ${namespaced ? 'has no namespace' : 'is cluster-scoped but has a namespace'}`);
  if (o.metadata?.namespace !== undefined && !DNS_LABEL.test(o.metadata.namespace)) problems.push(`${id}: invalid namespace`);
  for (const [key, value] of Object.entries(o.metadata?.labels ?? {})) {
    if (!checkKey(key) || !LABEL_VALUE.test(value)) problems.push(`${id}: invalid label ${key}=${value}`);
  }
  for (const key of Object.keys(o.metadata?.annotations ?? {})) if (!checkKey(key)) problems.push(`${id}: invalid annotation key ${key}`);
  return problems;
}

/** Every Kubernetes object of the files (kustomization.yaml and helmfile.yaml are not objects). */
export function kubernetesObjects(files: readonly ManifestFile[]): unknown[] {
  return files.flatMap((f) => (f.kind === 'yaml' && f.multi ? [...f.documents] : []));
}

/** Every object's problems, and objects generated twice in one colour. */
export function validateFiles(files: readonly ManifestFile[]): string[] {
  const problems = kubernetesObjects(files).flatMap(validateObject);
  const seen = new Set<string>();
  for (const file of files) {
    if (file.kind !== 'yaml' || !file.multi) continue;
    const colour = file.path.split('/')[0];
    for (const doc of file.documents) {
      const o = doc as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
      const id = `${colour}: ${o.apiVersion}/${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      if (seen.has(id)) problems.push(`${id}: generated twice`);
      seen.add(id);
    }
  }
  return problems;
}
