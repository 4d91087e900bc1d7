/**
 * What the kubeconfig's exec entry asks for, read from its arguments (pure):
 * bascule's own (`token ...`, `eks get-token ...`), the AWS CLI's
 * (`aws eks get-token --cluster-name ...`) and aws-iam-authenticator's
 * (`token -i ...`). The doctor then rebuilds the same chain itself.
 */
import { basename } from 'node:path';
import { DEFAULT_DNS_TIMEOUT_MS, fastParseTokenArgv, parseTokenInput, type ServerPattern } from './token-rules.js';

export type PluginKind = 'bascule' | 'aws-cli' | 'aws-iam-authenticator';

export interface PluginInput {
  readonly kind: PluginKind;
  /** A cluster name, or (bascule) the DNS name whose TXT record holds it. */
  readonly id: string;
  /** The id is the cluster name: no TXT lookup. */
  readonly noDns: boolean;
  readonly roleArn: string | undefined;
  readonly sessionName: string | undefined;
  readonly externalId: string | undefined;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  readonly dnsServer: string | undefined;
  readonly dnsTimeoutMs: number;
  readonly allowClusters: readonly string[];
  /** bascule's --allow-server (none for the other plugins). */
  readonly allowServers: readonly ServerPattern[];
  /** The role session's STS SourceIdentity and tags (bascule's --source-identity, --tag). */
  readonly sourceIdentity: string | undefined;
  readonly tags: readonly (readonly [string, string])[];
  /** bascule's token cache in use. */
  readonly cache: boolean;
  /** For the cache key, as bascule's token computes it. */
  readonly forwardSessionName: boolean;
  readonly durationSeconds: number | undefined;
}

export function pluginKind(command: string): PluginKind | undefined {
  const name = basename(command).toLowerCase();
  if (/^bascule([-.].*)?$/.test(name)) return 'bascule';
  if (name === 'aws' || name === 'aws.exe' || name === 'aws2') return 'aws-cli';
  if (name.startsWith('aws-iam-authenticator')) return 'aws-iam-authenticator';
  return undefined;
}

const base = { noDns: true, sessionName: undefined, externalId: undefined, dnsServer: undefined, dnsTimeoutMs: DEFAULT_DNS_TIMEOUT_MS, allowClusters: [], allowServers: [], sourceIdentity: undefined, tags: [], cache: false, forwardSessionName: false, durationSeconds: undefined };

/** Reads `--flag value` and `--flag=value` pairs; unknown flags are skipped with their value when they take one. */
function pairs(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) out.set(arg.slice(0, eq), arg.slice(eq + 1));
    else if (i + 1 < args.length && !(args[i + 1] as string).startsWith('-')) out.set(arg, args[++i] as string);
    else out.set(arg, '');
  }
  return out;
}

/** The plugin's input, or why the doctor cannot read it. `env`: the process's, with the exec entry's env over it. */
export function readPluginArgs(kind: PluginKind, args: readonly string[], env: NodeJS.ProcessEnv): PluginInput | { problem: string } {
  if (kind === 'bascule') {
    const fast = fastParseTokenArgv(args);
    if (!fast) return { problem: `bascule's arguments ${JSON.stringify(args.join(' '))} are not a token command bascule reads (token ... or eks get-token ...)` };
    try {
      const input = parseTokenInput({ ...fast.flags, region: fast.flags.region ?? fast.globals.region, profile: fast.flags.profile ?? fast.globals.profile }, env);
      return { kind, ...input };
    } catch (error) {
      return { problem: `bascule would refuse its arguments: ${(error as Error).message}` };
    }
  }
  const p = pairs(args);
  if (kind === 'aws-cli') {
    const id = p.get('--cluster-name') || p.get('--cluster-id');
    if (!args.includes('get-token') || !id) return { problem: `the AWS CLI's arguments ${JSON.stringify(args.join(' '))} are not "eks get-token --cluster-name NAME"` };
    return { ...base, kind, id, roleArn: p.get('--role-arn') || undefined, region: p.get('--region') || undefined, profile: p.get('--profile') || undefined };
  }
  const id = p.get('-i') || p.get('--cluster-id');
  if (!args.includes('token') || !id) return { problem: `aws-iam-authenticator's arguments ${JSON.stringify(args.join(' '))} are not "token -i NAME"` };
  return {
    ...base,
    kind,
    id,
    roleArn: p.get('-r') || p.get('--role') || undefined,
    sessionName: p.get('-s') || p.get('--session-name') || undefined,
    externalId: p.get('-e') || p.get('--external-id') || undefined,
    region: p.get('--region') || undefined,
    profile: undefined,
    forwardSessionName: p.has('--forward-session-name'),
  };
}
