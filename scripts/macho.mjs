// Checks a Mach-O executable's code signature without macOS: Apple Silicon
// refuses to run an unsigned or wrongly signed arm64 binary, and `codesign` is
// not available on Linux. Bun's `--compile` signs its darwin outputs ad hoc
// (as Bun documents for --compile on macOS); this verifies that signature the
// way the kernel does for code pages: every page hash in the CodeDirectory
// must match the file's bytes.
import { createHash } from 'node:crypto';

const MH_MAGIC_64 = 0xfeedfacf;
const LC_CODE_SIGNATURE = 0x1d;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CS_ADHOC = 0x2;
const HASHES = { 1: 'sha1', 2: 'sha256' };

/** Returns a note ("ad hoc signature: N pages verified"); throws naming the file when unsigned or wrong. */
export function checkMachOSignature(bytes, file = 'binary') {
  if (bytes.readUInt32LE(0) !== MH_MAGIC_64) throw new Error(`${file}: not a 64-bit Mach-O executable`);
  const ncmds = bytes.readUInt32LE(16);
  let offset = 32;
  let signature;
  for (let i = 0; i < ncmds; i++) {
    const cmd = bytes.readUInt32LE(offset);
    const size = bytes.readUInt32LE(offset + 4);
    if (cmd === LC_CODE_SIGNATURE) signature = { dataoff: bytes.readUInt32LE(offset + 8), datasize: bytes.readUInt32LE(offset + 12) };
    offset += size;
  }
  if (!signature) throw new Error(`${file}: no code signature (LC_CODE_SIGNATURE); macOS on arm64 will not run it`);
  const blob = bytes.subarray(signature.dataoff, signature.dataoff + signature.datasize);
  if (blob.readUInt32BE(0) !== CSMAGIC_EMBEDDED_SIGNATURE) throw new Error(`${file}: the code signature is not an embedded signature blob`);
  const count = blob.readUInt32BE(8);
  let cd;
  for (let i = 0; i < count; i++) {
    const at = blob.readUInt32BE(12 + i * 8 + 4);
    if (blob.readUInt32BE(at) === CSMAGIC_CODEDIRECTORY) {
      cd = blob.subarray(at);
      break;
    }
  }
  if (!cd) throw new Error(`${file}: the code signature holds no CodeDirectory`);
  const flags = cd.readUInt32BE(12);
  const hashOffset = cd.readUInt32BE(16);
  const nCodeSlots = cd.readUInt32BE(28);
  const codeLimit = cd.readUInt32BE(32);
  const hashSize = cd.readUInt8(36);
  const hash = HASHES[cd.readUInt8(37)];
  const pageSize = 2 ** cd.readUInt8(39);
  if (!hash) throw new Error(`${file}: unknown code signature hash type ${cd.readUInt8(37)}`);
  if (codeLimit !== signature.dataoff) throw new Error(`${file}: the signature covers ${codeLimit} bytes, the code ends at ${signature.dataoff}`);
  for (let page = 0; page < nCodeSlots; page++) {
    const start = page * pageSize;
    const actual = createHash(hash).update(bytes.subarray(start, Math.min(start + pageSize, codeLimit))).digest();
    const expected = cd.subarray(hashOffset + page * hashSize, hashOffset + (page + 1) * hashSize);
    if (!actual.equals(expected)) throw new Error(`${file}: code page ${page} does not match its signature (modified after signing)`);
  }
  return `${flags & CS_ADHOC ? 'ad hoc' : 'identity'} signature: ${nCodeSlots} pages verified (${hash})`;
}
