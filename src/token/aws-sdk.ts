/**
 * The AWS SDK, as the token path uses it. This module is its own chunk in the
 * build (dist/bascule-aws-sdk.js), loaded only when a token must be made with
 * credentials bascule cannot read itself, or a role assumed: the cached path
 * and the environment-keys path never parse it.
 */
export { fromNodeProviderChain } from '@aws-sdk/credential-providers';
export { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
