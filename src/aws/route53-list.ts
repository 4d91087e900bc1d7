/**
 * Listing a hosted zone's record sets: the one read every cut-over command
 * makes of a whole zone, done without the SDK's client (its deserializer
 * dominated a large zone's listing: src/aws/route53-xml.ts). A SigV4-signed
 * GET (@smithy/signature-v4, as the token is signed) through the proxies of
 * the command's environment, in the account's request budget, retried with
 * backoff on throttling, 5XX and dropped connections, as the SDK's standard
 * retries do. Route53 is one global endpoint per partition.
 */
import http from 'node:http';
import https from 'node:https';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { route53Name } from '../production/names.js';
import type { RecordSet } from '../production/records.js';
import type { AwsCredentials } from './eks-token.js';
import { proxyAgents, proxyFor } from './proxy.js';
import type { RateLimiter } from './rate.js';
import { parseError, parseNext, parseSets, type PageStart } from './route53-xml.js';

class Sha256 extends Hash {
  constructor(secret?: unknown) {
    super('sha256', secret as never);
  }
}

/** Route53's endpoint and signing region per partition; undefined: let the SDK find it. */
export function route53Global(region: string): { endpoint: string; signingRegion: string } | undefined {
  if (/^cn-/.test(region)) return { endpoint: 'https://route53.amazonaws.com.cn', signingRegion: 'cn-northwest-1' };
  if (/^us-gov-/.test(region)) return { endpoint: 'https://route53.us-gov.amazonaws.com', signingRegion: 'us-gov-west-1' };
  if (/^(us-iso|us-isob|eu-isoe|us-isof|eusc)-/.test(region)) return undefined;
  return { endpoint: 'https://route53.amazonaws.com', signingRegion: 'us-east-1' };
}

export interface ListerOptions {
  readonly endpoint: string;
  readonly signingRegion: string;
  readonly env: NodeJS.ProcessEnv;
  readonly credentials: () => Promise<AwsCredentials>;
  readonly limiter: RateLimiter;
  readonly count: () => void;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
}

/** An AWS-shaped error (its `name` the error code), for the one mapper (src/aws/errors.ts). */
class Route53Failure extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly $metadata: { httpStatusCode?: number; attempts?: number },
    readonly code?: string,
  ) {
    super(message);
  }
}

const RETRIED = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'RequestThrottled', 'ServiceUnavailable', 'InternalError']);
const RETRIED_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

type Bunlike = { Bun?: unknown };
type BunFetchInit = RequestInit & { proxy?: string };

/**
 * Under Bun (the single binary) its own fetch, which reads a 700 KB page with
 * a third of the CPU node:http costs there; under Node, node:http (Node's fetch
 * takes no proxy agent). Both through the proxy the environment names for this host.
 */
async function get(url: URL, headers: Record<string, string>, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number; body: string }> {
  if ((globalThis as Bunlike).Bun === undefined) return getNode(url, headers, env, timeoutMs);
  const proxy = proxyFor(url, env);
  const init: BunFetchInit = { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs), ...(proxy ? { proxy: proxy.href } : {}) };
  try {
    const response = await fetch(url, init);
    return { status: response.status, body: await response.text() };
  } catch (error) {
    // Bun names a refused connection and a timeout as node:http does, for the retries and the one mapper.
    const e = error as { name?: string; code?: string };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
    if (e.code === 'ConnectionRefused') throw Object.assign(new Error(`connect ECONNREFUSED ${url.host}`), { code: 'ECONNREFUSED' });
    throw error;
  }
}

function getNode(url: URL, headers: Record<string, string>, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number; body: string }> {
  const agents = proxyAgents(env, Math.min(5000, timeoutMs));
  const secure = url.protocol === 'https:';
  const agent = secure ? agents?.httpsAgent : agents?.httpAgent;
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(url, { method: 'GET', headers, ...(agent ? { agent } : {}), timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end();
  });
}

/** One page's document, signed, retried (the SDK's retries): read it with route53-xml.ts. */
async function page(o: ListerOptions, zoneId: string, start: Start): Promise<string> {
  const url = new URL(`/2013-04-01/hostedzone/${encodeURIComponent(zoneId)}/rrset`, o.endpoint.replace(/\/+$/, '') + '/');
  url.searchParams.set('maxitems', '300');
  if (start.name !== undefined) url.searchParams.set('name', start.name);
  if (start.type !== undefined) url.searchParams.set('type', start.type);
  if (start.identifier !== undefined) url.searchParams.set('identifier', start.identifier);
  const attempts = o.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    await o.limiter.take();
    o.count();
    const credentials = await o.credentials();
    const signer = new SignatureV4({ credentials, region: o.signingRegion, service: 'route53', sha256: Sha256, applyChecksum: false });
    const query = Object.fromEntries(url.searchParams);
    const signed = await signer.sign({ method: 'GET', protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path: url.pathname, query, headers: { host: url.host } });
    let failure: Route53Failure;
    try {
      const answer = await get(url, signed.headers as Record<string, string>, o.env, o.timeoutMs ?? 15_000);
      if (answer.status === 200) return answer.body;
      const error = parseError(answer.body);
      failure = new Route53Failure(error?.code ?? `HTTP${answer.status}`, error?.message ?? `HTTP ${answer.status}`, { httpStatusCode: answer.status, attempts: attempt });
      if (!(answer.status >= 500 || RETRIED.has(failure.name))) throw failure;
    } catch (error) {
      if (error instanceof Route53Failure && !(error.$metadata.httpStatusCode! >= 500 || RETRIED.has(error.name))) throw error;
      const code = (error as { code?: string }).code;
      if (!(error instanceof Route53Failure) && !(code && RETRIED_NETWORK.has(code))) throw error;
      failure = error instanceof Route53Failure ? error : Object.assign(error as Route53Failure, { $metadata: { attempts: attempt } });
    }
    if (attempt >= attempts) throw failure;
    // Exponential backoff with full jitter, as the SDK's standard retries (base 100 ms, at most 20 s).
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
  }
}

type Start = { name?: string; type?: string; identifier?: string };

const startOf = (next: PageStart): Start => ({ name: next.name, ...(next.type ? { type: next.type } : {}), ...(next.identifier ? { identifier: next.identifier } : {}) });

/**
 * Every record set from `start` on, page by page, until `stop` says a set is
 * past what is wanted. Listing a whole zone (no `stop`), the next page is asked
 * for before this one's sets are read, so Route53's answer and bascule's
 * reading overlap (the same requests, in the same order); with a `stop`, a
 * page is asked for only once the last one said it is needed.
 */
export async function listSets(o: ListerOptions, zoneId: string, start: { name?: string; type?: string } = {}, stop?: (s: RecordSet) => boolean): Promise<RecordSet[]> {
  const all: RecordSet[] = [];
  let pending = page(o, zoneId, { ...(start.name !== undefined ? { name: route53Name(start.name) } : {}), ...(start.type ? { type: start.type } : {}) });
  for (let n = 0; n < 10_000; n++) {
    const xml = await pending;
    const next = parseNext(xml);
    if (next && !stop) {
      pending = page(o, zoneId, startOf(next));
      pending.catch(() => undefined); // awaited below; a failure while this page is read is not unhandled
    }
    for (const s of parseSets(xml)) {
      if (stop?.(s)) return all;
      all.push(s);
    }
    if (!next) return all;
    if (stop) pending = page(o, zoneId, startOf(next));
  }
  throw new Error(`Route53 ListResourceRecordSets in zone ${zoneId}: more than 10000 pages; giving up`);
}
