/**
 * The aws-auth ConfigMap (pure): IAM roles -> Kubernetes users and groups,
 * as the article's, with the nodes' roles first (applying a mapRoles without
 * them locks out nodes that join through aws-auth). mapRoles is YAML inside
 * a string: built as data and serialised by the same emitter.
 */
import type { Colour, Platform } from '../platform/model.js';
import { emitYaml } from '../platform/yaml-out.js';
import { meta, type IConfigMap } from './objects.js';

export interface MapRole {
  rolearn: string;
  username: string;
  groups: string[];
}

/**
 * aws-auth matches the role of the caller's session, which carries no IAM
 * path: arn:aws:iam::1:role/team/admin must be written arn:aws:iam::1:role/admin.
 */
export const withoutPath = (roleArn: string): string => roleArn.replace(/:role\/(?:[^/]+\/)+([^/]+)$/, ':role/$1');

export function mapRoles(platform: Platform, colour: Colour): MapRole[] {
  return [
    ...platform.clusters[colour].nodeRoleArns.map((arn) => ({ rolearn: withoutPath(arn), username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] })),
    ...platform.access.map((a) => ({ rolearn: withoutPath(a.roleArn), username: a.username, groups: [...a.groups] })),
  ];
}

export function buildAwsAuth(platform: Platform, colour: Colour): IConfigMap[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(platform, 'aws-auth', 'kube-system'),
      data: { mapRoles: emitYaml(mapRoles(platform, colour)) },
    },
  ];
}
