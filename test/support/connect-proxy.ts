/**
 * A loopback HTTP proxy that answers CONNECT only (anything else: 405), as a
 * corporate proxy does for HTTPS: it records each CONNECT target, in order,
 * and tunnels it to `route(host, port)` (by default the target itself).
 * close() ends every tunnel and the server.
 */
import http from 'node:http';
import net from 'node:net';

export interface ConnectProxy {
  /** http://127.0.0.1:PORT, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  /** The CONNECT targets (host:port) seen, in order; tests may empty it. */
  connects: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(
  route: (host: string, port: number) => { host: string; port: number } = (host, port) => ({ host, port }),
): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets: net.Socket[] = [];
  const server = http.createServer((_, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(route(host as string, Number(port)), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.push(client, upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connects,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
