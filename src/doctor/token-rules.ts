/**
 * What the doctor reuses of bascule's token path, in one file of imports (so
 * moving them, to src/aws/ and src/dns/, changes only this file): the flag
 * table and its parser (to read bascule's own exec arguments), the TXT rules
 * and lookup, the AWS config and credential chain, the signer, the token cache
 * (read-only), and the exec-credential protocol constants.
 */
export { fastParseTokenArgv } from '../token/flags.js';
export { parseTokenInput, DEFAULT_DNS_TIMEOUT_MS } from '../token/options.js';
export { clusterNameFromTxt, assertAllowed, compileAllowList, isExternalDnsRegistryRecord, type TxtAnswer } from '../token/cluster-name.js';
export { lookupTxt, type TxtLookup } from '../token/dns.js';
export { readAwsFiles, profileSettings, selectedProfile, type AwsFiles } from '../token/aws-config.js';
export { credentialsPort, DEFAULT_SESSION_NAME, type CredentialContext, type SourcePlan } from '../token/credentials.js';
export { sourceIdentity, type TokenCacheKey } from '../token/get-token.js';
export type { AwsCredentials } from '../token/eks-token.js';
export { cacheDir, canonicalKey, fileNameOf, parseEntry } from '../token/cache.js';
