/**
 * The article's rights model (pure: platform -> RBAC objects), without its
 * defects (namespaces on Group subjects, the deprecated kubernetes-client.io
 * group):
 *
 *   ClusterRoleBinding readonly-role-view   rbac.readonlyGroups -> ClusterRole view
 *   per namespace:
 *     Role + RoleBinding debug-mode         debugGroups: read pods, exec, attach, port-forward
 *     RoleBinding readwrite                 readwriteGroups -> ClusterRole edit
 *     Role + RoleBinding readwrite-secrets  readwriteGroups: External Secrets Operator objects
 *
 * A binding with no group is left out; the Roles are always there.
 */
import type { Colour, Namespace, Platform } from '../platform/model.js';
import { groupSubjects, meta, RBAC_GROUP, type IClusterRoleBinding, type IRole, type IRoleBinding } from './objects.js';

export const READONLY_BINDING = 'readonly-role-view';
export const DEBUG_ROLE = 'debug-mode';
export const READWRITE_BINDING = 'readwrite';
export const SECRETS_ROLE = 'readwrite-secrets';

/**
 * debug-mode: read the pods, and exec, attach and port-forward into them.
 * kubectl opens those as WebSocket connections, an HTTP GET authorised as
 * `get`; since Kubernetes 1.35 the API server also requires `create` for
 * them (as for the older SPDY POST): both verbs.
 */
export const DEBUG_RULES: IRole['rules'] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
];

/** readwrite-secrets: External Secrets Operator's namespaced objects (ExternalSecret v1, SecretStore). */
export const SECRETS_RULES: IRole['rules'] = [
  { apiGroups: ['external-secrets.io'], resources: ['externalsecrets', 'secretstores'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
];

type RbacObject = IClusterRoleBinding | IRole | IRoleBinding;

function namespaceObjects(platform: Platform, ns: Namespace): RbacObject[] {
  const out: RbacObject[] = [];
  const role = (name: string, rules: IRole['rules']): IRole => ({ apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(platform, name, ns.name), rules });
  const binding = (name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, groups: readonly string[]): IRoleBinding => ({
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: meta(platform, name, ns.name),
    roleRef: { apiGroup: RBAC_GROUP, ...roleRef },
    subjects: groupSubjects(groups),
  });
  out.push(role(DEBUG_ROLE, DEBUG_RULES));
  if (ns.debugGroups.length > 0) out.push(binding(DEBUG_ROLE, { kind: 'Role', name: DEBUG_ROLE }, ns.debugGroups));
  if (ns.readwriteGroups.length > 0) out.push(binding(READWRITE_BINDING, { kind: 'ClusterRole', name: 'edit' }, ns.readwriteGroups));
  out.push(role(SECRETS_ROLE, SECRETS_RULES));
  if (ns.readwriteGroups.length > 0) out.push(binding(SECRETS_ROLE, { kind: 'Role', name: SECRETS_ROLE }, ns.readwriteGroups));
  return out;
}

export function buildRbac(platform: Platform, _colour: Colour): RbacObject[] {
  const out: RbacObject[] = [];
  if (platform.rbac.readonlyGroups.length > 0) {
    out.push({
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: meta(platform, READONLY_BINDING),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'view' },
      subjects: groupSubjects(platform.rbac.readonlyGroups),
    });
  }
  for (const ns of platform.namespaces) out.push(...namespaceObjects(platform, ns));
  return out;
}
