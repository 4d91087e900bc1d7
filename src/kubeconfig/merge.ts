/**
 * Merging generated entries into an existing kubeconfig (pure), the way
 * `aws eks update-kubeconfig` does: an entry whose name bascule generated
 * replaces the entry of that name in place; new ones are appended; every other
 * entry and every other field (preferences, extensions, unknown keys) is kept
 * as it was. current-context is kept unless it is unset.
 */
import { BasculeError } from '../errors.js';
import type { Kubeconfig } from './build.js';

export type KubeconfigObject = Record<string, unknown>;

const LISTS = ['clusters', 'contexts', 'users'] as const;

/**
 * Checks that a parsed file is a kubeconfig bascule may rewrite. `null` (an
 * empty file) is an empty kubeconfig. Anything else that is not a Config
 * mapping with lists of named entries is refused, so nothing is lost.
 */
export function asKubeconfig(value: unknown, file: string): KubeconfigObject {
  const refuse = (what: string) =>
    new BasculeError('config', `${file} is not a kubeconfig bascule can merge into: ${what}`, {
      hint: 'nothing was written; fix or move the file, or write to another one with --out',
    });
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw refuse(`expected a mapping at the top level, got ${Array.isArray(value) ? 'a list' : typeof value}`);
  const obj = value as KubeconfigObject;
  if (obj.kind !== undefined && obj.kind !== 'Config') throw refuse(`kind is ${JSON.stringify(obj.kind)}, expected Config`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'v1') throw refuse(`apiVersion is ${JSON.stringify(obj.apiVersion)}, expected v1`);
  for (const key of LISTS) {
    const list = obj[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw refuse(`${key} is not a list`);
    list.forEach((entry, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw refuse(`${key}[${i}] is not a mapping`);
      if (typeof (entry as KubeconfigObject).name !== 'string') throw refuse(`${key}[${i}] has no name`);
    });
  }
  const current = obj['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') throw refuse('current-context is not a string');
  return obj;
}

function mergeList(existing: unknown, generated: readonly { name: string }[]): unknown[] {
  const byName = new Map(generated.map((entry) => [entry.name, entry]));
  const placed = new Set<string>();
  const out: unknown[] = [];
  for (const entry of Array.isArray(existing) ? existing : []) {
    const name = (entry as { name: string }).name;
    const replacement = byName.get(name);
    if (!replacement) out.push(entry);
    else if (!placed.has(name)) {
      out.push(replacement);
      placed.add(name);
    } // a later duplicate of a replaced name is dropped: kubectl would ignore it anyway
  }
  for (const entry of generated) if (!placed.has(entry.name)) out.push(entry);
  return out;
}

export function mergeKubeconfig(existing: KubeconfigObject, generated: Kubeconfig): KubeconfigObject {
  const merged: KubeconfigObject = { ...existing };
  merged.apiVersion ??= 'v1';
  merged.kind ??= 'Config';
  for (const key of LISTS) merged[key] = mergeList(existing[key], generated[key]);
  const current = existing['current-context'];
  if (typeof current !== 'string' || current === '') merged['current-context'] = generated['current-context'];
  // Keys bascule added go where kubectl puts them; existing keys keep their place.
  const order = ['apiVersion', 'clusters', 'contexts', 'current-context', 'kind', 'preferences', 'users'];
  const sorted: KubeconfigObject = {};
  for (const key of Object.keys(existing)) sorted[key] = merged[key];
  for (const key of order) if (!(key in sorted) && merged[key] !== undefined) sorted[key] = merged[key];
  return sorted;
}
