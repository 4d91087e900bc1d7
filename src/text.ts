/**
 * Text for people: text from outside made safe to print (`echo`, the one
 * rule), and shortened at word boundaries, never mid-word.
 */

// ---------------------------------------------------------------- text from outside

/**
 * Last line of defence for text from outside (library messages, a helper's
 * stderr): removes anything shaped like an EKS token, a presigned signature,
 * a secret access key or a session token, and the value of any setting named
 * like a secret (`SecretAccessKey: …`, `"SessionToken":"…"`,
 * `aws_secret_access_key=…`, `password=…`), whatever its shape.
 */
export function redact(text: string): string {
  return text
    .replace(/k8s-aws-v1\.[A-Za-z0-9_-]+/g, 'k8s-aws-v1.<redacted>')
    .replace(/(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s"']+/gi, '$1<redacted>')
    .replace(secretSetting(), '$1<redacted>')
    .replace(/(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, '<redacted>')
    .replace(/(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{100,}={0,2}/g, '<redacted>');
}

/** A setting whose name says secret, then its value: `name: value`, `name=value`, `"name": "value"`. */
// Functions, not literals: built on first use (src/vocabulary.ts, ROLE_ARN).
const secretSetting = () => /((?:secret[_-]?access[_-]?key|session[_-]?token|security[_-]?token|secret|password|passwd)["']?\s*[:=]\s*["']?)(?!<redacted>)[^\s"',;&}]+/gi;


/**
 * Characters never printed raw: C0 and C1 controls and DEL (they move the
 * cursor, recolour or retitle a terminal), the bidi embeddings, overrides,
 * isolates and marks (they reorder what is shown), the line and paragraph
 * separators, and unpaired surrogates (not text at all).
 */
// eslint-disable-next-line no-control-regex
const unprintable = () => /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const escapeOne = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Every unprintable character (see unprintable) as a \u escape; nothing else changes, nothing is cut. */
export function escapeControl(text: string): string {
  return text.replace(unprintable(), escapeOne);
}

/** How much of a text from outside a message shows. */
export const ECHO_MAX = 120;

/**
 * The one rule for echoing text that came from outside (a TXT value,
 * KUBERNETES_EXEC_INFO, a file's content, a helper's stderr, a library's
 * message): secrets redacted (`redact`), unprintable characters escaped, and
 * at most `max` characters shown (escapes counted as printed), a cut marked
 * with "…". Never cuts inside an escape or a surrogate pair.
 */
export function echo(text: string, max: number = ECHO_MAX): string {
  const pieces: string[] = [];
  let width = 0;
  for (const c of redact(text)) {
    // A code point (a pair of surrogates) or an unpaired surrogate: printed whole or escaped whole.
    const piece = c.replace(unprintable(), escapeOne);
    pieces.push(piece);
    width += piece === c ? 1 : piece.length;
    if (width > max) {
      // Too long: whole pieces go until the mark fits.
      while (width + 1 > max && pieces.length > 0) {
        const last = pieces.pop() as string;
        width -= last.length > 2 ? last.length : 1;
      }
      return `${pieces.join('')}…`;
    }
  }
  return pieces.join('');
}

/**
 * `text` when it fits in `max` characters; else the longest run of whole words
 * that fits with an ellipsis after it. A first word longer than `max` (a long
 * name, a URL) is kept whole: cutting it would make it wrong, not shorter.
 */
export function truncateWords(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const words = flat.split(' ');
  let out = words[0] as string;
  for (const word of words.slice(1)) {
    if (out.length + 1 + word.length + 1 > max) break;
    out += ` ${word}`;
  }
  return `${out.replace(/[\s,;:(]+$/, '')}…`;
}

// ---------------------------------------------------------------- durations

/**
 * How a duration is written for people:
 * - `exact`, a bound or a setting, as the duration rule reads it back
 *   (src/vocabulary.ts): 250ms, 1.5s, 2m, 1m30s, 1h;
 * - `clock`, an elapsed time or an age, two units at most, the second one
 *   zero-padded: 850ms, 12s, 1m05s, 1h02m;
 * - `seconds`, the clock form of a whole number of seconds (the absolute
 *   value, rounded: a clock skew, an age, a time left): 0s, 12s, 20m00s.
 */
export type DurationForm = 'exact' | 'clock' | 'seconds';

/** The one duration formatter (see DurationForm). */
export function formatDuration(ms: number, form: DurationForm): string {
  if (form === 'seconds') {
    const whole = Math.round(Math.abs(ms) / 1000);
    return whole < 60 ? `${whole}s` : formatDuration(whole * 1000, 'clock');
  }
  if (ms < 1000) return `${form === 'clock' ? Math.max(0, Math.round(ms)) : ms}ms`;
  if (form === 'exact' && ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const s = form === 'exact' ? Math.round(ms / 1000) : Math.floor(ms / 1000);
  const [hours, minutes, seconds] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (form === 'exact') return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
  if (s < 60) return `${s}s`;
  if (hours === 0) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${hours}h${String(minutes).padStart(2, '0')}m`;
}

/** 850ms, 12s, 1m05s, 1h02m: an elapsed time (the clock form). */
export const formatElapsed = (ms: number): string => formatDuration(ms, 'clock');

/** An instant to the second, as reports print it: 2026-01-02T03:04:05Z. */
export const isoSecond = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
