/**
 * The kubeconfig as kubectl reads it, for one context: KUBECONFIG's files in
 * order (the first file to name an entry wins, current-context from the
 * first file that sets one), else ~/.kube/config (the paths: loadingPrecedence
 * of src/kubeconfig/rules.ts, as --merge reads them). Read-only: the doctor
 * never writes a kubeconfig. Parsing is pure (`selectContext`); `readKubeconfigs`
 * is the file adapter.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface KubeconfigFile {
  readonly path: string;
  /** undefined: missing (kubectl skips missing files in KUBECONFIG). */
  readonly text: string | undefined;
}

export interface ExecEntry {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly apiVersion: string;
  readonly interactiveMode: string | undefined;
  /** kubectl passes the cluster (its server) to the plugin: what --allow-server checks. */
  readonly provideClusterInfo: boolean;
}

export interface ContextView {
  readonly files: readonly string[];
  readonly contextName: string;
  /** Where the context was found. */
  readonly file: string;
  readonly cluster: {
    readonly name: string;
    readonly server: string;
    readonly caPem: string | undefined;
    readonly tlsServerName: string | undefined;
    readonly insecure: boolean;
  };
  readonly user: { readonly name: string; readonly exec: ExecEntry | undefined; readonly kind: string };
}

export type ContextProblem = { readonly problem: string; readonly fix: string; readonly files: readonly string[] };

export function readKubeconfigs(paths: readonly string[]): KubeconfigFile[] {
  return paths.map((path) => {
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch {
      return { path, text: undefined };
    }
  });
}

type Named = { name?: unknown; [k: string]: unknown };
const asList = (v: unknown): Named[] => (Array.isArray(v) ? v.filter((x): x is Named => typeof x === 'object' && x !== null) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Picks the context (the named one, else current-context) and resolves its cluster and user (pure but for CA files). */
export function selectContext(files: readonly KubeconfigFile[], wanted: string | undefined, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ContextView | ContextProblem {
  const paths = files.map((f) => f.path);
  const present = files.filter((f) => f.text !== undefined);
  if (present.length === 0) {
    return { problem: `no kubeconfig: ${paths.join(', ')} ${paths.length === 1 ? 'does' : 'do'} not exist`, fix: 'write one with "bascule kubeconfig --merge" (or aws eks update-kubeconfig), or point KUBECONFIG at it', files: paths };
  }
  const docs: { path: string; doc: Record<string, unknown> }[] = [];
  for (const f of present) {
    let doc: unknown;
    try {
      doc = parse(f.text as string, { maxAliasCount: 100 });
    } catch (error) {
      return { problem: `${f.path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, fix: 'fix the file (kubectl would refuse it too)', files: paths };
    }
    if (doc !== null && doc !== undefined) docs.push({ path: f.path, doc: doc as Record<string, unknown> });
  }
  const first = <T>(key: 'clusters' | 'users' | 'contexts', name: string, field: string): { value: T; path: string } | undefined => {
    for (const { path, doc } of docs) {
      const hit = asList(doc[key]).find((e) => e.name === name);
      if (hit) return { value: (hit[field] ?? {}) as T, path };
    }
    return undefined;
  };
  const current = docs.map((d) => str(d.doc['current-context'])).find((c) => c !== undefined);
  const contextName = wanted ?? current;
  if (!contextName) return { problem: 'the kubeconfig sets no current-context', fix: 'pass --context NAME, or run "kubectl config use-context NAME"', files: paths };
  const context = first<{ cluster?: unknown; user?: unknown }>('contexts', contextName, 'context');
  if (!context) {
    const names = docs.flatMap((d) => asList(d.doc.contexts).map((c) => String(c.name)));
    return { problem: `no context named ${JSON.stringify(contextName)} in ${paths.join(', ')}`, fix: names.length ? `the contexts are: ${[...new Set(names)].join(', ')}` : 'write the entries with "bascule kubeconfig --merge"', files: paths };
  }
  const clusterName = str(context.value.cluster);
  const userName = str(context.value.user);
  const cluster = clusterName ? first<Record<string, unknown>>('clusters', clusterName, 'cluster') : undefined;
  if (!clusterName || !cluster) return { problem: `context ${JSON.stringify(contextName)} names cluster ${JSON.stringify(clusterName ?? '')}, which no kubeconfig file defines`, fix: 'regenerate the entries ("bascule kubeconfig --merge")', files: paths };
  const user = userName ? first<Record<string, unknown>>('users', userName, 'user') : undefined;
  if (!userName || !user) return { problem: `context ${JSON.stringify(contextName)} names user ${JSON.stringify(userName ?? '')}, which no kubeconfig file defines`, fix: 'regenerate the entries ("bascule kubeconfig --merge")', files: paths };
  const server = str(cluster.value.server);
  if (!server) return { problem: `cluster ${JSON.stringify(clusterName)} has no server`, fix: 'regenerate the entries ("bascule kubeconfig --merge")', files: paths };
  let caPem: string | undefined;
  const caData = str(cluster.value['certificate-authority-data']);
  const caFile = str(cluster.value['certificate-authority']);
  if (caData) caPem = Buffer.from(caData, 'base64').toString('utf8');
  else if (caFile) {
    const file = isAbsolute(caFile) ? caFile : resolve(dirname(cluster.path), caFile);
    try {
      caPem = readFile(file);
    } catch {
      return { problem: `cluster ${JSON.stringify(clusterName)}: cannot read certificate-authority ${file}`, fix: 'fix the path, or regenerate the entries', files: paths };
    }
  }
  const execRaw = user.value.exec as Record<string, unknown> | undefined;
  let exec: ExecEntry | undefined;
  if (execRaw && typeof execRaw === 'object') {
    const env: Record<string, string> = {};
    for (const e of asList(execRaw.env)) if (typeof e.name === 'string') env[e.name] = String(e.value ?? '');
    exec = {
      command: String(execRaw.command ?? ''),
      args: Array.isArray(execRaw.args) ? execRaw.args.map(String) : [],
      env,
      apiVersion: String(execRaw.apiVersion ?? ''),
      interactiveMode: str(execRaw.interactiveMode),
      provideClusterInfo: execRaw.provideClusterInfo === true,
    };
  }
  const kind = exec ? 'exec' : user.value.token || user.value.tokenFile ? 'token' : user.value['client-certificate'] || user.value['client-certificate-data'] ? 'client certificate' : user.value['auth-provider'] ? 'auth-provider' : 'nothing';
  return {
    files: paths,
    contextName,
    file: context.path,
    cluster: {
      name: clusterName,
      server,
      caPem,
      tlsServerName: str(cluster.value['tls-server-name']),
      insecure: cluster.value['insecure-skip-tls-verify'] === true,
    },
    user: { name: userName, exec, kind },
  };
}
