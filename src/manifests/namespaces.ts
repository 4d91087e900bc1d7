/** The application namespaces (pure: platform -> Namespace objects). */
import type { Colour, Platform } from '../platform/model.js';
import { meta, type INamespace } from './objects.js';

export function buildNamespaces(platform: Platform, _colour: Colour): INamespace[] {
  return platform.namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(platform, ns.name) }));
}
