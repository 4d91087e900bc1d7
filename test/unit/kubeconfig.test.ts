/**
 * The kubeconfig generator's pure parts and its file adapter: golden files for
 * the example, the shape of each entry, YAML that both YAML 1.1 and 1.2
 * readers take the same way, the merge, and atomic writes.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildKubeconfig, type ClusterAccess, type Kubeconfig } from '../../src/kubeconfig/build.js';
import { writeAtomic } from '../../src/files.js';
import { asKubeconfig, mergeKubeconfig } from '../../src/kubeconfig/merge.js';
import { loadPlatform } from '../../src/platform/load.js';
import type { Platform } from '../../src/platform/model.js';
import { emitYaml, isPlainSafe, KUBECTL_YAML_OPTIONS } from '../../src/platform/yaml-out.js';
import { runCli } from '../support/cli.js';
import { golden, tempDirs, readRepoFile } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const read = readRepoFile;

const tempDir = tempDirs('bascule-kc-');

const example = (): Platform => loadPlatform(read('examples/platform.yaml'), { source: 'examples/platform.yaml', baseDir: join(ROOT, 'examples') });
const pem = (file: string) => read(file);
const clusters = (): Record<'blue' | 'green', ClusterAccess> => ({
  blue: { name: 'eks-blue', endpoint: 'https://blue.example', caPem: pem('examples/ca/eks-blue.crt'), tlsServerName: undefined },
  green: { name: 'eks-green', endpoint: 'https://green.example', caPem: pem('examples/ca/eks-green.crt'), tlsServerName: 'kubernetes.default.svc' },
});
const certsIn = (b64: string) => Buffer.from(b64, 'base64').toString().match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

describe('golden files for the example', () => {
  it('kubeconfig.example.yaml is what `bascule kubeconfig --config examples/platform.yaml` prints', async () => {
    const result = await runCli(['kubeconfig', '--config', 'examples/platform.yaml'], { cwd: ROOT });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    golden('kubeconfig.example.yaml', result.stdout);
  });

  it('one access level, an absolute command, a DNS server', async () => {
    const dir = tempDir();
    const text = read('examples/platform.yaml').replace(/^ {2}# dnsServer: .*$/m, '  dnsServer: 10.0.0.2:5353').replace('file: ca/eks-blue.crt', `file: ${join(ROOT, 'examples/ca/eks-blue.crt')}`);
    writeFileSync(join(dir, 'platform.yaml'), text);
    const result = await runCli(['kubeconfig', '--config', 'platform.yaml', '--access', 'readonly', '--command', '/opt/bascule/bin/bascule'], { cwd: dir });
    expect(result.code).toBe(0);
    golden('test/golden/kubeconfig.example-readonly.yaml', result.stdout);
  });

  it('is deterministic: same input, same bytes', async () => {
    const a = await runCli(['kubeconfig', '--config', 'examples/platform.yaml'], { cwd: ROOT });
    const b = await runCli(['kubeconfig', '--config', 'examples/platform.yaml', '--access', 'readonly', '--access', 'admin', '--access', 'readwrite'], { cwd: ROOT });
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('buildKubeconfig', () => {
  const config = buildKubeconfig(example(), clusters());
  const cluster = (name: string) => config.clusters.find((c) => c.name === name)?.cluster;
  const exec = (name: string) => config.users.find((u) => u.name === name)?.user.exec;

  it('the live cluster: the stable name, both CAs, the in-cluster TLS name, never insecure', () => {
    expect(cluster('devinfra')).toMatchObject({ server: 'https://api.devinfra.local', 'tls-server-name': 'kubernetes.default.svc' });
    expect(certsIn(cluster('devinfra')?.['certificate-authority-data'] ?? '')).toBe(2);
    expect(JSON.stringify(config)).not.toContain('insecure-skip-tls-verify');
    expect(JSON.stringify(config)).not.toContain('v1alpha1');
  });

  it('each colour: its own endpoint and only its own CA; tls-server-name only when configured', () => {
    expect(cluster('devinfra-blue')).toEqual({ 'certificate-authority-data': Buffer.from(pem('examples/ca/eks-blue.crt')).toString('base64'), server: 'https://blue.example' });
    expect(certsIn(cluster('devinfra-green')?.['certificate-authority-data'] ?? '')).toBe(1);
    expect(cluster('devinfra-green')?.['tls-server-name']).toBe('kubernetes.default.svc');
  });

  it('live users: bascule token on the TXT record, the role, both clusters allowed; v1 exec with an install hint', () => {
    expect(exec('devinfra-readwrite')).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      args: ['token', '-i', 'eks.devinfra.info', '-r', 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadwrite', '--region', 'eu-west-3', '--allow-cluster', 'eks-blue', '--allow-cluster', 'eks-green'],
      command: 'bascule',
      env: [{ name: 'AWS_PROFILE', value: 'awsaccess' }],
      installHint: expect.stringContaining('bascule version'),
      interactiveMode: 'Never',
      provideClusterInfo: false,
    });
  });

  it('MFA profiles may prompt (IfAvailable); others never do', () => {
    expect(exec('devinfra-admin')?.interactiveMode).toBe('IfAvailable');
    expect(exec('devinfra-blue-admin')?.interactiveMode).toBe('IfAvailable');
    expect(exec('devinfra-readonly')?.interactiveMode).toBe('Never');
  });

  it('per-colour users: the cluster name itself, no DNS', () => {
    expect(exec('devinfra-green-readonly')?.args).toEqual(['token', '-i', 'eks-green', '--no-dns', '-r', 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadonly', '--region', 'eu-west-3']);
  });

  it('no profile: no env; a DNS server: --dns-server; a command path: used as is', () => {
    const base = example();
    const platform: Platform = {
      ...base,
      clusterNameRecord: { ...base.clusterNameRecord, dnsServer: '10.0.0.2' },
      access: base.access.map((a) => ({ ...a, profile: undefined })),
    };
    const built = buildKubeconfig(platform, clusters(), { command: '/usr/local/bin/bascule', access: ['readonly'] });
    const live = built.users[0]?.user.exec;
    expect(live?.env).toBeUndefined();
    expect(live?.command).toBe('/usr/local/bin/bascule');
    expect(live?.args.slice(-2)).toEqual(['--dns-server', '10.0.0.2']);
    expect(built.users.map((u) => u.name)).toEqual(['devinfra-readonly', 'devinfra-blue-readonly', 'devinfra-green-readonly']);
    expect(built['current-context']).toBe('devinfra-readonly');
  });

  it('names: every entry carries the platform prefix; contexts point at existing clusters and users', () => {
    for (const list of [config.clusters, config.contexts, config.users]) for (const e of list) expect(e.name.startsWith('devinfra')).toBe(true);
    for (const c of config.contexts) {
      expect(config.clusters.some((x) => x.name === c.context.cluster)).toBe(true);
      expect(config.users.some((x) => x.name === c.context.user)).toBe(true);
    }
    expect(config.contexts).toHaveLength(9);
  });
});

describe('emitYaml: the same values for YAML 1.1 (kubectl) and 1.2 readers', () => {
  const tricky = ['on', 'off', 'yes', 'no', 'y', 'n', 'Y', 'NO', 'true', 'null', '~', '', '0600', '017', '0o17', '0x1F', '1e3', '1_000', '1:20', '2001-12-14', '.inf', '-', '=', '<<', '@x', '`x', '!tag', '&a', '*a', '- x', 'a: b', '#x', ' lead', 'trail '];
  it.each(tricky)('%j reads back as the same string in both', (value) => {
    const text = emitYaml({ value, list: [value] });
    for (const version of ['1.1', '1.2'] as const) {
      expect(parse(text, { version })).toEqual({ value, list: [value] });
    }
    expect(parse(text, KUBECTL_YAML_OPTIONS)).toEqual({ value, list: [value] });
  });

  it.each(['eks-blue', 'https://api.devinfra.local', 'client.authentication.k8s.io/v1', 'arn:aws:iam::123456789012:role/x', 'kubernetes.default.svc', 'AWS_PROFILE'])(
    '%j stays plain',
    (value) => {
      expect(isPlainSafe(value)).toBe(true);
      expect(emitYaml({ value })).toBe(`value: ${value}\n`);
    },
  );

  it('writes the header as comments and sequences as kubectl does', () => {
    expect(emitYaml({ a: [{ b: 1 }] }, { header: ['one', 'two'] })).toBe('# one\n# two\n\na:\n- b: 1\n');
  });
});

describe('mergeKubeconfig', () => {
  const generated = (): Kubeconfig => buildKubeconfig(example(), clusters(), { access: ['readonly'] });

  it('replaces entries of the same name in place, appends the others, keeps everything else', () => {
    const existing = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'mine',
      clusters: [
        { name: 'mine', cluster: { server: 'https://mine' } },
        { name: 'devinfra', cluster: { server: 'https://old', 'insecure-skip-tls-verify': true } },
        { name: 'other', cluster: { server: 'https://other' }, extra: 'kept' },
      ],
      contexts: [{ name: 'mine', context: { cluster: 'mine', user: 'mine' } }],
      users: [{ name: 'mine', user: { token: 'x' } }],
      preferences: { colors: true },
      'x-unknown': { kept: [1, 2] },
    };
    const merged = mergeKubeconfig(asKubeconfig(structuredClone(existing), 'f'), generated()) as any;
    expect(merged.clusters.map((c: { name: string }) => c.name)).toEqual(['mine', 'devinfra', 'other', 'devinfra-blue', 'devinfra-green']);
    expect(merged.clusters[1].cluster['insecure-skip-tls-verify']).toBeUndefined();
    expect(merged.clusters[2]).toEqual(existing.clusters[2]);
    expect(merged.contexts.map((c: { name: string }) => c.name)).toEqual(['mine', 'devinfra-readonly', 'devinfra-blue-readonly', 'devinfra-green-readonly']);
    expect(merged.users[0]).toEqual(existing.users[0]);
    expect(merged['current-context']).toBe('mine');
    expect(merged.preferences).toEqual({ colors: true });
    expect(merged['x-unknown']).toEqual({ kept: [1, 2] });
    expect(Object.keys(merged)).toEqual(Object.keys(existing));
  });

  it('an empty or new file becomes a complete kubeconfig with bascule\'s current context', () => {
    const merged = mergeKubeconfig(asKubeconfig(null, 'f'), generated()) as any;
    expect(Object.keys(merged)).toEqual(['apiVersion', 'clusters', 'contexts', 'current-context', 'kind', 'users']);
    expect(merged['current-context']).toBe('devinfra-readonly');
  });

  it('a duplicate of a replaced name is dropped (kubectl would ignore it)', () => {
    const merged = mergeKubeconfig(asKubeconfig({ users: [{ name: 'devinfra-readonly', user: {} }, { name: 'devinfra-readonly', user: { token: 'y' } }] }, 'f'), generated()) as any;
    expect(merged.users.filter((u: { name: string }) => u.name === 'devinfra-readonly')).toHaveLength(1);
  });
});

describe('writeAtomic', () => {
  it('creates new files 0600 (and their directory), without leaving temporary files', () => {
    const dir = tempDir();
    const file = join(dir, 'a', 'b', 'config');
    const result = writeAtomic(file, 'x: 1\n', { newMode: 0o600, backup: true });
    expect(result).toMatchObject({ changed: true, created: true, backup: undefined });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['config']);
  });

  it('keeps the mode of an existing file and its previous content as FILE.bak; unchanged content is not rewritten', () => {
    const dir = tempDir();
    const file = join(dir, 'config');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o640);
    const result = writeAtomic(file, 'new\n', { newMode: 0o600, backup: true });
    expect(result.backup).toBe(`${file}.bak`);
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('old\n');
    expect(statSync(`${file}.bak`).mode & 0o777).toBe(0o640);
    const inode = statSync(file).ino;
    expect(writeAtomic(file, 'new\n', { newMode: 0o600, backup: true }).changed).toBe(false);
    expect(statSync(file).ino).toBe(inode);
    expect(readdirSync(dir).sort()).toEqual(['config', 'config.bak']);
  });

  it('follows a symbolic link: the target changes, the link stays', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'dotfiles'));
    writeFileSync(join(dir, 'dotfiles', 'kubeconfig'), 'old\n');
    symlinkSync(join(dir, 'dotfiles', 'kubeconfig'), join(dir, 'config'));
    writeAtomic(join(dir, 'config'), 'new\n', { newMode: 0o600, backup: true });
    expect(lstatSync(join(dir, 'config')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'dotfiles', 'kubeconfig'), 'utf8')).toBe('new\n');
    expect(existsSync(join(dir, 'dotfiles', 'kubeconfig.bak'))).toBe(true);
  });
});

describe('bascule kubeconfig outputs', () => {
  it('--out writes the file 0600; --dry-run prints it and writes nothing', async () => {
    const dir = tempDir();
    const config = join(ROOT, 'examples/platform.yaml');
    const dry = await runCli(['kubeconfig', '--config', config, '--out', 'kc.yaml', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('current-context: devinfra-admin');
    expect(existsSync(join(dir, 'kc.yaml'))).toBe(false);
    const wrote = await runCli(['kubeconfig', '--config', config, '--out', 'kc.yaml'], { cwd: dir });
    expect(wrote.code).toBe(0);
    expect(wrote.stdout).toBe('');
    expect(readFileSync(join(dir, 'kc.yaml'), 'utf8')).toBe(dry.stdout);
    expect(statSync(join(dir, 'kc.yaml')).mode & 0o777).toBe(0o600);
  });

  it('--command: a relative path is written absolute, a bare name as is', async () => {
    const dir = tempDir();
    const config = join(ROOT, 'examples/platform.yaml');
    const relative = await runCli(['kubeconfig', '--config', config, '--access', 'admin', '--command', 'bin/bascule'], { cwd: dir });
    expect(relative.stdout).toContain(`command: ${join(dir, 'bin/bascule')}\n`);
    const bare = await runCli(['kubeconfig', '--config', config, '--access', 'admin', '--command', 'bascule-dev'], { cwd: dir });
    expect(bare.stdout).toContain('command: bascule-dev\n');
  });

  it('--merge --dry-run prints the merged file and leaves the target alone', async () => {
    const dir = tempDir();
    const target = join(dir, 'config');
    const before = 'apiVersion: v1\nkind: Config\nclusters:\n- name: mine\n  cluster:\n    server: https://mine\n';
    writeFileSync(target, before);
    const result = await runCli(['kubeconfig', '--config', join(ROOT, 'examples/platform.yaml'), '--merge', target, '--dry-run'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('- name: mine');
    expect(result.stdout).toContain('- name: devinfra-green');
    expect(result.stdout.startsWith('#')).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(existsSync(`${target}.bak`)).toBe(false);
  });

  it('--merge without a file uses ~/.kube/config when KUBECONFIG is unset', async () => {
    const dir = tempDir();
    const result = await runCli(['kubeconfig', '--config', join(ROOT, 'examples/platform.yaml'), '--merge', '--access', 'admin'], { cwd: dir, env: { HOME: dir } });
    expect(result.code).toBe(0);
    expect(statSync(join(dir, '.kube', 'config')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.kube')).mode & 0o777).toBe(0o700);
  });
});
