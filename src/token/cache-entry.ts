/**
 * A token cache entry's content: the JSON a cache file holds (the format, the
 * key's canonical text, the token and its two instants), and whether the
 * token it holds will still do. Pure: no file is touched here.
 */
import { TOKEN_PREFIX, type EksToken } from '../aws/eks-token.js';
import { FORMAT } from './cache-key.js';

interface Entry {
  readonly format: number;
  readonly key: string;
  readonly token: string;
  readonly signedAt: string;
  readonly expiresAt: string;
}

/** Parses a cache file's text; undefined when it is not a complete entry for exactly this key. */
export function parseEntry(text: string, key: string): EksToken | undefined {
  let entry: Partial<Entry>;
  try {
    entry = JSON.parse(text) as Partial<Entry>;
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || entry.format !== FORMAT || entry.key !== key) return undefined;
  if (typeof entry.token !== 'string' || !entry.token.startsWith(TOKEN_PREFIX)) return undefined;
  const signedAt = new Date(String(entry.signedAt));
  const expiresAt = new Date(String(entry.expiresAt));
  if (Number.isNaN(signedAt.getTime()) || Number.isNaN(expiresAt.getTime())) return undefined;
  return { token: entry.token, signedAt, expiresAt };
}

export function serialiseEntry(key: string, token: EksToken): string {
  const entry: Entry = {
    format: FORMAT,
    key,
    token: token.token,
    signedAt: token.signedAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
  };
  return JSON.stringify(entry) + '\n';
}

/** Fresh enough to hand to kubectl: min validity left, and not signed in the future (clock moved back). */
export function isUsable(token: EksToken, now: Date, minValidityMs: number): boolean {
  return unusableBecause(token, now, minValidityMs) === undefined;
}

/** Why a cached token will not do, for --verbose; undefined when it will. */
export function unusableBecause(token: EksToken, now: Date, minValidityMs: number): string | undefined {
  if (token.signedAt.getTime() > now.getTime() + 60_000) {
    return `signed at ${token.signedAt.toISOString()}, later than this machine's clock (${now.toISOString()}): the clock moved back, or the entry is not this machine's`;
  }
  if (token.expiresAt.getTime() <= now.getTime()) return `expired at ${token.expiresAt.toISOString()}`;
  if (token.expiresAt.getTime() - now.getTime() < minValidityMs) {
    return `valid until ${token.expiresAt.toISOString()}, less than --cache-min-validity (${minValidityMs / 1000}s) from now`;
  }
  return undefined;
}
