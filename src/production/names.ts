/**
 * DNS names in one normal form (pure). People, flags, journals and messages
 * use the decoded form (`*.devinfra.local`, `café.devinfra.local`), lower
 * case, without the final dot. Route53 lists every character outside
 * a-z 0-9 - _ . as `\ooo`, the octal of each UTF-8 byte (`\052` for `*`,
 * `caf\303\251`): `normName` decodes that, and `route53Name` encodes a name
 * back for the API, the only place the escaped form is written.
 */

const ESCAPE = /\\(\d{3})|\\(.)/gs;
const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** A name as bascule compares it: escapes decoded, no surrounding space, no final dot, lower case. */
export function normName(name: string): string {
  let text = name.trim();
  if (text.includes('\\')) {
    // Route53's escapes are bytes of UTF-8: collect them, then decode once.
    const bytes: number[] = [];
    let last = 0;
    for (const m of text.matchAll(ESCAPE)) {
      bytes.push(...encoder.encode(text.slice(last, m.index)));
      if (m[1] !== undefined) bytes.push(Number.parseInt(m[1], 8) & 0xff);
      else bytes.push(...encoder.encode(m[2] as string));
      last = (m.index as number) + m[0].length;
    }
    bytes.push(...encoder.encode(text.slice(last)));
    text = decoder.decode(new Uint8Array(bytes));
  }
  if (text.endsWith('.')) text = text.slice(0, -1);
  return text.toLowerCase();
}

/** A name as Route53 is sent it: every byte outside a-z 0-9 - _ . * as \ooo (a wildcard label stays `*`). */
export function route53Name(name: string): string {
  let out = '';
  for (const byte of encoder.encode(normName(name))) {
    const c = String.fromCharCode(byte);
    out += /[a-z0-9\-_.*]/.test(c) ? c : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** Is `name` the domain itself or a name below it? (both in normal form) */
export const under = (name: string, domain: string): boolean => name === domain || name.endsWith(`.${domain}`);

/**
 * A load balancer's name as targets compare: normal form, without the
 * `dualstack.` an alias may carry. A zone names few load balancers, each for
 * thousands of records: their normal forms are remembered (a bounded map).
 */
export function normTarget(name: string): string {
  let found = targets.get(name);
  if (found === undefined) {
    found = normName(name).replace(/^dualstack\./, '');
    if (targets.size < 10_000) targets.set(name, found);
  }
  return found;
}
const targets = new Map<string, string>();

/** The label of `name` below `domain` ('' for the domain itself). */
export const labelUnder = (name: string, domain: string): string => (name === domain ? '' : name.slice(0, name.length - domain.length - 1));

/** `label` placed under `domain` (the domain itself for ''). */
export const withLabel = (label: string, domain: string): string => (label === '' ? domain : `${label}.${domain}`);

/**
 * Why a name (in normal form) is not a DNS name, or undefined: 1 to 253
 * characters, labels of 1 to 63 without spaces or control characters (a
 * wildcard `*` is a label; non-ASCII letters are fine: Route53 stores them
 * escaped).
 */
export function dnsNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 253) return 'is not 1 to 253 characters long';
  if (/[\s\p{Cc}\p{Cf}]/u.test(name)) return 'holds a space or a control character';
  const labels = name.split('.');
  if (labels.length < 2) return 'has a single label (a production name is under a shared domain)';
  if (labels.some((l) => l.length === 0 || new TextEncoder().encode(l).length > 63)) return 'has an empty label or one longer than 63 bytes';
  return undefined;
}
