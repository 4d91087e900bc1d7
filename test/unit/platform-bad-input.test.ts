/**
 * Every bad input, as a table: the example platform with one thing broken.
 * Each must fail with a non-zero exit, a message naming the key (and its
 * line) or the file, and what is wrong; and nothing may be written.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeCa, makeServerCert } from '../support/certs.mjs';
import { replaceOnce, expectPlatformError, type PlatformCase } from '../support/text.js';
import { makeTempDir } from '../support/temp.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLE = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');

let dir: string;
let leafPem: string;
let keyPem: string;

beforeAll(() => {
  dir = makeTempDir('bad-');
  cpSync(join(ROOT, 'examples/ca'), join(dir, 'ca'), { recursive: true });
  const ca = makeCa('bad-input');
  const leaf = makeServerCert(ca);
  leafPem = leaf.certPem;
  keyPem = leaf.keyPem;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));



type Case = PlatformCase;

const green = 'name: eks-green\n';
const cases: Case[] = [
  {
    name: 'unknown top-level key',
    text: () => replaceOnce(EXAMPLE, 'live: blue\n', 'live: blue\nlve: green\n'),
    path: 'lve',
    lineAt: 'lve: green',
    says: ['unknown key "lve" (did you mean "live"?)', 'expected one of:'],
  },
  {
    name: 'unknown nested key',
    text: () => replaceOnce(EXAMPLE, '    vpcId: vpc-0f1e2d3c4b5a69788\n', '    vpcId: vpc-0f1e2d3c4b5a69788\n    endpont: https://x.example.com\n'),
    path: 'clusters.green.endpont',
    lineAt: 'endpont:',
    says: ['unknown key "endpont" (did you mean "endpoint"?)'],
  },
  {
    name: 'unknown key in an access level',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', '    username: kubernetes-readonly\n    group: [x]\n'),
    path: 'access[2].group',
    lineAt: 'group: [x]',
    says: ['unknown key "group" (did you mean "groups"?)'],
  },
  {
    name: 'wrong type: a string for a number',
    text: () => replaceOnce(EXAMPLE, '  zoneId: Z0DEVINFRAINFO03\n  ttl: 60\n', '  zoneId: Z0DEVINFRAINFO03\n  ttl: sixty\n'),
    path: 'clusterNameRecord.ttl',
    lineAt: 'ttl: sixty',
    says: ['expected a number of seconds, got "sixty"'],
  },
  {
    name: 'wrong type: a list for a mapping',
    text: () => replaceOnce(EXAMPLE, 'aws:\n  accountId: "123456789012"\n  region: eu-west-3\n', 'aws: [123456789012, eu-west-3]\n'),
    path: 'aws',
    lineAt: 'aws: [',
    says: ['expected a mapping with accountId and region, got a list'],
  },
  {
    name: 'wrong type: an unquoted account id',
    text: () => replaceOnce(EXAMPLE, 'accountId: "123456789012"', 'accountId: 123456789012'),
    path: 'aws.accountId',
    lineAt: 'accountId:',
    says: ['expected the 12-digit account id as a quoted string', 'got 123456789012'],
  },
  {
    name: 'wrong type: yes for a boolean',
    text: () => replaceOnce(EXAMPLE, 'mfa: true', 'mfa: yes'),
    path: 'access[0].mfa',
    lineAt: 'mfa: yes',
    says: ['expected true or false, got "yes"'],
  },
  {
    name: 'a missing required key',
    text: () => replaceOnce(EXAMPLE, 'clusterNameRecord:\n  name: eks.devinfra.info\n', 'clusterNameRecord:\n'),
    path: 'clusterNameRecord.name',
    lineAt: 'zoneId: Z0DEVINFRAINFO03',
    says: ['is missing; expected a lower-case DNS name like eks.devinfra.info'],
  },
  {
    name: 'invalid role ARN (short account)',
    text: () => replaceOnce(EXAMPLE, 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadwrite', 'arn:aws:iam::12345:role/etf1-crossaccount-k8sreadwrite'),
    path: 'access[1].roleArn',
    lineAt: 'arn:aws:iam::12345:',
    says: ['expected an IAM role ARN like arn:aws:iam::123456789012:role/NAME', 'got "arn:aws:iam::12345:role/etf1-crossaccount-k8sreadwrite"'],
  },
  {
    name: 'invalid role ARN (a user, not a role)',
    text: () => replaceOnce(EXAMPLE, 'role/eks-green-external-dns', 'user/eks-green-external-dns'),
    path: 'clusters.green.externalDns.roleArn',
    lineAt: 'user/eks-green-external-dns',
    says: ['expected an IAM role ARN'],
  },
  {
    name: 'invalid cluster name',
    text: () => replaceOnce(EXAMPLE, '    name: eks-green\n', '    name: eks green!\n'),
    path: 'clusters.green.name',
    lineAt: 'eks green!',
    says: ['expected an EKS cluster name', 'got "eks green!"'],
  },
  {
    name: 'the same cluster twice',
    text: () => replaceOnce(EXAMPLE, `    ${green}`, '    name: eks-blue\n'),
    path: 'clusters.green.name',
    lineAt: 'eks-blue\n    endpoint: https://0F9E',
    says: ['is the same EKS cluster name as clusters.blue.name'],
  },
  {
    name: 'invalid domain (trailing dot)',
    text: () => replaceOnce(EXAMPLE, '    name: devinfra.fr\n', '    name: devinfra.fr.\n'),
    path: 'domains.public.name',
    lineAt: 'devinfra.fr.',
    says: ['expected a lower-case DNS domain like devinfra.local (no trailing dot)', 'got "devinfra.fr."'],
  },
  {
    name: 'invalid domain (upper case, one label)',
    text: () => replaceOnce(EXAMPLE, '    name: devinfra.local\n', '    name: DEVINFRA\n'),
    path: 'domains.private.name',
    lineAt: 'name: DEVINFRA',
    says: ['expected a lower-case DNS domain'],
  },
  {
    name: 'invalid PEM (not a certificate at all)',
    text: () => replaceOnce(EXAMPLE, '    ca:\n      file: ca/eks-blue.crt', '    ca:\n      pem: "hello"'),
    path: 'clusters.blue.ca.pem',
    lineAt: 'pem: "hello"',
    says: ['holds no PEM certificate'],
  },
  {
    name: 'invalid PEM (a private key, never echoed)',
    text: () => replaceOnce(EXAMPLE, '    ca:\n      file: ca/eks-blue.crt', `    ca:\n      pem: ${JSON.stringify(keyPem)}`),
    path: 'clusters.blue.ca.pem',
    lineAt: 'pem: "-----BEGIN',
    says: ['is a PRIVATE KEY block; a CA bundle holds only CERTIFICATE blocks'],
  },
  {
    name: 'invalid PEM (a serving certificate, not a CA)',
    text: () => replaceOnce(EXAMPLE, '    ca:\n      file: ca/eks-blue.crt', `    ca:\n      pem: ${JSON.stringify(leafPem)}`),
    path: 'clusters.blue.ca.pem',
    lineAt: 'pem: "-----BEGIN',
    says: ['is not a CA certificate (basicConstraints CA:FALSE)'],
  },
  {
    name: 'invalid PEM (corrupted base64 inside)',
    text: () => replaceOnce(EXAMPLE, '    ca:\n      file: ca/eks-blue.crt', `    ca:\n      pem: ${JSON.stringify(readFileSync(join(ROOT, 'examples/ca/eks-blue.crt'), 'utf8').replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n'))}`),
    path: 'clusters.blue.ca.pem',
    lineAt: 'pem: "-----BEGIN',
    says: ['is not a valid X.509 certificate'],
  },
  {
    name: 'invalid CA data (base64 of no certificate, like moto returns)',
    text: () => EXAMPLE.replace(/      data: [A-Za-z0-9+/=]+\n/, '      data: lYQnirF8SeCeuWZWtYXbkSXmCeI5eqqUk8yrr4jknnF9lPJW\n'),
    path: 'clusters.green.ca.data',
    lineAt: 'data: lYQnir',
    says: ['is base64, but not of a PEM certificate'],
  },
  {
    name: 'two CA sources',
    text: () => replaceOnce(EXAMPLE, '      file: ca/eks-blue.crt', '      file: ca/eks-blue.crt\n      pem: x'),
    path: 'clusters.blue.ca',
    lineAt: 'file: ca/eks-blue.crt',
    says: ['expected exactly one of file, data or pem'],
  },
  {
    name: 'duplicate access names',
    text: () => replaceOnce(EXAMPLE, '  - name: readonly\n', '  - name: readwrite\n'),
    path: 'access[2].name',
    lineAt: 'readwrite\n    roleArn: arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadonly',
    says: ['duplicate access level "readwrite" (also access[1])'],
  },
  {
    name: 'duplicate namespaces',
    text: () => replaceOnce(EXAMPLE, '  - name: lci\n', '  - name: tf1\n'),
    path: 'namespaces[1].name',
    lineAt: 'tf1\n  - name: tfoumax',
    says: ['duplicate namespace "tf1"'],
  },
  {
    name: 'a live colour that is not defined',
    text: () => replaceOnce(EXAMPLE, 'live: blue', 'live: red'),
    path: 'live',
    lineAt: 'live: red',
    says: ['expected blue or green', 'got "red"'],
  },
  {
    name: 'a third cluster',
    text: () => replaceOnce(EXAMPLE, '\n# Access levels', '  red:\n    name: eks-red\n\n# Access levels'),
    path: 'clusters.red',
    lineAt: 'red:',
    says: ['unknown key "red"', 'expected one of: blue, green'],
  },
  {
    name: 'an http endpoint',
    text: () => replaceOnce(EXAMPLE, 'endpoint: https://0F9E', 'endpoint: http://0F9E'),
    path: 'clusters.green.endpoint',
    lineAt: 'endpoint: http://',
    says: ['expected an https:// URL'],
  },
  {
    name: 'an IP endpoint without tlsServerName',
    text: () => replaceOnce(EXAMPLE, 'endpoint: https://0F9E8D7C6B5A49382716F5E4D3C2B1A0.yl4.eu-west-3.eks.amazonaws.com', 'endpoint: https://10.1.2.3'),
    path: 'clusters.green.endpoint',
    lineAt: 'https://10.1.2.3',
    says: ['is an IP address; EKS serving certificates carry no IP SAN', 'clusters.green.tlsServerName'],
  },
  {
    name: 'an invalid ExternalDNS policy and image',
    text: () => replaceOnce(EXAMPLE, '  policy: upsert-only', '  policy: delete-all'),
    path: 'externalDns.policy',
    lineAt: 'delete-all',
    says: ['expected upsert-only, sync or create-only'],
  },
  {
    name: 'an unknown add-on',
    text: () => replaceOnce(EXAMPLE, '  fluentBit:', '  fluentd: { enabled: true }\n  fluentBit:'),
    path: 'addons.fluentd',
    lineAt: 'fluentd:',
    says: ['unknown key "fluentd"'],
  },
  {
    name: 'an invalid Route53 zone id',
    text: () => replaceOnce(EXAMPLE, '  zoneId: Z0DEVINFRAINFO03', '  zoneId: /hostedzone/Z0DEVINFRAINFO03'),
    path: 'clusterNameRecord.zoneId',
    lineAt: '/hostedzone/',
    says: ['expected a Route53 hosted zone id like Z0123456789ABCDEFGHIJ (without /hostedzone/)'],
  },
  {
    name: 'YAML syntax error',
    text: () => replaceOnce(EXAMPLE, 'live: blue', 'live: [blue'),
    says: ['is not valid YAML', 'line '],
  },
  {
    name: 'duplicate YAML keys',
    text: () => replaceOnce(EXAMPLE, 'live: blue', 'live: blue\nlive: green'),
    says: ['is not valid YAML', 'Map keys must be unique'],
  },
  {
    name: 'an empty file',
    text: () => '# nothing yet\n',
    says: ['is empty', 'bascule init'],
  },
  {
    name: 'an unknown --access',
    text: () => EXAMPLE,
    args: ['--access', 'superuser'],
    says: ['--access "superuser": no such access level', 'the access levels are: admin, readwrite, readonly'],
  },
  {
    name: 'a source identity STS refuses (the flag\'s rule)',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', '    username: kubernetes-readonly\n    sourceIdentity: alice smith\n'),
    path: 'access[2].sourceIdentity',
    lineAt: 'sourceIdentity: alice smith',
    says: ['expected an STS source identity (2-64 letters, digits and +=,.@_-)'],
  },
  {
    name: 'a one-character source identity',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', '    username: kubernetes-readonly\n    sourceIdentity: a\n'),
    path: 'access[2].sourceIdentity',
    lineAt: 'sourceIdentity: a',
    says: ['expected an STS source identity', 'got "a"'],
  },
  {
    name: 'a tag value that is a number',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', '    username: kubernetes-readonly\n    tags:\n      cost: 42\n'),
    path: 'access[2].tags.cost',
    lineAt: 'cost: 42',
    says: ['expected a session tag value (quote numbers and booleans: "42")'],
  },
  {
    name: 'a tag key with the aws: prefix',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', '    username: kubernetes-readonly\n    tags:\n      aws:team: x\n'),
    path: 'access[2].tags.aws:team',
    lineAt: 'aws:team: x',
    says: ['"aws:team" starts with "aws:", a prefix AWS keeps for itself'],
  },
  {
    name: 'a tag key with "=" (--tag KEY=VALUE could not carry it)',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', '    username: kubernetes-readonly\n    tags:\n      "a=b": x\n'),
    path: 'access[2].tags.a=b',
    lineAt: '"a=b": x',
    says: ['holds "=", which --tag KEY=VALUE cannot carry in a key'],
  },
  {
    name: 'two tag keys that differ only by case',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', '    username: kubernetes-readonly\n    tags:\n      team: a\n      Team: b\n'),
    path: 'access[2].tags',
    lineAt: 'team: a',
    says: ['tag keys "team" and "Team" are the same to STS (keys ignore case)'],
  },
  {
    name: '51 tags',
    text: () => replaceOnce(EXAMPLE, '    username: kubernetes-readonly\n', `    username: kubernetes-readonly\n    tags:\n${Array.from({ length: 51 }, (_, i) => `      k${i}: v\n`).join('')}`),
    path: 'access[2].tags',
    lineAt: 'k0: v',
    says: ['expected at most 50 session tags (STS\'s limit)'],
  },
  {
    name: '--out with --merge',
    text: () => EXAMPLE,
    args: ['--merge', 'x'],
    says: ['--out and --merge are exclusive'],
  },
];

describe('bad platform files: exit code, the key and its line, nothing written', () => {
  it.each(cases)('$name', async (c) => {
    const text = c.text();
    const config = join(dir, 'platform.yaml');
    writeFileSync(config, text);
    const out = join(dir, 'out', 'kubeconfig.yaml');
    const result = await runCli(['kubeconfig', '--config', config, '--out', out, ...(c.args ?? [])], { cwd: dir });
    expectPlatformError(result, text, c);
    expect(existsSync(out)).toBe(false);
    // Never echo key or certificate material.
    expect(result.stderr).not.toMatch(/[A-Za-z0-9+/]{60,}/);
  });
});

describe('bad files around the platform file', () => {
  it('a missing platform file: io error naming it, exit 1', async () => {
    const result = await runCli(['kubeconfig', '--config', 'nope.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cannot read the platform file nope.yaml: it does not exist');
    expect(result.stderr).toContain('bascule init');
  });

  it.each([
    ['a missing CA file', 'ca/absent.crt', null, 'cannot read the CA file', 'it does not exist'],
    ['a CA file that is a directory', 'ca', null, 'cannot read the CA file', 'it is a directory'],
    ['a CA file holding no certificate', 'ca/empty.crt', '', 'the CA file', 'holds no PEM certificate'],
  ])('%s: names the key and the file', async (_name, file, content, ...says) => {
    if (content !== null) writeFileSync(join(dir, file), content);
    const config = join(dir, 'platform.yaml');
    writeFileSync(config, replaceOnce(EXAMPLE, 'file: ca/eks-blue.crt', `file: ${file}`));
    const out = join(dir, 'out2.yaml');
    const result = await runCli(['kubeconfig', '--config', config, '--out', out], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`clusters.blue.ca.file: `);
    expect(result.stderr).toContain(join(dir, file));
    for (const s of says) expect(result.stderr).toContain(s);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['does not parse', 'clusters: [\n', 'it does not parse as YAML (line 2)'],
    ['is a list', '- a\n- b\n', 'expected a mapping at the top level, got a list'],
    ['is another kind of object', 'apiVersion: v1\nkind: Pod\n', 'kind is "Pod", expected Config'],
    ['has clusters that are not a list', 'apiVersion: v1\nkind: Config\nclusters: {a: 1}\n', 'clusters is not a list'],
    ['has an entry without a name', 'apiVersion: v1\nkind: Config\nusers:\n- user: {token: x}\n', 'users[0] has no name'],
    ['has several documents', 'apiVersion: v1\n---\nkind: Config\n', 'does not parse as YAML'],
  ])('an --merge target that %s: refused, file unchanged, no backup', async (_name, content, says) => {
    mkdirSync(join(dir, 'merge'), { recursive: true });
    const target = join(dir, 'merge', 'config');
    writeFileSync(target, content);
    const result = await runCli(['kubeconfig', '--config', join(ROOT, 'examples/platform.yaml'), '--merge', target], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${target} is not a kubeconfig bascule can merge into: `);
    expect(result.stderr).toContain(says);
    expect(result.stderr).toContain('nothing was written');
    expect(readFileSync(target, 'utf8')).toBe(content);
    expect(existsSync(`${target}.bak`)).toBe(false);
  });
});
