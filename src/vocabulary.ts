/**
 * The one vocabulary: each rule bascule checks on a value a user types (role
 * ARN, region, cluster name, DNS server, duration) exists here once. The
 * platform schema uses these through `v.check`, every flag parser through the
 * `parse*` helpers, so the platform file refuses exactly what the token,
 * status, switch and kubeconfig commands would refuse.
 *
 * Each rule is a `*Problem(value)` function: undefined when the value is good,
 * else what is wrong with it, worded to follow the value ("... is not ...").
 * Light on purpose: it is on kubectl's hot path (no node:net, no valibot).
 */
import { usageError } from './errors.js';
import { echo, escapeControl, formatDuration } from './text.js';

// ---------------------------------------------------------------- partitions

export interface Partition {
  readonly name: string;
  /** A function: built on first use, not when the module loads (see ROLE_ARN). */
  readonly regionPattern: () => RegExp;
  readonly dnsSuffix: string;
}

/** Most specific first: "us-gov-" and "us-iso-" regions would also match aws's pattern. */
export const PARTITIONS: readonly Partition[] = [
  { name: 'aws-cn', regionPattern: () => /^cn-[a-z]+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
  { name: 'aws-us-gov', regionPattern: () => /^us-gov-[a-z]+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { name: 'aws-iso', regionPattern: () => /^us-iso-[a-z]+-\d+$/, dnsSuffix: 'c2s.ic.gov' },
  { name: 'aws-iso-b', regionPattern: () => /^us-isob-[a-z]+-\d+$/, dnsSuffix: 'sc2s.sgov.gov' },
  { name: 'aws-iso-e', regionPattern: () => /^eu-isoe-[a-z]+-\d+$/, dnsSuffix: 'cloud.adc-e.uk' },
  { name: 'aws-iso-f', regionPattern: () => /^us-isof-[a-z]+-\d+$/, dnsSuffix: 'csp.hci.ic.gov' },
  { name: 'aws-eusc', regionPattern: () => /^eusc-[a-z]+-[a-z]+-\d+$/, dnsSuffix: 'amazonaws.eu' },
  { name: 'aws', regionPattern: () => /^[a-z]{2}(-[a-z]+)+-\d+$/, dnsSuffix: 'amazonaws.com' },
];

/** Computed when a role ARN is checked, not at start: the cached token path runs no array callback it does not need. */
const partitionNames = (): string[] => PARTITIONS.map((p) => p.name);

/** What to do about a bad region name. */
export const REGION_HINT = "give the region's code as AWS writes it, e.g. eu-west-3 (`aws ec2 describe-regions` lists them)";

export function regionProblem(region: string): string | undefined {
  return PARTITIONS.some((p) => p.regionPattern().test(region)) ? undefined : 'is not an AWS region name (e.g. eu-west-3, us-gov-west-1, cn-north-1)';
}

export function partitionOf(region: string): Partition {
  const partition = PARTITIONS.find((p) => p.regionPattern().test(region));
  if (!partition) {
    throw usageError(`${JSON.stringify(region)} is not an AWS region name`, 'pass a region such as eu-west-1 with --region, AWS_REGION or the profile');
  }
  return partition;
}

/** `sts.<region>.<partition dns suffix>`: the host an EKS token must name. */
export function stsHost(region: string): string {
  return `sts.${region}.${partitionOf(region).dnsSuffix}`;
}

// ---------------------------------------------------------------- role ARN

// Patterns are functions: a regular expression literal at a module's top level is built (parsed by
// JavaScriptCore) when the module loads, and kubectl's path builds none (docs/speed.md).
const ROLE_ARN = () => /^arn:([a-z-]+):iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const ROLE_ARN_EXAMPLE = 'arn:aws:iam::123456789012:role/NAME';
/** An assumed role's session, in seconds: what STS accepts as DurationSeconds (15 minutes to 12 hours). */
export const ROLE_SESSION_SECONDS = { min: 900, max: 43_200 } as const;

export function roleArnProblem(arn: string): string | undefined {
  const m = ROLE_ARN().exec(arn);
  if (!m) return `is not an IAM role ARN (expected ${ROLE_ARN_EXAMPLE})`;
  if (!partitionNames().includes(m[1] as string)) return `names the partition "${m[1]}", which is not one of ${partitionNames().join(', ')}`;
  return undefined;
}

// ---------------------------------------------------------------- cluster name

/**
 * EKS: 1-100 characters, starts with a letter or digit, then letters, digits,
 * - and _. The pattern is what the platform file's JSON Schema shows; the
 * rule itself is `isValidClusterName`, a loop that says the same (a
 * differential test holds them together).
 */
export const CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
export const CLUSTER_NAME_RULE = 'EKS cluster names are 1-100 letters, digits, "-" and "_", starting with a letter or digit';

// The rules on kubectl's path (cluster names, DNS names, IP addresses, --allow-cluster globs) are loops over char
// codes, not regular expressions: the first regular expression a process runs costs the binary JavaScriptCore's
// regex compiler, ~0.4 ms and ~2 MiB of its code paged in (docs/speed.md); a cached token for a plain name runs none.
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLetterOrDigit = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** [A-Za-z0-9_-]: a cluster name's characters. */
export const isClusterNameChar = (c: number) => isLetterOrDigit(c) || c === 0x5f || c === 0x2d;

export function isValidClusterName(name: string): boolean {
  if (name.length < 1 || name.length > 100 || !isLetterOrDigit(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isClusterNameChar(name.charCodeAt(i))) return false;
  return true;
}

export function clusterNameProblem(name: string): string | undefined {
  if (isValidClusterName(name)) return undefined;
  return name.length > 100 ? `is ${name.length} characters long (at most 100)` : 'is not a valid EKS cluster name';
}

// ---------------------------------------------------------------- DNS server

/**
 * 4 or 6 for an IP address, else 0. (node:net's isIP would load the whole net
 * module on kubectl's hot path; the WHATWG URL parser is already loaded.)
 */
export function isIP(host: string): 0 | 4 | 6 {
  if (isIPv4(host)) return 4;
  if (!host.includes(':') || !everyChar(host, (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === 0x3a || c === 0x2e)) return 0;
  try {
    return new URL(`http://[${host}]/`).hostname.length > 2 ? 6 : 0;
  } catch {
    return 0;
  }
}

/** Dotted-quad IPv4 (four decimal octets 0-255, no leading zero; 0 itself is one) as its four bytes; undefined when it is not one. */
export function ipv4Bytes(s: string): Uint8Array | undefined {
  const bytes = new Uint8Array(4);
  let at = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0 && s.charCodeAt(at++) !== 0x2e) return undefined;
    const start = at;
    let value = 0;
    while (at < s.length && at - start < 4 && isDigit(s.charCodeAt(at))) value = value * 10 + s.charCodeAt(at++) - 0x30;
    const digits = at - start;
    if (digits < 1 || digits > 3 || value > 255 || (digits > 1 && s.charCodeAt(start) === 0x30)) return undefined;
    bytes[octet] = value;
  }
  return at === s.length ? bytes : undefined;
}

const isIPv4 = (s: string): boolean => ipv4Bytes(s) !== undefined;

/** Does every character (UTF-16 code unit) pass? True for the empty string. */
function everyChar(s: string, ok: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (!ok(s.charCodeAt(i))) return false;
  return true;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** `HOST[:PORT]` with an IP host: 10.0.0.2, 10.0.0.2:5353, ::1, [::1]:5353. A string: what is wrong. */
export function splitDnsServer(value: string): DnsServer | string {
  const trimmed = value.trim();
  const bracketed = trimmed.startsWith('[') ? /^\[([^\]]+)\](?::([^:]*))?$/.exec(trimmed) : null;
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    host = bracketed[1] as string;
    port = bracketed[2];
  } else if (isIP(trimmed) === 6) {
    host = trimmed;
  } else {
    const colon = trimmed.indexOf(':');
    if (colon >= 0 && trimmed.includes(':', colon + 1)) return 'is not HOST[:PORT] (write IPv6 servers as [::1]:53)';
    host = colon < 0 ? trimmed : trimmed.slice(0, colon);
    port = colon < 0 ? undefined : trimmed.slice(colon + 1);
  }
  const family = isIP(host);
  if (family === 0) return `is not an IP address with an optional port ("${host}" is not an IP address; e.g. 10.0.0.2 or 127.0.0.1:5353)`;
  if (port !== undefined && (port.length < 1 || port.length > 5 || !everyChar(port, isDigit) || Number(port) < 1 || Number(port) > 65535)) return `has port "${port}", not between 1 and 65535`;
  return { host, port: port === undefined ? 53 : Number(port), family };
}

export function dnsServerProblem(value: string): string | undefined {
  const parsed = splitDnsServer(value);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** The canonical spelling: 10.0.0.2, 10.0.0.2:5353, [::1]:53. */
export function formatDnsServer(server: DnsServer): string {
  if (server.family === 6) return `[${server.host}]:${server.port}`;
  return server.port === 53 ? server.host : `${server.host}:${server.port}`;
}

/** `source` names where the value came from in the message: "--dns-server", "BASCULE_DNS_SERVER". */
export function parseDnsServer(value: string, source = '--dns-server'): string {
  const parsed = splitDnsServer(value);
  if (typeof parsed === 'string') throw usageError(`${source} ${JSON.stringify(value)} ${parsed}`, 'give the resolver as an IP address, e.g. 10.0.0.2, 127.0.0.1:5353 or [::1]:53');
  return formatDnsServer(parsed);
}

// ---------------------------------------------------------------- DNS names

/**
 * Labels of 1-63 letters (lower case), digits, "-" and "_" (TXT owners such
 * as _bascule), neither starting nor ending with "-"; at most 253 characters.
 */
function isDnsName(s: string): boolean {
  if (s.length < 1 || s.length > 253) return false;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (i - start < 1 || i - start > 63 || s.charCodeAt(start) === 0x2d || s.charCodeAt(i - 1) === 0x2d) return false;
      start = i + 1;
    } else if (!(isDigit(c) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d)) return false;
  }
  return true;
}

/**
 * The name as DNS carries it (lower case, IDN as punycode, no final dot), or
 * undefined when it is not a DNS name: an empty label, a label over 63, an
 * invalid punycode label such as xn--zz.
 */
export function asciiDnsName(name: string): string | undefined {
  const spaced = name.trim();
  const trimmed = spaced.endsWith('.') ? spaced.slice(0, -1) : spaced;
  let ascii = trimmed.toLowerCase();
  // Printable ASCII without an xn-- label is already what DNS carries; else IDNA.
  if (!everyChar(trimmed, (c) => c >= 0x21 && c <= 0x7e) || `.${ascii}`.includes('.xn--')) {
    // IDNA (UTS #46) as the WHATWG URL parser does it: already loaded, and it refuses invalid punycode.
    if (/[/?#@:%\\\s]/.test(trimmed)) return undefined;
    try {
      ascii = new URL(`http://${trimmed}/`).hostname;
    } catch {
      return undefined;
    }
  }
  return isDnsName(ascii) ? ascii : undefined;
}

// ---------------------------------------------------------------- API servers (--allow-server)

/**
 * An API server, or a pattern of them, as --allow-server names it: HOST or
 * HOST:PORT. HOST is a DNS name (lower case, IDN as punycode, no final dot),
 * an IPv4 address, or an IPv6 address in brackets. In a pattern, a label
 * that is exactly `*` stands for one whole label of the server's name (not
 * part of a label, never several, never an IP address's part); the last
 * label is always written out. No port: any port.
 */
export interface ServerPattern {
  /** Lower case, punycode, no final dot; IPv6 without brackets, in its canonical form. */
  readonly host: string;
  readonly port: number | undefined;
}

export const SERVER_PATTERN_RULE =
  'write HOST or HOST:PORT: a DNS name, an IPv4 address or [IPv6]; "*" as a whole label stands for one label (e.g. "*.gr7.eu-west-3.eks.amazonaws.com"), the last label written out';

const portProblem = (port: string): string | undefined =>
  /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535 ? undefined : `has port "${port}", not between 1 and 65535`;

/** IPv6 in the WHATWG parser's canonical form (compressed, lower case), or undefined. */
const canonicalIpv6 = (host: string): string | undefined => (isIP(host) === 6 ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : undefined);

/** `HOST[:PORT]` (brackets around IPv6) -> host and port, host canonical; a string: what is wrong. */
function hostAndPort(text: string, wildcards: boolean): ServerPattern | string {
  if (!text.startsWith('[') && (text.match(/:/g)?.length ?? 0) > 1) return 'is not HOST or HOST:PORT (write IPv6 addresses in brackets: [::1]:6443)';
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*))(?::(.*))?$/.exec(text);
  if (!m) return 'is not HOST or HOST:PORT (write IPv6 addresses in brackets: [::1]:6443)';
  const port = m[3];
  const badPort = port === undefined ? undefined : portProblem(port);
  if (badPort) return badPort;
  const portNumber = port === undefined ? undefined : Number(port);
  if (m[1] !== undefined) {
    const v6 = canonicalIpv6(m[1]);
    return v6 === undefined ? `is not an IPv6 address in brackets ("[${m[1]}]")` : { host: v6, port: portNumber };
  }
  const raw = m[2] as string;
  if (isIP(raw) === 4) return { host: raw, port: portNumber };
  const labels = raw.replace(/\.$/, '').split('.');
  const stars = labels.filter((l) => l === '*').length;
  if (stars > 0 && !wildcards) return 'is not a host name or an IP address';
  if (raw.includes('*') && labels.some((l) => l.includes('*') && l !== '*')) return 'has "*" inside a label: "*" stands for a whole label only';
  if (labels.at(-1) === '*') return 'ends with "*": the last label must be written out';
  if (stars > 0 && isIP(labels.map((l) => (l === '*' ? '0' : l)).join('.')) === 4) return 'puts "*" in an IP address: name IP addresses whole';
  const ascii = asciiDnsName(labels.map((l) => (l === '*' ? 'x' : l)).join('.'));
  if (ascii === undefined || raw.startsWith('.')) return 'is not a host name, an IPv4 address or [IPv6]';
  const host = ascii.split('.').map((l, i) => (labels[i] === '*' ? '*' : l)).join('.');
  return { host, port: portNumber };
}

/** An --allow-server value; a string: what is wrong with it. */
export function parseServerPattern(value: string): ServerPattern | string {
  if (/[/@\\?#%\s]/.test(value)) return 'is not HOST or HOST:PORT (no scheme, path, user or spaces)';
  return hostAndPort(value, true);
}

/**
 * The host and port kubectl will connect to, from the server URL it passes
 * (KUBERNETES_EXEC_INFO spec.cluster.server): `https://HOST[:PORT][/path]`,
 * port 443 when none is written. Stricter than both URL parsers on purpose:
 * anything they might read differently (a user part, "\", "%", spaces,
 * controls, another scheme) is not a server this rule vouches for.
 */
export function serverOfUrl(url: string): ServerPattern | string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([/?#].*)?$/s.exec(url);
  if (!m) return 'is not an https:// URL';
  if ((m[1] as string).toLowerCase() !== 'https') return `is not https: the token would travel unencrypted`;
  const authority = m[2] as string;
  if (authority === '' || /[@\\%\s\u0000-\u001f\u007f]/.test(authority)) return 'has no plain host[:port] after https:// (a user part, "%", "\\" or spaces)';
  const parsed = hostAndPort(authority, false);
  return typeof parsed === 'string' ? parsed : { host: parsed.host, port: parsed.port ?? 443 };
}

/** Does the server (from serverOfUrl) match the pattern? Labels compared one for one, "*" any one label. */
/** The canonical spelling, as messages show it: host, host:port, [v6]:port. */
export function formatServerPattern(p: ServerPattern): string {
  const host = isIP(p.host) === 6 ? `[${p.host}]` : p.host;
  return p.port === undefined ? host : `${host}:${p.port}`;
}

export function serverMatches(pattern: ServerPattern, server: ServerPattern): boolean {
  if (pattern.port !== undefined && pattern.port !== server.port) return false;
  if (!pattern.host.includes('*')) return pattern.host === server.host;
  const want = pattern.host.split('.');
  const got = server.host.split('.');
  return isIP(server.host) === 0 && want.length === got.length && want.every((label, i) => label === '*' || label === got[i]);
}

// ---------------------------------------------------------------- role session: source identity and tags

/** STS's SourceIdentity: 2-64 characters among letters, digits and +=,.@_- (so never "aws:"). */
const SOURCE_IDENTITY = () => /^[\w+=,.@-]{2,64}$/;
export const SOURCE_IDENTITY_RULE = 'a source identity is 2-64 characters among letters, digits and +=,.@_- (STS\'s rule)';

export function sourceIdentityProblem(value: string): string | undefined {
  if (SOURCE_IDENTITY().test(value)) return undefined;
  return value.length < 2 || value.length > 64 ? `is ${value.length} characters long (STS takes 2 to 64)` : 'holds a character STS refuses in a source identity (letters, digits and +=,.@_- only)';
}

/**
 * Session tags, as STS takes them: at most 50; keys of 1-128 and values of
 * 0-256 characters among letters, digits, spaces and _.:/=+-@ (STS's set,
 * without its line and paragraph separators); keys unique ignoring case, never
 * starting with "aws:". bascule also keeps "=" out of keys: --tag KEY=VALUE
 * splits at the first "=".
 */
export const SESSION_TAG_LIMITS = { tags: 50, key: 128, value: 256 } as const;
const TAG_KEY = () => /^[\p{L}\p{Zs}\p{N}_.:/+@-]+$/u;
const TAG_VALUE = () => /^[\p{L}\p{Zs}\p{N}_.:/=+@-]*$/u;
export const TAG_RULE = 'a tag key is 1-128 letters, digits, spaces and _.:/+-@ (not "aws:..."), a value 0-256 of the same and "="';

const length = (text: string) => [...text].length;

export function tagKeyProblem(key: string): string | undefined {
  if (length(key) < 1 || length(key) > SESSION_TAG_LIMITS.key) return `is ${length(key)} characters long (STS takes 1 to ${SESSION_TAG_LIMITS.key})`;
  if (!TAG_KEY().test(key)) return key.includes('=') ? 'holds "=", which --tag KEY=VALUE cannot carry in a key' : 'holds a character STS refuses in a tag key';
  if (/^aws:/i.test(key)) return 'starts with "aws:", a prefix AWS keeps for itself';
  return undefined;
}

export function tagValueProblem(value: string): string | undefined {
  if (length(value) > SESSION_TAG_LIMITS.value) return `is ${length(value)} characters long (STS takes at most ${SESSION_TAG_LIMITS.value})`;
  return TAG_VALUE().test(value) ? undefined : 'holds a character STS refuses in a tag value';
}

/** The set's own rules (count, keys unique ignoring case); undefined when good. */
export function tagSetProblem(keys: readonly string[]): string | undefined {
  if (keys.length > SESSION_TAG_LIMITS.tags) return `${keys.length} session tags: STS takes at most ${SESSION_TAG_LIMITS.tags}`;
  const seen = new Map<string, string>();
  for (const key of keys) {
    const first = seen.get(key.toLowerCase());
    if (first !== undefined) return `tag keys ${JSON.stringify(escapeControl(first))} and ${JSON.stringify(escapeControl(key))} are the same to STS (keys ignore case)`;
    seen.set(key.toLowerCase(), key);
  }
  return undefined;
}

// ---------------------------------------------------------------- durations

const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
export const DURATION_RULE = 'write a duration such as 500ms, 2s, 5m, 1h30m (a bare number is milliseconds)';

/** "2000" (milliseconds), "250ms", "2s", "1.5s", "5m", "1m30s" -> milliseconds; undefined if not a duration. */
export function durationMs(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) ms += Number(n) * (UNITS[unit as string] as number);
  return Math.round(ms);
}

/** 1500 -> "1.5s", 120000 -> "2m", 90000 -> "1m30s", 3600000 -> "1h", 250 -> "250ms": a duration as this rule reads it (src/text.ts's exact form). */
export const formatMs = (ms: number): string => formatDuration(ms, 'exact');

/** A duration read against bounds: its milliseconds, or which rule it breaks. */
function checkDuration(value: string, bounds: { min: number; max: number }): { ms: number } | { broken: 'format' | 'range' } {
  const ms = durationMs(value);
  if (ms === undefined) return { broken: 'format' };
  if (ms < bounds.min || ms > bounds.max) return { broken: 'range' };
  return { ms };
}

const rangeText = (bounds: { min: number; max: number }) => `${formatMs(bounds.min)} to ${formatMs(bounds.max)}`;

export function durationProblem(value: string, bounds: { min: number; max: number }): string | undefined {
  const checked = checkDuration(value, bounds);
  if ('ms' in checked) return undefined;
  return checked.broken === 'format' ? `is not a duration (${DURATION_RULE})` : `is out of range (${rangeText(bounds)})`;
}

/** A flag's duration in milliseconds, within bounds; a usage error naming the flag otherwise. */
export function parseDurationFlag(flag: string, value: string, bounds: { min: number; max: number }): number {
  const checked = checkDuration(value, bounds);
  if ('ms' in checked) return checked.ms;
  if (checked.broken === 'format') throw usageError(`${flag} ${JSON.stringify(escapeControl(value))} is not a duration`, DURATION_RULE);
  throw usageError(`${flag} ${value.trim()} is out of range (${rangeText(bounds)})`, `give ${flag} a duration between ${formatMs(bounds.min)} and ${formatMs(bounds.max)}`);
}

// ---------------------------------------------------------------- AWS profile

/** An AWS profile name, as a section header of ~/.aws/config can hold it. */
export const PROFILE_RULE = 'a profile name is 1-64 characters, none of them a space, [, ], # or ;';

export function profileProblem(name: string): string | undefined {
  return /^[^\s[\]#;]{1,64}$/.test(name) ? undefined : `is not a profile name (${PROFILE_RULE})`;
}

// ---------------------------------------------------------------- text from outside

// The rule for text from outside (escaped, bounded, redacted) lives in src/text.ts, once.
export { escapeControl };

/** A value from outside, quoted: `echo`'s rule (escaped, bounded, redacted), with `\\` and `"` escaped inside the quotes. */
export function quoteValue(value: string): string {
  return `"${echo(value.replace(/\\/g, '\\\\').replace(/"/g, '\\"'))}"`;
}
