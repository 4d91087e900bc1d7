/**
 * The pieces of Go's standard library that aws-iam-authenticator's token
 * Verify leans on, other than net/url (go-url.ts), written again from their
 * documented and observed behaviour so that `bascule verify` decides as the
 * cluster does: encoding/base64's RawURLEncoding, strings.ToLower and
 * strings.EqualFold on the query's keys and values, strconv.Atoi, and
 * time.Parse with the X-Amz-Date layout.
 *
 * Go strings are bytes. Here a "byte string" is a JS string whose every char
 * code is one byte (0..255, as Buffer's 'latin1' gives), so that a URL that is
 * not valid UTF-8 is read byte for byte, as Go reads it.
 */

const RAW_URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Map([...RAW_URL_ALPHABET].map((c, i) => [c.charCodeAt(0), i]));

/**
 * base64.RawURLEncoding.DecodeString (encoding/base64, decodeQuantum): the
 * URL-safe alphabet; "\r" and "\n" are skipped wherever they are; "=" and any
 * other byte are an error at their offset; a last quantum of one character is
 * an error; the unused low bits of the last character are not checked (the
 * encoding is not Strict), so "…Ag" and "…Ah" decode alike.
 */
export function decodeRawUrlBase64(input: Uint8Array): { bytes: Buffer } | { error: string } {
  const sextets: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const b = input[i] as number;
    if (b === 0x0a || b === 0x0d) continue;
    const v = DECODE.get(b);
    if (v === undefined) return { error: `illegal base64 data at input byte ${i}` };
    sextets.push(v);
  }
  if (sextets.length % 4 === 1) return { error: `illegal base64 data at input byte ${input.length - 1}` };
  const out: number[] = [];
  for (let i = 0; i < sextets.length; i += 4) {
    const [a = 0, b = 0, c, d] = sextets.slice(i, i + 4);
    out.push(((a << 2) | (b >> 4)) & 0xff);
    if (c !== undefined) out.push(((b << 4) | (c >> 2)) & 0xff);
    if (c !== undefined && d !== undefined) out.push(((c << 6) | d) & 0xff);
  }
  return { bytes: Buffer.from(out) };
}

/**
 * The runes of a byte string as Go's `for range` yields them: a valid UTF-8
 * sequence is one rune; each byte of anything else is U+FFFD (utf8.RuneError).
 */
export function goRunes(bytes: string): number[] {
  const runes: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes.charCodeAt(i);
    if (b0 < 0x80) {
      runes.push(b0);
      i += 1;
      continue;
    }
    const need = b0 >= 0xc2 && b0 <= 0xdf ? 1 : b0 >= 0xe0 && b0 <= 0xef ? 2 : b0 >= 0xf0 && b0 <= 0xf4 ? 3 : 0;
    let rune = b0 & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    let ok = need > 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const b = bytes.charCodeAt(i + k);
      if ((b & 0xc0) !== 0x80) ok = false;
      else rune = (rune << 6) | (b & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (utf8.DecodeRune).
    if (ok && need === 2 && (rune < 0x800 || (rune >= 0xd800 && rune <= 0xdfff))) ok = false;
    if (ok && need === 3 && (rune < 0x10000 || rune > 0x10ffff)) ok = false;
    runes.push(ok ? rune : 0xfffd);
    i += ok ? need + 1 : 1;
  }
  return runes;
}

/**
 * strings.ToLower: unicode.ToLower on each rune, one rune for one (Go's simple
 * case mapping: "İ" U+0130 becomes "i", where JS's toLowerCase gives two code
 * points; no final-sigma rule), invalid bytes as U+FFFD. The result is text.
 */
export function goToLower(bytes: string): string {
  return goRunes(bytes)
    .map((r) => {
      if (r === 0x130) return 'i';
      const c = String.fromCodePoint(r);
      const lower = c.toLowerCase();
      return [...lower].length === 1 ? lower : c;
    })
    .join('');
}

/**
 * strings.EqualFold(s, ascii) for an ASCII lower-case `ascii`: Unicode simple
 * case folding, under which only the Kelvin sign (U+212A, with "k") and the
 * long s (U+017F, with "s") fold onto ASCII letters besides their own cases.
 */
export function equalFoldAscii(bytes: string, ascii: string): boolean {
  const runes = goRunes(bytes);
  if (runes.length !== ascii.length) return false;
  return runes.every((r, i) => {
    const folded = r === 0x212a ? 'k' : r === 0x17f ? 's' : r < 0x80 ? String.fromCharCode(r).toLowerCase() : '';
    return folded === ascii[i];
  });
}

/** strconv.Atoi: an optional sign and decimal digits only (no "_", no prefix), within int64. */
export function goAtoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return Number(n);
}

const daysIn = (month: number, year: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * time.Parse("20060102T150405Z", s) (time/format.go, Parse and getnum): four
 * year digits, two each for month, day, hour, minute and second (the hour,
 * stdHour, may be one digit, but only before a non-digit, which the minute's
 * two fixed digits then refuse), the literals "T" and "Z", nothing after;
 * month 1..12, day within the month, hour < 24, minute and second < 60; and
 * Go's one leniency: a fraction of a second (",5" or ".123") after the
 * seconds is read though the layout has none. UTC, to the millisecond.
 */
export function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(((m[7] ?? '') + '000').slice(0, 3)));
  return date;
}
