/**
 * The AWS side of `bascule token` on the network, run as the built artefact:
 * proxies (a loopback CONNECT proxy in front of an STS stand-in that holds a
 * certificate for sts.eu-west-1.amazonaws.com), NO_PROXY, the deadline over
 * the AWS work (an STS that never answers, a credential_process that hangs),
 * --profile with endpoint_url and services sections, and stderr on success.
 */
import { writeFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeServerCert } from '../support/certs.mjs';
import { type ConnectProxy, startConnectProxy } from '../support/connect-proxy.js';
import { startFakeSts } from '../support/fake-sts.mjs';
import { envKeys, KEYS, runBuilt } from '../support/run.js';
import { tempDirs } from '../support/text.js';
import { decodeToken as decode, signerOf as signer } from '../support/token.js';

const ROLE = 'arn:aws:iam::123456789012:role/k8s-readonly';
const expiration = () => new Date(Date.now() + 3600_000).toISOString();
const roleXml = () =>
  `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAVIAPROXY</AccessKeyId><SecretAccessKey>proxy/secret</SecretAccessKey><SessionToken>proxy-session</SessionToken><Expiration>${expiration()}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/k8s-readonly/bascule</Arn><AssumedRoleId>AROAEXAMPLE:bascule</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`;

const temp = tempDirs('bascule-net-');
let ca: ReturnType<typeof makeCa>;
let stsTls: https.Server;
let stsTlsPort = 0;
/** CONNECT targets the proxy saw, in order. It tunnels sts.*.amazonaws.com:443 to the TLS stand-in, anything else to itself. */
let connects: string[] = [];
let proxy: ConnectProxy;
let proxyUrl = '';
let blackHole: net.Server;
let blackHolePort = 0;
const held: net.Socket[] = [];

beforeAll(async () => {
  ca = makeCa('sts');
  const cert = makeServerCert(ca, { dnsNames: ['sts.eu-west-1.amazonaws.com'], cn: 'sts.eu-west-1.amazonaws.com' });
  stsTls = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(roleXml());
    });
  });
  await new Promise<void>((r) => stsTls.listen(0, '127.0.0.1', r));
  stsTlsPort = (stsTls.address() as net.AddressInfo).port;

  proxy = await startConnectProxy((host, port) => (/^sts\.[a-z0-9-]+\.amazonaws\.com$/.test(host) ? { host: '127.0.0.1', port: stsTlsPort } : { host, port }));
  ({ url: proxyUrl, connects } = proxy);

  // Accepts connections and never answers.
  blackHole = net.createServer((socket) => {
    held.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  blackHolePort = (blackHole.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of held) s.destroy();
  stsTls?.closeAllConnections();
  await Promise.all([...[stsTls, blackHole].map((s) => new Promise((r) => s?.close(r))), proxy?.close()]);
  if (ca) rmSync(ca.dir, { recursive: true, force: true });
});

const token = (extra: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000) =>
  runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', ...extra], { env, timeoutMs });

describe('proxies', () => {
  it('HTTPS_PROXY: AssumeRole goes through CONNECT sts.<region>.amazonaws.com:443, TLS verified inside the tunnel', async () => {
    const caFile = join(temp(), 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    connects.length = 0;
    const r = await token(['-r', ROLE], envKeys({ HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: caFile }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(connects).toEqual(['sts.eu-west-1.amazonaws.com:443']);
    expect(signer(r.stdout)).toBe('ASIAVIAPROXY');
  });

  it('https_proxy (lower case) is taken too, and a proxy that refuses is named', async () => {
    connects.length = 0;
    const r = await token(['-r', ROLE, '--aws-timeout', '5s'], envKeys({ https_proxy: 'http://127.0.0.1:1' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: STS AssumeRole arn:aws:iam::123456789012:role\/k8s-readonly failed: cannot reach STS \(ECONNREFUSED: proxy 127\.0\.0\.1:1: ECONNREFUSED\)/);
  });

  it('HTTP_PROXY for an http:// endpoint, and NO_PROXY sends it direct', async () => {
    const sts = await startFakeSts([{ credentials: { accessKeyId: 'ASIADIRECT', secretAccessKey: 's/k', sessionToken: 't', expiration: expiration() } }]);
    try {
      const port = new URL(sts.endpoint).port;
      connects.length = 0;
      const viaProxy = await token(['-r', ROLE], envKeys({ AWS_ENDPOINT_URL_STS: sts.endpoint, HTTP_PROXY: proxyUrl }));
      expect(viaProxy.code).toBe(0);
      expect(connects).toEqual([`127.0.0.1:${port}`]);
      connects.length = 0;
      for (const noProxy of ['127.0.0.1', `localhost,127.0.0.1:${port}`, '127.0.0.0/8', '*']) {
        const direct = await token(['-r', ROLE], envKeys({ AWS_ENDPOINT_URL_STS: sts.endpoint, HTTP_PROXY: proxyUrl, no_proxy: noProxy }));
        expect(direct.code, noProxy).toBe(0);
        expect(signer(direct.stdout)).toBe('ASIADIRECT');
      }
      expect(connects).toEqual([]);
      expect(sts.calls.length).toBe(5);
    } finally {
      await sts.close();
    }
  });
});

describe('one deadline over the AWS work', () => {
  it('an STS endpoint that accepts and never answers: an error naming it, within the deadline', async () => {
    const started = Date.now();
    const r = await token(['-r', ROLE, '--aws-timeout', '2s'], envKeys({ AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${blackHolePort}` }), 20_000);
    const took = Date.now() - started;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: STS at http://127\\.0\\.0\\.1:${blackHolePort}, asked AssumeRole ${ROLE}, did not answer within 2s\\nhint: .*--aws-timeout`));
    // Bounded, not benchmarked: the deadline, plus a node start, far below "hangs".
    expect(took).toBeLessThan(10_000);
  });

  it('a credential_process that hangs: an error naming it, within the deadline', async () => {
    const env = envKeys({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: 'hang' });
    writeFileSync(env.AWS_CONFIG_FILE as string, `[profile hang]\ncredential_process = ${process.execPath} -e "setTimeout(() => {}, 60000)"\n`);
    const started = Date.now();
    const r = await token(['--aws-timeout', '1500ms'], env, 20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the credential_process of profile "hang" \(.*node\) did not answer within 1\.5s\n/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('--profile as aws --profile', () => {
  it("takes the profile's endpoint_url, and its services section over it", async () => {
    const a = await startFakeSts([{ credentials: { accessKeyId: 'ASIAENDPOINTURL', secretAccessKey: 's/k', sessionToken: 't', expiration: expiration() } }]);
    const b = await startFakeSts([{ credentials: { accessKeyId: 'ASIASERVICES', secretAccessKey: 's/k', sessionToken: 't', expiration: expiration() } }]);
    try {
      const env = envKeys();
      writeFileSync(
        env.AWS_CONFIG_FILE as string,
        `[profile plain]\nendpoint_url = ${a.endpoint}\n[profile svc]\nendpoint_url = ${a.endpoint}\nservices = local\n[services local]\nsts =\n  endpoint_url = ${b.endpoint}\n`,
      );
      writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, `[plain]\naws_access_key_id = AKIDPLAIN\naws_secret_access_key = p/secret\n[svc]\naws_access_key_id = AKIDSVC\naws_secret_access_key = s/secret\n`);
      const plain = await token(['--profile', 'plain', '-r', ROLE], env);
      expect(plain.stderr).toBe('');
      expect(signer(plain.stdout)).toBe('ASIAENDPOINTURL');
      const svc = await token(['--profile', 'svc', '-r', ROLE], env);
      expect(signer(svc.stdout)).toBe('ASIASERVICES');
      expect([a.calls.length, b.calls.length]).toEqual([1, 1]);
      // The token itself still names the public STS host: no EKS cluster accepts another.
      expect(decode(JSON.parse(svc.stdout).status.token).host).toBe('sts.eu-west-1.amazonaws.com');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('stderr stays empty on success', () => {
  it('environment keys beside a credential_process profile: the keys sign (as botocore), no SDK warning', async () => {
    const env = envKeys({ AWS_PROFILE: 'proc' });
    writeFileSync(env.AWS_CONFIG_FILE as string, `[profile proc]\ncredential_process = ${process.execPath} -e "process.exit(9)"\n`);
    const r = await token([], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(signer(r.stdout)).toBe(KEYS.accessKeyId);
  });

  it('a credential_process profile alone: its keys sign, nothing on stderr', async () => {
    const env = envKeys({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: 'proc' });
    const script = join(temp(), 'creds.js');
    writeFileSync(script, `console.log(JSON.stringify({ Version: 1, AccessKeyId: 'AKIDFROMPROCESS', SecretAccessKey: 'x/y', Expiration: '${expiration()}' }))\n`);
    writeFileSync(env.AWS_CONFIG_FILE as string, `[profile proc]\ncredential_process = ${process.execPath} ${script}\n`);
    const r = await token([], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(signer(r.stdout)).toBe('AKIDFROMPROCESS');
  });
});
