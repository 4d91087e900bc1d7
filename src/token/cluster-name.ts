/**
 * Which cluster to sign for: the pure rules that turn a TXT lookup's outcome
 * into one EKS cluster name, and the allow-list that bounds it.
 */
import { BasculeError } from '../errors.js';

/** EKS: 1-100 characters, starts with a letter or digit, then letters, digits, - and _. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

export function isValidClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name);
}

/**
 * EKS cluster names cannot hold a dot, and the TXT record's name is a DNS name
 * with one: an id without a dot is the cluster name itself, signed for without
 * a TXT lookup (a peer's kubeconfig passing plain names pays no DNS round trip,
 * nor a resolver timeout).
 */
export function isPlainClusterName(id: string): boolean {
  return !id.includes('.') && isValidClusterName(id);
}

/** What a TXT lookup found. Errors of the lookup itself are thrown by the DNS adapter. */
export type TxtAnswer =
  | { readonly kind: 'records'; readonly records: readonly (readonly string[])[] }
  | { readonly kind: 'none'; readonly reason: 'NXDOMAIN' | 'NODATA' };

export interface ResolvedName {
  readonly clusterName: string;
  /** Where the name came from, for `--verbose`-style diagnostics. */
  readonly source: 'txt' | 'id';
}

/** ExternalDNS's TXT registry entries share names with ordinary records: never a cluster name. */
export function isExternalDnsRegistryRecord(value: string): boolean {
  return value.startsWith('heritage=');
}

/** A TXT value as it may appear in a message: quoted, printable, bounded. */
export function quoteValue(value: string): string {
  const shown = value.length > 120 ? `${value.slice(0, 117)}...` : value;
  return JSON.stringify(shown);
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
    const what =
      answer.kind === 'records'
        ? 'only ExternalDNS registry records'
        : answer.reason === 'NXDOMAIN'
          ? 'no such name (NXDOMAIN)'
          : 'no TXT data';
    throw new BasculeError('dns', `no TXT record naming a cluster was found at ${id} (${what})`, {
      hint: `create a TXT record at ${id} whose value is the active cluster's name, or pass the cluster name itself`,
    });
  }
  if (values.length > 1) {
    throw new BasculeError(
      'dns',
      `the TXT record at ${id} holds ${values.length} different values (${values.map(quoteValue).join(', ')}); exactly one cluster name is expected`,
      { hint: `leave one TXT value naming the active cluster at ${id}` },
    );
  }
  const value = values[0] as string;
  if (!isValidClusterName(value)) {
    const why = value.length > 100 ? `is ${value.length} characters long (at most 100)` : 'is not a valid EKS cluster name';
    throw new BasculeError('dns', `the TXT record at ${id} holds ${quoteValue(value)}, which ${why}`, {
      hint: 'EKS cluster names are 1-100 letters, digits, "-" and "_", starting with a letter or digit',
    });
  }
  return { clusterName: value, source: 'txt' };
}

/** `--allow-cluster` patterns: cluster-name characters and `*` (any run of characters). */
export function compileAllowList(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const regexes = patterns.map((pattern) => {
    if (!/^[0-9A-Za-z_*-]{1,100}$/.test(pattern)) {
      throw new BasculeError('usage', `--allow-cluster ${JSON.stringify(pattern)} is not a cluster name or a glob of one`, {
        hint: 'use letters, digits, "-", "_" and "*", e.g. --allow-cluster eks-blue --allow-cluster "eks-*"',
      });
    }
    return new RegExp(`^${pattern.split('*').join('[A-Za-z0-9_-]*')}$`);
  });
  return (name) => regexes.some((re) => re.test(name));
}

export function assertAllowed(name: ResolvedName, id: string, patterns: readonly string[]): void {
  if (!compileAllowList(patterns)(name.clusterName)) {
    const from = name.source === 'txt' ? `the TXT record at ${id} names` : 'the id is';
    throw new BasculeError('refused', `refusing to sign for cluster "${name.clusterName}": ${from} a cluster outside --allow-cluster (${patterns.join(', ')})`, {
      hint: 'if the cluster is legitimate, add it to the kubeconfig\'s --allow-cluster list; otherwise the TXT record may have been tampered with',
    });
  }
}
