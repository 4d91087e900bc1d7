/**
 * The doctor's pure parts: the kubeconfig as kubectl merges it, the exec
 * arguments of each plugin, aws-auth matching; and the use case on fake
 * ports for what the loopback world cannot stage (a skewed clock, a cached
 * token's age, an expired session, the v1alpha1 exec API).
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDoctor } from '../../src/doctor/doctor.js';
import { reportJson, reportText } from '../../src/doctor/command.js';
import { selectContext, type KubeconfigFile } from '../../src/doctor/kubeconfig.js';
import { matchAwsAuth, withoutPath } from '../../src/doctor/mapping.js';
import { pluginKind, readPluginArgs } from '../../src/doctor/plugin.js';
import type { DoctorPorts } from '../../src/doctor/ports.js';

const cfg = (path: string, doc: unknown): KubeconfigFile => ({ path, text: stringify(doc) });
const cluster = (name: string, server: string) => ({ name, cluster: { server, 'certificate-authority-data': Buffer.from('PEM').toString('base64') } });
const execUser = (name: string, command: string, args: string[]) => ({ name, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command, args, env: [{ name: 'AWS_PROFILE', value: 'ops' }] } } });

describe('the kubeconfig, as kubectl merges KUBECONFIG', () => {
  const a = cfg('/a', { 'current-context': 'live', contexts: [{ name: 'live', context: { cluster: 'c', user: 'u' } }], clusters: [cluster('c', 'https://first')], users: [execUser('u', 'bascule', ['token', '-i', 'x'])] });
  const b = cfg('/b', { 'current-context': 'other', contexts: [{ name: 'other', context: { cluster: 'c', user: 'u' } }], clusters: [cluster('c', 'https://second')], users: [] });

  it('current-context from the first file that sets it; the first file to name an entry wins', () => {
    const v = selectContext([a, b], undefined);
    expect(v).toMatchObject({ contextName: 'live', file: '/a', cluster: { server: 'https://first', caPem: 'PEM' }, user: { name: 'u', exec: { command: 'bascule', env: { AWS_PROFILE: 'ops' } } } });
    expect(selectContext([b, a], undefined)).toMatchObject({ contextName: 'other', cluster: { server: 'https://second' } });
    expect(selectContext([a, b], 'other')).toMatchObject({ contextName: 'other', cluster: { server: 'https://first' } });
  });

  it.each([
    ['no file', [{ path: '/none', text: undefined }], undefined, /no kubeconfig: \/none does not exist/],
    ['no current-context', [cfg('/a', { contexts: [] })], undefined, /sets no current-context/],
    ['an unknown context', [a], 'prod', /no context named "prod"/],
    ['a context whose cluster is missing', [cfg('/a', { 'current-context': 'x', contexts: [{ name: 'x', context: { cluster: 'gone', user: 'u' } }] })], undefined, /names cluster "gone", which no kubeconfig file defines/],
    ['invalid YAML', [{ path: '/a', text: 'a: [' }], undefined, /\/a is not valid YAML/],
  ] as const)('%s', (_, files, wanted, problem) => {
    const v = selectContext(files as unknown as KubeconfigFile[], wanted);
    expect('problem' in v && v.problem).toMatch(problem);
  });

  it('a certificate-authority file, relative to the kubeconfig that names it', () => {
    const files = [cfg('/etc/kube/config', { 'current-context': 'x', contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], clusters: [{ name: 'c', cluster: { server: 'https://s', 'certificate-authority': 'ca.crt' } }], users: [{ name: 'u', user: { token: 't' } }] })];
    const read: string[] = [];
    const v = selectContext(files, undefined, (p) => (read.push(p), 'CA'));
    expect(read).toEqual(['/etc/kube/ca.crt']);
    expect(v).toMatchObject({ cluster: { caPem: 'CA' }, user: { exec: undefined, kind: 'token' } });
  });
});

describe('the exec arguments of each plugin', () => {
  it.each([
    ['bascule', 'bascule'],
    ['/usr/local/bin/bascule', 'bascule'],
    ['/work/dist/bascule.js', 'bascule'],
    ['aws', 'aws-cli'],
    ['aws-iam-authenticator', 'aws-iam-authenticator'],
    ['kubelogin', undefined],
  ])('%s is %s', (command, kind) => expect(pluginKind(command)).toBe(kind));

  it("bascule's own flags, through its own parser", () => {
    expect(readPluginArgs('bascule', ['--region', 'eu-west-3', 'token', '-i', 'eks.devinfra.info', '-r', 'arn:aws:iam::123456789012:role/a', '--allow-cluster', 'eks-*', '--dns-server', '10.0.0.2'], {})).toMatchObject({
      kind: 'bascule', id: 'eks.devinfra.info', noDns: false, roleArn: 'arn:aws:iam::123456789012:role/a', region: 'eu-west-3', allowClusters: ['eks-*'], dnsServer: '10.0.0.2', cache: true,
    });
    expect(readPluginArgs('bascule', ['token', '-i', 'eks-green', '--no-dns', '--no-cache'], {})).toMatchObject({ noDns: true, cache: false });
    expect(readPluginArgs('bascule', ['token', '-i', 'eks-green', '--role', 'nope'], {})).toMatchObject({ problem: expect.stringMatching(/bascule would refuse its arguments: --role "nope" is not an IAM role ARN/) });
  });

  it('aws eks get-token and aws-iam-authenticator token', () => {
    expect(readPluginArgs('aws-cli', ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'eks-green', '--role-arn', 'arn:aws:iam::1:role/r', '--output', 'json'], {})).toMatchObject({
      kind: 'aws-cli', id: 'eks-green', noDns: true, roleArn: 'arn:aws:iam::1:role/r', region: 'eu-west-1',
    });
    expect(readPluginArgs('aws-cli', ['eks', 'get-token', '--cluster-name=eks-blue', '--profile', 'ops'], {})).toMatchObject({ id: 'eks-blue', profile: 'ops' });
    expect(readPluginArgs('aws-iam-authenticator', ['token', '-i', 'eks-green', '-r', 'arn:aws:iam::1:role/r', '--forward-session-name'], {})).toMatchObject({ id: 'eks-green', roleArn: 'arn:aws:iam::1:role/r', forwardSessionName: true });
    expect(readPluginArgs('aws-cli', ['sts', 'get-caller-identity'], {})).toMatchObject({ problem: expect.stringContaining('not "eks get-token --cluster-name NAME"') });
  });
});

describe('aws-auth, matched as the authenticator matches', () => {
  const cm = (mapRoles: unknown[], mapUsers: unknown[] = []) => ({ data: { mapRoles: stringify(mapRoles), mapUsers: stringify(mapUsers) } });
  it('a role by its path-less ARN, a user exactly, case-insensitively', () => {
    expect(matchAwsAuth(cm([{ rolearn: 'arn:aws:iam::123456789012:role/team/ops', username: 'ops', groups: ['g'] }]), 'arn:aws:iam::123456789012:role/ops')).toMatchObject({ status: 'match', match: { kind: 'role', groups: ['g'] } });
    expect(matchAwsAuth(cm([], [{ userarn: 'arn:aws:iam::123456789012:user/Alice', username: 'alice', groups: [] }]), 'arn:aws:iam::123456789012:user/alice')).toMatchObject({ status: 'match', match: { kind: 'user' } });
    expect(matchAwsAuth(cm([{ rolearn: 'arn:aws:iam::1:role/other', groups: [] }]), 'arn:aws:iam::1:role/ops')).toEqual({ status: 'no-match', entries: 1, pathHint: undefined });
    expect(matchAwsAuth({ data: { mapRoles: 'a: [' } }, 'x')).toMatchObject({ status: 'unreadable' });
    expect(withoutPath('arn:aws:iam::123456789012:role/a/b/c')).toBe('arn:aws:iam::123456789012:role/c');
  });
});

describe('the use case on fake ports', () => {
  const t0 = new Date('2026-05-06T07:08:09Z');
  const ports = (over: Partial<DoctorPorts> & { skewMs?: number; cached?: { signedAt: Date; expiresAt: Date } } = {}): DoctorPorts => ({
    env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret/secret', PATH: '/bin' },
    now: () => t0,
    kubeconfig: () => ({
      files: ['/k'], contextName: 'live', file: '/k',
      cluster: { name: 'c', server: 'https://api', caPem: 'PEM', tlsServerName: undefined, insecure: false },
      user: { name: 'u', kind: 'exec', exec: { command: 'bascule', args: ['token', '-i', 'eks-green', '--no-dns', '--region', 'eu-west-1'], env: {}, apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: undefined, provideClusterInfo: false } },
    }),
    which: (c) => `/bin/${c}`,
    version: async () => 'bascule 0.1.0',
    lookupTxt: async () => ({ kind: 'none', reason: 'NXDOMAIN' }),
    credentials: {
      plan: () => ({ kind: 'env', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/secret' } }),
      source: async () => ({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/secret' }, origin: 'environment variables' }),
      assumeRole: async () => {
        throw new Error('no role here');
      },
    },
    presign: async () => ({ token: 'k8s-aws-v1.x' }),
    sendPresigned: async () => ({ status: 200, body: '', date: new Date(t0.getTime() - (over.skewMs ?? 0)) }),
    platform: () => undefined,
    readFile: () => '',
    kube: () => ({ selfSubjectReview: async () => ({ status: 201, json: { status: { userInfo: { username: 'alice', groups: ['g'] } } } }), awsAuth: async () => ({ status: 403, json: {} }) }),
    accessEntries: async () => ({ status: 'found', username: 'alice', groups: ['g'], type: 'STANDARD', mode: 'API' }),
    cachedToken: () => over.cached,
    ...over,
  });
  // verifyToken runs for real: a token the rules accept, and an STS answer.
  const realToken = async () => {
    const { presignToken } = await import('../../src/aws/presign.js');
    return presignToken({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/secret' }, region: 'eu-west-1', clusterName: 'eks-green', now: t0 });
  };
  const identity = '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:iam::123456789012:user/alice","UserId":"AIDA1","Account":"123456789012"}}}';
  const withSts = async (skewMs: number, over: Partial<DoctorPorts> = {}) => {
    const token = await realToken();
    return ports({ presign: async () => token, sendPresigned: async () => ({ status: 200, body: identity, date: new Date(t0.getTime() - skewMs) }), ...over });
  };
  const link = (r: Awaited<ReturnType<typeof runDoctor>>, name: string) => r.links.find((l) => l.name === name)!;

  it('a clock 20 minutes ahead of STS: broken, with the fix', async () => {
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, await withSts(20 * 60_000));
    expect(link(r, 'clock')).toMatchObject({ status: 'fail', detail: "this machine's clock is 20m00s ahead of STS", fix: expect.stringContaining('timedatectl set-ntp true') });
    expect(r.ok).toBe(false);
    expect(link(r, 'API').status).toBe('ok'); // the links after it still run
  });

  it('a clock in step; the cached token and its age', async () => {
    const cached = { signedAt: new Date(t0.getTime() - 3 * 60_000), expiresAt: new Date(t0.getTime() + 11 * 60_000) };
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, { ...(await withSts(1500)), cachedToken: () => cached });
    expect(link(r, 'clock')).toMatchObject({ status: 'ok', detail: expect.stringContaining('in step with STS') });
    expect(link(r, 'cached token').detail).toBe('signed 3m00s ago, valid until 2026-05-06T07:19:09Z (kubectl gets it; "bascule cache clear" forgets it)');
    expect(link(r, 'mapping')).toMatchObject({ status: 'ok', detail: expect.stringContaining('access entry (STANDARD) as alice, groups g') });
    expect(r.ok).toBe(true);
  });

  it('expired session credentials: broken at credentials, the rest not checked', async () => {
    const p = await withSts(0);
    const expired = { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date(t0.getTime() - 60_000) };
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, { ...p, credentials: { ...p.credentials, source: async () => ({ credentials: expired, origin: 'environment variables' }) } });
    expect(link(r, 'credentials')).toMatchObject({ status: 'fail', detail: expect.stringContaining('expired at 2026-05-06T07:07:09Z') });
    expect(link(r, 'identity')).toMatchObject({ status: 'skipped' });
    expect(JSON.stringify(r)).not.toContain('secret/secret');
  });

  it('a platform file that cannot be read: one mapping link, broken, naming it', async () => {
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, { ...(await withSts(0)), platform: () => {
      throw new Error('cannot read the platform file platform.yaml: ENOENT');
    } });
    expect(r.links.filter((l) => l.name === 'mapping')).toEqual([
      expect.objectContaining({ status: 'fail', detail: expect.stringContaining('the platform file cannot be read: cannot read the platform file platform.yaml: ENOENT') }),
    ]);
    expect(r.links.map((l) => l.name)).toEqual(['kubeconfig', 'exec command', 'cluster name', 'region', 'credentials', 'assume role', 'identity', 'clock', 'mapping', 'cached token', 'API']);
  });

  const withArgs = (p: DoctorPorts, args: string[]): DoctorPorts => {
    const view = p.kubeconfig(undefined) as any;
    return { ...p, kubeconfig: () => ({ ...view, user: { ...view.user, exec: { ...view.user.exec, args } } }) };
  };
  const noFiles = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };

  it('no region anywhere: us-east-1, as the token signs (not a broken link); an id without a dot needs no TXT, as the token', async () => {
    const p = await withSts(0);
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, withArgs({ ...p, env: { ...p.env, ...noFiles }, lookupTxt: async () => { throw new Error('no TXT lookup expected'); } }, ['token', '-i', 'eks-green']));
    expect(link(r, 'cluster name')).toMatchObject({ status: 'ok', detail: 'eks-green (no dot: the id is the cluster name: no TXT lookup)' });
    expect(link(r, 'region')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^us-east-1 \(from no region set: .*; partition aws\)$/) });
    expect(r.ok).toBe(true);
  });

  it("src/aws's chain decides the source; the cached token is looked up under the token's own key", async () => {
    const { credentialsPort } = await import('../../src/doctor/aws.js');
    const { awsPort } = await import('../../src/token/aws-port.js');
    const p = await withSts(0);
    const env = { ...p.env, ...noFiles };
    const keys: unknown[] = [];
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, { ...p, env, credentials: credentialsPort(), cachedToken: (key) => void keys.push(key) });
    expect(link(r, 'credentials')).toMatchObject({ status: 'ok', detail: 'the environment (AWS_ACCESS_KEY_ID); long-term keys, no expiry' });
    const signer = awsPort(env).signer({ profileFlag: undefined, region: 'eu-west-1', timeoutMs: 1000, interactive: () => false, prompt: async () => '' });
    expect(keys).toEqual([expect.objectContaining({ clusterName: 'eks-green', region: 'eu-west-1', profile: signer.profile, signerIdentity: signer.identity })]);
  });

  it('a role profile: the credentials link names the role and what assumes it, never a secret', async () => {
    const { credentialsPort } = await import('../../src/doctor/aws.js');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'bascule-doctor-'));
    try {
      writeFileSync(join(dir, 'config'), '[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = base\n');
      writeFileSync(join(dir, 'credentials'), '[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/secret\n');
      const p = await withSts(0);
      const real = credentialsPort();
      const r = await runDoctor(
        { context: undefined, direct: undefined, stsTimeoutMs: 1000 },
        { ...p, env: { PATH: '/bin', AWS_PROFILE: 'ops', AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') }, credentials: { ...real, source: async () => ({ credentials: { accessKeyId: 'ASIAOPS', secretAccessKey: 'ops/secret', sessionToken: 't', expiration: new Date(t0.getTime() + 3600_000) }, origin: 'x' }) } },
      );
      expect(link(r, 'credentials')).toMatchObject({ status: 'ok', detail: 'profile ops (role arn:aws:iam::123456789012:role/ops), assumed with profile base (credentials file); expire at 2026-05-06T08:08:09Z (in 1h00m)' });
      expect(JSON.stringify(r)).not.toMatch(/base\/secret|ops\/secret|AKIDBASE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const ROLE = 'arn:aws:iam::123456789012:role/k8s-admin';
  const sessionArgs = ['token', '-i', 'eks-green', '--no-dns', '--region', 'eu-west-1', '-r', ROLE, '--source-identity', 'alice', '--tag', 'team=platform', '--tag', 'env=prod'];

  it('a role session with a source identity and tags: asked of STS, shown on the assume role link (text and JSON), part of the cached token\'s key', async () => {
    const asked: unknown[] = [];
    const keys: { sourceIdentity: string | null; tags: readonly (readonly [string, string])[] }[] = [];
    const p = await withSts(0);
    const assumeRole: DoctorPorts['credentials']['assumeRole'] = async (_ctx, source, role) => {
      asked.push(role);
      return { credentials: source.credentials, sessionName: 'bascule' };
    };
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, withArgs({ ...p, credentials: { ...p.credentials, assumeRole }, cachedToken: (key) => void keys.push(key) }, sessionArgs));
    expect(asked).toEqual([expect.objectContaining({ roleArn: ROLE, sourceIdentity: 'alice', tags: [['team', 'platform'], ['env', 'prod']] })]);
    expect(link(r, 'assume role')).toMatchObject({ status: 'ok', detail: `${ROLE} (session bascule, source identity alice, tags team=platform, env=prod)`, session: { sourceIdentity: 'alice', tags: { team: 'platform', env: 'prod' } } });
    expect(keys).toEqual([expect.objectContaining({ sourceIdentity: 'alice', tags: [['env', 'prod'], ['team', 'platform']] })]);
    const json = reportJson(r);
    expect(json.links.find((l) => l.name === 'assume role')).toMatchObject({ session: { sourceIdentity: 'alice', tags: { team: 'platform', env: 'prod' } } });
    expect(json.links.filter((l) => 'session' in l).map((l) => l.name)).toEqual(['assume role']);
  });

  it("the trust policy lacks sts:TagSession: the assume role link is broken, in STS's words and with the action to add", async () => {
    const { sessionRefusal } = await import('../../src/aws/sts.js');
    const p = await withSts(0);
    const assumeRole: DoctorPorts['credentials']['assumeRole'] = async (_ctx, _source, role) => {
      throw sessionRefusal(role, Object.assign(new Error(`User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:TagSession on resource: ${ROLE}`), { name: 'AccessDenied' }));
    };
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, withArgs({ ...p, credentials: { ...p.credentials, assumeRole } }, sessionArgs));
    expect(link(r, 'assume role')).toMatchObject({
      status: 'fail',
      detail: `STS AssumeRole ${ROLE} was denied: the role's trust policy does not allow sts:TagSession to arn:aws:iam::123456789012:user/alice, needed for session tags (team, env)`,
      fix: expect.stringContaining('add "sts:TagSession" beside "sts:AssumeRole"'),
      session: { sourceIdentity: 'alice', tags: { team: 'platform', env: 'prod' } },
    });
    expect(link(r, 'identity').status).toBe('skipped');
  });

  it('--allow-server: a kubeconfig server outside the list, with provideClusterInfo, breaks the exec command link as the plugin would refuse; without it, nothing is checked', async () => {
    const p = await withSts(0);
    const view = p.kubeconfig(undefined) as any;
    const args = ['token', '-i', 'eks-green', '--no-dns', '--region', 'eu-west-1', '--allow-server', 'api.devinfra.local'];
    const at = (server: string, provideClusterInfo: boolean): DoctorPorts => ({
      ...p,
      kubeconfig: () => ({ ...view, cluster: { ...view.cluster, server }, user: { ...view.user, exec: { ...view.user.exec, args, provideClusterInfo } } }),
    });
    const foreign = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, at('https://evil.example:6443', true));
    expect(link(foreign, 'exec command')).toMatchObject({
      status: 'fail',
      detail: '/bin/bascule: refusing to sign: kubectl will send the token to "https://evil.example:6443" (evil.example:6443), outside --allow-server (api.devinfra.local)',
      fix: expect.stringContaining('add --allow-server evil.example:6443 to the exec args'),
    });
    expect(link(foreign, 'cluster name').status).toBe('skipped');
    expect(link(await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, at('https://api.devinfra.local', true)), 'exec command').status).toBe('ok');
    expect(link(await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, at('https://evil.example:6443', false)), 'exec command').status).toBe('ok');
  });

  it('an exec entry still on v1alpha1', async () => {
    const p = ports();
    const view = p.kubeconfig(undefined) as any;
    const r = await runDoctor({ context: undefined, direct: undefined, stsTimeoutMs: 1000 }, { ...p, kubeconfig: () => ({ ...view, user: { ...view.user, exec: { ...view.user.exec, apiVersion: 'client.authentication.k8s.io/v1alpha1' } } }) });
    expect(link(r, 'exec command')).toMatchObject({ status: 'fail', detail: expect.stringContaining('which kubectl removed in 1.24') });
  });
});

describe('the text report', () => {
  it('quotes the kubeconfig without letting it act on the terminal', () => {
    const text = reportText({
      context: 'ctx\u001b[2J',
      clusterName: 'eks-green',
      ok: false,
      links: [{ name: 'kubeconfig', status: 'fail', detail: 'cluster "a\u202eb" at https://x', fix: 'see \u001b]0;title\u0007' }],
    });
    expect(text).toContain('context "ctx\\u001b[2J"');
    expect(text).toContain('cluster "a\\u202eb" at https://x');
    expect(text).toContain('fix: see \\u001b]0;title\\u0007');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/);
  });
});
