/**
 * The cached token's file calls, straight to libc through Bun's FFI, in the
 * Linux binary. Bun's node:fs is a graph of modules (node:fs/promises, the
 * validators, the stream helpers) that costs ~5 ms to load, on every kubectl
 * call, more than everything else a cached token does; Bun's own file API
 * runs every read on a thread pool (~3 ms to start) and follows links. Its
 * calls cost 0.6 ms to open (TinyCC compiles their trampolines; five or
 * eleven, the same). The TXT lookup of a token asks over its UDP sockets
 * (src/dns/udp.ts).
 * docs/speed.md has the numbers.
 *
 * Only the plain success is answered here. Anything else (an error, a file
 * that is not what is wanted, a path node:fs would refuse, another runtime or
 * system, bun:ffi unavailable) is `undefined`, and the caller asks node:fs,
 * which gives the exact reason and its message. So what bascule decides
 * cannot differ from what node:fs would make it decide: this only makes the
 * common case fast.
 */
import { builtin, nodeFs } from './runtime.js';
import { utf8Bytes, utf8Text } from './utf8.js';

/** What a stat says that bascule looks at. */
export interface Status {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly uid: number;
  /** st_mode, type bits included (as node:fs's Stats.mode). */
  readonly mode: number;
}

export interface RegularFile extends Status {
  readonly text: string;
}

export interface Libc {
  /** lstat(2): the path itself, a link not followed. */
  lstat(path: string): Status | undefined;
  /**
   * A regular file read whole (UTF-8): opened O_RDONLY|O_NONBLOCK (a FIFO opens
   * at once, and is refused), with O_NOFOLLOW unless `followLinks`, checked
   * with fstat on what was opened; at most `maxBytes`.
   */
  readRegular(path: string, options: { readonly followLinks: boolean; readonly maxBytes: number }): RegularFile | undefined;
  /** write(2) until done or the first error: the number of bytes written (the caller goes on with node:fs, which reports the error). */
  write(fd: number, bytes: Uint8Array): number;
  /** UDP sockets (src/dns/udp.ts): connected, non-blocking, close-on-exec. */
  readonly udp: LibcUdp;
}

/** A failed call: errno's name (ECONNREFUSED...), or `errno N` for one not named here. */
export type Errno = string;

export interface LibcUdp {
  /** A UDP socket connected to the address (4 or 16 bytes, network order) and port: its descriptor, or why not. */
  connect(address: Uint8Array, port: number): number | { readonly error: Errno };
  /** One datagram; undefined when sent, else why not. */
  send(fd: number, bytes: Uint8Array): Errno | undefined;
  /**
   * poll(2): waits until one of the sockets has a datagram or an error, at most `ms` (0: only looks): has one?
   * This blocks the thread: only for a caller that runs nothing else meanwhile.
   */
  wait(fds: readonly number[], ms: number): boolean;
  /** The next datagram waiting, the socket's error (a connected socket hears ICMP "port unreachable" as ECONNREFUSED), or undefined when nothing waits. */
  receive(fd: number): Uint8Array | { readonly error: Errno } | undefined;
  close(fd: number): void;
}

// ---------------------------------------------------------------- Linux's numbers, all here

// open(2)'s flags, per architecture (asm-generic and arm64 differ from x86 for O_NOFOLLOW).
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const O_NOFOLLOW: Partial<Record<string, number>> = { x64: 0o400000, arm64: 0o100000 };
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
/** STATX_TYPE | STATX_MODE | STATX_UID | STATX_INO | STATX_SIZE: what must come back. */
const STATX_WANTED = 0x1 | 0x2 | 0x8 | 0x100 | 0x200;
// struct statx (linux/stat.h): the same layout on every architecture.
const STX_MASK = 0x00;
const STX_UID = 0x14;
const STX_MODE = 0x1c;
const STX_INO = 0x20;
const STX_SIZE = 0x28;
const STX_DEV_MAJOR = 0x88;
const STX_DEV_MINOR = 0x8c;

const S_IFMT = 0o170000;
const KINDS: Partial<Record<number, Status['kind']>> = { 0o100000: 'file', 0o040000: 'directory', 0o120000: 'symlink' };

// Sockets, poll(2) and errno: the same numbers on x64 and arm64.
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const MSG_PEEK = 0x2;
const MSG_TRUNC = 0x20;
const POLLIN = 0x1;
const EAGAIN = 11;
const EINTR = 4;
const ERRNO_NAMES: Partial<Record<number, string>> = {
  1: 'EPERM', 13: 'EACCES', 22: 'EINVAL', 24: 'EMFILE', 90: 'EMSGSIZE', 97: 'EAFNOSUPPORT', 99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN', 101: 'ENETUNREACH', 105: 'ENOBUFS', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH',
};

/**
 * Bun's native FFI object: its dlopen gives the trampolines themselves.
 * `Bun.FFI` is the object bun:ffi wraps (not documented; 0.6 ms to open
 * libc with it, where evaluating the bun:ffi module alone takes 1.3 ms and
 * its dlopen wraps each function in one built with `new Function`); when a
 * Bun lacks it, bun:ffi's `native` is the same object.
 */
interface NativeFfi {
  dlopen(library: string, symbols: Record<keyof Calls, { args: string[]; returns: string }>): { symbols: Calls } | Error;
  ptr(view: Uint8Array): number;
  read: { i32(at: number, offset: number): number };
}

/** The raw trampolines: every argument must already be what C wants (an int, a pointer as a number). */
interface Calls {
  open(path: number, flags: number): number;
  read(fd: number, buffer: number, length: number): number | bigint;
  write(fd: number, buffer: number, length: number): number | bigint;
  close(fd: number): number;
  statx(dirfd: number, path: number, flags: number, mask: number, buffer: number): number;
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, address: number, length: number): number;
  send(fd: number, buffer: number, length: number, flags: number): number | bigint;
  recv(fd: number, buffer: number, length: number, flags: number): number | bigint;
  poll(fds: number, count: number, timeoutMs: number): number;
  /** errno's address in this thread. */
  __errno_location(): number;
}

function nativeFfi(): NativeFfi {
  const own = (globalThis as { Bun?: { FFI?: NativeFfi } }).Bun?.FFI;
  if (typeof own?.dlopen === 'function' && typeof own.ptr === 'function') return own;
  const module = builtin<{ native: Pick<NativeFfi, 'dlopen'>; ptr: NativeFfi['ptr']; read: NativeFfi['read'] }>('bun:ffi');
  return { dlopen: module.native.dlopen, ptr: module.ptr, read: module.read };
}

let loaded: Libc | null | undefined;

/** libc, in the Linux binary (x64 and arm64); undefined anywhere else, or when bun:ffi cannot load it. */
export function libc(): Libc | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

/** libc if a cached token's read has loaded it already; else undefined (a fresh token has node:fs loaded by then: the signer's files). */
export function libcIfLoaded(): Libc | undefined {
  return loaded ?? undefined;
}

function load(): Libc | null {
  const noFollow = O_NOFOLLOW[process.arch];
  if (typeof (globalThis as { Bun?: unknown }).Bun === 'undefined' || process.platform !== 'linux' || noFollow === undefined) return null;
  let ffi: NativeFfi;
  let c: Calls;
  try {
    ffi = nativeFfi();
    const opened = ffi.dlopen('libc.so.6', {
      open: { args: ['ptr', 'i32'], returns: 'i32' },
      read: { args: ['i32', 'ptr', 'u64'], returns: 'i64' },
      write: { args: ['i32', 'ptr', 'u64'], returns: 'i64' },
      close: { args: ['i32'], returns: 'i32' },
      statx: { args: ['i32', 'ptr', 'i32', 'u32', 'ptr'], returns: 'i32' },
      socket: { args: ['i32', 'i32', 'i32'], returns: 'i32' },
      connect: { args: ['i32', 'ptr', 'u32'], returns: 'i32' },
      send: { args: ['i32', 'ptr', 'u64', 'i32'], returns: 'i64' },
      recv: { args: ['i32', 'ptr', 'u64', 'i32'], returns: 'i64' },
      poll: { args: ['ptr', 'u64', 'i32'], returns: 'i32' },
      __errno_location: { args: [], returns: 'ptr' },
    });
    if (opened instanceof Error) return null;
    c = opened.symbols;
  } catch {
    return null; // musl, a locked-down system (no executable memory for the trampolines): node:fs
  }
  const sx = new Uint8Array(256);
  const sxAt = ffi.ptr(sx);
  // Little-endian fields read byte by byte: a DataView is one more piece of the runtime to start on kubectl's path.
  const u16 = (at: number) => (sx[at] as number) | ((sx[at + 1] as number) << 8);
  const u32 = (at: number) => (u16(at) | (u16(at + 2) << 16)) >>> 0;
  /** A 64-bit field as a number (sizes and inode numbers fit in 2^53), without BigInt. */
  const u64 = (at: number) => u32(at + 4) * 0x100000000 + u32(at);
  /** A NUL-terminated copy of the path (UTF-8); undefined for a path holding a NUL, which node:fs refuses (and C would cut short). */
  const cPath = (path: string): Uint8Array | undefined => (path.includes('\0') ? undefined : utf8Bytes(`${path}\0`));
  const statx = (fd: number, path: Uint8Array, flags: number) => {
    if (c.statx(fd, ffi.ptr(path), flags, STATX_WANTED, sxAt) !== 0) return undefined;
    if ((u32(STX_MASK) & STATX_WANTED) !== STATX_WANTED) return undefined;
    const mode = u16(STX_MODE);
    return {
      kind: KINDS[mode & S_IFMT] ?? ('other' as const),
      uid: u32(STX_UID),
      mode,
      size: u64(STX_SIZE),
      /** The file's identity: device and inode. */
      devMajor: u32(STX_DEV_MAJOR),
      devMinor: u32(STX_DEV_MINOR),
      ino: u64(STX_INO),
    };
  };
  type Stat = NonNullable<ReturnType<typeof statx>>;
  const sameFile = (a: Stat, b: Stat) => a.devMajor === b.devMajor && a.devMinor === b.devMinor && a.ino === b.ino;
  const EMPTY = new Uint8Array(1);
  return {
    lstat(path) {
      const p = cPath(path);
      return p && statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW);
    },
    readRegular(path, { followLinks, maxBytes }) {
      const p = cPath(path);
      if (!p) return undefined;
      // Without following links: the name itself must be a regular file, and what opens must be that same file.
      const named = followLinks ? undefined : statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW);
      if (!followLinks && named?.kind !== 'file') return undefined;
      const fd = c.open(ffi.ptr(p), O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : noFollow));
      if (fd < 0) return undefined;
      try {
        const opened = statx(fd, EMPTY, AT_EMPTY_PATH);
        if (!opened || opened.kind !== 'file' || opened.size > maxBytes || (named && !sameFile(named, opened))) return undefined;
        // Sized by the stat, one byte more: a file that grew since is left to node:fs.
        const buffer = new Uint8Array(opened.size + 1);
        let length = 0;
        for (;;) {
          const n = Number(c.read(fd, ffi.ptr(buffer.subarray(length)), buffer.length - length));
          if (n < 0) return undefined;
          if (n === 0) break;
          length += n;
          if (length === buffer.length) return undefined;
        }
        return { kind: 'file', uid: opened.uid, mode: opened.mode, text: utf8Text(buffer.subarray(0, length)) };
      } finally {
        c.close(fd);
      }
    },
    write(fd, bytes) {
      let written = 0;
      while (written < bytes.length) {
        const n = Number(c.write(fd, ffi.ptr(bytes.subarray(written)), bytes.length - written));
        if (n <= 0) break;
        written += n;
      }
      return written;
    },
    udp: udpCalls(c, ffi),
  };
}

function udpCalls(c: Calls, ffi: NativeFfi): LibcUdp {
  const errno = () => ffi.read.i32(c.__errno_location(), 0);
  const name = (n: number) => ERRNO_NAMES[n] ?? `errno ${n}`;
  const failure = () => name(errno());
  return {
    connect(address, port) {
      const v6 = address.length === 16;
      // SOCK_NONBLOCK and SOCK_CLOEXEC are O_NONBLOCK and O_CLOEXEC on Linux: no call here ever waits.
      const fd = c.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | O_NONBLOCK | O_CLOEXEC, 0);
      if (fd < 0) return { error: failure() };
      // struct sockaddr_in (16 bytes) or sockaddr_in6 (28): the family in the host's order (little-endian on both), the port in the network's.
      const sa = new Uint8Array(v6 ? 28 : 16);
      sa[0] = v6 ? AF_INET6 : AF_INET;
      sa[2] = port >> 8;
      sa[3] = port & 0xff;
      sa.set(address, v6 ? 8 : 4);
      if (c.connect(fd, ffi.ptr(sa), sa.length) === 0) return fd;
      const error = failure();
      c.close(fd);
      return { error };
    },
    send(fd, bytes) {
      return Number(c.send(fd, ffi.ptr(bytes), bytes.length, 0)) === bytes.length ? undefined : failure();
    },
    wait(fds, ms) {
      // struct pollfd: int fd, short events, short revents (descriptors are small: two bytes of the int are enough).
      const set = new Uint8Array(8 * fds.length);
      for (let i = 0; i < fds.length; i++) {
        const fd = fds[i] as number;
        set[8 * i] = fd & 0xff;
        set[8 * i + 1] = fd >> 8;
        set[8 * i + 4] = POLLIN;
      }
      // A signal cuts the wait short (-1, EINTR): the caller looks at the clock and waits again.
      return c.poll(ffi.ptr(set), fds.length, ms > 0 ? Math.ceil(ms) : 0) > 0;
    },
    receive(fd) {
      // The datagram's size first (MSG_PEEK|MSG_TRUNC: Linux gives its whole length), then the datagram into a
      // buffer of that size: no 64 KiB buffer written over on kubectl's path for an answer of a hundred bytes.
      const size = Number(c.recv(fd, 0, 0, MSG_PEEK | MSG_TRUNC));
      const datagram = new Uint8Array(size > 0 ? size : 1);
      const n = size < 0 ? size : Number(c.recv(fd, ffi.ptr(datagram), datagram.length, 0));
      if (n >= 0) return datagram.subarray(0, n);
      const code = errno();
      return code === EAGAIN || code === EINTR ? undefined : { error: name(code) };
    },
    close(fd) {
      c.close(fd);
    },
  };
}

/** Far above a resolv.conf or an AWS config file. */
const TEXT_MAX = 1024 * 1024;

/**
 * A text file, whole (links followed): libc when it is a regular file of at
 * most 1 MiB, else node:fs's readFileSync, which reads it or throws its error.
 */
export function readTextFile(path: string): string {
  return libc()?.readRegular(path, { followLinks: true, maxBytes: TEXT_MAX })?.text ?? nodeFs().readFileSync(path, 'utf8');
}
