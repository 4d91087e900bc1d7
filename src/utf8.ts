/**
 * UTF-8 both ways, without Buffer: Bun's Buffer is JavaScript of its own that
 * starts on first use (~0.3 ms on kubectl's path, docs/speed.md). ASCII, all
 * that a cached token reads and writes, goes byte by byte; anything else
 * through TextDecoder and TextEncoder. Like node:fs and Buffer, a byte-order
 * mark is kept and a bad sequence becomes U+FFFD.
 */
let decoder: { decode(bytes: Uint8Array): string } | undefined;
let encoder: { encode(text: string): Uint8Array } | undefined;

/** fromCharCode's arguments per call: far below any engine's limit. */
const CHUNK = 4096;

export function utf8Text(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) > 0x7f) return (decoder ??= new TextDecoder('utf-8', { ignoreBOM: true })).decode(bytes);
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) text += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  return text;
}

export function utf8Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return (encoder ??= new TextEncoder()).encode(text);
    bytes[i] = c;
  }
  return bytes;
}
