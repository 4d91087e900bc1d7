/**
 * The UDP sockets of one DNS exchange (./wire.ts), one per server, connected
 * (so only that server's datagrams and errors come back), in one of three
 * forms: node:dgram in the Node bundle; in the single binary, Bun's own UDP
 * socket (node:dgram is a stream stack in Bun) or, for a caller that runs
 * nothing else meanwhile (`bascule token`), libc's sockets, waited on with
 * poll(2): no event loop to start, wake and stop, 0.9 ms and 1 MiB less for
 * a cached token with a TXT lookup in the Linux binary (docs/speed.md).
 */
import { libc, type LibcUdp } from '../libc.js';
import { ipv4Bytes, type DnsServer } from '../vocabulary.js';

/** What a socket heard: a datagram, or an error (`opening`: no socket could be had for the server; else, e.g., ICMP "port unreachable" as ECONNREFUSED). */
export type UdpEvent =
  | { readonly server: DnsServer; readonly data: Uint8Array }
  | { readonly server: DnsServer; readonly error: string; readonly opening: boolean };

export interface UdpSockets {
  /** How -v names them. */
  readonly name: string;
  /** Sends the question to the server, connecting its socket the first time; a failure is one of the next events. */
  send(server: DnsServer, query: Uint8Array): Promise<void>;
  /** The next thing a socket heard, or undefined when `until` (Date.now()'s clock) comes first. */
  next(until: number): Promise<UdpEvent | undefined>;
  close(): void;
}

/**
 * A resolver on the host or in the VPC answers within a millisecond, but a
 * process that sleeps to wait for it hears it late (~2 ms on a VM, whose idle
 * CPU must be woken: a cached token with a TXT lookup, 33.8 -> 31.7 ms). So
 * from the first wait, the sockets are watched without sleeping for the first
 * few milliseconds, then waited on as usual until the answer, a retry or the bound.
 */
const AWAKE_MS = 5;

/** The sockets for one exchange. `mayBlock`: the caller runs nothing else meanwhile, so the wait may block the thread. */
export function udpSockets(mayBlock: boolean): UdpSockets {
  const bun = (globalThis as { Bun?: Partial<BunUdp> }).Bun;
  const calls = mayBlock ? libc()?.udp : undefined;
  if (calls) return libcSockets(calls);
  return typeof bun?.udpSocket === 'function' ? eventSockets("Bun's UDP socket", bunConnect(bun as BunUdp)) : eventSockets('node:dgram', nodeConnect);
}

// ---------------------------------------------------------------- libc: poll(2)

function libcSockets(c: LibcUdp): UdpSockets {
  // Plain loops below: array callbacks (find, map, forEach) are JavaScript builtins that
  // JavaScriptCore compiles on first use, on kubectl's path (docs/speed.md).
  const servers: DnsServer[] = [];
  const fds: number[] = [];
  const heard: UdpEvent[] = [];
  let awakeUntil = 0;
  return {
    name: 'libc sockets',
    async send(server, query) {
      let at = servers.indexOf(server);
      if (at < 0) {
        const connected = c.connect(addressBytes(server), server.port);
        if (typeof connected !== 'number') {
          heard.push({ server, error: connected.error, opening: true });
          return;
        }
        at = servers.push(server) - 1;
        fds.push(connected);
      }
      const error = c.send(fds[at] as number, query);
      if (error) heard.push({ server, error, opening: false });
    },
    async next(until) {
      awakeUntil ||= Date.now() + AWAKE_MS;
      for (;;) {
        const event = heard.shift();
        if (event) return event;
        const now = Date.now();
        if (now >= until || fds.length === 0) return undefined;
        if (!c.wait(fds, now < awakeUntil ? 0 : until - now)) continue;
        for (let i = 0; i < fds.length; i++) {
          const server = servers[i] as DnsServer;
          for (let got = c.receive(fds[i] as number); got; got = c.receive(fds[i] as number)) {
            heard.push(got instanceof Uint8Array ? { server, data: got } : { server, error: got.error, opening: false });
          }
        }
      }
    },
    close() {
      for (const fd of fds) c.close(fd);
      fds.length = 0;
      servers.length = 0;
    },
  };
}

/** The server's address as C wants it: 4 or 16 bytes, in the network's order. */
export function addressBytes(server: DnsServer): Uint8Array {
  if (server.family === 4) return ipv4Bytes(server.host) as Uint8Array; // the vocabulary's rule read it as one
  // WHATWG's serialisation is canonical: lower-case groups of hex, one "::" at most, no dotted tail.
  const canonical = new URL(`http://[${server.host}]/`).hostname.slice(1, -1);
  const cut = canonical.indexOf('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(cut < 0 ? canonical : canonical.slice(0, cut));
  const tail = cut < 0 ? [] : groups(canonical.slice(cut + 2));
  const all = [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const value = parseInt(all[i] as string, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  }
  return bytes;
}

// ---------------------------------------------------------------- node:dgram and Bun: events

interface Connected {
  send(data: Uint8Array): void;
  close(): void;
}
type Connect = (server: DnsServer, on: { message(data: Uint8Array): void; error(code: string | undefined, message: string): void }) => Promise<Connected>;

function eventSockets(name: string, connect: Connect): UdpSockets {
  const connected = new Map<DnsServer, Promise<Connected | undefined>>();
  const heard: UdpEvent[] = [];
  let wake: (() => void) | undefined;
  let awakeUntil = 0;
  const hear = (event: UdpEvent) => {
    heard.push(event);
    wake?.();
  };
  return {
    name,
    async send(server, query) {
      let socket = connected.get(server);
      if (!socket) {
        socket = connect(server, {
          message: (data) => hear({ server, data }),
          error: (code, message) => hear({ server, error: code ?? message, opening: false }),
        }).catch((error: NodeJS.ErrnoException) => {
          hear({ server, error: error.code ?? error.message, opening: true });
          return undefined;
        });
        connected.set(server, socket);
      }
      (await socket)?.send(query);
    },
    next(until) {
      awakeUntil ||= Date.now() + AWAKE_MS;
      if (heard.length > 0) return Promise.resolve(heard.shift());
      return new Promise<UdpEvent | undefined>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve(heard.shift());
        };
        const timer = setTimeout(done, Math.max(0, until - Date.now()));
        wake = done;
        const awake = () => {
          if (wake === done && Date.now() < awakeUntil) setImmediate(awake);
        };
        awake();
      });
    },
    close() {
      for (const socket of connected.values()) void socket.then((s) => s?.close());
    },
  };
}

const nodeConnect: Connect = async (server, on) => {
  const dgram = await import('node:dgram');
  // The server is an IP address (the vocabulary takes no name), so the lookup
  // only hands it back: dgram's default, dns.lookup, would load node:dns and
  // start c-ares on every kubectl call (~3 ms of `node -e 0`'s 65 here).
  const lookup = (address: string, _options: unknown, callback: (error: null, address: string, family: number) => void) => callback(null, address, server.family);
  const socket = dgram.createSocket({ type: server.family === 6 ? 'udp6' : 'udp4', lookup });
  socket.on('message', (data) => on.message(data));
  // A failed connect (no route to the server) is an 'error' event, without the callback: the opening's failure.
  await new Promise<void>((ready, fail) => {
    socket.once('error', fail);
    socket.connect(server.port, server.host, () => {
      socket.off('error', fail);
      ready();
    });
  }).catch((error: unknown) => {
    socket.close();
    throw error;
  });
  socket.on('error', (error: NodeJS.ErrnoException) => on.error(error.code, error.message));
  return { send: (data) => socket.send(data, () => undefined), close: () => socket.close() };
};

interface BunUdp {
  udpSocket(options: {
    /** The local address, which sets the socket's family: Bun binds IPv4 unless told. */
    hostname: string;
    connect: { hostname: string; port: number };
    socket: { data(socket: unknown, data: Uint8Array): void; error(error: NodeJS.ErrnoException): void };
  }): Promise<{ send(data: Uint8Array): boolean; close(): void }>;
}

const bunConnect =
  (bun: BunUdp): Connect =>
  async (server, on) => {
    const socket = await bun.udpSocket({
      hostname: server.family === 6 ? '::' : '0.0.0.0',
      connect: { hostname: server.host, port: server.port },
      socket: { data: (_socket, data) => on.message(data), error: (error) => on.error(error?.code, error?.message ?? 'error') },
    });
    return { send: (data) => void socket.send(data), close: () => socket.close() };
  };
