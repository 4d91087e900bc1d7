/**
 * --allow-server: sign only when kubectl is about to call one of our API
 * servers. With `provideClusterInfo: true` in the exec entry, kubectl passes
 * the server it will send the token to (KUBERNETES_EXEC_INFO
 * spec.cluster.server); a server outside the list gets no token, cached or
 * new, so a user entry reused with another cluster, an edited `server:` or
 * `kubectl --server` cannot collect a token valid against the real cluster.
 * Without cluster info (an entry without provideClusterInfo, an older
 * kubectl, a run by hand) nothing is checked, as before.
 */
import { BasculeError } from '../errors.js';
import { formatServerPattern, quoteValue, serverMatches, serverOfUrl, type ServerPattern } from '../vocabulary.js';
import type { ExecInfo } from './exec-credential.js';

const SHOWN_HINT = 'bascule kubeconfig writes the platform\'s API servers there';

/** A URL as a message shows it: the echo rule, and never a user part (it could hold a password). */
const shownUrl = (url: string) => quoteValue(url.replace(/^([^/]*\/\/)[^/?#]*@/, '$1…@'));

/**
 * Refuses (BasculeError 'refused', exit 1) when kubectl passed a server that
 * matches none of `allowed`; returns what --verbose says. No list: nothing
 * checked.
 */
export function checkServer(execInfo: Pick<ExecInfo, 'cluster'>, allowed: readonly ServerPattern[]): string {
  if (allowed.length === 0) return 'no --allow-server: the token goes to whichever server kubectl calls';
  const list = allowed.map(formatServerPattern).join(', ');
  if (!execInfo.cluster) return `KUBERNETES_EXEC_INFO names no server (the exec entry has no provideClusterInfo: true, or kubectl did not run bascule): --allow-server ${list} not checked`;
  const url = execInfo.cluster.server;
  if (url === undefined || url === '') {
    throw new BasculeError('refused', 'refusing to sign: KUBERNETES_EXEC_INFO has a spec.cluster without a server, so the server kubectl will call is unknown', {
      hint: `kubectl sends spec.cluster.server with provideClusterInfo: true; whatever set KUBERNETES_EXEC_INFO did not, and --allow-server (${list}) needs it`,
    });
  }
  const server = serverOfUrl(url);
  if (typeof server === 'string') {
    throw new BasculeError('refused', `refusing to sign: the server kubectl will call, ${shownUrl(url)}, ${server}`, {
      hint: `write the cluster's server as https://HOST[:PORT] in the kubeconfig; --allow-server is ${list}`,
    });
  }
  const match = allowed.find((p) => serverMatches(p, server));
  if (!match) {
    throw new BasculeError('refused', `refusing to sign: kubectl will send the token to ${shownUrl(url)} (${formatServerPattern(server)}), outside --allow-server (${list})`, {
      hint: `a token sent there is valid against your cluster for 15 minutes: check the kubeconfig's server (and kubectl --server); if the server is yours, add --allow-server ${formatServerPattern(server)} to the exec args (${SHOWN_HINT})`,
    });
  }
  return `kubectl will call ${shownUrl(url)}: allowed by --allow-server ${formatServerPattern(match)}`;
}
