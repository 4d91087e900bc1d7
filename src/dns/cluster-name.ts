/**
 * Which cluster to sign for: the pure rules that turn a TXT lookup's outcome
 * into one EKS cluster name, and the allow-list that bounds it.
 */
import { BasculeError } from '../errors.js';
import { clusterNameProblem, CLUSTER_NAME_RULE, isClusterNameChar, isValidClusterName, quoteValue } from '../vocabulary.js';
import { echo } from '../text.js';
import type { TxtAnswer } from './resolver.js';

export { isValidClusterName, quoteValue, type TxtAnswer };

/**
 * EKS cluster names cannot hold a dot, and the TXT record's name is a DNS name
 * with one: an id without a dot is the cluster name itself, signed for without
 * a TXT lookup (a peer's kubeconfig passing plain names pays no DNS round trip,
 * nor a resolver timeout).
 */
export function isPlainClusterName(id: string): boolean {
  return !id.includes('.') && isValidClusterName(id);
}

export interface ResolvedName {
  readonly clusterName: string;
  /** Where the name came from, for `--verbose`-style diagnostics. */
  readonly source: 'txt' | 'id';
}

/** ExternalDNS's TXT registry entries share names with ordinary records: never a cluster name. */
export function isExternalDnsRegistryRecord(value: string): boolean {
  return value.startsWith('heritage=');
}

export function clusterNameFromTxt(id: string, answer: TxtAnswer): ResolvedName {
  // The distinct values, registry records aside; a loop (array callbacks are JavaScript builtins, compiled on first use on kubectl's path).
  const values: string[] = [];
  for (const chunks of answer.kind === 'records' ? answer.records : []) {
    const value = chunks.join('');
    if (!isExternalDnsRegistryRecord(value) && !values.includes(value)) values.push(value);
  }
  if (values.length === 0) {
    // The bash wrapper's fallback: no record, the id is the cluster name. Only
    // when it could be one; a DNS name that holds no record is a broken setup.
    if (isValidClusterName(id)) return { clusterName: id, source: 'id' };
    const shownId = echo(id);
    if (answer.kind === 'cname') {
      throw new BasculeError('dns', `${shownId} is a CNAME to ${echo(answer.target)}, and the answer holds no TXT record naming a cluster`, {
        hint: `put the TXT record at ${shownId} itself (a name with a CNAME can hold no other record), or point -i at the CNAME's target`,
      });
    }
    const what =
      answer.kind === 'records'
        ? 'only ExternalDNS registry records'
        : answer.reason === 'NXDOMAIN'
          ? 'no such name (NXDOMAIN)'
          : 'no TXT data';
    throw new BasculeError('dns', `no TXT record naming a cluster was found at ${shownId} (${what})`, {
      hint: `create a TXT record at ${shownId} whose value is the active cluster's name, or pass the cluster name itself`,
    });
  }
  if (values.length > 1) {
    throw new BasculeError(
      'dns',
      `the TXT record at ${echo(id)} holds ${values.length} different values (${values.map(quoteValue).join(', ')}); exactly one cluster name is expected`,
      { hint: `leave one TXT value naming the active cluster at ${echo(id)}` },
    );
  }
  const value = values[0] as string;
  const problem = clusterNameProblem(value);
  if (problem) {
    throw new BasculeError('dns', `the TXT record at ${echo(id)} holds ${quoteValue(value)}, which ${problem}`, { hint: CLUSTER_NAME_RULE });
  }
  return { clusterName: value, source: 'txt' };
}

/**
 * `--allow-cluster` patterns: cluster-name characters and `*`, which matches
 * any run of cluster-name characters. Loops, not regular expressions (see
 * src/vocabulary.ts: they stay off kubectl's path).
 */
export function compileAllowList(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  for (const pattern of patterns) {
    let ok = pattern.length >= 1 && pattern.length <= 100;
    for (let i = 0; ok && i < pattern.length; i++) ok = isClusterNameChar(pattern.charCodeAt(i)) || pattern.charCodeAt(i) === 0x2a;
    if (!ok) {
      throw new BasculeError('usage', `--allow-cluster ${quoteValue(pattern)} is not a cluster name or a glob of one`, {
        hint: 'use letters, digits, "-", "_" and "*", e.g. --allow-cluster eks-blue --allow-cluster "eks-*"',
      });
    }
  }
  return (name) => {
    for (let i = 0; i < name.length; i++) if (!isClusterNameChar(name.charCodeAt(i))) return false;
    for (const pattern of patterns) if (globMatches(pattern.split('*'), name)) return true;
    return false;
  };
}

/** `parts` (a pattern split at its stars) matches the whole name: the first a prefix, the last a suffix, the others in order between. */
function globMatches(parts: readonly string[], name: string): boolean {
  const first = parts[0] as string;
  if (parts.length === 1) return first === name;
  const last = parts[parts.length - 1] as string;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  const end = name.length - last.length;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = name.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

export function assertAllowed(name: ResolvedName, id: string, patterns: readonly string[]): void {
  if (!compileAllowList(patterns)(name.clusterName)) {
    const from = name.source === 'txt' ? `the TXT record at ${echo(id)} names` : 'the id is';
    throw new BasculeError('refused', `refusing to sign for cluster "${name.clusterName}": ${from} a cluster outside --allow-cluster (${patterns.join(', ')})`, {
      hint: 'if the cluster is legitimate, add it to the kubeconfig\'s --allow-cluster list; otherwise the TXT record may have been tampered with',
    });
  }
}
