// @ts-check
/**
 * A real DNS server on loopback (UDP, and TCP for truncated answers), built on
 * dns-packet. Tests and the benchmark control its answers: TXT records per
 * name, or a fault per name (SERVFAIL, REFUSED, silence).
 *
 *   const dns = await startDnsServer();
 *   dns.setTxt('eks.devinfra.info', ['eks-green']);
 *   dns.setFault('broken.example', 'servfail');
 *   ... --dns-server 127.0.0.1:${dns.port} ...
 *   await dns.close();
 */
import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'dns-packet';

/**
 * @typedef {'servfail' | 'refused' | 'drop' | 'nodata'} Fault
 * @typedef {{ txt?: (string | string[])[], a?: string[], cname?: string, fault?: Fault, answers?: import('dns-packet').Answer[], mangle?: (reply: Buffer) => Buffer }} Zone
 *   answers: the answer section as given, whatever the question (records owned by other names, empty TXT data...).
 *   mangle: rewrites the encoded reply's bytes (a malformed record).
 */

const norm = (/** @type {string} */ name) => name.replace(/\.$/, '').toLowerCase();

/**
 * @param {{ resolve?: (name: string) => Zone | undefined | Promise<Zone | undefined>, port?: number, host?: string }} [options]
 *   resolve: answers for names the server was not told about (e.g. read from moto's Route53).
 *   port: 0 (default) for any free port; the benchmark asks for 53, as real resolvers use.
 *   host: 127.0.0.1 (default), or ::1 for a server on IPv6 loopback.
 */
export async function startDnsServer(options = {}) {
  /** @type {Map<string, Zone>} */
  const zones = new Map();
  /** @type {{ name: string, type: string }[]} */
  const queries = [];

  /** @param {Buffer} message @returns {Promise<Buffer | undefined>} */
  async function answer(message) {
    let query;
    try {
      query = packet.decode(message);
    } catch {
      return undefined;
    }
    const question = query.questions?.[0];
    if (!question) return undefined;
    const name = norm(question.name);
    queries.push({ name, type: question.type });
    const zone = zones.get(name) ?? (await options.resolve?.(name));
    /** @type {import('dns-packet').Packet} */
    const response = {
      id: query.id,
      type: 'response',
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | packet.AUTHORITATIVE_ANSWER,
      questions: [question],
      answers: [],
    };
    if (zone?.fault === 'drop') return undefined;
    if (zone?.fault === 'servfail') return packet.encode({ ...response, flags: (response.flags ?? 0) | 2 });
    if (zone?.fault === 'refused') return packet.encode({ ...response, flags: (response.flags ?? 0) | 5 });
    if (!zone) return packet.encode({ ...response, flags: (response.flags ?? 0) | 3 }); // NXDOMAIN
    if (zone.answers) {
      response.answers = zone.answers;
    } else if (question.type === 'TXT' && zone.txt && zone.fault !== 'nodata') {
      response.answers = zone.txt.map((value) => ({
        type: 'TXT',
        name: question.name,
        ttl: 1,
        class: 'IN',
        data: Array.isArray(value) ? value.map((s) => Buffer.from(s)) : [Buffer.from(value)],
      }));
    } else if (question.type === 'CNAME' && zone.cname && zone.fault !== 'nodata') {
      response.answers = [{ type: 'CNAME', name: question.name, ttl: 1, class: 'IN', data: zone.cname }];
    } else if (question.type === 'A' && zone.a) {
      response.answers = zone.a.map((ip) => ({ type: 'A', name: question.name, ttl: 1, class: 'IN', data: ip }));
    }
    return zone.mangle ? zone.mangle(packet.encode(response)) : packet.encode(response);
  }

  /** @param {dgram.Socket} udp */
  const serveUdp = (udp) =>
    udp.on('message', async (message, rinfo) => {
      const reply = await answer(message);
      if (!reply) return;
      if (reply.length > 512) {
        // Too big for plain UDP: send a truncated reply, the client retries over TCP.
        const truncated = packet.decode(reply);
        truncated.flags = (truncated.flags ?? 0) | packet.TRUNCATED_RESPONSE;
        truncated.answers = [];
        udp.send(packet.encode(truncated), rinfo.port, rinfo.address);
        return;
      }
      udp.send(reply, rinfo.port, rinfo.address);
    });

  // TCP on the same port number, for truncated answers.
  const serveTcp = () =>
    net.createServer((socket) => {
      let buffer = Buffer.alloc(0);
      socket.on('data', async (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
          const length = buffer.readUInt16BE(0);
          const message = buffer.subarray(2, 2 + length);
          buffer = buffer.subarray(2 + length);
          const reply = await answer(message);
          if (reply) {
            const framed = Buffer.alloc(2 + reply.length);
            framed.writeUInt16BE(reply.length, 0);
            reply.copy(framed, 2);
            socket.write(framed);
          }
        }
      });
      socket.on('error', () => undefined);
    });

  const host = options.host ?? '127.0.0.1';
  const { udp, tcp, port } = await bindBoth(options.port ?? 0, serveUdp, serveTcp, host);
  return {
    port,
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    queries,
    /** @param {string} name @param {(string | string[])[]} values */
    setTxt(name, values) {
      zones.set(norm(name), { ...zones.get(norm(name)), txt: values, fault: undefined });
    },
    /** @param {string} name @param {string} target */
    setCname(name, target) {
      zones.set(norm(name), { ...zones.get(norm(name)), cname: target });
    },
    /** @param {string} name @param {string[]} ips */
    setA(name, ips) {
      zones.set(norm(name), { ...zones.get(norm(name)), a: ips });
    },
    /** @param {string} name @param {Fault} fault */
    setFault(name, fault) {
      zones.set(norm(name), { ...zones.get(norm(name)), fault });
    },
    /** @param {string} name @param {import('dns-packet').Answer[]} answers @param {(reply: Buffer) => Buffer} [mangle] */
    setAnswers(name, answers, mangle) {
      zones.set(norm(name), { answers, mangle });
    },
    /** @param {string} name */
    remove(name) {
      zones.delete(norm(name));
    },
    close() {
      return new Promise((resolve) => {
        tcp.close(() => udp.close(() => resolve(undefined)));
      });
    },
  };
}

/**
 * A server holding the zone of the TXT resolution tests (the in-process
 * resolver's and the artefacts'): one name per outcome the rules tell apart.
 * Any other name is NXDOMAIN.
 */
export async function startResolutionZone() {
  const dns = await startDnsServer();
  dns.setTxt('eks.devinfra.info', ['eks-green', 'heritage=external-dns,external-dns/owner=ingress.devinfra.local']);
  dns.setTxt('chunks.devinfra.info', [['eks-', 'gr', 'een']]);
  dns.setTxt('big.devinfra.info', Array.from({ length: 40 }, (_, i) => `heritage=external-dns,external-dns/owner=owner-number-${i}`).concat(['eks-blue']));
  dns.setTxt('two.devinfra.info', ['eks-green', 'eks-blue']);
  dns.setTxt('bad.devinfra.info', ['not a cluster name']);
  dns.setA('a-only.devinfra.info', ['10.0.0.1']);
  dns.setCname('alias.devinfra.info', 'elsewhere.example.org');
  dns.setFault('servfail.devinfra.info', 'servfail');
  dns.setFault('refused.devinfra.info', 'refused');
  dns.setFault('silent.devinfra.info', 'drop');
  // Hostile and odd answers: only records owned by the question's name (or its CNAME chain) count.
  /** @type {(name: string, value: string) => import('dns-packet').Answer} */
  const txt = (name, value) => ({ type: 'TXT', name, ttl: 1, class: 'IN', data: [Buffer.from(value)] });
  /** @type {(name: string, target: string) => import('dns-packet').Answer} */
  const cname = (name, target) => ({ type: 'CNAME', name, ttl: 1, class: 'IN', data: target });
  dns.setAnswers('othernameonly.devinfra.info', [txt('evil.devinfra.info', 'eks-evil')]);
  dns.setAnswers('mixed.devinfra.info', [txt('evil.devinfra.info', 'eks-evil'), txt('mixed.devinfra.info', 'eks-green')]);
  dns.setAnswers('chain.devinfra.info', [txt('target.devinfra.info', 'eks-green'), cname('middle.devinfra.info', 'target.devinfra.info'), cname('chain.devinfra.info', 'middle.devinfra.info')]);
  dns.setAnswers('chain-evil.devinfra.info', [cname('chain-evil.devinfra.info', 'target.devinfra.info'), txt('evil.devinfra.info', 'eks-evil')]);
  dns.setAnswers('empty.devinfra.info', [{ type: 'TXT', name: 'empty.devinfra.info', ttl: 1, class: 'IN', data: [] }]);
  // The last character-string's length byte says 200: it runs past its record.
  dns.setAnswers('malformed.devinfra.info', [txt('malformed.devinfra.info', 'eks-green')], (reply) => {
    const bytes = Buffer.from(reply);
    bytes[bytes.length - 10] = 200;
    return bytes;
  });
  return dns;
}

const BIND_ATTEMPTS = 20;

/**
 * One port number for both UDP and TCP, or a loud failure. With port 0, TCP
 * takes a free port and UDP the same number; if UDP finds it taken
 * (EADDRINUSE), both are released and another port is tried. A fixed port
 * that is taken fails at once.
 * @param {number} wanted
 * @param {(udp: dgram.Socket) => void} serveUdp
 * @param {() => net.Server} serveTcp
 * @param {string} [host]
 * @returns {Promise<{ udp: dgram.Socket, tcp: net.Server, port: number }>}
 */
export async function bindBoth(wanted, serveUdp, serveTcp, host = '127.0.0.1') {
  /** @type {unknown} */
  let lastError;
  for (let attempt = 0; attempt < (wanted === 0 ? BIND_ATTEMPTS : 1); attempt++) {
    const tcp = serveTcp();
    try {
      await new Promise((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(wanted, host, () => resolve(undefined));
      });
    } catch (error) {
      lastError = error;
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EADDRINUSE') break;
      continue;
    }
    const port = /** @type {net.AddressInfo} */ (tcp.address()).port;
    const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => resolve(undefined));
      });
      serveUdp(udp);
      return { udp, tcp, port };
    } catch (error) {
      lastError = error;
      udp.close();
      await new Promise((resolve) => tcp.close(() => resolve(undefined)));
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EADDRINUSE') break;
    }
  }
  const code = /** @type {NodeJS.ErrnoException} */ (lastError)?.code ?? String(lastError);
  throw new Error(`test DNS server: cannot bind UDP and TCP on one port of ${host} (${wanted === 0 ? `${BIND_ATTEMPTS} attempts` : `port ${wanted}`}): ${code}`);
}
