/**
 * The part of Go's net/url (src/net/url/url.go, as built into
 * aws-iam-authenticator: Go 1.26) that the authenticator's token Verify
 * depends on: url.Parse (Parse, parse, getScheme, parseAuthority, parseHost,
 * validUserinfo, setPath, setFragment), unescape in each of its modes, and
 * ParseQuery. Written again from Go's rules, not translated: only what decides
 * whether a token's URL parses, and into what.
 *
 * Why not WHATWG `URL`: it repairs what Go refuses. It lower-cases the host,
 * drops ":443", resolves "/./" and "/a/../", turns "\" into "/", gives an
 * empty path as "/", decodes "%2E" in a host and strips a tab; Go keeps each
 * of these as written, so the authenticator's later checks (host, path) see
 * them and refuse the token.
 *
 * Inputs and outputs are byte strings (one char code per byte, see go-text.ts).
 */

export interface GoUserinfo {
  readonly username: string;
  readonly password: string | undefined;
}

export interface GoUrl {
  /** Lower-cased, as Go's parse does. */
  readonly scheme: string;
  /** "scheme:rest" without "/" after the colon: no host at all. */
  readonly opaque: string;
  readonly user: GoUserinfo | undefined;
  /** host[:port], unescaped, exactly as written otherwise (no case change, no default port dropped). */
  readonly host: string;
  /** Unescaped; "" when the URL has none ("https://host?x"). */
  readonly path: string;
  /** "https://host/?" with nothing after: Go's ForceQuery. */
  readonly forceQuery: boolean;
  /** After the first "?", as written (ParseQuery reads it). */
  readonly rawQuery: string;
  readonly fragment: string;
}

type Mode = 'path' | 'host' | 'userinfo' | 'query' | 'fragment';

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const unhex = (c: number) => (c <= 0x39 ? c - 0x30 : c <= 0x46 ? c - 0x41 + 10 : c - 0x61 + 10);
const isAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** shouldEscape(c, encodeHost) is false: the ASCII bytes a host may hold unescaped. */
const HOST_BYTES = new Set([..."-_.~!$&'()*+,;=:[]<>\""].map((c) => c.charCodeAt(0)));
const hostByteAllowed = (c: number) => isAlnum(c) || HOST_BYTES.has(c);

/** validUserinfo: RFC 3986's userinfo characters, plus "%" and "@"; no other rune, ASCII or not. */
const USERINFO_BYTES = new Set([..."-._:~!$&'()*+,;=%@"].map((c) => c.charCodeAt(0)));

/** Go's %q for an error text: printable ASCII as is, anything else escaped. */
export function quoteBytes(bytes: string): string {
  let out = '';
  for (const ch of bytes) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `"${out}"`;
}

/**
 * unescape(s, mode): "%" must be followed by two hex digits; in a host, "%"
 * may only escape a byte of 0x80 and over ("%25" apart, kept for IPv6 zones),
 * and an ASCII byte a host cannot hold is an error; in a query, "+" is a space.
 */
export function goUnescape(s: string, mode: Mode): { value: string } | { error: string } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const a = s.charCodeAt(i + 1);
      const b = s.charCodeAt(i + 2);
      if (i + 2 >= s.length || !isHex(a) || !isHex(b)) return { error: `invalid URL escape ${quoteBytes(s.slice(i, i + 3))}` };
      if (mode === 'host' && unhex(a) < 8 && s.slice(i, i + 3) !== '%25') return { error: `invalid URL escape ${quoteBytes(s.slice(i, i + 3))}` };
      out += String.fromCharCode((unhex(a) << 4) | unhex(b));
      i += 2;
    } else if (mode === 'host' && c < 0x80 && !hostByteAllowed(c)) {
      return { error: `invalid character ${quoteBytes(s[i] as string)} in host name` };
    } else {
      out += c === 0x2b && mode === 'query' ? ' ' : s[i];
    }
  }
  return { value: out };
}

/** validOptionalPort: "" or ":" then digits only (possibly none). */
const validOptionalPort = (port: string) => port === '' || /^:[0-9]*$/.test(port);

/**
 * parseHost, Go 1.26: an IP literal in brackets must open the host (a "[" later
 * is an error, CVE-2026-25679), and outside brackets the first ":" starts the
 * port, which must be digits (urlstrictcolons=1, the default since Go 1.26).
 * A bracketed host is returned as written: no STS host has brackets, and the
 * authenticator's host check refuses every one (its second dot-separated
 * label would be digits of an embedded IPv4 at most, never a region it knows).
 */
function parseHost(host: string): { value: string } | { error: string } {
  const bracket = host.lastIndexOf('[');
  if (bracket > 0) return { error: 'invalid IP-literal' };
  if (bracket === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) return { error: "missing ']' in host" };
    if (!validOptionalPort(host.slice(close + 1))) return { error: `invalid port ${quoteBytes(host.slice(close + 1))} after host` };
    return { value: host };
  }
  const colon = host.indexOf(':');
  if (colon >= 0 && !validOptionalPort(host.slice(colon))) return { error: `invalid port ${quoteBytes(host.slice(colon))} after host` };
  return goUnescape(host, 'host');
}

function parseAuthority(authority: string): { user: GoUserinfo | undefined; host: string } | { error: string } {
  const at = authority.lastIndexOf('@');
  const host = parseHost(authority.slice(at + 1));
  if ('error' in host) return host;
  if (at < 0) return { user: undefined, host: host.value };
  const userinfo = authority.slice(0, at);
  // validUserinfo ranges over runes: any byte over 0x7F belongs to a rune it refuses.
  for (let i = 0; i < userinfo.length; i++) {
    const c = userinfo.charCodeAt(i);
    if (!isAlnum(c) && !USERINFO_BYTES.has(c)) return { error: 'net/url: invalid userinfo' };
  }
  const colon = userinfo.indexOf(':');
  const username = goUnescape(colon < 0 ? userinfo : userinfo.slice(0, colon), 'userinfo');
  if ('error' in username) return username;
  if (colon < 0) return { user: { username: username.value, password: undefined }, host: host.value };
  const password = goUnescape(userinfo.slice(colon + 1), 'userinfo');
  if ('error' in password) return password;
  return { user: { username: username.value, password: password.value }, host: host.value };
}

/** getScheme: [A-Za-z][A-Za-z0-9+.-]* then ":"; anything else before a ":" means no scheme. */
function getScheme(raw: string): { scheme: string; rest: string } | { error: string } {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return { scheme: '', rest: raw };
      continue;
    }
    if (c === 0x3a) return i === 0 ? { error: 'missing protocol scheme' } : { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    return { scheme: '', rest: raw };
  }
  return { scheme: '', rest: raw };
}

/** url.Parse(raw): the fragment cut off first, the rest parsed, then the fragment unescaped. */
export function goUrlParse(raw: string): GoUrl | { error: string } {
  const hash = raw.indexOf('#');
  const url = parseWithoutFragment(hash < 0 ? raw : raw.slice(0, hash));
  if ('error' in url || hash < 0) return url;
  const fragment = goUnescape(raw.slice(hash + 1), 'fragment');
  return 'error' in fragment ? fragment : { ...url, fragment: fragment.value };
}

/** parse(rawURL, viaRequest=false). */
function parseWithoutFragment(u: string): GoUrl | { error: string } {
  if (/[\x00-\x1f\x7f]/.test(u)) return { error: 'net/url: invalid control character in URL' };
  const got = getScheme(u);
  if ('error' in got) return got;
  const scheme = got.scheme.toLowerCase();
  let rest = got.rest;
  let rawQuery = '';
  const forceQuery = rest.endsWith('?') && rest.indexOf('?') === rest.length - 1;
  if (forceQuery) rest = rest.slice(0, -1);
  else if (rest.includes('?')) [rest, rawQuery] = [rest.slice(0, rest.indexOf('?')), rest.slice(rest.indexOf('?') + 1)];

  let url: GoUrl = { scheme, opaque: '', user: undefined, host: '', path: '', forceQuery, rawQuery, fragment: '' };
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { ...url, opaque: rest };
    if ((rest.split('/')[0] as string).includes(':')) return { error: 'first path segment in URL cannot contain colon' };
  }
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const parsed = parseAuthority(slash < 0 ? rest.slice(2) : rest.slice(2, slash));
    if ('error' in parsed) return parsed;
    url = { ...url, user: parsed.user, host: parsed.host };
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  const path = goUnescape(rest, 'path');
  return 'error' in path ? path : { ...url, path: path.value };
}

/**
 * url.ParseQuery: "&"-separated pairs; a pair holding a raw ";" is an error
 * (since Go 1.17) and so is a bad escape, but parsing goes on and the map
 * holds the good pairs: the caller (the authenticator) refuses the token on
 * any error. Keys keep their case; a key's values keep their order. (Go 1.26
 * also caps a query at 10,000 pairs; a 4096-byte token cannot reach that.)
 */
export function goParseQuery(query: string): { values: Map<string, string[]>; error: string | undefined } {
  const values = new Map<string, string[]>();
  let error: string | undefined;
  for (const pair of query === '' ? [] : query.split('&')) {
    if (pair.includes(';')) {
      error = 'invalid semicolon separator in query';
      continue;
    }
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = goUnescape(eq < 0 ? pair : pair.slice(0, eq), 'query');
    const value = goUnescape(eq < 0 ? '' : pair.slice(eq + 1), 'query');
    if ('error' in key || 'error' in value) {
      error ??= 'error' in key ? key.error : (value as { error: string }).error;
      continue;
    }
    values.set(key.value, [...(values.get(key.value) ?? []), value.value]);
  }
  return { values, error };
}
