/**
 * What the doctor reuses of bascule's token path and its foundations, in one
 * file of imports: the token's rules, through the face token/ owns (its flag
 * table and parser, to read bascule's own exec arguments; the cache, read
 * only), the TXT rules and resolver (src/dns), the AWS shared files and the
 * credential chain's plan (src/aws). Nothing here loads the AWS SDK: the
 * chain's calls go through ./aws.ts, loaded lazily.
 */
export {
  fastParseTokenArgv,
  parseTokenInput,
  DEFAULT_DNS_TIMEOUT_MS,
  checkServer,
  tokenCacheKey,
  type TokenCacheKey,
  cacheDir,
  canonicalKey,
  fileNameOf,
  parseEntry,
} from '../token/rules.js';
export type { ServerPattern } from '../vocabulary.js';
export { clusterNameFromTxt, assertAllowed, isExternalDnsRegistryRecord, isPlainClusterName } from '../dns/cluster-name.js';
export { lookupTxt, type TxtLookup } from '../dns/resolver.js';
export { readAwsFiles, profileSettings, selectedProfile, FALLBACK_REGION, type AwsFiles } from '../aws/config-files.js';
export { describePlan, planIdentity, type CredentialPlan } from '../aws/credentials.js';
export type { AwsCredentials } from '../aws/eks-token.js';
