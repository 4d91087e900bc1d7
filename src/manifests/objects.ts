/**
 * The Kubernetes objects the manifests hold, typed with kubernetes-models'
 * interfaces (type-only imports: nothing of the package is loaded at run
 * time by the builders), so a misspelt or misplaced field fails `tsc`.
 */
import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { ISubject } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Subject';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { Platform } from '../platform/model.js';
import { MANAGED_BY_LABEL } from '../platform/names.js';

export type { IClusterRole, IClusterRoleBinding, IConfigMap, IDaemonSet, IDeployment, INamespace, IRole, IRoleBinding, IService, IServiceAccount, ISubject, ObjectMeta };

export type K8sObject = INamespace | IServiceAccount | IConfigMap | IService | IClusterRole | IClusterRoleBinding | IRole | IRoleBinding | IDeployment | IDaemonSet;

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The labels every object bascule generates carries. */
export const commonLabels = (platform: Pick<Platform, 'name'>): Record<string, string> => ({
  ...MANAGED_BY_LABEL,
  'app.kubernetes.io/part-of': platform.name,
});

export function meta(platform: Pick<Platform, 'name'>, name: string, namespace?: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): ObjectMeta {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...labels, ...commonLabels(platform) },
    ...(annotations === undefined ? {} : { annotations }),
  };
}

export const groupSubjects = (groups: readonly string[]): ISubject[] => groups.map((name) => ({ kind: 'Group', apiGroup: RBAC_GROUP, name }));

/** The IRSA annotation on a ServiceAccount. */
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
