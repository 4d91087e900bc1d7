/**
 * `bascule doctor`, the built artefact, against the loopback world: healthy,
 * then each link broken in turn, asserting the link that breaks and the fix
 * it prints; a kubeconfig bascule did not write (aws eks get-token); the JSON
 * shape as a golden.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSts } from '../support/fake-sts.mjs';
import { KEYS, runBuilt } from '../support/run.js';
import { golden, replaceOnce, ROOT } from '../support/text.js';
import { ROLE_ARN, startDoctorWorld, TXT_NAME, type DoctorWorld } from '../support/doctor-world.js';

let world: DoctorWorld;
beforeAll(async () => {
  world = await startDoctorWorld();
}, 60_000);
afterAll(() => world?.stop());

const admin = { rolearn: ROLE_ARN, username: 'admin:{{SessionName}}', groups: ['system:masters'] };
const healthy = () => {
  world.dns.setTxt(TXT_NAME, ['eks-green']);
  world.denyAccessEntries(false);
  for (const c of Object.values(world.clusters)) {
    c.awsAuth = { mapRoles: [admin], mapUsers: [] };
    c.accessEntries = [];
    c.refuseAll = false;
    c.mode = 'API_AND_CONFIG_MAP';
  }
};
const basculeArgs = (extra: string[] = []) => ['token', '-i', TXT_NAME, '--dns-server', world.dns.address, '--allow-cluster', 'eks-*', '-r', ROLE_ARN, '--region', 'eu-west-1', ...extra];
const doctor = (kubeconfig: string, args: string[] = [], extra: Record<string, string | undefined> = {}) =>
  runBuilt(['doctor', ...args], { env: world.env({ KUBECONFIG: kubeconfig, ...extra }), timeoutMs: 60_000 });

/** The line of a link, and its fix line when there is one. */
function link(stdout: string, name: string): { mark: string; text: string; fix: string | undefined } {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^. ${name.replace(/ /g, ' ')} `).test(l));
  if (at < 0) throw new Error(`no ${name} line in:\n${stdout}`);
  const line = lines[at] as string;
  const next = lines[at + 1] ?? '';
  return { mark: line[0] as string, text: line, fix: /^\s+fix: /.test(next) ? next.trim().slice('fix: '.length) : undefined };
}

describe('bascule doctor', () => {
  it('a healthy chain: every link holds, exit 0, the groups the API sees', async () => {
    healthy();
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['kubeconfig', 'exec command', 'cluster name', 'region', 'credentials', 'assume role', 'identity', 'clock', 'mapping', 'cached token', 'API']) {
      expect(link(r.stdout, name).mark, `${name}:\n${r.stdout}`).toBe('✓');
    }
    expect(link(r.stdout, 'cluster name').text).toContain(`TXT ${TXT_NAME} via DNS server ${world.dns.address}: "eks-green" -> eks-green`);
    expect(link(r.stdout, 'exec command').text).toMatch(/bascule \d+\.\d+\.\d+/);
    expect(link(r.stdout, 'identity').text).toMatch(/arn:aws:sts::123456789012:assumed-role\/k8s-admin\/bascule -> arn:aws:iam::123456789012:role\/k8s-admin/);
    expect(link(r.stdout, 'mapping').text).toContain('aws-auth maps role arn:aws:iam::123456789012:role/k8s-admin to user admin:{{SessionName}}, groups system:masters');
    expect(link(r.stdout, 'API').text).toContain('knows you as "admin:bascule", groups system:masters, system:authenticated');
    expect(r.stdout).toMatch(/\nevery link holds\n$/);
    expect(r.stdout).not.toContain('wJalrXUtnFEMI'); // never a secret
  });
});

describe('bascule doctor, each link broken: the link that breaks and the fix it prints', () => {
  it('the TXT record names another cluster than the API behind the kubeconfig: the API refuses, the fix names the TXT record', async () => {
    healthy();
    world.dns.setTxt(TXT_NAME, ['eks-blue']);
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }));
    expect(r.code).toBe(1);
    expect(link(r.stdout, 'cluster name').text).toContain('"eks-blue" -> eks-blue');
    const api = link(r.stdout, 'API');
    expect(api.mark).toBe('✗');
    expect(api.text).toContain(`${world.api.green.url} refused a token for eks-blue (401 Unauthorized)`);
    expect(api.fix).toContain(`the TXT record at ${TXT_NAME} names eks-blue: check it names the cluster behind ${world.api.green.url}`);
    // Blue maps the role (in its aws-auth), but that cannot be read through green's API: not a verdict.
    expect(link(r.stdout, 'mapping').mark).toBe('?');
    expect(r.stderr).toBe('error: 1 link broken: API\nhint: each ✗ line above says the fix\n');
  });

  it('the allow-list refuses the cluster the TXT record names', async () => {
    healthy();
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs().map((a) => (a === 'eks-*' ? 'eks-blue' : a)) }));
    expect(r.code).toBe(1);
    const l = link(r.stdout, 'cluster name');
    expect(l.mark).toBe('✗');
    expect(l.text).toContain('"eks-green" -> eks-green, which the allow-list (eks-blue) refuses');
    expect(l.fix).toContain('add --allow-cluster eks-green to the exec args');
    expect(link(r.stdout, 'API').mark).toBe('–'); // not run: the plugin would not sign
  });

  it('no AWS credentials at all', async () => {
    healthy();
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }), [], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    expect(r.code).toBe(1);
    const l = link(r.stdout, 'credentials');
    expect(l.mark).toBe('✗');
    expect(l.text).toContain('no AWS credentials found');
    expect(l.fix).toContain("looked, in botocore's order, at:");
  });

  it('the role refuses the caller (AccessDenied)', async () => {
    healthy();
    const sts = await startFakeSts([{ error: 'AccessDenied', status: 403, message: `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}` }]);
    try {
      const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }), [], { AWS_ENDPOINT_URL_STS: sts.endpoint });
      expect(r.code).toBe(1);
      const l = link(r.stdout, 'assume role');
      expect(l.mark).toBe('✗');
      expect(l.text).toContain(`AssumeRole ${ROLE_ARN} was denied: User: arn:aws:iam::123456789012:user/alice is not authorized`);
      expect(l.fix).toContain("check the role's trust policy allows your identity");
    } finally {
      await sts.close();
    }
  });

  it('the identity is not mapped (a cluster in access-entry mode, no entry for it): mapping and API broken, the fix says how to map it', async () => {
    healthy();
    world.clusters['eks-green']!.mode = 'API';
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }));
    expect(r.code).toBe(1);
    const m = link(r.stdout, 'mapping');
    expect(m.mark).toBe('✗');
    // aws-auth is read with the identity's own token, which an unmapped identity cannot do: the access entries and the mode decide.
    expect(m.text).toContain('arn:aws:iam::123456789012:role/k8s-admin has no access entry, and eks-green reads nothing else (authentication mode API)');
    expect(m.fix).toContain('aws eks create-access-entry --cluster-name eks-green --principal-arn arn:aws:iam::123456789012:role/k8s-admin');
    const api = link(r.stdout, 'API');
    expect(api.mark).toBe('✗');
    expect(api.fix).toContain('aws eks create-access-entry --cluster-name eks-green --principal-arn arn:aws:iam::123456789012:role/k8s-admin');
  });

  it('an access entry maps it (aws-auth has nothing): healthy, the entry shown', async () => {
    healthy();
    world.clusters['eks-green']!.awsAuth = undefined;
    world.clusters['eks-green']!.accessEntries = [{ principalArn: ROLE_ARN, username: 'admin', groups: ['platform-admins'] }];
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }));
    expect(r.code).toBe(0);
    expect(link(r.stdout, 'mapping').text).toContain('no aws-auth ConfigMap; access entry (STANDARD) as admin, groups platform-admins');
  });

  it('access entries not permitted: said, not a failure', async () => {
    healthy();
    world.denyAccessEntries(true);
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }));
    expect(r.code).toBe(0);
    expect(link(r.stdout, 'mapping').text).toContain('access entries unread: not permitted to list them (AccessDeniedException');
  });

  it('the API answers 401 although STS accepts the identity', async () => {
    healthy();
    world.clusters['eks-green']!.refuseAll = true;
    world.clusters['eks-green']!.accessEntries = [{ principalArn: ROLE_ARN, username: 'admin', groups: ['platform-admins'] }];
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }));
    expect(r.code).toBe(1);
    expect(link(r.stdout, 'identity').mark).toBe('✓');
    expect(link(r.stdout, 'mapping').text).toContain('aws-auth unread: the API refused the token (401); access entry (STANDARD) as admin');
    const api = link(r.stdout, 'API');
    expect(api.mark).toBe('✗');
    expect(api.fix).toMatch(/^STS accepts the identity, so either the API at https:\/\/127\.0\.0\.1:\d+ is not eks-green's \(the TXT record at eks\.devinfra\.info names eks-green/);
  });

  it('the exec command is not on PATH', async () => {
    healthy();
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs(), command: 'bascule-not-installed' }));
    expect(r.code).toBe(1);
    const l = link(r.stdout, 'exec command');
    expect(l.mark).toBe('✗');
    expect(l.text).toContain('"bascule-not-installed" is not found on PATH');
    expect(l.fix).toContain('bascule kubeconfig --merge --command /path/to/bascule');
  });

  it('no such context', async () => {
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }), ['--context', 'prod']);
    expect(r.code).toBe(1);
    const l = link(r.stdout, 'kubeconfig');
    expect(l.text).toContain('no context named "prod"');
    expect(l.fix).toBe('the contexts are: live');
  });
});

describe('bascule doctor on kubeconfigs bascule did not write', () => {
  it('aws eks get-token (the AWS CLI): reads --cluster-name, --role-arn and --region from its args, the rest as for bascule', async () => {
    healthy();
    const config = world.kubeconfig({
      server: world.api.green.url,
      command: 'aws',
      args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'eks-green', '--role-arn', ROLE_ARN, '--output', 'json'],
    });
    const r = await doctor(config);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(link(r.stdout, 'exec command').text).toMatch(/\/aws \(aws-cli\/1\.\d+/);
    expect(link(r.stdout, 'cluster name').text).toContain('eks-green (given to the plugin: no TXT lookup)');
    expect(link(r.stdout, 'cached token').text).toContain('aws-cli keeps no token cache');
  });

  it('aws-iam-authenticator token -i: its flags, the profile from the exec entry\'s env', async () => {
    healthy();
    // A stand-in on PATH: the doctor only asks its version and reads its arguments.
    const bin = join(world.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'aws-iam-authenticator'), '#!/bin/sh\necho \'{"Version":"0.6.29","Commit":"standin"}\'\n', { mode: 0o755 });
    const config = world.kubeconfig({
      server: world.api.green.url,
      command: 'aws-iam-authenticator',
      args: ['token', '-i', 'eks-green', '-r', ROLE_ARN, '--region', 'eu-west-1'],
      env: { AWS_PROFILE: 'k8s' },
    });
    const env = world.env({ KUBECONFIG: config, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    env.PATH = `${bin}:${env.PATH}`;
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, `[k8s]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    const r = await runBuilt(['doctor'], { env, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(link(r.stdout, 'exec command').text).toContain(`${bin}/aws-iam-authenticator ({"Version":"0.6.29","Commit":"standin"})`);
    expect(link(r.stdout, 'credentials').text).toContain('profile k8s (credentials file)');
    expect(link(r.stdout, 'assume role').text).toContain(ROLE_ARN);
  });

  it('a relative exec command is found from the kubeconfig\'s directory, as client-go resolves it', async () => {
    healthy();
    const bin = join(world.dir, 'relbin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'aws-iam-authenticator'), '#!/bin/sh\necho \'{"Version":"0.6.29"}\'\n', { mode: 0o755 });
    const config = world.kubeconfig({ server: world.api.green.url, command: './relbin/aws-iam-authenticator', args: ['token', '-i', 'eks-green', '--region', 'eu-west-1'] });
    const r = await runBuilt(['doctor'], { env: world.env({ KUBECONFIG: config }), timeoutMs: 60_000 });
    expect(link(r.stdout, 'exec command').text).toContain(`${bin}/aws-iam-authenticator ({"Version":"0.6.29"})`);
  });

  it('a command that is no token plugin: said, with the way round it', async () => {
    healthy();
    const config = world.kubeconfig({ server: world.api.green.url, command: process.execPath, args: [] });
    const r = await doctor(config);
    expect(r.code).toBe(1);
    expect(link(r.stdout, 'exec command').fix).toContain('bascule doctor -i CLUSTER --role ARN');
  });
});

describe('bascule doctor --output json', () => {
  it('the shape (golden), and the same verdict as the text; the assume role link carries the session asked for', async () => {
    healthy();
    const r = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs(['--source-identity', 'alice', '--tag', 'team=platform']) }), ['--output', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const shape = { ...report, links: report.links.map((l: { detail: string }) => ({ ...l, detail: typeof l.detail })) };
    golden('test/golden/doctor.healthy.json', `${JSON.stringify(shape, null, 2)}\n`);
    world.dns.setTxt(TXT_NAME, ['eks-blue']);
    const broken = await doctor(world.kubeconfig({ server: world.api.green.url, args: basculeArgs() }), ['--output', 'json']);
    expect(broken.code).toBe(1);
    const api = JSON.parse(broken.stdout).links.find((l: { name: string }) => l.name === 'API');
    expect(api).toMatchObject({ status: 'fail', fix: expect.stringContaining('the TXT record at eks.devinfra.info names eks-blue') });
  });
});

describe('bascule doctor -i, with the platform file', () => {
  const PLATFORM_ADMIN = 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sadmin';
  /** The example platform, its clusters' endpoints and CAs those of the stand-ins. */
  const platformFile = () => {
    let text = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');
    text = replaceOnce(text, 'endpoint: https://A1B2C3D4E5F60718293A4B5C6D7E8F90.gr7.eu-west-3.eks.amazonaws.com', `endpoint: ${world.api.blue.url}\n    tlsServerName: kubernetes.default.svc`);
    text = replaceOnce(text, 'endpoint: https://0F9E8D7C6B5A49382716F5E4D3C2B1A0.yl4.eu-west-3.eks.amazonaws.com', `endpoint: ${world.api.green.url}\n    tlsServerName: kubernetes.default.svc`);
    text = replaceOnce(text, 'file: ca/eks-blue.crt', `file: ${world.cas.blue.certFile}`);
    text = text.replace(/data: LS0t[A-Za-z0-9+/=]+/, `data: ${Buffer.from(world.cas.green.certPem).toString('base64')}`);
    text = replaceOnce(text, 'trustAnchorsFile: linkerd/trust-anchor.crt', `trustAnchorsFile: ${join(ROOT, 'examples/linkerd/trust-anchor.crt')}`);
    const file = join(world.dir, `platform-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  const args = (file: string) => ['-i', TXT_NAME, '--dns-server', world.dns.address, '--allow-cluster', 'eks-*', '--role', PLATFORM_ADMIN, '--region', 'eu-west-1', '--config', file];

  it("names the access level, the colour (not the live one), and reaches the cluster's API from the file", async () => {
    healthy();
    world.clusters['eks-green']!.awsAuth = { mapRoles: [{ rolearn: PLATFORM_ADMIN, username: 'kubernetes-admin', groups: ['system:masters'] }], mapUsers: [] };
    const file = platformFile();
    const r = await runBuilt(['doctor', ...args(file)], { env: world.env(), timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(link(r.stdout, 'kubeconfig').mark).toBe('–');
    expect(link(r.stdout, 'cluster name').text).toContain(`-> eks-green (from the TXT record; allow-list eks-*; green in ${file}, NOT the live colour (blue))`);
    expect(link(r.stdout, 'mapping').text).toContain(`access level admin in ${file} (groups system:masters); aws-auth maps role ${PLATFORM_ADMIN}`);
    expect(link(r.stdout, 'API').text).toContain(`${world.api.green.url} knows you as "kubernetes-admin", groups system:masters, system:authenticated`);
  });

  it('without --config: the nearest platform.yaml up the tree, as the other commands find it', async () => {
    healthy();
    world.clusters['eks-green']!.awsAuth = { mapRoles: [{ rolearn: PLATFORM_ADMIN, username: 'kubernetes-admin', groups: ['system:masters'] }], mapUsers: [] };
    const env = world.env();
    const project = join(env.HOME as string, 'project');
    const deeper = join(project, 'apps', 'web');
    mkdirSync(deeper, { recursive: true });
    writeFileSync(join(project, 'platform.yaml'), readFileSync(platformFile(), 'utf8'));
    const found = await runBuilt(['doctor', ...args('x').slice(0, -2)], { env, cwd: deeper, timeoutMs: 60_000 });
    expect(found.stderr).toBe('');
    expect(link(found.stdout, 'mapping').text).toContain('access level admin in ../../platform.yaml');
    // None found (the search stops at HOME): the doctor runs without the platform checks.
    const bareEnv = world.env();
    const bare = join(bareEnv.HOME as string, 'elsewhere');
    mkdirSync(bare, { recursive: true });
    const none = await runBuilt(['doctor', ...args('x').slice(0, -2)], { env: bareEnv, cwd: bare, timeoutMs: 60_000 });
    expect(none.stdout).not.toContain('access level');
    expect(link(none.stdout, 'cluster name').text).toContain('-> eks-green (from the TXT record; allow-list eks-*)');
  });

  it('a TXT record naming neither cluster of the platform', async () => {
    healthy();
    world.dns.setTxt(TXT_NAME, ['eks-purple']);
    const file = platformFile();
    const r = await runBuilt(['doctor', ...args(file)], { env: world.env(), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const l = link(r.stdout, 'cluster name');
    expect(l.text).toContain(`-> eks-purple, which is neither cluster of ${file} (eks-blue, eks-green)`);
    expect(l.fix).toBe(`make the TXT record at ${TXT_NAME} name the live cluster (eks-blue per ${file})`);
  });

  it('usage: -i and --context are exclusive; --role needs -i', async () => {
    const both = await runBuilt(['doctor', '-i', 'eks-green', '--context', 'x'], { env: world.env() });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error: --context and -i are exclusive\nhint: /);
    const role = await runBuilt(['doctor', '--role', ROLE_ARN], { env: world.env() });
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/^error: --role, --region, --profile, --dns-server, --allow-cluster and --no-dns go with -i/);
  });
});
