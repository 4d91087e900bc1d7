/**
 * The kubeconfig link: the context kubectl would use, its cluster and user.
 * Skipped when -i names the cluster (no kubeconfig is read); a cluster that
 * skips TLS verification is broken, but the links after it still run.
 */
import type { ContextView } from '../kubeconfig.js';
import type { PluginInput } from '../plugin.js';
import type { DoctorPorts } from '../ports.js';
import { broken, holds, line, type Checked } from './link.js';

/** Where the chain starts: a kubeconfig context, or the plugin input of doctor's own flags. */
export type Entry = { readonly view: ContextView } | { readonly direct: PluginInput };

export function checkKubeconfig(input: { readonly context: string | undefined; readonly direct: PluginInput | undefined }, ports: Pick<DoctorPorts, 'kubeconfig'>): Checked<Entry> {
  if (input.direct) return holds(line('kubeconfig', 'skipped', `not read: -i ${input.direct.id} names the cluster`), { direct: input.direct });
  const found = ports.kubeconfig(input.context);
  if ('problem' in found) return broken(line('kubeconfig', 'fail', found.problem, found.fix));
  const view = found;
  const c = view.cluster;
  const tls = c.insecure ? ', insecure-skip-tls-verify' : c.tlsServerName ? `, tls-server-name ${c.tlsServerName}` : '';
  if (c.insecure) {
    const detail = `context "${view.contextName}" (${view.file}): cluster "${c.name}" at ${c.server} skips TLS verification`;
    return holds(line('kubeconfig', 'fail', detail, 'a leaked token is then usable by anyone in the path: regenerate the entry with "bascule kubeconfig --merge" (both CAs, tls-server-name kubernetes.default.svc)'), { view });
  }
  return holds(line('kubeconfig', 'ok', `context "${view.contextName}" (${view.file}): cluster "${c.name}" at ${c.server}${tls}, user "${view.user.name}"`), { view });
}
