// @ts-check
/**
 * A recording front for moto's STS on loopback: each request's form
 * parameters are kept, then the request goes to moto unchanged and moto's
 * answer comes back unchanged. moto accepts AssumeRole's SourceIdentity and
 * Tags but keeps neither in its state; this shows what bascule sent.
 */
import http from 'node:http';

/** @param {string} target moto's endpoint (http://127.0.0.1:PORT) */
export async function startStsRecorder(target) {
  /** @type {URLSearchParams[]} */
  const calls = [];
  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      calls.push(new URLSearchParams(body.toString('utf8')));
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length' && k !== 'connection').map(([k, v]) => [k, String(v)]));
        const answer = await fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body, signal: AbortSignal.timeout(10_000) });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (error) {
        res.writeHead(502);
        res.end(String(error));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    /** The AssumeRole calls' parameters, in order. */
    assumeRoles: () => calls.filter((c) => c.get('Action') === 'AssumeRole'),
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
