/**
 * The generated kubeconfig, read by the real kubectl, against the loopback
 * world: two "EKS clusters" (HTTPS stand-ins whose serving certificates carry
 * only the in-cluster names, no IP SAN, each from its own CA), a TXT record
 * naming the live one, moto as STS, and a TCP proxy as the stable API name.
 *
 * The live context must verify either cluster behind the one name (both CAs +
 * tls-server-name), follow the TXT record across a switch, and refuse a
 * server whose certificate comes from a third CA.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startApiServer } from '../support/apiserver.mjs';
import { makeCa } from '../support/certs.mjs';
import type { startDnsServer } from '../support/dns-server.mjs';
import { BASCULE, bascule, cleanEnv, kubectl, ROOT, startTcpProxy } from '../support/kube.mjs';
import type { startMoto } from '../support/moto.mjs';
import { removeTempDir } from '../support/temp.mjs';
import { casPart, clustersPart, dirPart, dnsPart, motoPart, Parts } from '../support/world.js';

const ACCESS_KEY = 'AKIDEXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TXT = 'eks.devinfra.info';

const parts = new Parts();
let moto: Awaited<ReturnType<typeof startMoto>>;
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let blue: Awaited<ReturnType<typeof startApiServer>>;
let green: Awaited<ReturnType<typeof startApiServer>>;
let rogue: Awaited<ReturnType<typeof startApiServer>>;
let foreign: Awaited<ReturnType<typeof startApiServer>>;
let stable: Awaited<ReturnType<typeof startTcpProxy>>;
let dir: string;
let env: Record<string, string>;
let kubeconfig: string;

const namespacesOf = (stdout: string) => (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);

beforeAll(async () => {
  // The world, composed: moto, a CA and an API server per colour, a rogue one, DNS, the stable name's proxy.
  moto = await motoPart(parts);
  const cas = casPart(parts);
  const [caBlue, caGreen] = [cas.blue, cas.green];
  const caRogue = parts.add(makeCa('rogue'), (ca) => removeTempDir(ca.dir));
  // Default certificates: kubernetes, kubernetes.default, kubernetes.default.svc(.cluster.local); no IP SAN.
  ({ blue, green } = await clustersPart(parts, cas, moto.lookupSecret));
  rogue = parts.add(await startApiServer({ clusterName: 'eks-green', ca: caRogue, lookupSecret: moto.lookupSecret }), (a) => a.close());
  // Not one of the platform's servers, yet its certificate verifies (green's CA) and it would accept a token for eks-green.
  foreign = parts.add(await startApiServer({ clusterName: 'eks-green', ca: caGreen, lookupSecret: moto.lookupSecret }), (a) => a.close());
  dns = await dnsPart(parts, 'eks-green');
  stable = parts.add(await startTcpProxy(green.port), (p) => p.close());

  dir = dirPart(parts, 'kc-e2e-');
  mkdirSync(join(dir, 'home', '.aws'), { recursive: true });
  // The readonly level uses a profile: the exec env's AWS_PROFILE must reach the plugin.
  writeFileSync(join(dir, 'home', '.aws', 'credentials'), `[e2e]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET_KEY}\n`);
  writeFileSync(join(dir, 'blue-ca.crt'), caBlue.certPem);
  const platform = {
    name: 'devinfra',
    aws: { accountId: '123456789012', region: 'eu-west-3' },
    api: { record: 'api.devinfra.local', server: stable.url },
    clusterNameRecord: { name: TXT, dnsServer: dns.address },
    live: 'green',
    domains: { private: { name: 'devinfra.local' }, public: { name: 'devinfra.fr' } },
    clusters: {
      blue: { name: 'eks-blue', endpoint: blue.url, tlsServerName: 'kubernetes.default.svc', ca: { file: 'blue-ca.crt' } },
      green: { name: 'eks-green', endpoint: green.url, tlsServerName: 'kubernetes.default.svc', ca: { data: Buffer.from(caGreen.certPem).toString('base64') } },
    },
    access: [
      { name: 'admin', roleArn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sadmin', groups: ['system:masters'] },
      // A marked session: the kubeconfig passes --source-identity and --tag, moto (STS) takes them.
      { name: 'readonly', roleArn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadonly', groups: ['readonly', 'debugmode'], profile: 'e2e', sourceIdentity: 'e2e-readonly', tags: { team: 'platform' } },
    ],
  };
  writeFileSync(join(dir, 'platform.yaml'), stringify(platform));
  env = cleanEnv({
    HOME: join(dir, 'home'),
    KUBECACHEDIR: join(dir, 'kubecache'),
    KUBECONFIG: join(dir, 'unused-kubeconfig'),
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  kubeconfig = join(dir, 'kubeconfig.yaml');
  const made = await bascule(['kubeconfig', '--config', join(dir, 'platform.yaml'), '--out', kubeconfig, '--command', BASCULE], { env });
  expect(made.stderr).toContain('wrote');
  expect(made.code).toBe(0);
});

afterAll(() => parts.stop());

describe('kubectl reads the generated kubeconfig', () => {
  it('config get-contexts lists the live and per-colour contexts; config view holds no insecure or removed settings', async () => {
    const contexts = await kubectl(['--kubeconfig', kubeconfig, 'config', 'get-contexts', '-o', 'name'], { env });
    expect(contexts.code).toBe(0);
    expect(contexts.stdout.trim().split('\n').sort()).toEqual(
      ['devinfra-admin', 'devinfra-readonly', 'devinfra-blue-admin', 'devinfra-blue-readonly', 'devinfra-green-admin', 'devinfra-green-readonly'].sort(),
    );
    const view = await kubectl(['--kubeconfig', kubeconfig, 'config', 'view', '--raw', '-o', 'json'], { env });
    expect(view.code).toBe(0);
    const config = JSON.parse(view.stdout);
    const live = config.clusters.find((c: { name: string }) => c.name === 'devinfra').cluster;
    expect(live.server).toBe(stable.url);
    expect(live['tls-server-name']).toBe('kubernetes.default.svc');
    expect(live['insecure-skip-tls-verify']).toBeUndefined();
    expect(Buffer.from(live['certificate-authority-data'], 'base64').toString().match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    for (const user of config.users) expect(user.user.exec.apiVersion).toBe('client.authentication.k8s.io/v1');
    expect(view.stdout).not.toContain('v1alpha1');
  });

  it('the example kubeconfig and every file npm start writes parse in kubectl', async () => {
    const files = [join(ROOT, 'kubeconfig.example.yaml')];
    const out = join(dir, 'start-out');
    const all = await bascule(['kubeconfig', '--config', 'examples/platform.yaml', '--out', join(out, 'all.yaml')], { env });
    expect(all.code).toBe(0);
    for (const access of ['admin', 'readwrite', 'readonly']) {
      const one = await bascule(['kubeconfig', '--config', 'examples/platform.yaml', '--access', access, '--out', join(out, `${access}.yaml`)], { env });
      expect(one.code).toBe(0);
    }
    files.push(...readdirSync(out).map((f) => join(out, f)));
    for (const file of files) {
      const view = await kubectl(['--kubeconfig', file, 'config', 'view', '-o', 'json'], { env });
      expect(view.code, `${file}: ${view.stderr}`).toBe(0);
      const contexts = await kubectl(['--kubeconfig', file, 'config', 'get-contexts'], { env });
      expect(contexts.code, `${file}: ${contexts.stderr}`).toBe(0);
      expect(contexts.stdout).toContain('devinfra-');
    }
  });
});

describe('the live context verifies either cluster behind the one stable name', () => {
  it('reaches green (TXT says eks-green, the stable name points at green)', async () => {
    dns.setTxt(TXT, ['eks-green']);
    stable.pointAt(green.port);
    const before = green.identities.length;
    const result = await kubectl(['--kubeconfig', kubeconfig, '--context', 'devinfra-admin', 'get', '--raw', '/api/v1/namespaces'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(namespacesOf(result.stdout)).toContain('eks-green');
    expect(green.identities.length).toBeGreaterThan(before);
    expect(green.identities.at(-1)?.arn).toContain('etf1-crossaccount-k8sadmin');
  });

  it('after the switch, reaches blue with the same kubeconfig (TXT says eks-blue, the name points at blue)', async () => {
    dns.setTxt(TXT, ['eks-blue']);
    stable.pointAt(blue.port);
    const result = await kubectl(['--kubeconfig', kubeconfig, '--context', 'devinfra-admin', 'get', '--raw', '/api/v1/namespaces'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(namespacesOf(result.stdout)).toContain('eks-blue');
    expect(blue.identities.at(-1)?.clusterName).toBe('eks-blue');
  });

  it('the profile-based level works too: the exec env sets AWS_PROFILE', async () => {
    dns.setTxt(TXT, ['eks-blue']);
    stable.pointAt(blue.port);
    const noKeys = { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
    delete (noKeys as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
    delete (noKeys as Record<string, string | undefined>).AWS_SECRET_ACCESS_KEY;
    const result = await kubectl(['--kubeconfig', kubeconfig, '--context', 'devinfra-readonly', 'get', '--raw', '/api/v1/namespaces'], { env: noKeys });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(blue.identities.at(-1)?.arn).toContain('etf1-crossaccount-k8sreadonly');
    const view = await kubectl(['--kubeconfig', kubeconfig, 'config', 'view', '-o', 'json'], { env });
    const args = JSON.parse(view.stdout).users.find((u: { name: string }) => u.name === 'devinfra-readonly').user.exec.args as string[];
    expect(args.join(' ')).toContain('--source-identity e2e-readonly --tag team=platform');
  });

  it('fails TLS against a server whose certificate comes from a third CA; no request reaches it', async () => {
    dns.setTxt(TXT, ['eks-green']);
    stable.pointAt(rogue.port);
    const result = await kubectl(['--kubeconfig', kubeconfig, '--context', 'devinfra-admin', 'get', '--raw', '/api/v1/namespaces'], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/x509: certificate signed by unknown authority/);
    expect(rogue.identities).toHaveLength(0);
    expect(rogue.rejections).toHaveLength(0);
  });

  it('a TXT record that disagrees with where the name points gets 401, not another cluster', async () => {
    dns.setTxt(TXT, ['eks-green']);
    stable.pointAt(blue.port);
    const rejected = blue.rejections.length;
    const result = await kubectl(['--kubeconfig', kubeconfig, '--context', 'devinfra-admin', 'get', '--raw', '/api/v1/namespaces'], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Unauthorized|provide credentials/i);
    expect(blue.rejections.length).toBeGreaterThan(rejected);
  });
});

describe('--allow-server: the generated kubeconfig gives no token to a server outside the platform', () => {
  /** The generated file, with the live cluster's server changed: a handed-over or edited kubeconfig. */
  const edited = (server: string, provideClusterInfo = true) => {
    const config = parse(readFileSync(kubeconfig, 'utf8'));
    config.clusters.find((c: { name: string }) => c.name === 'devinfra').cluster.server = server;
    for (const u of config.users) u.user.exec.provideClusterInfo = provideClusterInfo;
    const file = join(dir, `edited-${provideClusterInfo}.yaml`);
    writeFileSync(file, stringify(config), { mode: 0o600 });
    return file;
  };
  const get = (file: string, extra: string[] = []) => kubectl(['--kubeconfig', file, '--context', 'devinfra-admin', ...extra, 'get', '--raw', '/api/v1/namespaces'], { env });
  const seen = () => foreign.identities.length + foreign.rejections.length;

  it('an edited server gets no token, not even the one cached a moment ago; kubectl shows why', async () => {
    dns.setTxt(TXT, ['eks-green']);
    stable.pointAt(green.port);
    const ok = await get(kubeconfig); // signs and caches a token for eks-green
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const before = seen();
    const r = await get(edited(foreign.url));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`refusing to sign: kubectl will send the token to "${foreign.url}" (127.0.0.1:${foreign.port}), outside --allow-server (127.0.0.1:${stable.port}, 127.0.0.1:${blue.port}, 127.0.0.1:${green.port})`);
    expect(r.stderr).not.toContain('k8s-aws-v1.');
    expect(seen()).toBe(before); // no request, with or without a token, reached it
  });

  it('kubectl --server pointing elsewhere: refused the same way', async () => {
    const before = seen();
    const r = await get(kubeconfig, ['--server', foreign.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`outside --allow-server`);
    expect(seen()).toBe(before);
  });

  it('without provideClusterInfo bascule cannot know the server and signs as before (the foreign server then holds a token valid for eks-green)', async () => {
    const before = foreign.identities.length;
    const r = await get(edited(foreign.url, false));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(foreign.identities.length).toBeGreaterThan(before);
    expect(foreign.identities.at(-1)?.clusterName).toBe('eks-green');
  });
});

describe('per-colour contexts reach one cluster directly', () => {
  it.each([
    ['devinfra-blue-admin', 'eks-blue'],
    ['devinfra-green-admin', 'eks-green'],
  ])('%s reaches %s whatever the TXT record says', async (context, cluster) => {
    dns.setTxt(TXT, ['something-else']);
    const result = await kubectl(['--kubeconfig', kubeconfig, '--context', context, 'get', '--raw', '/api/v1/namespaces'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(namespacesOf(result.stdout)).toContain(cluster);
  });
});

describe('--merge into an existing kubeconfig', () => {
  const unrelated = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: { colors: true },
    clusters: [
      { name: 'kind-dev', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': Buffer.from('not checked here').toString('base64') } },
      { name: 'devinfra', cluster: { server: 'https://old.example', 'insecure-skip-tls-verify': true } },
      { name: 'prod-legacy', cluster: { server: 'https://10.0.0.1', 'insecure-skip-tls-verify': true } },
    ],
    users: [
      { name: 'kind-dev', user: { token: 'not-a-real-token' } },
      { name: 'legacy', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'legacy'], env: [{ name: 'FLAG', value: 'on' }] } } },
    ],
    contexts: [
      { name: 'kind-dev', context: { cluster: 'kind-dev', user: 'kind-dev', namespace: 'yes' } },
      { name: 'legacy', context: { cluster: 'prod-legacy', user: 'legacy' } },
    ],
    'current-context': 'kind-dev',
    extensions: [{ name: 'some-tool', extension: { setting: '0600' } }],
  };

  it('keeps every unrelated entry and field, replaces bascule\'s, keeps the mode, leaves a backup, and kubectl reads it all', async () => {
    const file = join(dir, 'merge', 'config');
    mkdirSync(join(dir, 'merge'), { recursive: true });
    // Written as kubectl would (YAML 1.1: "on", "yes" and "0600" quoted).
    const original = stringify(unrelated, { version: '1.1' });
    writeFileSync(file, original);
    chmodSync(file, 0o640);

    const result = await bascule(['kubeconfig', '--config', join(dir, 'platform.yaml'), '--merge', file, '--command', BASCULE], { env });
    expect(result.stderr).toContain('previous content in');
    expect(result.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(original);
    expect(readdirSync(join(dir, 'merge')).sort()).toEqual(['config', 'config.bak']);

    // The file itself: every unrelated entry and field exactly as it was.
    const merged = parse(readFileSync(file, 'utf8'), { version: '1.1' });
    const byName = (list: any[], name: string): any => list.find((e) => e.name === name);
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of unrelated[key]) if (entry.name !== 'devinfra') expect(byName(merged[key], entry.name)).toEqual(entry);
    }
    expect(merged['current-context']).toBe('kind-dev');
    expect(merged.preferences).toEqual({ colors: true });
    expect(merged.extensions).toEqual(unrelated.extensions);
    expect(merged.users.map((u: { name: string }) => u.name).slice(0, 2)).toEqual(['kind-dev', 'legacy']);

    // What kubectl reads from it.
    const viewed = await kubectl(['--kubeconfig', file, 'config', 'view', '--raw', '-o', 'json'], { env });
    expect(viewed.stderr).toBe('');
    const view = JSON.parse(viewed.stdout);
    expect(byName(view.users, 'legacy').user.exec.env).toEqual([{ name: 'FLAG', value: 'on' }]);
    expect(byName(view.contexts, 'kind-dev').context.namespace).toBe('yes');
    expect(view['current-context']).toBe('kind-dev');
    // bascule's own "devinfra" cluster replaced the old insecure one of that name.
    expect(byName(view.clusters, 'devinfra')).toMatchObject({ cluster: { server: stable.url, 'tls-server-name': 'kubernetes.default.svc' } });
    expect(byName(view.clusters, 'devinfra').cluster['insecure-skip-tls-verify']).toBeUndefined();
    expect(view.clusters).toHaveLength(5);
    expect(view.contexts).toHaveLength(2 + 6);
    expect(view.users).toHaveLength(2 + 6);
    expect(readFileSync(file, 'utf8')).toContain('setting: "0600"');

    // And the merged file works: the live context through kubectl.
    dns.setTxt(TXT, ['eks-green']);
    stable.pointAt(green.port);
    const get = await kubectl(['--kubeconfig', file, '--context', 'devinfra-admin', 'get', '--raw', '/api/v1/namespaces'], { env });
    expect(get.stderr).toBe('');
    expect(namespacesOf(get.stdout)).toContain('eks-green');

    // Merging again changes nothing.
    const again = await bascule(['kubeconfig', '--config', join(dir, 'platform.yaml'), '--merge', file, '--command', BASCULE], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('up to date');
  });

  it('with several $KUBECONFIG paths and none existing, creates the last one 0600 (where kubectl would), no current-context', async () => {
    const first = join(dir, 'kc-default', 'first');
    const second = join(dir, 'kc-default', 'second');
    const result = await bascule(['kubeconfig', '--config', join(dir, 'platform.yaml'), '--merge', '--access', 'readonly'], {
      env: { ...env, KUBECONFIG: `${first}:${second}` },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(second).mode & 0o777).toBe(0o600);
    expect(existsSync(first)).toBe(false);
    const contexts = await kubectl(['--kubeconfig', second, 'config', 'get-contexts', '-o', 'name'], { env });
    expect(contexts.stdout.trim().split('\n').sort()).toEqual(['devinfra-blue-readonly', 'devinfra-green-readonly', 'devinfra-readonly']);
    expect((await kubectl(['--kubeconfig', second, 'config', 'current-context'], { env })).stderr).toContain('current-context is not set');
  });

  it('refuses a file that does not parse: exit 2, nothing written, nothing lost', async () => {
    const file = join(dir, 'broken-config');
    const broken = 'apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: [unclosed\n';
    writeFileSync(file, broken);
    const result = await bascule(['kubeconfig', '--config', join(dir, 'platform.yaml'), '--merge', file], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file} is not a kubeconfig bascule can merge into`);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(existsSync(`${file}.bak`)).toBe(false);
  });
});
