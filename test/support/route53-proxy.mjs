// @ts-check
/**
 * An HTTP proxy in front of moto for Route53 (AWS_ENDPOINT_URL_ROUTE_53),
 * which answers some requests with a Route53 error instead: what moto cannot
 * do on demand (a change batch refused mid-switch, a change stuck PENDING).
 *
 *   const r53 = await startRoute53Proxy(moto.endpoint);
 *   r53.fail({ method: 'POST', path: /\/rrset\/?$/, code: 'InvalidChangeBatch', times: 1 });
 */
import http from 'node:http';

/**
 * @typedef {{ method?: string, path: RegExp, status?: number, code: string, message?: string, times?: number }} Fault
 */

/** @param {string} target moto's endpoint, http://127.0.0.1:PORT */
export async function startRoute53Proxy(target) {
  const upstream = new URL(target);
  /** @type {Fault[]} */
  let faults = [];
  /** @type {{ method: string, path: string, faulted: boolean }[]} */
  const calls = [];
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = faults.find((f) => (f.method === undefined || f.method === method) && f.path.test(path) && (f.times === undefined || f.times > 0));
    calls.push({ method, path, faulted: Boolean(fault) });
    if (fault) {
      if (fault.times !== undefined) fault.times -= 1;
      req.resume();
      const xml = `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${fault.message ?? `injected ${fault.code}`}</Message></Error><RequestId>fault-1</RequestId></ErrorResponse>`;
      res.writeHead(fault.status ?? 400, { 'content-type': 'text/xml', 'x-amzn-requestid': 'fault-1' });
      res.end(xml);
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method, path, headers: { ...req.headers, host: upstream.host } },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    /** @param {Fault} fault */
    fail(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults = [];
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
