/**
 * The doctor's adapters: PATH lookup and the plugin's version, the cluster
 * API over HTTPS (the kubeconfig's CA and TLS server name), EKS access
 * entries (the SDK client, loaded only here), and bascule's token cache read
 * without writing or locking.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { runHelper } from '../child-process.js';
import { BasculeError, redact } from '../errors.js';
import { systemProblem } from '../system-error.js';
import { echo } from '../text.js';
import type { PluginKind } from './plugin.js';
import type { AccessEntryLookup, ApiAnswer, ApiTarget, AuthenticationMode, CachedTokenInfo, KubeApi } from './ports.js';
import { Deadline } from '../aws/deadline.js';
import { configuredEndpoint } from '../aws/config-files.js';
import { apiFailure, kubeTransport } from '../kube/transport.js';
import { cacheDir, canonicalKey, fileNameOf, parseEntry, readAwsFiles, selectedProfile, type AwsCredentials, type TokenCacheKey } from './token-rules.js';

const executable = (file: string) => {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * As kubectl finds it: a name with a slash is a path (relative to the
 * kubeconfig's directory, as client-go resolves it); else the first
 * executable in PATH (exec.LookPath).
 */
export function which(command: string, path: string | undefined, baseDir: string): string | undefined {
  if (command === '') return undefined;
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : resolve(baseDir, command);
    return executable(file) ? file : undefined;
  }
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, command);
    if (executable(file)) return file;
  }
  return undefined;
}

const VERSION_ARGS: Record<PluginKind, string[]> = { bascule: ['version'], 'aws-cli': ['--version'], 'aws-iam-authenticator': ['version'] };

/**
 * The first line the plugin prints for its version (stdout, else stderr), by
 * the echo rule; undefined if it says nothing. Run through the bounded runner
 * (src/child-process.ts): 30 s at most (it runs beside the other links), and
 * stopped with what it started then, whatever holds its output.
 */
export async function commandVersion(path: string, kind: PluginKind | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!kind) return undefined;
  const outcome = await runHelper({ argv: [path, ...VERSION_ARGS[kind]], env, signal: AbortSignal.timeout(30_000), maxOutputBytes: 64 * 1024 });
  if (outcome.kind !== 'exited') return undefined;
  const line = `${outcome.stdout}\n${outcome.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line ? echo(line, 160) : undefined;
}

/**
 * The cluster's API on the one Kubernetes transport (src/kube/transport.ts):
 * the kubeconfig's CA and TLS server name, HTTPS_PROXY unless NO_PROXY names
 * it (as kubectl), within --timeout. A request with no answer is the link's
 * reason, in words chosen by the failure's kind (never by its message).
 */
export function kubeApi(target: ApiTarget, timeoutMs: number, env: NodeJS.ProcessEnv): KubeApi {
  const send = kubeTransport(
    { label: 'the cluster', endpoint: target.server, caPem: target.caPem, tlsServerName: target.tlsServerName, insecure: target.insecure },
    { timeoutMs, env, userAgent: 'bascule-doctor' },
  );
  const request = (method: string, path: string, token: string, body?: unknown): Promise<ApiAnswer> =>
    send(method, path, token, body).catch((error: unknown) => {
      const failure = apiFailure(error);
      const cause = error instanceof BasculeError ? error.cause : error;
      const code = error instanceof BasculeError ? error.errno : undefined;
      if (failure === 'tls') return { status: 'unreachable', reason: `the server's certificate does not verify (${code}): check certificate-authority-data and tls-server-name` };
      return { status: 'unreachable', reason: redact(failure === 'timeout' && !(cause as { proxy?: string })?.proxy ? `no answer within ${timeoutMs} ms` : systemProblem(cause)) };
    });
  return {
    selfSubjectReview: (token) =>
      request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', token, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    awsAuth: (token) => request('GET', '/api/v1/namespaces/kube-system/configmaps/aws-auth', token),
  };
}

/** ListAccessEntries, then DescribeAccessEntry for the principal; AccessDenied is "not permitted", not a failure. */
export async function lookupAccessEntry(input: { clusterName: string; region: string; credentials: AwsCredentials; principalArn: string; profileFlag: string | undefined; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<AccessEntryLookup> {
  // The AWS layer's endpoint (AWS_ENDPOINT_URL_EKS, the profile's services/endpoint_url), proxies, deadline and error mapper.
  const [{ EKSClient, ListAccessEntriesCommand, DescribeAccessEntryCommand, DescribeClusterCommand }, { ENDPOINT_BY_BASCULE, requestHandler }, { awsError }] = await Promise.all([
    import('@aws-sdk/client-eks'),
    import('../aws/sdk.js'),
    import('../aws/errors.js'),
  ]);
  const deadline = new Deadline(input.timeoutMs);
  const endpoint = configuredEndpoint('eks', input.env, readAwsFiles(input.env), selectedProfile(input.profileFlag, input.env).name);
  const { accessKeyId, secretAccessKey, sessionToken } = input.credentials;
  const client = new EKSClient({
    region: input.region,
    maxAttempts: 2,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    requestHandler: requestHandler(input.env, deadline),
    ...ENDPOINT_BY_BASCULE,
    ...(endpoint ? { endpoint } : {}),
  });
  const failed = (error: unknown): AccessEntryLookup => {
    const name = (error as { name?: string }).name ?? 'Error';
    if (name === 'AccessDeniedException' || name === 'UnauthorizedException' || name === 'AccessDenied') return { status: 'denied', reason: `not permitted to list them (${name}; needs eks:ListAccessEntries and eks:DescribeAccessEntry)` };
    return { status: 'error', reason: awsError({ service: 'EKS', operation: 'ListAccessEntries', target: input.clusterName, ...(endpoint ? { endpoint } : {}) }, error).message };
  };
  try {
    // The mode says which mapping counts; without eks:DescribeCluster, unknown.
    const mode = await client
      .send(new DescribeClusterCommand({ name: input.clusterName }))
      .then((out) => out.cluster?.accessConfig?.authenticationMode as AuthenticationMode)
      .catch(() => undefined);
    const arns: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 20; page++) {
      const out = await client.send(new ListAccessEntriesCommand({ clusterName: input.clusterName, ...(nextToken ? { nextToken } : {}) }));
      arns.push(...(out.accessEntries ?? []));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    const hit = arns.find((a) => a.toLowerCase() === input.principalArn.toLowerCase());
    if (!hit) return { status: 'absent', count: arns.length, mode };
    const { accessEntry } = await client.send(new DescribeAccessEntryCommand({ clusterName: input.clusterName, principalArn: hit }));
    return { status: 'found', username: accessEntry?.username, groups: accessEntry?.kubernetesGroups ?? [], type: accessEntry?.type, mode };
  } catch (error) {
    return failed(error);
  } finally {
    client.destroy();
  }
}

/** bascule's cache entry for the key, read as the token path reads it; never written, never locked. */
export function readCachedToken(env: NodeJS.ProcessEnv, key: TokenCacheKey): CachedTokenInfo | undefined {
  const canonical = canonicalKey(key);
  let text: string;
  try {
    text = readFileSync(join(cacheDir(env), `${fileNameOf(canonical)}.json`), 'utf8');
  } catch {
    return undefined;
  }
  const entry = parseEntry(text, canonical);
  return entry ? { signedAt: entry.signedAt, expiresAt: entry.expiresAt } : undefined;
}
