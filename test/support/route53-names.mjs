// @ts-check
/**
 * Names as Route53 holds them (pure), for the validating proxy and the
 * recording: Amazon Route 53 Developer Guide, "DNS domain name format"
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html),
 * and the API reference of ListResourceRecordSets ("Sort order"):
 *
 * - A name is labels of bytes. In a request, `\ooo` (three octal digits) is one
 *   byte (the only way to put a dot inside a label: `\056`); `\X` is X itself;
 *   any other character is its UTF-8 bytes (the guide asks for escapes for
 *   bytes 000-040 and 177-377 octal; the proxy also takes them unescaped, as
 *   UTF-8, so a client's escaping is never what a test depends on).
 * - Letters are stored lower case "regardless of how you specify them: as
 *   uppercase letters, lowercase letters, or the corresponding letters in
 *   escape codes" (ASCII letters only: a UTF-8 byte is not a letter).
 * - "If the domain name includes any characters other than a to z, 0 to 9,
 *   - (hyphen), or _ (underscore), the ListResourceRecordSets API action
 *   returns the characters as escape codes in the format \three-digit octal
 *   code. This is true whether you specified the characters as characters or
 *   as escape codes": `*.devinfra.local` is listed `\052.devinfra.local.`,
 *   `café` `caf\303\251` (UTF-8: c3 a9). Error messages name sets that way too.
 *   A final dot is optional in requests and always there in answers.
 * - Order: by name with the labels reversed and the final dot kept
 *   (`com.example.www.`), compared as ASCII on the escaped form, then type.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** @param {number} byte */
const isPlain = (byte) => (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x5f;

/** A byte of a label as Route53 lists it. @param {number} b */
const escapeByte = (b) => (isPlain(b) ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`);

/**
 * The labels of a name, as bytes, escapes read (a name of a request or of an answer).
 * @param {string} name
 * @returns {number[][]}
 */
export function nameLabels(name) {
  /** @type {number[][]} */
  const labels = [[]];
  const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  for (let i = 0; i < text.length; ) {
    const label = /** @type {number[]} */ (labels[labels.length - 1]);
    const code = text.charCodeAt(i);
    const octal = code === 0x5c ? /^[0-3][0-7]{2}/.exec(text.slice(i + 1, i + 4)) : null;
    if (octal) {
      label.push(Number.parseInt(octal[0], 8));
      i += 4;
    } else if (code === 0x5c && i + 1 < text.length) {
      i += 1; // `\X` is X: read X below as any character
      const next = String.fromCodePoint(/** @type {number} */ (text.codePointAt(i)));
      label.push(...encoder.encode(next));
      i += next.length;
    } else if (code === 0x2e) {
      labels.push([]);
      i += 1;
    } else if (code < 0x80) {
      label.push(code);
      i += 1;
    } else {
      const ch = String.fromCodePoint(/** @type {number} */ (text.codePointAt(i)));
      label.push(...encoder.encode(ch));
      i += ch.length;
    }
  }
  return text === '' ? [] : labels;
}

/**
 * A name as Route53 stores and lists it: lower case, `\ooo` for every byte
 * outside a-z 0-9 - _ (a dot inside a label included), labels joined by dots,
 * with the final dot.
 * @param {string} name
 */
export function encodeName(name) {
  // Plain ASCII labels (the common case): only the case and the final dot to settle.
  if (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(name)) {
    const lower = name.toLowerCase();
    return lower.endsWith('.') ? lower : `${lower}.`;
  }
  const labels = nameLabels(name).map((label) =>
    label
      .map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b))
      .map(escapeByte)
      .join(''),
  );
  return `${labels.join('.')}.`;
}

/**
 * A listed name for people (`*.devinfra.local`, `café.devinfra.local`): escapes
 * decoded as UTF-8, no final dot. A label that is not UTF-8, or holds a dot,
 * keeps its escapes.
 * @param {string} name
 */
export function decodeName(name) {
  return nameLabels(encodeName(name))
    .map((label) => {
      try {
        if (label.includes(0x2e)) throw new Error('a dot inside a label');
        return decoder.decode(new Uint8Array(label));
      } catch {
        return label.map(escapeByte).join('');
      }
    })
    .join('.');
}

/** The ordering key of a name: labels reversed, final dot kept, escaped form (`local.devinfra.\052.`). @param {string} name */
export const nameSortKey = (name) => `${encodeName(name).slice(0, -1).split('.').reverse().join('.')}.`;

/** Is `name` the zone's apex or below it? (any form) @param {string} name @param {string} zone */
export function inZone(name, zone) {
  const n = encodeName(name);
  const z = encodeName(zone);
  return n === z || n.endsWith(`.${z}`);
}
