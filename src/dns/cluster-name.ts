/**
 * Which cluster to sign for: the pure rules that turn a TXT lookup's outcome
 * into one EKS cluster name, and the allow-list that bounds it.
 */
import { BasculeError } from '../errors.js';
import { clusterNameProblem, CLUSTER_NAME_RULE, isValidClusterName, quoteValue } from '../vocabulary.js';
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
  const values =
    answer.kind === 'records'
      ? [...new Set(answer.records.map((chunks) => chunks.join('')).filter((v) => !isExternalDnsRegistryRecord(v)))]
      : [];
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

/** `--allow-cluster` patterns: cluster-name characters and `*` (any run of characters). */
export function compileAllowList(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const regexes = patterns.map((pattern) => {
    if (!/^[0-9A-Za-z_*-]{1,100}$/.test(pattern)) {
      throw new BasculeError('usage', `--allow-cluster ${quoteValue(pattern)} is not a cluster name or a glob of one`, {
        hint: 'use letters, digits, "-", "_" and "*", e.g. --allow-cluster eks-blue --allow-cluster "eks-*"',
      });
    }
    return new RegExp(`^${pattern.split('*').join('[A-Za-z0-9_-]*')}$`);
  });
  return (name) => regexes.some((re) => re.test(name));
}

export function assertAllowed(name: ResolvedName, id: string, patterns: readonly string[]): void {
  if (!compileAllowList(patterns)(name.clusterName)) {
    const from = name.source === 'txt' ? `the TXT record at ${echo(id)} names` : 'the id is';
    throw new BasculeError('refused', `refusing to sign for cluster "${name.clusterName}": ${from} a cluster outside --allow-cluster (${patterns.join(', ')})`, {
      hint: 'if the cluster is legitimate, add it to the kubeconfig\'s --allow-cluster list; otherwise the TXT record may have been tampered with',
    });
  }
}
