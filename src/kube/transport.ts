/**
 * HTTPS to a cluster's Kubernetes API, for every command that talks to one
 * (the switch, status, the doctor): the endpoint, its CA and TLS server name,
 * a bearer token, the proxies of the command's environment (HTTPS_PROXY /
 * NO_PROXY as kubectl takes them: a CONNECT tunnel, TLS to the cluster inside
 * it), one bound on each request. A request that gets no answer fails with a
 * `kube` error carrying the system's errno (ETIMEDOUT for the bound), which
 * `apiFailure` sorts; an answer, whatever its status, is returned as it came.
 */
import https from 'node:https';
import { proxyAgents } from '../aws/proxy.js';
import { BasculeError, redact } from '../errors.js';
import { errnoCode } from '../system-error.js';
import { escapeControl } from '../vocabulary.js';

export interface KubeEndpoint {
  /** For messages: "green (eks-green)". */
  readonly label: string;
  /** https://host[:port][/prefix] */
  readonly endpoint: string;
  /** PEM; absent: the system's CAs. */
  readonly caPem: string | undefined;
  readonly tlsServerName: string | undefined;
  /** The kubeconfig's insecure-skip-tls-verify (the doctor reports it; nothing else sets it). */
  readonly insecure?: boolean;
}

export interface TransportOptions {
  /** Bound on each request: connecting, the proxy's tunnel, the answer. */
  readonly timeoutMs: number;
  /** The command's environment (io.env): HTTPS_PROXY, NO_PROXY. */
  readonly env: NodeJS.ProcessEnv;
  readonly userAgent: string;
}

export interface KubeAnswer {
  readonly status: number;
  /** The body as JSON; undefined when empty or not JSON. */
  readonly json: any;
}

export type KubeRequest = (method: string, path: string, bearer: string, body?: unknown, contentType?: string) => Promise<KubeAnswer>;

/** Why a request got no answer, from its errno (never from its message). */
export type ApiFailure = 'timeout' | 'tls' | 'proxy' | 'refused' | 'unresolved' | 'reset' | 'other';

const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** What kind of failure a `kube` error (or the system error under it) is. */
export function apiFailure(error: unknown): ApiFailure {
  const code = (error instanceof BasculeError ? error.errno : errnoCode(error)) ?? '';
  const cause = error instanceof BasculeError ? error.cause : error;
  if ((cause as { proxy?: string } | undefined)?.proxy) return 'proxy';
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT') return 'timeout';
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || TLS_CODES.has(code)) return 'tls';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unresolved';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  return 'other';
}

function describe(error: NodeJS.ErrnoException): { what: string; hint: string } {
  const code = error.code ?? '';
  switch (apiFailure(error)) {
    case 'proxy':
      return { what: escapeControl(error.message), hint: 'check HTTPS_PROXY (or add the endpoint to NO_PROXY)' };
    case 'refused':
      return { what: 'connection refused', hint: 'check the endpoint, and that this machine can reach it (VPN, endpoint access)' };
    case 'unresolved':
      return { what: `the endpoint's name does not resolve (${code})`, hint: 'check clusters.<colour>.endpoint' };
    case 'reset':
      return { what: 'the connection was reset', hint: 'check the endpoint and any proxy on the way' };
    case 'timeout':
      return { what: 'no answer in time', hint: 'check the network, or raise --request-timeout' };
    case 'tls':
      return { what: `the server's certificate does not verify (${code}: ${error.message})`, hint: 'check clusters.<colour>.ca (or --fetch) and clusters.<colour>.tlsServerName' };
    default:
      return { what: `${code || 'error'}: ${escapeControl(redact(error.message))}`, hint: 'check the endpoint and the network' };
  }
}

/** Requests to one cluster's API. */
export function kubeTransport(target: KubeEndpoint, options: TransportOptions): KubeRequest {
  const base = new URL(target.endpoint);
  const prefix = base.pathname.replace(/\/$/, '');
  const agent = proxyAgents(options.env, options.timeoutMs)?.httpsAgent ?? false;
  return (method, path, bearer, body, contentType = 'application/json') => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        const { what, hint } = describe(error);
        reject(new BasculeError('kube', `${method} ${path} on ${target.label} (${target.endpoint}) failed: ${what}`, { hint, errno: error.code, cause: error }));
      };
      const req = https.request(
        {
          protocol: 'https:',
          hostname: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || 443,
          path: `${prefix}${path}`,
          method,
          ...(target.caPem ? { ca: target.caPem } : {}),
          ...(target.tlsServerName ? { servername: target.tlsServerName } : {}),
          rejectUnauthorized: !target.insecure,
          agent,
          timeout: options.timeoutMs,
          headers: {
            authorization: `Bearer ${bearer}`,
            accept: 'application/json',
            'user-agent': options.userAgent,
            ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', failed);
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            let json: any;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      const late = () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      req.on('timeout', late);
      // The whole request within the bound, by a timer of its own: Bun's https fires no 'timeout' while a TLS
      // handshake never completes, and the open socket would keep the process alive after the command is done.
      const timer = setTimeout(late, options.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        failed(error);
      });
      req.end(payload);
    });
  };
}
