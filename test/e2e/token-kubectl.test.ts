/**
 * The real thing: kubectl (from PATH) runs the built dist/bascule.js as its exec
 * credential plugin; nothing is mocked between them. The stand-in API servers
 * check tokens as EKS does; the TXT record says which cluster is live; moto
 * plays STS for AssumeRole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, envKeys, KEYS, spawnAsync } from '../support/run.js';
import { ROLE_ARN, startWorld, TXT_NAME, writeKubeconfig, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world?.stop());

const kubectl = (kubeconfig: string, args: string[], env: NodeJS.ProcessEnv) => spawnAsync('kubectl', ['--kubeconfig', kubeconfig, ...args], { env });
const tokenArgs = (extra: string[] = []) => [
  'token', '-i', TXT_NAME, '--dns-server', world.dns.address, '--allow-cluster', 'eks-blue', '--allow-cluster', 'eks-green', ...extra,
];
const bothCas = () => [world.cas.blue.certPem, world.cas.green.certPem];

describe('kubectl with bascule as its credential plugin', () => {
  it.each(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'])('lists namespaces on green when the TXT record says green (%s)', async (apiVersion) => {
    world.dns.setTxt(TXT_NAME, ['eks-green']);
    const config = writeKubeconfig(world, { server: world.api.green.url, caPems: bothCas(), args: tokenArgs(), apiVersion });
    const before = world.api.green.identities.length;
    const r = await kubectl(config, ['get', 'namespaces', '-o', 'name'], envKeys());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('namespace/default\nnamespace/kube-system\nnamespace/eks-green\n');
    expect(world.api.green.identities.length).toBeGreaterThan(before);
    expect(world.api.green.identities.at(-1)).toMatchObject({ arn: KEYS.arn, clusterName: 'eks-green' });
  });

  it('the same kubeconfig is refused by the blue server (the token names green)', async () => {
    world.dns.setTxt(TXT_NAME, ['eks-green']);
    const config = writeKubeconfig(world, { server: world.api.blue.url, caPems: bothCas(), args: tokenArgs() });
    const rejected = world.api.blue.rejections.length;
    const r = await kubectl(config, ['get', 'namespaces', '-o', 'name'], envKeys());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
    expect(world.api.blue.rejections.slice(rejected).map((x) => x.reason)).toContain('STS: SignatureDoesNotMatch (wrong key, or signed for another cluster)');
  });

  it('follows a switch at once: TXT now says blue, blue accepts', async () => {
    world.dns.setTxt(TXT_NAME, ['eks-blue']);
    try {
      const config = writeKubeconfig(world, { server: world.api.blue.url, caPems: bothCas(), args: tokenArgs() });
      const r = await kubectl(config, ['get', 'namespaces', '-o', 'name'], envKeys());
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('namespace/eks-blue');
    } finally {
      world.dns.setTxt(TXT_NAME, ['eks-green']);
    }
  });

  it('with --role, the server sees the assumed role session (moto STS)', async () => {
    const env = envKeys({ AWS_ENDPOINT_URL_STS: world.moto!.endpoint });
    const config = writeKubeconfig(world, { server: world.api.green.url, caPems: bothCas(), args: tokenArgs(['-r', ROLE_ARN, '-s', 'alice']) });
    const r = await kubectl(config, ['get', 'namespaces', '-o', 'name'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const identity = world.api.green.identities.at(-1)!;
    expect(identity.arn).toBe('arn:aws:sts::123456789012:assumed-role/k8s-admin/alice');
    expect(identity.accessKeyId).not.toBe(KEYS.accessKeyId);
    const issued = (await world.moto!.assumedRoles()).find((role: { access_key_id: string }) => role.access_key_id === identity.accessKeyId);
    expect(issued).toMatchObject({ role_arn: ROLE_ARN, session_name: 'alice' });
  });

  it('refuses to sign when the TXT record names a cluster outside the allow-list; kubectl shows why', async () => {
    world.dns.setTxt(TXT_NAME, ['eks-prod']);
    try {
      const config = writeKubeconfig(world, { server: world.api.green.url, caPems: bothCas(), args: tokenArgs() });
      const r = await kubectl(config, ['get', 'namespaces', '-o', 'name'], envKeys());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('refusing to sign for cluster "eks-prod"');
    } finally {
      world.dns.setTxt(TXT_NAME, ['eks-green']);
    }
  });

  it('works when written as `aws eks update-kubeconfig` writes it (command swapped)', async () => {
    const config = writeKubeconfig(world, {
      server: world.api.green.url,
      caPems: [world.cas.green.certPem],
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'eks-green', '--output', 'json'],
    });
    const r = await kubectl(config, ['get', '--raw', '/api/v1/namespaces'], envKeys({ AWS_REGION: undefined }));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).kind).toBe('NamespaceList');
  });

  it('no credentials: kubectl shows which sources were tried', async () => {
    const config = writeKubeconfig(world, { server: world.api.green.url, caPems: bothCas(), args: tokenArgs(['--region', 'eu-west-1']) });
    const r = await kubectl(config, ['get', 'namespaces', '-o', 'name'], cleanEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: no AWS credentials found/);
    expect(r.stderr).toMatch(/looked, in botocore's order, at: the environment \(AWS_ACCESS_KEY_ID\), profile "default" \(role_arn, web identity, SSO, keys, credential_process\), container credentials; EC2 instance metadata is off/);
  });
});
