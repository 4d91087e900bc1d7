/**
 * The AWS SDK pieces the credential chain and role assumption use. This
 * module is its own chunk in the build (dist/bascule-aws-sdk.js), loaded only
 * when a token needs SSO, web identity, container or instance credentials, or
 * a role: the cached path and the key paths never parse it.
 */
import type { Deadline } from './deadline.js';
import { proxyAgents } from './proxy.js';

export { fromContainerMetadata, fromInstanceMetadata, fromSSO, fromWebToken } from '@aws-sdk/credential-providers';
export { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';

/**
 * The SDK's HTTP handler settings for every AWS client of bascule: the
 * proxies (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), and connect and read
 * timeouts inside the deadline, a late answer being an error (not a warning).
 */
export function requestHandler(env: NodeJS.ProcessEnv, deadline: Deadline | undefined, fallbackTimeoutMs = 15_000) {
  quietSdk(env);
  const timeouts = deadline ? deadline.httpTimeouts() : { connectionTimeout: Math.min(5000, fallbackTimeoutMs), requestTimeout: fallbackTimeoutMs };
  const agents = proxyAgents(env, timeouts.connectionTimeout);
  return { ...timeouts, throwOnRequestTimeout: true, ...(agents ?? {}) };
}

/**
 * For every SDK client: the endpoint is bascule's to decide, from the
 * command's environment (config-files.ts's `configuredEndpoint`: the same
 * AWS_ENDPOINT_URL_* variables and profile settings); the SDK must not read
 * its own from process.env and the files that names.
 */
export const ENDPOINT_BY_BASCULE = { ignoreConfiguredEndpointUrls: true } as const;

/** Keeps the SDK's Node-version notice off stderr: kubectl shows stderr to users. */
export function quietSdk(env: NodeJS.ProcessEnv): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
