/**
 * `bascule verify`, the built artefact, against moto's STS behind the
 * presigned-STS front (which checks signatures as STS does, since moto does
 * not): a good token (long-term keys, an assumed role), one for another
 * cluster, an expired one, malformed ones, another partition's, STS refusing
 * and unreachable; each with its exit code. The forms where Go's URL rules
 * and the web's differ, through the binary; moto_server itself (it answers a
 * presigned GET as S3) and an STS that answers XML. The JSON shape as a golden.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy } from '../support/connect-proxy.js';
import { startMoto } from '../support/moto.mjs';
import { startPresignedSts } from '../support/sts-presigned.mjs';
import { envKeys, KEYS, runBuilt } from '../support/run.js';
import { golden } from '../support/text.js';

const ROLE = 'arn:aws:iam::123456789012:role/k8s-admin';
let moto: Awaited<ReturnType<typeof startMoto>>;
let sts: Awaited<ReturnType<typeof startPresignedSts>>;
beforeAll(async () => {
  moto = await startMoto();
  sts = await startPresignedSts({
    motoEndpoint: moto.endpoint,
    lookupSecret: async (id: string) => (id === KEYS.accessKeyId ? { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn, userId: 'AIDAEXAMPLEALICE' } : moto.lookupSecret(id)),
  });
}, 60_000);
afterAll(async () => {
  await Promise.all([sts?.close(), moto?.stop()]);
});

/** Static keys and the presigned STS; the homes go with the run's temp root (see cleanEnv). */
const env = (extra: Record<string, string | undefined> = {}) => envKeys({ AWS_ENDPOINT_URL_STS: sts.endpoint, BASCULE_NO_CACHE: '1', ...extra });
const token = async (args: string[], extra: Record<string, string | undefined> = {}) => {
  const r = await runBuilt(['token', '--no-dns', '--token-only', ...args], { env: env(extra) });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
};
const verify = (args: string[], extra: Record<string, string | undefined> = {}) => runBuilt(['verify', ...args], { env: env(extra), timeoutMs: 60_000 });

describe('bascule verify against STS (moto)', () => {
  it('a good token from long-term keys: exit 0, the user EKS maps', async () => {
    const t = await token(['-i', 'eks-green']);
    const r = await verify(['-t', t, '-i', 'eks-green']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ the token is valid for cluster eks-green\n/);
    expect(r.stdout).toMatch(/\n {2}arn {12}arn:aws:iam::123456789012:user\/alice\n {2}mapped as {6}arn:aws:iam::123456789012:user\/alice\n {2}account {8}123456789012\n {2}user id {8}AIDAEXAMPLEALICE\n/);
    expect(r.stdout).toContain(`STS            sts.eu-west-1.amazonaws.com (sent to ${sts.endpoint}, AWS_ENDPOINT_URL_STS)`);
    expect(sts.calls.at(-1)).toEqual({ host: 'sts.eu-west-1.amazonaws.com', clusterName: 'eks-green', outcome: 'ok' });
  });

  it('a good token from an assumed role (moto): the session, and the role it maps to', async () => {
    const t = await token(['-i', 'eks-green', '-r', ROLE, '-s', 'bob']);
    const r = await verify(['-t', t, '-i', 'eks-green']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('arn            arn:aws:sts::123456789012:assumed-role/k8s-admin/bob');
    expect(r.stdout).toContain('mapped as      arn:aws:iam::123456789012:role/k8s-admin (the role of the session');
    expect(r.stdout).toContain('session name   bob');
    expect(r.stdout).toMatch(/user id {8}AROA[A-Z0-9]+\n/);
  });

  it('a token for another cluster: STS refuses the signature, exit 6', async () => {
    const t = await token(['-i', 'eks-blue']);
    const r = await verify(['-t', t, '-i', 'eks-green']);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: wrong-cluster: STS refused the token for cluster eks-green \(SignatureDoesNotMatch\): it was not signed for eks-green\nhint: .*check the TXT record/);
    expect(sts.calls.at(-1)).toMatchObject({ clusterName: 'eks-green', outcome: 'SignatureDoesNotMatch' });
  });

  it('an expired token (signed 2026-01-02, the golden vector): exit 5, STS not asked', async () => {
    const t = JSON.parse(readFileSync(new URL('../golden/tokens.json', import.meta.url), 'utf8')).vectors[0].token;
    const calls = sts.calls.length;
    const r = await verify(['-t', t, '-i', 'eks-green']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^error: expired: the token was signed at 2026-01-02T03:04:05\.000Z and expired at 2026-01-02T03:19:05\.000Z \(15 minutes later\)\n/);
    expect(sts.calls.length).toBe(calls);
  });

  it.each([
    ['padded', (t: string) => `${t}=`, /with padding/],
    ['another prefix', (t: string) => t.replace('k8s-aws-v1.', 'k8s-aws-v2.'), /does not start with "k8s-aws-v1\."/],
    ['not a token at all', () => 'hello', /does not start with/],
  ])('a malformed token (%s): exit 4', async (_, mangle, reason) => {
    const t = await token(['-i', 'eks-green']);
    const r = await verify(['-t', mangle(t), '-i', 'eks-green']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toContain(t.slice(11, 40)); // the token is never echoed
  });

  it("another partition's token (cn-north-1): malformed for an aws cluster; checked with --partition aws-cn", async () => {
    const t = await token(['-i', 'eks-green', '--region', 'cn-north-1']);
    const r = await verify(['-t', t, '-i', 'eks-green']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('host "sts.cn-north-1.amazonaws.com.cn" belongs to another partition: it is not an STS endpoint of partition aws');
    const cn = await verify(['-t', t, '-i', 'eks-green', '--partition', 'aws-cn']);
    expect(cn.stderr).toBe('');
    expect(cn.code).toBe(0);
    expect(cn.stdout).toContain('STS            sts.cn-north-1.amazonaws.com.cn');
  });

  it('keys STS does not know: refused, exit 7', async () => {
    const t = await token(['-i', 'eks-green'], { AWS_ACCESS_KEY_ID: 'AKIDUNKNOWNKEY00' });
    const r = await verify(['-t', t, '-i', 'eks-green']);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^error: sts-refused: STS refused the token \(InvalidClientTokenId: The security token included in the request is invalid\.\)\nhint: STS does not know the access key/);
  });

  it('through HTTP_PROXY as every AWS call of bascule (a CONNECT tunnel), and direct for a NO_PROXY host', async () => {
    const proxy = await startConnectProxy();
    const targets = proxy.connects;
    try {
      const proxyUrl = proxy.url;
      const t = await token(['-i', 'eks-green']);
      const via = await verify(['-t', t, '-i', 'eks-green'], { HTTP_PROXY: proxyUrl });
      expect(via.stderr).toBe('');
      expect(via.code).toBe(0);
      expect(targets).toEqual([new URL(sts.endpoint).host]);
      const direct = await verify(['-t', t, '-i', 'eks-green'], { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });
      expect(direct.code).toBe(0);
      expect(targets).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('STS unreachable: exit 8', async () => {
    const t = await token(['-i', 'eks-green']);
    const r = await verify(['-t', t, '-i', 'eks-green'], { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/^error: sts-unreachable: cannot reach STS at http:\/\/127\.0\.0\.1:9: ECONNREFUSED\n/);
  });

  it('-t - reads the token (or the ExecCredential) from standard input', async () => {
    const exec = await runBuilt(['token', '--no-dns', '-i', 'eks-green'], { env: env() });
    const r = await runBuilt(['verify', '-t', '-', '-i', 'eks-green'], { env: env(), input: exec.stdout, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ the token is valid for cluster eks-green\n/);
    const empty = await runBuilt(['verify', '-t', '-', '-i', 'eks-green'], { env: env(), input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^error: missing the token\n/);
  });

  it('usage errors: exit 2, error:/hint:', async () => {
    const r = await verify(['-i', 'eks-green']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing the token\nhint: pass -t TOKEN/);
    const dns = await verify(['-t', 'x', '-i', 'eks.devinfra.info']);
    expect(dns.code).toBe(2);
    expect(dns.stderr).toContain('is not an EKS cluster name');
  });
});

/** A token bascule signed, its URL changed by `mangle`, encoded again (base64url, no padding). */
const remade = async (mangle: (url: string) => string) => {
  const t = await token(['-i', 'eks-green']);
  const url = Buffer.from(t.slice('k8s-aws-v1.'.length), 'base64url').toString('latin1');
  return { original: t, url, token: `k8s-aws-v1.${Buffer.from(mangle(url), 'latin1').toString('base64url')}` };
};
const STS_HOST = 'sts.eu-west-1.amazonaws.com';

describe("bascule verify reads the token as the cluster's authenticator (Go's net/url), not as a browser", () => {
  it.each([
    ['an empty path', (u: string) => u.replace('amazonaws.com/?', 'amazonaws.com?'), `the presigned URL's path is "", not "/"`],
    ['an upper-case host', (u: string) => u.replace(STS_HOST, STS_HOST.toUpperCase()), `host "${STS_HOST.toUpperCase()}" is not a name the AWS SDK gives an STS endpoint: it is not an STS endpoint of partition aws`],
    ['port 443', (u: string) => u.replace(STS_HOST, `${STS_HOST}:443`), `host "${STS_HOST}:443" is not a name the AWS SDK gives`],
    ['"/./" as the path', (u: string) => u.replace('amazonaws.com/?', 'amazonaws.com/./?'), `path is "/./", not "/"`],
    ['"/a/../" as the path', (u: string) => u.replace('amazonaws.com/?', 'amazonaws.com/a/../?'), `path is "/a/../", not "/"`],
    ['a raw ";" in the query', (u: string) => u.replace('host%3Bx-k8s-aws-id', 'host;x-k8s-aws-id'), 'malformed query (invalid semicolon separator in query)'],
    ['backslashes', (u: string) => u.replace('https://', 'https:\\\\').replace('amazonaws.com/?', 'amazonaws.com\\?'), `host "" is empty`],
    ['"%2E" in the host', (u: string) => u.replace(STS_HOST, 'sts%2Eeu-west-1.amazonaws.com'), 'does not hold a URL Go can parse: invalid URL escape "%2E"'],
    ['a tab in the host', (u: string) => u.replace(STS_HOST, 'sts.eu-west-1.amazon\taws.com'), 'does not hold a URL Go can parse: net/url: invalid control character in URL'],
  ])('%s: malformed, exit 4, STS not asked, nothing of the token printed', async (_, mangle, reason) => {
    const { token: t, url } = await remade(mangle);
    const calls = sts.calls.length;
    const r = await verify(['-t', t, '-i', 'eks-green']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    const [first = ''] = r.stderr.split('\n');
    expect(first.startsWith('error: malformed: ')).toBe(true);
    expect(first).toContain(reason);
    expect(r.stderr).toMatch(/\nhint: EKS would refuse this token before asking STS/);
    expect(sts.calls.length).toBe(calls);
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(url)?.[1] as string;
    for (const secret of [signature, t.slice(11, 60), 'AKIDEXAMPLE%2F']) expect(r.stderr).not.toContain(secret);
  });

  it('non-zero unused bits in the last base64 character: the same URL, valid (exit 0)', async () => {
    const t = await token(['-i', 'eks-green']);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const body = t.slice(11);
    expect(body.length % 4).not.toBe(0);
    const bits = `k8s-aws-v1.${body.slice(0, -1)}${alphabet[alphabet.indexOf(body.at(-1) as string) | 1]}`;
    expect(bits).not.toBe(t);
    const r = await verify(['-t', bits, '-i', 'eks-green']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sts.calls.at(-1)).toEqual({ host: STS_HOST, clusterName: 'eks-green', outcome: 'ok' });
  });

  it('userinfo: the rules pass it, the user goes to STS as Basic credentials (as Go sends it), never to the terminal', async () => {
    const { token: t } = await remade((u) => u.replace('https://', 'https://ops:s3cr%65t@'));
    for (const output of ['text', 'json']) {
      const r = await verify(['-t', t, '-i', 'eks-green', '-o', output]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/ops|s3cr/);
      expect(sts.calls.at(-1)).toEqual({ host: STS_HOST, clusterName: 'eks-green', outcome: 'ok', authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` });
    }
  });
});

describe("bascule verify and STS's answers", () => {
  it('moto_server itself answers a presigned GET as S3 (XML ListAllMyBucketsResult): sts-unreadable, exit 9, not unreachable', async () => {
    const t = await token(['-i', 'eks-green']);
    const r = await verify(['-t', t, '-i', 'eks-green'], { AWS_ENDPOINT_URL_STS: moto.endpoint });
    expect(r.code).toBe(9);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: sts-unreadable: STS at ${moto.endpoint} answered HTTP 200 with XML <ListAllMyBucketsResult>, not a GetCallerIdentity result\n` +
        'hint: EKS reads only a GetCallerIdentity result: what answered is not STS, or not as EKS calls it (moto_server answers a presigned GET as S3); check AWS_ENDPOINT_URL_STS and any proxy\n',
    );
    expect(r.stderr).not.toMatch(/unreachable|cannot reach/);
  });

  it('an STS that answers XML whatever accept asks (LocalStack): read, valid, exit 0', async () => {
    const xmlSts = await startPresignedSts({ motoEndpoint: moto.endpoint, xml: true, lookupSecret: (id: string) => moto.lookupSecret(id) });
    try {
      const t = await token(['-i', 'eks-green', '-r', ROLE, '-s', 'carol'], { AWS_ENDPOINT_URL_STS: xmlSts.endpoint });
      const r = await verify(['-t', t, '-i', 'eks-green'], { AWS_ENDPOINT_URL_STS: xmlSts.endpoint });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('arn            arn:aws:sts::123456789012:assumed-role/k8s-admin/carol');
      expect(r.stdout).toContain('mapped as      arn:aws:iam::123456789012:role/k8s-admin');
    } finally {
      await xmlSts.close();
    }
  });
});

describe('bascule verify --output json', () => {
  it('the same keys for a valid token and a refused one (golden shapes)', async () => {
    const t = await token(['-i', 'eks-green', '-r', ROLE]);
    const ok = await verify(['-t', t, '-i', 'eks-green', '--output', 'json']);
    expect(ok.code).toBe(0);
    const bad = await verify(['-t', t, '-i', 'eks-blue', '-o', 'json']);
    expect(bad.code).toBe(6);
    expect(bad.stderr).toMatch(/^error: wrong-cluster: /);
    const shape = (v: any): any =>
      Array.isArray(v) ? v.map(shape) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'class' || k === 'exitCode' || k === 'valid' ? x : shape(x)])) : v === null ? null : typeof v;
    const unreadable = await verify(['-t', t, '-i', 'eks-green', '-o', 'json'], { AWS_ENDPOINT_URL_STS: moto.endpoint });
    expect(unreadable.code).toBe(9);
    expect(JSON.parse(unreadable.stdout).failure).toMatchObject({ class: 'sts-unreadable', exitCode: 9, reason: expect.stringContaining('answered HTTP 200 with XML <ListAllMyBucketsResult>') });
    const shapes = { valid: shape(JSON.parse(ok.stdout)), refused: shape(JSON.parse(bad.stdout)), unreadable: shape(JSON.parse(unreadable.stdout)) };
    golden('test/golden/verify.json', `${JSON.stringify(shapes, null, 2)}\n`);
    expect(JSON.parse(ok.stdout).identity).toMatchObject({ canonicalArn: ROLE, sessionName: 'bascule', account: '123456789012' });
  });
});
