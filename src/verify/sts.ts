/**
 * The thin STS adapter of verify and doctor: sends the token's presigned
 * GetCallerIdentity as the EKS authenticator does (GET, header x-k8s-aws-id:
 * the cluster's name, accept: application/json, no redirects), to the
 * token's host or, when AWS_ENDPOINT_URL_STS is set, to that endpoint with
 * the token's host kept in the Host header (the signature covers it);
 * through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host, as every
 * AWS call of bascule (src/aws/proxy.ts).
 */
import type { IncomingMessage } from 'node:http';
import { proxyAgents } from '../aws/proxy.js';
import { CLUSTER_ID_HEADER } from './rules.js';

export interface StsReply {
  readonly status: number;
  readonly body: string;
  /** The Date header: STS's clock, for the skew check. */
  readonly date: Date | undefined;
}

export class StsUnreachable extends Error {
  constructor(readonly where: string, readonly reason: string) {
    super(`cannot reach STS at ${where}: ${reason}`);
  }
}

export type SendPresigned = (presignedUrl: string, clusterName: string, options: { endpoint: string | undefined; timeoutMs: number }) => Promise<StsReply>;

/** The sender for an environment (its proxy settings). */
export const presignedSender = (env: NodeJS.ProcessEnv): SendPresigned => async (presignedUrl, clusterName, { endpoint, timeoutMs }) => {
  const signed = new URL(presignedUrl);
  const target = endpoint ? new URL(endpoint) : signed;
  const where = target.origin;
  const transport = target.protocol === 'http:' ? await import('node:http') : await import('node:https');
  const agents = proxyAgents(env, timeoutMs);
  const agent = agents ? (target.protocol === 'http:' ? agents.httpAgent : agents.httpsAgent) : false;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || (target.protocol === 'http:' ? 80 : 443),
        path: `${signed.pathname}${signed.search}`,
        method: 'GET',
        agent,
        timeout: timeoutMs,
        ...(endpoint ? { servername: target.hostname } : {}),
        headers: { host: signed.host, [CLUSTER_ID_HEADER]: clusterName, accept: 'application/json', 'user-agent': 'bascule-verify' },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e: NodeJS.ErrnoException) => reject(new StsUnreachable(where, e.code ?? e.message)));
        res.on('end', () => {
          const dateHeader = res.headers.date ? new Date(res.headers.date) : undefined;
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 64 * 1024),
            date: dateHeader && !Number.isNaN(dateHeader.getTime()) ? dateHeader : undefined,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: `no answer within ${timeoutMs} ms` })));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new StsUnreachable(where, e.code ?? e.message)));
    req.end();
  });
};
