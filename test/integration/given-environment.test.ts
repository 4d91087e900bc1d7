/**
 * The environment a command is given is the one it uses: the CLI runs
 * in-process with an Io whose env is not process.env, and `kubeconfig
 * --fetch`, `status --fetch` and the doctor take their proxies (HTTP_PROXY for
 * the AWS endpoints here, which are http, HTTPS_PROXY for the clusters' APIs,
 * NO_PROXY) and their AWS endpoints (AWS_ENDPOINT_URL_EKS, _STS, _ROUTE_53)
 * from it. process.env meanwhile names a dead proxy and dead endpoints: a
 * command reading it would fail.
 *
 * On loopback: one CONNECT proxy that records each tunnel, one HTTP server
 * standing in for EKS (DescribeCluster, access entries), STS (a presigned
 * GetCallerIdentity) and Route53 (empty listings), and one HTTPS server
 * standing in for each cluster's Kubernetes API (the test CA, a certificate
 * for kubernetes.default.svc only, as EKS's).
 */
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { makeCa, makeServerCert } from '../support/certs.mjs';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { cleanEnv, KEYS, runInProcess } from '../support/run.js';
import { makeTempDir } from '../support/temp.mjs';

const REGION = 'eu-west-3';
const ACCOUNT = '123456789012';
const ca = makeCa('given-env');
const kube: https.Server[] = [];
let aws: http.Server;
let proxy: ConnectProxy;
const kubeUrl = { 'eks-blue': '', 'eks-green': '' };
let awsUrl = '';
let dir = '';
let platformFile = '';
/** What each stand-in was asked: "GET /clusters/eks-blue", "GET /version"... */
const asked: { aws: string[]; kube: string[] } = { aws: [], kube: [] };
const poisoned: Record<string, string> = {
  HTTPS_PROXY: 'http://127.0.0.1:1',
  HTTP_PROXY: 'http://127.0.0.1:1',
  AWS_ENDPOINT_URL_EKS: 'http://127.0.0.1:1',
  AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1',
  AWS_ENDPOINT_URL_ROUTE_53: 'http://127.0.0.1:1',
};
const saved: Record<string, string | undefined> = {};

const json = (res: http.ServerResponse, status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

/** EKS, STS and Route53 as far as these commands ask them. */
function awsAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://aws');
  asked.aws.push(`${req.method} ${url.pathname}`);
  const cluster = /^\/clusters\/(eks-blue|eks-green)$/.exec(url.pathname)?.[1] as keyof typeof kubeUrl | undefined;
  if (cluster) {
    return json(res, 200, {
      cluster: { name: cluster, arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${cluster}`, status: 'ACTIVE', endpoint: kubeUrl[cluster], certificateAuthority: { data: Buffer.from(ca.certPem).toString('base64') }, accessConfig: { authenticationMode: 'API' } },
    });
  }
  if (/^\/clusters\/[^/]+\/access-entries$/.test(url.pathname)) return json(res, 200, { accessEntries: [] });
  if (url.searchParams.get('Action') === 'GetCallerIdentity') {
    return json(res, 200, { GetCallerIdentityResponse: { GetCallerIdentityResult: { Arn: KEYS.arn, Account: ACCOUNT, UserId: 'AIDAEXAMPLE' } } });
  }
  if (url.pathname.startsWith('/2013-04-01/hostedzone/')) {
    res.writeHead(200, { 'content-type': 'text/xml' });
    return void res.end('<?xml version="1.0"?><ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>');
  }
  json(res, 404, { __type: 'ResourceNotFoundException', message: `no ${url.pathname} here` });
}

/** A cluster's API as status and the doctor ask it. */
function kubeAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] as string;
  asked.kube.push(`${req.method} ${path}`);
  if (!/^Bearer k8s-aws-v1\./.test(req.headers.authorization ?? '')) return json(res, 401, { kind: 'Status', code: 401, message: 'Unauthorized' });
  if (path === '/version') return json(res, 200, { gitVersion: 'v1.32.0-eks' });
  if (path.endsWith('/selfsubjectreviews')) return json(res, 201, { kind: 'SelfSubjectReview', status: { userInfo: { username: 'alice', groups: ['system:authenticated'] } } });
  if (path.endsWith('/pods')) return json(res, 200, { kind: 'PodList', items: [] });
  json(res, 404, { kind: 'Status', code: 404, message: 'not found' });
}

const listen = async <T extends http.Server>(server: T): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
};

beforeAll(async () => {
  const cert = makeServerCert(ca);
  for (const name of ['eks-blue', 'eks-green'] as const) {
    const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, kubeAnswer);
    kube.push(server);
    kubeUrl[name] = `https://127.0.0.1:${await listen(server)}`;
  }
  aws = http.createServer(awsAnswer);
  awsUrl = `http://127.0.0.1:${await listen(aws)}`;
  proxy = await startConnectProxy();
  dir = makeTempDir('given-env-');
  platformFile = join(dir, 'platform.yaml');
  const colour = (name: 'eks-blue' | 'eks-green') => ({ name, endpoint: kubeUrl[name], ca: { data: Buffer.from(ca.certPem).toString('base64') }, tlsServerName: 'kubernetes.default.svc' });
  writeFileSync(
    platformFile,
    stringify({
      name: 'devinfra',
      aws: { accountId: ACCOUNT, region: REGION },
      api: { record: 'api.devinfra.local', zoneId: 'Z0PRIVATE', server: 'https://api.devinfra.local' },
      clusterNameRecord: { name: 'eks.devinfra.info', zoneId: 'Z0INFO', dnsServer: '127.0.0.1:1' },
      live: 'blue',
      domains: { private: { name: 'devinfra.local', zoneId: 'Z0PRIVATE' }, public: { name: 'devinfra.fr', zoneId: 'Z0PUBLIC' } },
      clusters: { blue: colour('eks-blue'), green: colour('eks-green') },
      access: [{ name: 'admin', roleArn: `arn:aws:iam::${ACCOUNT}:role/k8s-admin`, groups: ['system:masters'] }],
    }),
  );
  // The process's own environment names a dead proxy and dead endpoints: only the given one may be read.
  for (const [k, v] of Object.entries(poisoned)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});

afterAll(async () => {
  for (const k of Object.keys(poisoned)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  for (const server of [...kube, aws]) server?.closeAllConnections();
  await Promise.all([...[...kube, aws].map((server) => new Promise((r) => server?.close(r))), proxy?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(ca.dir, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.connects.length = 0;
  asked.aws.length = 0;
  asked.kube.length = 0;
});

/** The environment the command is given: keys, the stand-ins as endpoints, the proxy (unless `noProxy` names loopback). */
const given = (noProxy?: string) =>
  cleanEnv({
    AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    AWS_ENDPOINT_URL_EKS: awsUrl,
    AWS_ENDPOINT_URL_STS: awsUrl,
    AWS_ENDPOINT_URL_ROUTE_53: awsUrl,
    HTTP_PROXY: proxy.url,
    HTTPS_PROXY: proxy.url,
    ...(noProxy ? { NO_PROXY: noProxy } : {}),
  });
const run = (argv: string[], env: NodeJS.ProcessEnv) => runInProcess(argv, { env, cwd: dir });
const host = (url: string) => url.replace(/^https?:\/\//, '');
const tunnels = () => [...new Set(proxy.connects)].sort();

describe('the environment given to run() is the one used', () => {
  it('kubeconfig --fetch: DescribeCluster at AWS_ENDPOINT_URL_EKS, through the given proxy', async () => {
    const r = await run(['kubeconfig', '--config', platformFile, '--fetch'], given());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(asked.aws.sort()).toEqual(['GET /clusters/eks-blue', 'GET /clusters/eks-green']);
    expect(tunnels()).toEqual([host(awsUrl)]);
    const config = parse(r.stdout);
    expect(config.clusters.find((c: { name: string }) => c.name === 'devinfra-green').cluster.server).toBe(kubeUrl['eks-green']);
  });

  it('kubeconfig --fetch: NO_PROXY in the given environment sends it direct', async () => {
    const r = await run(['kubeconfig', '--config', platformFile, '--fetch'], given('127.0.0.1'));
    expect(r.code, r.stderr).toBe(0);
    expect(asked.aws).toHaveLength(2);
    expect(proxy.connects).toEqual([]);
  });

  it('status --fetch: EKS, Route53 and both clusters\' APIs, each through the given proxy', async () => {
    const r = await run(['status', '--config', platformFile, '--fetch', '--dns-timeout', '200ms'], given());
    // The resolver is a dead port: status fails on DNS, having read everything else.
    expect(r.code, r.stderr).toBe(3);
    expect(asked.aws).toEqual(expect.arrayContaining(['GET /clusters/eks-blue', 'GET /clusters/eks-green', 'GET /2013-04-01/hostedzone/Z0PRIVATE/rrset']));
    expect(asked.kube).toEqual(expect.arrayContaining(['GET /version']));
    expect(tunnels()).toEqual([host(awsUrl), host(kubeUrl['eks-blue']), host(kubeUrl['eks-green'])].sort());
  });

  it('status --fetch: NO_PROXY in the given environment sends it all direct', async () => {
    const r = await run(['status', '--config', platformFile, '--fetch', '--dns-timeout', '200ms'], given('127.0.0.1'));
    expect(r.code, r.stderr).toBe(3);
    expect(asked.kube).toEqual(expect.arrayContaining(['GET /version']));
    expect(proxy.connects).toEqual([]);
  });

  it('doctor: STS and EKS at the given endpoints, the API of the platform\'s cluster, through the given proxy', async () => {
    const r = await run(['doctor', '-i', 'eks-green', '--no-dns', '--region', REGION, '--config', platformFile], given());
    expect(r.stdout).toMatch(/^✓ identity +arn:aws:iam::123456789012:user\/alice /m);
    expect(r.stdout).toMatch(new RegExp(`^✓ API +${kubeUrl['eks-green'].replace(/\./g, '\\.')} knows you as "alice"`, 'm'));
    expect(asked.aws).toEqual(expect.arrayContaining(['GET /', 'GET /clusters/eks-green/access-entries']));
    expect(asked.kube).toEqual(expect.arrayContaining(['POST /apis/authentication.k8s.io/v1/selfsubjectreviews']));
    expect(tunnels()).toEqual([host(awsUrl), host(kubeUrl['eks-green'])].sort());
  });

  it('doctor: NO_PROXY in the given environment sends it all direct', async () => {
    const r = await run(['doctor', '-i', 'eks-green', '--no-dns', '--region', REGION, '--config', platformFile], given('127.0.0.1'));
    expect(r.stdout).toMatch(/^✓ API /m);
    expect(proxy.connects).toEqual([]);
  });
});
