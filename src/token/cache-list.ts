/**
 * `bascule cache list [--output table|json]`: what the token cache holds, as
 * the token command would judge it: each entry's key fields that are not
 * secret (cluster, region, role, session name, source identity and tags, profile, where the signing
 * credentials came from), when it was signed, when it expires, and its file.
 * Never the token, the access key id or the external id. Files the token
 * command would not use (foreign, too open, corrupt) are listed apart, with why.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '../io.js';
import { formatElapsed } from '../text.js';
import { systemProblem } from '../system-error.js';
import { cacheDir, checkOwnership, decodeKey, fileNameOf, parseEntry } from './cache.js';

export interface CacheListEntry {
  readonly cluster: string;
  readonly region: string;
  readonly role: string | null;
  readonly sessionName: string | null;
  /** The role session's STS SourceIdentity and tags (--source-identity, --tag). */
  readonly sourceIdentity: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly profile: string | null;
  /** environment, profile NAME, profile NAME (SDK chain): never a key id. */
  readonly credentials: string;
  readonly signedAt: string;
  readonly expiresAt: string;
  readonly ageSeconds: number;
  readonly expiresInSeconds: number;
  readonly state: 'valid' | 'expired';
  readonly path: string;
}

export interface CacheListing {
  readonly directory: string;
  readonly entries: readonly CacheListEntry[];
  readonly ignored: readonly { readonly path: string; readonly why: string }[];
}

const ENTRY_FILE = /^[0-9a-f]{28}\.json$/;

/** The words of describePlan (src/aws/credentials.ts) for the sources that belong to a profile. */
const PROFILE_SOURCES: Record<string, string> = {
  'shared-credentials-file': 'credentials file',
  'config-file': 'config file',
  'custom-process': 'credential_process',
  sso: 'SSO',
  'assume-role': 'role',
};

/** Who signed, from the key's identity (planIdentity's kinds) and profile; never the key id itself. */
function credentialsOf(signerIdentity: string, profile: string | null): string {
  const [kind = '', name] = signerIdentity.split(':');
  if (kind === 'env') return 'environment';
  if (PROFILE_SOURCES[kind]) return `profile ${profile ?? name} (${PROFILE_SOURCES[kind]})`;
  if (kind === 'assume-role-with-web-identity') return 'web identity';
  if (kind === 'container-role') return 'container credentials';
  if (kind === 'iam-role') return 'EC2 instance metadata';
  // Entries written before the credential chain followed botocore (profile:NAME:..., sdk:NAME:...).
  if (kind === 'profile') return `profile ${name}`;
  if (kind === 'sdk') return `profile ${name} (SDK chain)`;
  return 'unknown';
}

export function listTokenCache(io: Pick<Io, 'env' | 'now'>): CacheListing {
  const directory = cacheDir(io.env);
  let names: string[];
  try {
    names = readdirSync(directory).filter((n) => ENTRY_FILE.test(n)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { directory, entries: [], ignored: [] };
    throw error;
  }
  const now = io.now().getTime();
  const entries: CacheListEntry[] = [];
  const ignored: { path: string; why: string }[] = [];
  for (const name of names) {
    const path = join(directory, name);
    try {
      const stat = lstatSync(path);
      if (!stat.isFile()) {
        ignored.push({ path, why: stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file' });
        continue;
      }
      const safety = checkOwnership(stat, 'the file', '0600', process.getuid?.());
      if (!safety.ok) {
        ignored.push({ path, why: safety.why });
        continue;
      }
      const text = readFileSync(path, 'utf8');
      let canonical: unknown;
      try {
        canonical = (JSON.parse(text) as { key?: unknown }).key;
      } catch {
        canonical = undefined;
      }
      const key = typeof canonical === 'string' ? decodeKey(canonical) : undefined;
      const token = key ? parseEntry(text, canonical as string) : undefined;
      if (!key || !token) {
        ignored.push({ path, why: 'not a complete cache entry (another version of bascule, or damaged)' });
        continue;
      }
      if (fileNameOf(canonical as string) !== name.slice(0, -'.json'.length)) {
        ignored.push({ path, why: "its name is not its key's" });
        continue;
      }
      entries.push({
        cluster: key.clusterName,
        region: key.region,
        role: key.roleArn,
        sessionName: key.sessionName,
        sourceIdentity: key.sourceIdentity,
        tags: Object.fromEntries(key.tags),
        profile: key.profile,
        credentials: credentialsOf(key.signerIdentity, key.profile),
        signedAt: token.signedAt.toISOString(),
        expiresAt: token.expiresAt.toISOString(),
        ageSeconds: Math.floor((now - token.signedAt.getTime()) / 1000),
        expiresInSeconds: Math.floor((token.expiresAt.getTime() - now) / 1000),
        state: token.expiresAt.getTime() > now ? 'valid' : 'expired',
        path,
      });
    } catch (error) {
      ignored.push({ path, why: `cannot read it: ${systemProblem(error)}` });
    }
  }
  entries.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.expiresAt.localeCompare(b.expiresAt));
  return { directory, entries, ignored };
}

/** The role session's marks, one cell: "alice team=platform" (source identity, then tags), "-" when none. */
const sessionOf = (e: CacheListEntry) => [e.sourceIdentity, ...Object.entries(e.tags).map(([k, v]) => `${k}=${v}`)].filter((x) => x !== null).join(' ') || '-';

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));

export function formatCacheTable(listing: CacheListing): string {
  const lines: string[] = [];
  if (listing.entries.length === 0) lines.push(`no cached tokens in ${listing.directory}`);
  else {
    const rows = [
      ['CLUSTER', 'REGION', 'ROLE', 'SESSION', 'CREDENTIALS', 'AGE', 'EXPIRES', 'FILE'],
      ...listing.entries.map((e) => [
        e.cluster,
        e.region,
        e.role ?? '-',
        sessionOf(e),
        e.credentials,
        formatElapsed(Math.max(0, e.ageSeconds) * 1000),
        e.state === 'valid' ? `in ${formatElapsed(e.expiresInSeconds * 1000)}` : `${formatElapsed(-e.expiresInSeconds * 1000)} ago`,
        e.path,
      ]),
    ];
    const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
    for (const r of rows) lines.push(r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, (widths[i] as number) + 2))).join(''));
  }
  for (const x of listing.ignored) lines.push(`ignored: ${x.path}: ${x.why}`);
  return `${lines.join('\n')}\n`;
}

export async function cacheListCommand(flags: { output: 'table' | 'json' }, io: Io): Promise<void> {
  const listing = listTokenCache(io);
  io.verbose?.(`token cache: ${listing.directory}: ${listing.entries.length} entr${listing.entries.length === 1 ? 'y' : 'ies'}, ${listing.ignored.length} ignored`);
  io.stdout(flags.output === 'json' ? `${JSON.stringify(listing, null, 2)}\n` : formatCacheTable(listing));
}
