/**
 * The doctor's ports: every side effect it needs, declared here (as
 * kubelogin's use cases declare theirs) and wired in command.ts. Tests drive
 * the use case with fakes of these; the end-to-end tests with the real ones.
 */
import type { Platform } from '../platform/model.js';
import type { SendPresigned } from '../authenticator/sts.js';
import type { ContextProblem, ContextView } from './kubeconfig.js';
import type { PluginKind } from './plugin.js';
import type { AwsCredentials, CredentialPlan, TokenCacheKey, TxtLookup } from './token-rules.js';

/** What the chain needs to know: the exec entry's environment, its --profile and region, the time allowed. */
export interface CredentialContext {
  readonly env: NodeJS.ProcessEnv;
  readonly profileFlag: string | undefined;
  readonly region: string;
  readonly timeoutMs: number;
}

export interface RoleInput {
  readonly roleArn: string;
  readonly sessionName: string | undefined;
  readonly forwardSessionName: boolean;
  readonly externalId: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly sourceIdentity: string | undefined;
  readonly tags: readonly (readonly [string, string])[];
}

/** src/aws's credential chain, in two steps: which source (no call; throws when there is none), then its credentials. */
export interface CredentialsPort {
  plan(ctx: CredentialContext): CredentialPlan;
  source(ctx: CredentialContext, plan: CredentialPlan): Promise<{ credentials: AwsCredentials; origin: string }>;
  /** The role's credentials, and the session name sent (undefined: forwarded, STS's caller's). */
  assumeRole(ctx: CredentialContext, source: { credentials: AwsCredentials; origin: string }, role: RoleInput): Promise<{ credentials: AwsCredentials; sessionName: string | undefined }>;
}

export interface ApiTarget {
  readonly server: string;
  readonly caPem: string | undefined;
  readonly tlsServerName: string | undefined;
  readonly insecure: boolean;
}

/** An answer of the cluster's API: its status and JSON, or why it could not be asked. */
export type ApiAnswer = { readonly status: number; readonly json: any } | { readonly status: 'unreachable'; readonly reason: string };

export interface KubeApi {
  /** POST SelfSubjectReview (authentication.k8s.io/v1), as `kubectl auth whoami`. */
  selfSubjectReview(token: string): Promise<ApiAnswer>;
  /** GET the aws-auth ConfigMap in kube-system. */
  awsAuth(token: string): Promise<ApiAnswer>;
}

/** EKS's accessConfig.authenticationMode: which of access entries and aws-auth the cluster reads. */
export type AuthenticationMode = 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP' | undefined;

export type AccessEntryLookup =
  | { readonly status: 'found'; readonly username: string | undefined; readonly groups: readonly string[]; readonly type: string | undefined; readonly mode: AuthenticationMode }
  | { readonly status: 'absent'; readonly count: number; readonly mode: AuthenticationMode }
  | { readonly status: 'denied'; readonly reason: string }
  | { readonly status: 'error'; readonly reason: string };

export interface CachedTokenInfo {
  readonly signedAt: Date;
  readonly expiresAt: Date;
}

export interface DoctorPorts {
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  readonly kubeconfig: (context: string | undefined) => ContextView | ContextProblem;
  /** The absolute path kubectl would run (a relative path is the kubeconfig directory's); undefined: not found. */
  readonly which: (command: string, path: string | undefined, baseDir: string) => string | undefined;
  /** The plugin's own version line (bascule version, aws --version...). */
  readonly version: (path: string, kind: PluginKind | undefined) => Promise<string | undefined>;
  readonly lookupTxt: TxtLookup;
  readonly credentials: CredentialsPort;
  readonly presign: (input: { credentials: AwsCredentials; region: string; clusterName: string; now: Date }) => Promise<{ token: string }>;
  readonly sendPresigned: SendPresigned;
  /** The platform file, when one is named or found; undefined: none. */
  readonly platform: () => Platform | undefined;
  /** A file the platform names (a cluster's CA). */
  readonly readFile: (file: string) => string;
  readonly kube: (target: ApiTarget) => KubeApi;
  readonly accessEntries: (input: { clusterName: string; region: string; credentials: AwsCredentials; principalArn: string; profileFlag: string | undefined; env: NodeJS.ProcessEnv }) => Promise<AccessEntryLookup>;
  /** bascule's cached token for this key, read-only. */
  readonly cachedToken: (key: TokenCacheKey) => CachedTokenInfo | undefined;
}
