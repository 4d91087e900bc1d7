/**
 * The one rule for text from outside (src/text.ts `echo`): what a
 * TXT value, KUBERNETES_EXEC_INFO, a file, a helper's stderr or a library's
 * message may put on the user's terminal. A table: escaped, bounded, redacted.
 */
import { describe, expect, it } from 'vitest';
import { unexpectedMessage } from '../../src/errors.js';
import { quoteValue } from '../../src/vocabulary.js';
import { ECHO_MAX, echo, escapeControl, redact } from '../../src/text.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
/** Nothing a terminal would act on: C0, DEL, C1, bidi controls and marks, line/paragraph separators, lone surrogates. */
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('echo', () => {
  it.each([
    ['plain text, unchanged', 'eks-green', 'eks-green'],
    ['ESC (C0): a colour change', 'a\u001b[31mb', 'a\\u001b[31mb'],
    ['a newline and a carriage return', 'a\nb\rc', 'a\\u000ab\\u000dc'],
    ['DEL and CSI (C1)', 'a\u007fb\u009bc', 'a\\u007fb\\u009bc'],
    ['a right-to-left override', 'abc\u202etxt.exe', 'abc\\u202etxt.exe'],
    ['isolates and marks', '\u2066a\u2069\u200e\u200f\u061c', '\\u2066a\\u2069\\u200e\\u200f\\u061c'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['an unpaired surrogate', 'a\ud800b\udc00', 'a\\ud800b\\udc00'],
    ['a surrogate pair (an emoji) and accents, kept', 'éks 😀', 'éks 😀'],
    ['a secret access key', `key ${SECRET} end`, 'key <redacted> end'],
    ['a secret, named, of any shape', 'SecretAccessKey: abc123', 'SecretAccessKey: <redacted>'],
    ['a session token in JSON', '{"SessionToken":"IQoJb3JpZ2luX2VjE"}', '{"SessionToken":"<redacted>"}'],
    ['a key in an ini line', 'aws_secret_access_key = hunter2', 'aws_secret_access_key = <redacted>'],
    ['a password', 'password=hunter2 next', 'password=<redacted> next'],
    ['an EKS token', 'k8s-aws-v1.aHR0cHM6Ly9zdHM', 'k8s-aws-v1.<redacted>'],
    ['words that only look like settings, kept', 'token cache: miss; --token-only; a password prompt', 'token cache: miss; --token-only; a password prompt'],
  ])('%s', (_, input, shown) => {
    expect(echo(input)).toBe(shown);
  });

  it('shows at most 120 characters, the cut marked', () => {
    // (A run of 100 letters or more is shaped like a secret, and redacted whole: dashes are not.)
    expect(echo('-'.repeat(ECHO_MAX))).toBe('-'.repeat(ECHO_MAX));
    expect(echo('-'.repeat(ECHO_MAX + 1))).toBe(`${'-'.repeat(ECHO_MAX - 1)}…`);
    expect(echo('v-'.repeat(60_000))).toHaveLength(ECHO_MAX);
  });

  it('counts escapes as printed, and never cuts one, nor a surrogate pair', () => {
    const escapes = echo('\u001b'.repeat(100));
    expect(escapes).toBe(`${'\\u001b'.repeat(19)}…`);
    expect([...echo('😀'.repeat(200))]).toHaveLength(ECHO_MAX);
    expect(echo('😀'.repeat(200)).endsWith('😀…')).toBe(true);
  });

  it('a 120,000-character hostile value: bounded, nothing raw, nothing secret', () => {
    const hostile = `client.authentication.k8s.io/\u202e${SECRET}\u001b]0;pwned\u0007${'x-'.repeat(60_000)}`;
    const shown = echo(hostile);
    expect([...shown].length).toBeLessThanOrEqual(ECHO_MAX);
    expect(shown).not.toMatch(RAW);
    expect(shown).not.toContain(SECRET);
    expect(shown).toContain('\\u202e<redacted>\\u001b]0;pwned\\u0007');
  });

  it('takes another bound where a message needs one', () => {
    expect(echo('abcdef', 4)).toBe('abc…');
  });
});

describe('its parts and users', () => {
  it('escapeControl escapes and never cuts', () => {
    expect(escapeControl(`\u001b${'a'.repeat(500)}`)).toBe(`\\u001b${'a'.repeat(500)}`);
  });
  it('redact leaves what is not a secret', () => {
    expect(redact('profile dev (credential_process), role arn:aws:iam::123456789012:role/x')).toBe('profile dev (credential_process), role arn:aws:iam::123456789012:role/x');
  });
  it('quoteValue quotes by the same rule', () => {
    expect(quoteValue('a"b\\c\u202e')).toBe('"a\\"b\\\\c\\u202e"');
    expect(quoteValue('x-'.repeat(500))).toHaveLength(ECHO_MAX + 2);
  });
  it('an unexpected error is one bounded, escaped line', () => {
    const error = new RangeError(`Cannot create a string longer than 0x1fffffe8 characters\n    at Buffer.toString (node:buffer:836:17)\n${'x'.repeat(5000)}`);
    const shown = unexpectedMessage(error);
    expect(shown.startsWith('RangeError: Cannot create a string longer than 0x1fffffe8 characters\\u000a    at Buffer')).toBe(true);
    expect([...shown].length).toBeLessThanOrEqual(200);
    expect(shown).not.toMatch(RAW);
    expect(unexpectedMessage('thrown string')).toBe('thrown string');
  });
});
