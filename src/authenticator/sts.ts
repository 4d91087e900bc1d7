/**
 * The thin STS adapter of verify and doctor: sends the token's presigned
 * GetCallerIdentity as the EKS authenticator does (token.go Verify:
 * http.NewRequest of the parsed URL, header x-k8s-aws-id: the cluster's name,
 * accept: application/json, no redirects; Go's client adds Basic credentials
 * when the URL carries a user), to the token's host or, when
 * AWS_ENDPOINT_URL_STS is set, to that endpoint with the token's host kept in
 * the Host header (the signature covers it); through HTTPS_PROXY / HTTP_PROXY
 * unless NO_PROXY names the host, as every AWS call of bascule
 * (src/aws/proxy.ts). The request is the one the rules read (rules.ts
 * PresignedRequest), never the URL parsed again by other rules.
 */
import type { IncomingMessage } from 'node:http';
import { proxyAgents } from '../aws/proxy.js';
import { CLUSTER_ID_HEADER, type PresignedRequest } from './rules.js';

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

export type SendPresigned = (request: PresignedRequest, clusterName: string, options: { endpoint: string | undefined; timeoutMs: number }) => Promise<StsReply>;

/** The sender for an environment (its proxy settings). */
export const presignedSender = (env: NodeJS.ProcessEnv): SendPresigned => async (request, clusterName, { endpoint, timeoutMs }) => {
  const target = new URL(endpoint ?? `https://${request.host}`);
  const where = target.origin;
  const transport = target.protocol === 'http:' ? await import('node:http') : await import('node:https');
  const agents = proxyAgents(env, timeoutMs);
  const agent = agents ? (target.protocol === 'http:' ? agents.httpAgent : agents.httpsAgent) : false;
  const headers: Record<string, string> = { host: request.host, [CLUSTER_ID_HEADER]: clusterName, accept: 'application/json', 'user-agent': 'bascule-verify' };
  if (request.basicAuth !== undefined) headers.authorization = `Basic ${Buffer.from(request.basicAuth, 'latin1').toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || (target.protocol === 'http:' ? 80 : 443),
        // Go writes a raw space of the query as is; Node cannot put one in a request line: it goes as %20.
        path: request.target.replace(/ /g, '%20'),
        method: 'GET',
        agent,
        timeout: timeoutMs,
        ...(endpoint ? { servername: target.hostname } : {}),
        headers,
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
