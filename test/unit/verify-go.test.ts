/**
 * The Go behaviours `bascule verify` reproduces (src/authenticator/go-text.ts,
 * go-url.ts), each edge against what Go's source does: base64's
 * RawURLEncoding (and where Node's Buffer differs, which is why it is not
 * used), net/url's Parse and ParseQuery, strings.ToLower / EqualFold,
 * strconv.Atoi and time.Parse with the X-Amz-Date layout. No Go toolchain on
 * the machine: the expectations are read from Go's source, cited per row.
 */
import { describe, expect, it } from 'vitest';
import { decodeRawUrlBase64, equalFoldAscii, goAtoi, goRunes, goToLower, parseAmzDate } from '../../src/authenticator/go-text.js';
import { goParseQuery, goUnescape, goUrlParse } from '../../src/authenticator/go-url.js';

const decode = (s: string) => {
  const r = decodeRawUrlBase64(Buffer.from(s, 'latin1'));
  return 'error' in r ? r.error : r.bytes.toString('latin1');
};

describe("encoding/base64's RawURLEncoding (decodeQuantum)", () => {
  it.each([
    ['', ''],
    ['QQ', 'A'],
    ['QR', 'A'], // the 4 unused bits set: not Strict, accepted
    ['QUI', 'AB'],
    ['QUJ', 'AB'], // 2 unused bits set
    ['QUJD', 'ABC'],
    ['_-8', '\xff\xef'],
    ['Q\r\nQ\n', 'A'], // line breaks are skipped anywhere
    ['Q', 'illegal base64 data at input byte 0'], // a lone last character
    ['QUJDR', 'illegal base64 data at input byte 4'],
    ['QQ==', 'illegal base64 data at input byte 2'], // no padding in Raw encodings
    ['Q+Q', 'illegal base64 data at input byte 1'], // the standard alphabet's "+"
    ['Q/Q', 'illegal base64 data at input byte 1'],
    ['Q Q', 'illegal base64 data at input byte 1'],
    ['QQ\xc3\xa9', 'illegal base64 data at input byte 2'],
  ])('%j -> %j', (input, expected) => {
    expect(decode(input)).toBe(expected);
  });

  it("agrees with Node's Buffer on every canonical encoding, and differs where Buffer is lenient", () => {
    for (let n = 0; n < 64; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff));
      expect(decode(bytes.toString('base64url'))).toBe(bytes.toString('latin1'));
    }
    // Buffer takes what Go refuses: "+", "/", "=", spaces, a lone last character.
    for (const lenient of ['Q+Q', 'QQ==', 'Q Q', 'QUJDR']) expect(() => Buffer.from(lenient, 'base64url')).not.toThrow();
  });
});

describe("net/url's Parse", () => {
  const ok = (raw: string) => {
    const u = goUrlParse(raw);
    if ('error' in u) throw new Error(u.error);
    return u;
  };
  const err = (raw: string) => {
    const u = goUrlParse(raw);
    return 'error' in u ? u.error : `parsed: ${JSON.stringify(u)}`;
  };

  it('keeps what WHATWG URL repairs', () => {
    expect(ok('HTTPS://STS.Example:443/./a/../?q')).toMatchObject({ scheme: 'https', host: 'STS.Example:443', path: '/./a/../', rawQuery: 'q' });
    expect(ok('https://h?x=1')).toMatchObject({ host: 'h', path: '', rawQuery: 'x=1' });
    expect(ok('https:h/?x')).toMatchObject({ opaque: 'h/', host: '' }); // no "//": opaque
    expect(ok('https:///h/?x')).toMatchObject({ host: '', path: '/h/' });
    expect(ok('https:\\\\h\\?x')).toMatchObject({ opaque: '\\\\h\\', host: '' });
  });

  it('cuts the fragment first, then the query at the first "?"; a lone final "?" is ForceQuery', () => {
    expect(ok('https://h/?a#b?c')).toMatchObject({ rawQuery: 'a', fragment: 'b?c' });
    expect(ok('https://h/#?a')).toMatchObject({ rawQuery: '', fragment: '?a' });
    expect(ok('https://h/?')).toMatchObject({ rawQuery: '', forceQuery: true });
    expect(ok('https://h/??')).toMatchObject({ rawQuery: '?', forceQuery: false });
    expect(ok('https://h/#%09')).toMatchObject({ fragment: '\t' }); // a fragment may escape anything
  });

  it('reads userinfo at the last "@", unescaped', () => {
    expect(ok('https://a%40b:c:d@e@h/')).toMatchObject({ user: { username: 'a@b', password: 'c:d@e' }, host: 'h' });
    expect(ok('https://@h/')).toMatchObject({ user: { username: '', password: undefined }, host: 'h' });
    expect(err('https://a b@h/')).toBe('net/url: invalid userinfo');
    expect(err('https://\xc3\xa9@h/')).toBe('net/url: invalid userinfo'); // validUserinfo: ASCII runes only
    expect(err('https://a%zz@h/')).toBe('invalid URL escape "%zz"');
  });

  it.each([
    ['https://h\t/', 'net/url: invalid control character in URL'],
    ['https://h/\x7f', 'net/url: invalid control character in URL'],
    [':h', 'missing protocol scheme'],
    ['a:b/c', 'parsed'], // a scheme "a", opaque
    ['1a:b', 'first path segment in URL cannot contain colon'],
    ['https://h%2E/', 'invalid URL escape "%2E"'], // only bytes >= 0x80 may be escaped in a host
    ['https://h%7F/', 'invalid URL escape "%7F"'],
    ['https://h%C3%A9/', 'parsed'],
    ['https://h%zz/', 'invalid URL escape "%zz"'],
    ['https://h%/', 'invalid URL escape "%"'], // the host ends at "/"
    ['https://h /', 'invalid character " " in host name'],
    ['https://h\\/', 'invalid character "\\\\" in host name'],
    ['https://h{/', 'invalid character "{" in host name'],
    ["https://h!$&'()*+,;=<>\"~_-/", 'parsed'], // sub-delims and < > " are allowed in a host
    ['https://h:443/', 'parsed'],
    ['https://h:/', 'parsed'],
    ['https://h:x/', 'invalid port ":x" after host'],
    ['https://h:1:2/', 'invalid port ":1:2" after host'], // Go 1.26: the first colon starts the port
    ['https://a.b[::1]/', 'invalid IP-literal'], // Go 1.26: a bracket only at the start
    ['https://[::1/', "missing ']' in host"],
    ['https://[::1]:x/', 'invalid port ":x" after host'],
    ['https://h/%zz', 'invalid URL escape "%zz"'],
    ['https://h/#%zz', 'invalid URL escape "%zz"'],
    ['https://h/?%zz', 'parsed'], // the query is not unescaped by Parse
  ])('%j -> %s', (raw, expected) => {
    expect(err(raw).startsWith('parsed') ? 'parsed' : err(raw)).toBe(expected);
  });

  it('unescapes a host and a path', () => {
    expect(ok('https://h%C3%A9/%41%2F')).toMatchObject({ host: 'h\xc3\xa9', path: '/A/' });
    expect(goUnescape('a+b%20c', 'query')).toEqual({ value: 'a b c' });
    expect(goUnescape('a+b', 'path')).toEqual({ value: 'a+b' });
  });
});

describe("net/url's ParseQuery", () => {
  it('splits on "&", the first "=" parts key and value, keys keep their case, values their order', () => {
    const { values, error } = goParseQuery('a=1&A=2&a=3&&b&c=x=y&%41=4&d+e=f+g&h=%FF');
    expect(error).toBeUndefined();
    expect([...values]).toEqual([
      ['a', ['1', '3']],
      ['A', ['2', '4']],
      ['b', ['']],
      ['c', ['x=y']],
      ['d e', ['f g']],
      ['h', ['\xff']],
    ]);
  });

  it('a raw ";" or a bad escape is an error, the other pairs still read', () => {
    expect(goParseQuery('a=1;b=2&c=3')).toEqual({ values: new Map([['c', ['3']]]), error: 'invalid semicolon separator in query' });
    expect(goParseQuery('a=%3B&b=%zz&c=%')).toEqual({ values: new Map([['a', [';']]]), error: 'invalid URL escape "%zz"' });
  });
});

describe('strings, strconv and time, as Go has them', () => {
  it('reads runes as Go ranges over a string: each byte of a bad sequence is U+FFFD', () => {
    expect(goRunes('a\xc3\xa9\xe2\x84\xaa\xf0\x9f\x98\x80')).toEqual([0x61, 0xe9, 0x212a, 0x1f600]);
    expect(goRunes('\xff\xc3\xc0\x80\xed\xa0\x80')).toEqual([0xfffd, 0xfffd, 0xfffd, 0xfffd, 0xfffd, 0xfffd, 0xfffd]); // invalid, overlong, surrogate
    expect(goRunes('\xe2\x84')).toEqual([0xfffd, 0xfffd]); // cut short
  });

  it('lower-cases one rune for one (strings.ToLower)', () => {
    expect(goToLower('X-Amz-Date')).toBe('x-amz-date');
    expect(goToLower('Act\xc4\xb0on')).toBe('action'); // U+0130: "i" in Go, "i̇" in JS
    expect(goToLower('\xce\x91\xce\xa3')).toBe('ασ'); // no final sigma
    expect(goToLower('\xff')).toBe('\ufffd');
  });

  it('folds cases as strings.EqualFold does', () => {
    expect(equalFoldAscii('X-K8S-AWS-ID', 'x-k8s-aws-id')).toBe(true);
    expect(equalFoldAscii('x-\xe2\x84\xaa8\xc5\xbf-aws-id', 'x-k8s-aws-id')).toBe(true); // Kelvin sign, long s
    expect(equalFoldAscii('x-k8s-aws-\xc4\xb0d', 'x-k8s-aws-id')).toBe(false); // U+0130 does not fold to i
    expect(equalFoldAscii('x-k8s-aws-id ', 'x-k8s-aws-id')).toBe(false);
  });

  it.each([
    ['60', 60],
    ['+60', 60],
    ['-0', 0],
    ['0060', 60],
    ['-9223372036854775808', -9223372036854775808],
    ['9223372036854775808', undefined],
    ['', undefined],
    ['+', undefined],
    ['6_0', undefined],
    ['0x3c', undefined],
    [' 60', undefined],
    ['٦٠', undefined], // Arabic-Indic digits: not ASCII
  ])('strconv.Atoi(%j) -> %s', (s, expected) => {
    expect(goAtoi(s)).toBe(expected);
  });

  it.each([
    ['20260304T050607Z', '2026-03-04T05:06:07.000Z'],
    ['20240229T235959Z', '2024-02-29T23:59:59.000Z'],
    ['20260304T050607.5Z', '2026-03-04T05:06:07.500Z'], // a fraction after the seconds
    ['20260304T050607,123456789Z', '2026-03-04T05:06:07.123Z'],
    ['00000101T000000Z', '0000-01-01T00:00:00.000Z'],
    ['20260229T000000Z', undefined], // day out of range
    ['20261301T000000Z', undefined],
    ['20260100T000000Z', undefined],
    ['20260304T240000Z', undefined],
    ['20260304T056007Z', undefined],
    ['20260304T050660Z', undefined],
    ['20260304T50607Z', undefined], // "50" is read as the hour
    ['20260304T050607.Z', undefined],
    ['20260304T050607', undefined],
    ['20260304T050607Z ', undefined], // extra text
    ['2026-03-04T05:06:07Z', undefined],
  ])('time.Parse(X-Amz-Date, %j) -> %s', (s, expected) => {
    expect(parseAmzDate(s)?.toISOString()).toBe(expected);
  });
});
