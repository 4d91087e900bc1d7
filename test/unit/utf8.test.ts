/** src/utf8.ts (no Buffer on kubectl's path) says what Buffer says, both ways. */
import { describe, expect, it } from 'vitest';
import { utf8Bytes, utf8Text } from '../../src/utf8.js';

const TEXTS = ['', 'eks-green', '{"format":1,"token":"k8s-aws-v1.abc"}\n', 'x'.repeat(10_000), 'héllo', '\uFEFFbom first', 'ok 🐟 fish', '日本語', 'a\u0000b', '\u2028'];
const BYTES = [
  [0xff],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80], // a surrogate, encoded
  [0xf0, 0x9f, 0x90],
  [0x61, 0x80, 0x62],
  [0xef, 0xbb, 0xbf, 0x61], // a byte-order mark: kept, as node:fs keeps it
];

describe('utf8', () => {
  it.each(TEXTS)('encodes %j as Buffer does, and back', (text) => {
    const bytes = utf8Bytes(text);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(text, 'utf8'));
    expect(utf8Text(bytes)).toBe(text);
  });

  it.each(BYTES)('decodes bad or unusual bytes %j as Buffer does', (...bytes) => {
    const u8 = Uint8Array.from(bytes);
    expect(utf8Text(u8)).toBe(Buffer.from(u8).toString('utf8'));
  });

  it('reads a long ASCII text in chunks without losing a byte', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode(0x20 + (i % 95))).join('');
    expect(utf8Text(utf8Bytes(text))).toBe(text);
  });
});
