/**
 * Proxies as the AWS CLI and kubectl take them: HTTPS_PROXY for https URLs,
 * HTTP_PROXY for http ones, NO_PROXY for the hosts that go direct; each in
 * either case, the lower-case one first (as Python's urllib, and so the AWS
 * CLI, reads them). Requests go through the proxy as a CONNECT tunnel, so TLS
 * (and its certificate checks) stay end to end.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { BasculeError } from '../errors.js';
import { escapeControl, isIP } from '../vocabulary.js';

const variable = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;

/** Does NO_PROXY send `host:port` direct? `*`, exact hosts, domain suffixes (.corp or corp), IPv4 CIDRs, optional :port. */
export function bypassesProxy(host: string, port: number, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const target = host.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of noProxy.split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const portMatch = /^(.*[^:]):(\d+)$/.exec(entry);
    if (portMatch && !entry.startsWith('[') && isIP(entry) !== 6) {
      if (Number(portMatch[2]) !== port) continue;
      entry = portMatch[1] as string;
    }
    entry = entry.replace(/^\[|\]$/g, '');
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(entry);
    if (cidr) {
      if (isIP(target) === 4 && inCidr(target, cidr[1] as string, Number(cidr[2]))) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (target === domain || target.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function inCidr(ip: string, base: string, bits: number): boolean {
  const n = (a: string) => a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  if (bits <= 0) return true;
  const mask = bits >= 32 ? 0xffffffff : (~((1 << (32 - bits)) - 1)) >>> 0;
  return ((n(ip) & mask) >>> 0) === ((n(base) & mask) >>> 0);
}

/** The proxy a request to `url` goes through, or undefined: direct. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const secure = url.protocol === 'https:';
  const value = variable(env, secure ? 'https_proxy' : 'http_proxy');
  if (!value) return undefined;
  const port = Number(url.port) || (secure ? 443 : 80);
  if (bypassesProxy(url.hostname, port, variable(env, 'no_proxy'))) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new BasculeError('config', `${secure ? 'HTTPS_PROXY' : 'HTTP_PROXY'} ${JSON.stringify(escapeControl(value))} is not a proxy URL`, { hint: 'write it as http://HOST:PORT' });
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new BasculeError('config', `${secure ? 'HTTPS_PROXY' : 'HTTP_PROXY'} uses ${proxy.protocol.replace(/:$/, '')}://, which bascule does not speak`, { hint: 'give an http:// (or https://) proxy' });
  }
  return proxy;
}

/** Opens a CONNECT tunnel to host:port through `proxy`. */
function tunnel(proxy: URL, host: string, port: number, timeoutMs: number | undefined, callback: (error: Error | null, socket?: Duplex) => void): void {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const auth = proxy.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
  const request = (proxy.protocol === 'https:' ? https : http).request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
    method: 'CONNECT',
    path: authority,
    headers: { host: authority, ...auth },
    agent: false,
    ...(timeoutMs ? { timeout: timeoutMs } : {}),
  });
  const where = `proxy ${proxy.host}`;
  request.once('connect', (response, socket) => {
    if (response.statusCode !== 200) {
      socket.destroy();
      callback(Object.assign(new Error(`${where} refused CONNECT ${authority}: ${response.statusCode} ${escapeControl(response.statusMessage ?? '')}`), { code: 'EPROXY', proxy: proxy.host }));
      return;
    }
    callback(null, socket);
  });
  request.once('timeout', () => request.destroy(Object.assign(new Error(`${where} did not answer CONNECT ${authority}`), { code: 'ETIMEDOUT', proxy: proxy.host })));
  request.once('error', (error: NodeJS.ErrnoException & { proxy?: string }) =>
    callback(error.proxy ? error : Object.assign(new Error(`${where}: ${error.code ?? error.message}`), { code: error.code ?? 'EPROXY', proxy: proxy.host })),
  );
  request.end();
}

type Callback = (error: Error | null, socket?: Duplex) => void;
type ConnectOptions = tls.ConnectionOptions & { host?: string; port?: number };

/** Where an agent's connection goes: its host (an IPv6 address unbracketed) and port, and the proxy to tunnel through (undefined: direct). */
function route(options: ConnectOptions, scheme: 'https' | 'http', env: NodeJS.ProcessEnv): { host: string; port: number; proxy: URL | undefined } {
  const host = String(options.host ?? 'localhost').replace(/^\[|\]$/g, '');
  const port = Number(options.port ?? (scheme === 'https' ? 443 : 80));
  return { host, port, proxy: proxyFor(new URL(`${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`), env) };
}

/**
 * An https.Agent that, per connection, either tunnels through the proxy (TLS
 * inside the tunnel) or connects directly (NO_PROXY), deciding on the host.
 */
class HttpsProxyAgent extends https.Agent {
  constructor(private readonly env: NodeJS.ProcessEnv, private readonly connectTimeoutMs: number | undefined) {
    super({ keepAlive: false });
  }
  override createConnection(options: ConnectOptions, callback: Callback): Duplex | undefined {
    const { host, port, proxy } = route(options, 'https', this.env);
    if (!proxy) return super.createConnection(options, callback as never) as Duplex | undefined;
    tunnel(proxy, host, port, this.connectTimeoutMs, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no tunnel'));
      const servername = options.servername ?? (isIP(host) ? undefined : host);
      callback(null, tls.connect({ ...options, socket, ...(servername ? { servername } : {}) }));
    });
    return undefined;
  }
}

/** The same for plain http: a CONNECT tunnel, or direct. */
class HttpProxyAgent extends http.Agent {
  constructor(private readonly env: NodeJS.ProcessEnv, private readonly connectTimeoutMs: number | undefined) {
    super({ keepAlive: false });
  }
  override createConnection(options: ConnectOptions, callback: Callback): Duplex | undefined {
    const { host, port, proxy } = route(options, 'http', this.env);
    if (!proxy) return super.createConnection(options as never, callback as never) as Duplex | undefined;
    tunnel(proxy, host, port, this.connectTimeoutMs, callback);
    return undefined;
  }
}

export const hasProxy = (env: NodeJS.ProcessEnv): boolean => Boolean(variable(env, 'https_proxy') || variable(env, 'http_proxy'));

/** Agents that honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY per host; undefined when no proxy is set. */
export function proxyAgents(env: NodeJS.ProcessEnv, connectTimeoutMs?: number): { httpsAgent: https.Agent; httpAgent: http.Agent } | undefined {
  if (!hasProxy(env)) return undefined;
  return { httpsAgent: new HttpsProxyAgent(env, connectTimeoutMs), httpAgent: new HttpProxyAgent(env, connectTimeoutMs) };
}
