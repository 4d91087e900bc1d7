/**
 * The exec command link: the plugin kubectl runs for the context's user, found
 * as kubectl finds it, asking for an exec API kubectl still speaks, and read
 * (bascule's own arguments through the token's parser). What it found is the
 * plugin's input and the environment it runs with. The plugin's version is
 * asked here and read at the end (an AWS CLI takes seconds to start).
 */
import { dirname } from 'node:path';
import { readPluginArgs, pluginKind, type PluginInput } from '../plugin.js';
import type { DoctorPorts } from '../ports.js';
import { checkServer } from '../token-rules.js';
import { broken, errHint, errText, holds, line, type Checked, type Link } from './link.js';
import type { Entry } from './kubeconfig.js';

export interface Exec {
  readonly plugin: PluginInput;
  /** The environment the plugin runs with: the doctor's, with the exec entry's on top. */
  readonly env: NodeJS.ProcessEnv;
  /** This link again, its detail with the plugin's version once known. */
  readonly versioned: Promise<Link> | undefined;
}

export function checkExecCommand(entry: Entry, ports: Pick<DoctorPorts, 'env' | 'which' | 'version'>): Checked<Exec> {
  if ('direct' in entry) return holds(line('exec command', 'skipped', 'not read: no kubeconfig entry'), { plugin: entry.direct, env: ports.env, versioned: undefined });
  const view = entry.view;
  const exec = view.user.exec;
  if (!exec) {
    return broken(line('exec command', 'fail', `user "${view.user.name}" runs no exec plugin (it uses ${view.user.kind})`, 'EKS needs a token plugin: regenerate the entry with "bascule kubeconfig --merge" (or aws eks update-kubeconfig)'));
  }
  const env = { ...ports.env, ...exec.env };
  const kind = pluginKind(exec.command);
  const path = ports.which(exec.command, env.PATH, dirname(view.file));
  const text = [exec.command, ...exec.args].join(' ');
  if (!path) {
    const fix = `install it, or put its directory on the PATH kubectl runs with${kind === 'bascule' ? ' (or regenerate with "bascule kubeconfig --merge --command /path/to/bascule")' : ''}`;
    return broken(line('exec command', 'fail', `"${exec.command}" is not found on PATH (kubectl runs: ${text})`, fix));
  }
  if (exec.apiVersion === 'client.authentication.k8s.io/v1alpha1') {
    return broken(line('exec command', 'fail', `${path}: the entry asks for ${exec.apiVersion}, which kubectl removed in 1.24`, 'regenerate the entry ("bascule kubeconfig --merge"): it writes client.authentication.k8s.io/v1'));
  }
  if (!kind) {
    const detail = `${path} is not a plugin the doctor reads (bascule, aws eks get-token, aws-iam-authenticator): ${text}`;
    return broken(line('exec command', 'fail', detail, 'run "bascule doctor -i CLUSTER --role ARN" to check the AWS side directly'));
  }
  const read = readPluginArgs(kind, exec.args, env);
  if ('problem' in read) return broken(line('exec command', 'fail', read.problem, 'regenerate the entry ("bascule kubeconfig --merge")'));
  const plugin = read;
  if (kind === 'bascule' && plugin.allowServers.length > 0) {
    try {
      checkServer({ ...(exec.provideClusterInfo ? { cluster: { server: view.cluster.server } } : {}) }, plugin.allowServers);
    } catch (error) {
      return broken(line('exec command', 'fail', `${path}: ${errText(error)}`, errHint(error)));
    }
  }
  const pending = ports.version(path, kind);
  const link = line('exec command', 'ok', `${path}: ${text}`);
  const versioned = pending.then((version) => ({ ...link, detail: `${path} (${version ?? 'version unknown'}): ${text}` }));
  return holds(link, { plugin, env, versioned });
}
