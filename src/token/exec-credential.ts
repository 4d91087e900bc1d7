/**
 * The kubectl exec credential protocol: what kubectl tells the plugin
 * (KUBERNETES_EXEC_INFO) and what the plugin answers (an ExecCredential).
 */
import { BasculeError } from '../errors.js';
import { echo } from '../text.js';

export const EXEC_API_V1 = 'client.authentication.k8s.io/v1';
export const EXEC_API_V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const SUPPORTED = new Set([EXEC_API_V1, EXEC_API_V1BETA1]);

export interface ExecInfo {
  /** The apiVersion the answer must carry. */
  readonly apiVersion: string;
  /** kubectl's spec.interactive: may the plugin prompt on the terminal? undefined when not run by kubectl. */
  readonly interactive: boolean | undefined;
  /**
   * spec.cluster, sent when the kubeconfig's exec entry has provideClusterInfo:
   * true; undefined when kubectl sent none. `server` is the URL kubectl is
   * about to call (undefined when it is missing or not a string).
   */
  readonly cluster?: { readonly server: string | undefined };
  /** A warning to print once on stderr (an apiVersion bascule does not know). */
  readonly warning?: string;
}

/** Reads KUBERNETES_EXEC_INFO. Absent: not run by kubectl (or an old one): v1beta1. */
export function parseExecInfo(raw: string | undefined): ExecInfo {
  if (raw === undefined || raw.trim() === '') return { apiVersion: EXEC_API_V1BETA1, interactive: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BasculeError('config', 'KUBERNETES_EXEC_INFO is not valid JSON', {
      hint: 'kubectl sets this variable itself; unset it when running bascule by hand',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BasculeError('config', 'KUBERNETES_EXEC_INFO is not a JSON object', {
      hint: 'kubectl sets this variable itself; unset it when running bascule by hand',
    });
  }
  const info = parsed as { apiVersion?: unknown; kind?: unknown; spec?: unknown };
  if (info.kind !== undefined && info.kind !== 'ExecCredential') {
    throw new BasculeError('config', `KUBERNETES_EXEC_INFO has kind ${shownJson(info.kind)}, expected "ExecCredential"`);
  }
  const spec = info.spec;
  if (spec !== undefined && (typeof spec !== 'object' || spec === null || Array.isArray(spec))) {
    throw new BasculeError('config', 'KUBERNETES_EXEC_INFO has a spec that is not an object');
  }
  const interactiveRaw = (spec as { interactive?: unknown } | undefined)?.interactive;
  if (interactiveRaw !== undefined && typeof interactiveRaw !== 'boolean') {
    throw new BasculeError('config', 'KUBERNETES_EXEC_INFO has a spec.interactive that is not a boolean');
  }
  const interactive = interactiveRaw ?? false;
  const clusterRaw = (spec as { cluster?: unknown } | undefined)?.cluster;
  const server = (clusterRaw as { server?: unknown } | null | undefined)?.server;
  const cluster = clusterRaw === undefined || clusterRaw === null ? {} : { cluster: { server: typeof server === 'string' ? server : undefined } };
  if (typeof info.apiVersion === 'string' && SUPPORTED.has(info.apiVersion)) {
    return { apiVersion: info.apiVersion, interactive, ...cluster };
  }
  return {
    apiVersion: EXEC_API_V1BETA1,
    interactive,
    ...cluster,
    warning: `warning: KUBERNETES_EXEC_INFO asks for apiVersion ${shownJson(info.apiVersion ?? null)}, which bascule does not know; answering with ${EXEC_API_V1BETA1}\n`,
  };
}

/** A JSON value kubectl (or whoever set the variable) sent, as a message shows it: JSON, by the echo rule. */
const shownJson = (value: unknown): string => echo(JSON.stringify(value) ?? String(value));

/**
 * RFC 3339 in UTC, whole seconds, as client-go prints it. From the UTC
 * fields, not toISOString(): under Node, a process's first toISOString()
 * starts ICU's time zones (/etc/localtime read, ~1 ms on every kubectl call).
 */
export function rfc3339(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) return `${date.toISOString().slice(0, -5)}Z`; // never for a token; toISOString's own spelling
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  return `${year}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}Z`;
}

/** One line of JSON, the bytes kubectl reads from stdout. */
export function formatExecCredential(apiVersion: string, token: string, expiresAt: Date): string {
  return (
    JSON.stringify({
      kind: 'ExecCredential',
      apiVersion,
      spec: {},
      status: { expirationTimestamp: rfc3339(expiresAt), token },
    }) + '\n'
  );
}
