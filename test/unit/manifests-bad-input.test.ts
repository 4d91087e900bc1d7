/**
 * Every bad input of `bascule manifests`, as a table: the example platform
 * with one thing broken. Each fails with a non-zero exit, a message naming
 * the key (and its line) and what is wrong, and nothing written.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { replaceOnce, expectPlatformError, type PlatformCase } from '../support/text.js';
import { makeTempDir } from '../support/temp.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLE = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');

let dir: string;
beforeAll(() => {
  dir = makeTempDir('manifests-bad-');
  cpSync(join(ROOT, 'examples/ca'), join(dir, 'ca'), { recursive: true });
  cpSync(join(ROOT, 'examples/linkerd'), join(dir, 'linkerd'), { recursive: true });
  writeFileSync(join(dir, 'linkerd', 'not-a-cert.pem'), 'hello\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


type Case = PlatformCase;

const dropRole = (colour: string, addon: string, role: string) => () =>
  replaceOnce(EXAMPLE, `      ${addon}:\n        roleArn: arn:aws:iam::123456789012:role/eks-${colour}-${role}\n`, '');

const cases: Case[] = [
  {
    name: 'a namespace that is not a DNS-1123 label',
    text: () => replaceOnce(EXAMPLE, '  - name: lci\n', '  - name: LCI_prod\n'),
    path: 'namespaces[1].name',
    lineAt: 'LCI_prod',
    says: ['expected a Kubernetes namespace name (lower-case letters, digits and -), got "LCI_prod"'],
  },
  {
    name: 'a namespace longer than 63 characters',
    text: () => replaceOnce(EXAMPLE, '  - name: lci\n', `  - name: ${'l'.repeat(64)}\n`),
    path: 'namespaces[1].name',
    lineAt: 'l'.repeat(64),
    says: ['expected a Kubernetes namespace name'],
  },
  {
    name: 'a duplicate namespace',
    text: () => replaceOnce(EXAMPLE, '  - name: lci\n', '  - name: tf1\n'),
    path: 'namespaces[1].name',
    lineAt: 'tf1\n  - name: tfoumax',
    says: ['duplicate namespace "tf1" (also namespaces[0])'],
  },
  {
    name: 'a kube-* namespace',
    text: () => replaceOnce(EXAMPLE, '  - name: lci\n', '  - name: kube-system\n'),
    path: 'namespaces[1].name',
    lineAt: 'kube-system\n',
    says: ['"kube-system" is reserved for Kubernetes (kube-*)'],
  },
  ...(
    [
      ['externalSecrets', 'external-secrets', 'External Secrets Operator', 'external-secrets:external-secrets'],
      ['vpcCni', 'vpc-cni', 'the AWS VPC CNI', 'kube-system:aws-node'],
      ['awsLoadBalancerController', 'aws-load-balancer-controller', 'the AWS Load Balancer Controller', 'kube-system:aws-load-balancer-controller'],
      ['clusterAutoscaler', 'cluster-autoscaler', 'the Cluster Autoscaler', 'kube-system:cluster-autoscaler'],
    ] as const
  ).map(
    ([addon, role, title, sa]): Case => ({
      name: `${addon} on green without a role`,
      text: dropRole('green', addon, role),
      path: `clusters.green.addons.${addon}.roleArn`,
      lineAt: addon === 'externalSecrets' ? 'vpcCni:\n        roleArn: arn:aws:iam::123456789012:role/eks-green-vpc-cni' : 'externalSecrets:\n        roleArn: arn:aws:iam::123456789012:role/eks-green-external-secrets',
      says: [`is missing; ${title} calls AWS APIs with an IRSA role (trusted for system:serviceaccount:${sa})`],
    }),
  ),
  {
    name: 'a role for an add-on that calls no AWS API',
    text: () => replaceOnce(EXAMPLE, '      clusterAutoscaler:\n        roleArn: arn:aws:iam::123456789012:role/eks-blue-cluster-autoscaler\n', '      clusterAutoscaler:\n        roleArn: arn:aws:iam::123456789012:role/eks-blue-cluster-autoscaler\n      metricsServer:\n        roleArn: arn:aws:iam::123456789012:role/eks-blue-metrics\n'),
    path: 'clusters.blue.addons.metricsServer.roleArn',
    lineAt: 'role/eks-blue-metrics',
    says: ['Metrics Server calls no AWS API; expected no role'],
  },
  {
    name: 'an enabled add-on without a chart version',
    text: () => replaceOnce(EXAMPLE, '  descheduler: { enabled: true, chartVersion: 0.36.0 }', '  descheduler: { enabled: true }'),
    path: 'addons.descheduler.chartVersion',
    lineAt: 'descheduler: { enabled: true }',
    says: ['is missing; expected the descheduler chart version to pin (the Descheduler is enabled on blue)'],
  },
  {
    name: 'an add-on enabled on one cluster only, without a chart version',
    text: () =>
      replaceOnce(
        replaceOnce(EXAMPLE, '  descheduler: { enabled: true, chartVersion: 0.36.0 }', '  descheduler: { enabled: false }'),
        '      clusterAutoscaler:\n        roleArn: arn:aws:iam::123456789012:role/eks-green-cluster-autoscaler\n',
        '      clusterAutoscaler:\n        roleArn: arn:aws:iam::123456789012:role/eks-green-cluster-autoscaler\n      descheduler:\n        enabled: true\n',
      ),
    path: 'addons.descheduler.chartVersion',
    lineAt: 'descheduler: { enabled: false }',
    says: ['(the Descheduler is enabled on green)'],
  },
  {
    name: 'ExternalDNS without a role',
    text: () => replaceOnce(EXAMPLE, '    externalDns:\n      roleArn: arn:aws:iam::123456789012:role/eks-green-external-dns\n', ''),
    path: 'clusters.green.externalDns.roleArn',
    lineAt: 'name: eks-green',
    says: ['is missing; ExternalDNS writes Route53 records with an IRSA role (for private, public, livePrivate, livePublic)'],
  },
  {
    name: 'the Load Balancer Controller without a VPC id',
    text: () => replaceOnce(EXAMPLE, '    vpcId: vpc-0f1e2d3c4b5a69788\n', ''),
    path: 'clusters.green.vpcId',
    lineAt: 'name: eks-green',
    says: ['is missing; the AWS Load Balancer Controller needs the VPC id'],
  },
  {
    name: 'Linkerd without its CRD chart version',
    text: () => replaceOnce(EXAMPLE, '    crdsChartVersion: 1.8.0               # linkerd-crds\n', ''),
    path: 'addons.linkerd.crdsChartVersion',
    lineAt: 'enabled: true\n    chartVersion: 1.16.11',
    says: ['is missing; expected the linkerd-crds chart version to pin'],
  },
  {
    name: 'Linkerd without a trust anchor',
    text: () => replaceOnce(EXAMPLE, '    trustAnchorsFile: linkerd/trust-anchor.crt   # the root certificate only; the issuer is a Secret (see docs)\n', ''),
    path: 'addons.linkerd.trustAnchorsFile',
    lineAt: 'enabled: true\n    chartVersion: 1.16.11',
    says: ['is missing; linkerd-control-plane needs the trust anchor certificate'],
  },
  {
    name: 'a Linkerd trust anchor file that does not exist',
    text: () => replaceOnce(EXAMPLE, 'trustAnchorsFile: linkerd/trust-anchor.crt', 'trustAnchorsFile: linkerd/absent.crt'),
    says: ['addons.linkerd.trustAnchorsFile: cannot read', 'linkerd/absent.crt: it does not exist'],
  },
  {
    name: 'a Linkerd trust anchor file holding no certificate',
    text: () => replaceOnce(EXAMPLE, 'trustAnchorsFile: linkerd/trust-anchor.crt', 'trustAnchorsFile: linkerd/not-a-cert.pem'),
    says: ['addons.linkerd.trustAnchorsFile:', 'not-a-cert.pem holds no PEM certificate'],
  },
  {
    name: 'a system: group with access entries',
    text: () => replaceOnce(EXAMPLE, '    groups: [readonly, debugmode]\n', '    groups: [readonly, debugmode, system:authenticated]\n'),
    path: 'access[2].groups[2]',
    lineAt: 'system:authenticated',
    says: ['"system:authenticated": access entries may not use system: groups'],
  },
  {
    name: 'system:masters without the admin access policy',
    text: () => replaceOnce(EXAMPLE, '    # accessPolicies: [AmazonEKSClusterAdminPolicy]   default when groups hold system:masters\n', '    accessPolicies: [AmazonEKSViewPolicy]\n'),
    path: 'access[0].accessPolicies',
    lineAt: 'AmazonEKSViewPolicy',
    says: ['lacks AmazonEKSClusterAdminPolicy: the groups hold system:masters, which access entries refuse'],
  },
  {
    name: 'a user name access entries refuse',
    text: () => replaceOnce(EXAMPLE, 'username: kubernetes-admin', 'username: eks:admin'),
    path: 'access[0].username',
    lineAt: 'eks:admin',
    says: ['"eks:admin": EKS access entries refuse user names starting with system:, eks:'],
  },
  {
    name: 'one role for two access levels',
    text: () => replaceOnce(EXAMPLE, 'role/etf1-crossaccount-k8sreadonly', 'role/etf1-crossaccount-k8sreadwrite'),
    path: 'access[2].roleArn',
    lineAt: 'role/etf1-crossaccount-k8sreadwrite\n    groups: [readonly',
    says: ["is also access[1]'s role"],
  },
  {
    name: 'an invalid kube-dns IP',
    text: () => replaceOnce(EXAMPLE, '    # kubeDnsIp: 172.20.0.10 ', '    kubeDnsIp: 172.20.0.300 #'),
    path: 'addons.nodeLocalDns.kubeDnsIp',
    lineAt: '172.20.0.300',
    says: ['expected an IPv4 address like 172.20.0.10, got "172.20.0.300"'],
  },
  {
    name: 'a chart version for NodeLocal DNS, which has no chart',
    text: () => replaceOnce(EXAMPLE, '  nodeLocalDns:\n    enabled: true\n', '  nodeLocalDns:\n    enabled: true\n    chartVersion: 2.1.0\n'),
    path: 'addons.nodeLocalDns.chartVersion',
    lineAt: 'chartVersion: 2.1.0',
    says: ['unknown key "chartVersion"', 'expected one of: enabled, image, localIp, kubeDnsIp, clusterDomain'],
  },
  {
    name: 'an invalid ExternalDNS resource quantity',
    text: () => replaceOnce(EXAMPLE, '  policy: upsert-only\n', '  policy: upsert-only\n  resources: { requests: { memory: 64MB } }\n'),
    path: 'externalDns.resources.requests.memory',
    lineAt: '64MB',
    says: ['expected a memory quantity like 64Mi, got "64MB"'],
  },
  {
    name: 'an annotation prefix without its slash',
    text: () => replaceOnce(EXAMPLE, '  policy: upsert-only\n', '  policy: upsert-only\n  annotationPrefix: external-dns.alpha.kubernetes.io\n'),
    path: 'externalDns.annotationPrefix',
    lineAt: 'external-dns.alpha.kubernetes.io',
    says: ['expected an annotation prefix ending in /'],
  },
  {
    name: 'an unknown --colour',
    text: () => EXAMPLE,
    args: ['--colour', 'red'],
    says: ['--colour "red": expected blue or green'],
  },
];

describe('bad inputs of bascule manifests: exit code, the key and its line, nothing written', () => {
  it.each(cases)('$name', async (c) => {
    const text = c.text();
    const config = join(dir, 'platform.yaml');
    writeFileSync(config, text);
    const out = join(dir, 'out');
    const result = await runCli(['manifests', '--config', config, '--out', out, ...(c.args ?? [])], { cwd: dir });
    expectPlatformError(result, text, c);
    expect(existsSync(out)).toBe(false);
  });

  it('--out is required', async () => {
    const result = await runCli(['manifests', '--config', join(ROOT, 'examples/platform.yaml')], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --out DIR is required');
  });

  it('all the problems at once', async () => {
    const text = replaceOnce(dropRole('blue', 'vpcCni', 'vpc-cni')(), '  - name: lci\n', '  - name: kube-lci\n');
    writeFileSync(join(dir, 'platform.yaml'), text);
    const result = await runCli(['manifests', '--config', join(dir, 'platform.yaml'), '--out', join(dir, 'out')], { cwd: dir });
    expect(result.stderr).toContain('(2 problems)');
    expect(result.stderr).toContain('clusters.blue.addons.vpcCni.roleArn');
    expect(result.stderr).toContain('namespaces[1].name');
  });

  it('with authMode aws-auth, system: groups are the user\'s business', async () => {
    const text = replaceOnce(replaceOnce(EXAMPLE, 'authMode: both', 'authMode: aws-auth'), '    groups: [readonly, debugmode]\n', '    groups: [readonly, debugmode, system:authenticated]\n');
    writeFileSync(join(dir, 'platform.yaml'), text);
    const out = join(dir, 'ok');
    const result = await runCli(['manifests', '--config', join(dir, 'platform.yaml'), '--out', out], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, 'blue', 'aws-auth.yaml'), 'utf8')).toContain('- system:authenticated');
    rmSync(out, { recursive: true });
  });

  it('a kubeconfig does not need what only the manifests need', async () => {
    writeFileSync(join(dir, 'platform.yaml'), dropRole('green', 'vpcCni', 'vpc-cni')());
    const result = await runCli(['kubeconfig', '--config', join(dir, 'platform.yaml')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  });
});
