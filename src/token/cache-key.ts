/**
 * The token cache's key on disk: its canonical text (stored in each entry,
 * compared whole on every read) and the entry's file name, a hash of it.
 * Neither holds a secret.
 */
import type { TokenCacheKey } from './get-token.js';

/** The entry format; an entry of another format is a miss. */
export const FORMAT = 1;

/**
 * The key's canonical text (fixed field order). It holds no secret: it is
 * stored in the entry. A key without a source identity or tags has the ten
 * fields of the first version, so entries written before --source-identity
 * and --tag existed are still found (same text, same file); a key with
 * either has twelve (never the text of another key).
 */
export function canonicalKey(key: TokenCacheKey): string {
  const session = key.sourceIdentity !== null || key.tags.length > 0 ? [key.sourceIdentity, key.tags.map(([k, v]) => [k, v])] : [];
  return JSON.stringify([
    FORMAT,
    key.clusterName,
    key.region,
    key.roleArn,
    key.externalId,
    key.sessionName,
    key.forwardSessionName,
    key.durationSeconds,
    key.profile,
    key.signerIdentity,
    ...session,
  ]);
}

const isTag = (t: unknown): t is [string, string] => Array.isArray(t) && t.length === 2 && typeof t[0] === 'string' && typeof t[1] === 'string';

/** The key back from its canonical text (what `bascule cache list` shows); undefined when it is not one. */
export function decodeKey(canonical: string): TokenCacheKey | undefined {
  let a: unknown;
  try {
    a = JSON.parse(canonical);
  } catch {
    return undefined;
  }
  if (!Array.isArray(a) || (a.length !== 10 && a.length !== 12) || a[0] !== FORMAT) return undefined;
  const [, clusterName, region, roleArn, externalId, sessionName, forwardSessionName, durationSeconds, profile, signerIdentity, sourceIdentity = null, tags = []] = a as unknown[];
  if (typeof clusterName !== 'string' || typeof region !== 'string' || typeof signerIdentity !== 'string') return undefined;
  if (!Array.isArray(tags) || !tags.every(isTag) || (sourceIdentity !== null && typeof sourceIdentity !== 'string')) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    clusterName,
    region,
    roleArn: str(roleArn),
    externalId: str(externalId),
    sessionName: str(sessionName),
    forwardSessionName: forwardSessionName === true,
    durationSeconds: typeof durationSeconds === 'number' ? durationSeconds : null,
    profile: str(profile),
    signerIdentity,
    sourceIdentity,
    tags,
  };
}

/**
 * The file name: a 106-bit non-cryptographic hash (two cyrb53 lanes) of the
 * canonical key. Not sha256: node:crypto costs ~5 ms to load on every kubectl
 * call, and the name need only spread keys, since every entry stores its full
 * key and a mismatch is a miss. A collision costs a re-sign, never a token
 * for another key.
 */
export function fileNameOf(canonical: string): string {
  const lane = (seed: number) => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < canonical.length; i++) {
      const ch = canonical.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    const hex = (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
    return '00000000000000'.slice(hex.length) + hex; // padStart is a JavaScript builtin, compiled on first use
  };
  return lane(1) + lane(2);
}

