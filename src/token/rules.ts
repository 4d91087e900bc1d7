/**
 * The token's face to the other rooms: what the doctor reads of the token's
 * rules to check bascule's own exec entry as the token would run it (the
 * flag table and parser, the options and their defaults, the allow-server
 * check, the cache key and the cache's files, read-only). Nothing else of
 * token/ is for another room. The token never imports this file, so its hot
 * path loads nothing more for it.
 */
export { fastParseTokenArgv } from './flags.js';
export { parseTokenInput, DEFAULT_DNS_TIMEOUT_MS } from './options.js';
export { checkServer } from './allow-server.js';
export { tokenCacheKey, type TokenCacheKey } from './get-token.js';
export { cacheDir, canonicalKey, fileNameOf, parseEntry } from './cache.js';
