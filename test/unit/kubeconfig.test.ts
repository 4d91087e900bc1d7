/**
 * The kubeconfig generator's pure parts and its file adapter: golden files for
 * the example, the shape of each entry, YAML that both YAML 1.1 and 1.2
 * readers take the same way, the merge, and atomic writes.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildKubeconfig, privilegeOf, type ClusterAccess, type Kubeconfig } from '../../src/kubeconfig/build.js';
import { writeAtomic } from '../../src/files.js';
import { lockKubeconfigs } from '../../src/kubeconfig/lock.js';
import { defaultFile, kubeconfigPaths, planMerge, type MergeRequest } from '../../src/kubeconfig/merge.js';
import { loadPlatform } from '../../src/platform/load.js';
import type { AccessLevel, Platform } from '../../src/platform/model.js';
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

  const SERVERS = ['--allow-server', 'api.devinfra.local', '--allow-server', 'blue.example', '--allow-server', 'green.example'];

  it('live users: bascule token on the TXT record, the role, both clusters allowed, the platform\'s servers only; v1 exec with an install hint and the cluster info', () => {
    expect(exec('devinfra-readwrite')).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      args: ['token', '-i', 'eks.devinfra.info', '-r', 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadwrite', '--region', 'eu-west-3', '--allow-cluster', 'eks-blue', '--allow-cluster', 'eks-green', ...SERVERS],
      command: 'bascule',
      env: [{ name: 'AWS_PROFILE', value: 'awsaccess' }],
      installHint: expect.stringContaining('bascule version'),
      interactiveMode: 'Never',
      provideClusterInfo: true,
    });
  });

  it('--allow-server: each server\'s host, and its port when the URL writes one (443 is https\'s own); each once', () => {
    const withPorts = { ...clusters(), blue: { ...clusters().blue, endpoint: 'https://127.0.0.1:39123' }, green: { ...clusters().green, endpoint: 'https://[::1]:443' } };
    const base = example();
    const built = buildKubeconfig({ ...base, api: { ...base.api, server: 'https://API.DevInfra.Local:6443' } }, withPorts, { access: ['readonly'] });
    const args = built.users[0]?.user.exec.args ?? [];
    expect(args.slice(args.indexOf('--allow-server'))).toEqual(['--allow-server', 'api.devinfra.local:6443', '--allow-server', '127.0.0.1:39123', '--allow-server', '[::1]']);
    const same = buildKubeconfig({ ...base, api: { ...base.api, server: 'https://blue.example' } }, clusters(), { access: ['readonly'] });
    expect(same.users[0]?.user.exec.args.filter((a) => a === '--allow-server')).toHaveLength(2);
  });

  it('an access level\'s sourceIdentity and tags: --source-identity and one --tag each, in every context of the level', () => {
    const base = example();
    const platform: Platform = { ...base, access: base.access.map((a) => (a.name === 'readonly' ? { ...a, sourceIdentity: 'ci-deploy', tags: [['team', 'platform'], ['cost center', 'k8s=42']] } : a)) };
    const built = buildKubeconfig(platform, clusters(), { access: ['readonly', 'admin'] });
    for (const name of ['devinfra-readonly', 'devinfra-blue-readonly', 'devinfra-green-readonly']) {
      const args = built.users.find((u) => u.name === name)?.user.exec.args ?? [];
      expect(args.slice(args.indexOf('--region') + 2, args.indexOf('--region') + 8)).toEqual(['--source-identity', 'ci-deploy', '--tag', 'team=platform', '--tag', 'cost center=k8s=42']);
    }
    expect(JSON.stringify(built.users.find((u) => u.name === 'devinfra-admin'))).not.toMatch(/--source-identity|--tag/);
  });

  it('MFA profiles may prompt (IfAvailable); others never do', () => {
    expect(exec('devinfra-admin')?.interactiveMode).toBe('IfAvailable');
    expect(exec('devinfra-blue-admin')?.interactiveMode).toBe('IfAvailable');
    expect(exec('devinfra-readonly')?.interactiveMode).toBe('Never');
  });

  it('per-colour users: the cluster name itself, no DNS', () => {
    expect(exec('devinfra-green-readonly')?.args).toEqual(['token', '-i', 'eks-green', '--no-dns', '-r', 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadonly', '--region', 'eu-west-3', ...SERVERS]);
    expect(exec('devinfra-green-readonly')?.provideClusterInfo).toBe(true);
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
    expect(live?.args.slice(-8, -6)).toEqual(['--dns-server', '10.0.0.2']);
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

describe('planMerge (pure: texts in, texts out)', () => {
  const generated = (): Kubeconfig => buildKubeconfig(example(), clusters(), { access: ['readonly'] });
  const one = (text: string | undefined, extra: Partial<MergeRequest> = {}) =>
    planMerge({ files: [{ path: '/k/config', text }], explicit: true, generated: generated(), ...extra });
  const names = (text: string, list: string) => (parse(text, KUBECTL_YAML_OPTIONS)[list] as { name: string }[]).map((e) => e.name);

  it('replaces entries of the same name in place, appends the others, keeps everything else (comments included)', () => {
    const existing = [
      '# my clusters, by hand',
      'apiVersion: v1',
      'kind: Config',
      'current-context: mine',
      'clusters:',
      '- name: mine # the laptop',
      '  cluster:',
      '    server: https://mine',
      '- name: devinfra',
      '  cluster:',
      '    server: https://old',
      '    insecure-skip-tls-verify: true',
      '- name: other',
      '  cluster:',
      '    server: https://other',
      '  extra: kept',
      'contexts:',
      '- name: mine',
      '  context: {cluster: mine, user: mine}',
      'users:',
      '- name: mine',
      '  user: {token: x}',
      'preferences: {colors: true}',
      'x-unknown: {kept: [1, 2]}',
      '# the end',
      '',
    ].join('\n');
    const plan = one(existing);
    expect(plan.writes).toHaveLength(1);
    const text = plan.writes[0]?.text as string;
    const merged = parse(text, KUBECTL_YAML_OPTIONS);
    expect(names(text, 'clusters')).toEqual(['mine', 'devinfra', 'other', 'devinfra-blue', 'devinfra-green']);
    expect(merged.clusters[1].cluster['insecure-skip-tls-verify']).toBeUndefined();
    expect(merged.clusters[2]).toEqual({ name: 'other', cluster: { server: 'https://other' }, extra: 'kept' });
    expect(names(text, 'contexts')).toEqual(['mine', 'devinfra-readonly', 'devinfra-blue-readonly', 'devinfra-green-readonly']);
    expect(merged.users[0]).toEqual({ name: 'mine', user: { token: 'x' } });
    expect(merged['current-context']).toBe('mine');
    expect(merged.preferences).toEqual({ colors: true });
    expect(merged['x-unknown']).toEqual({ kept: [1, 2] });
    expect(Object.keys(merged)).toEqual(['apiVersion', 'kind', 'current-context', 'clusters', 'contexts', 'users', 'preferences', 'x-unknown']);
    for (const comment of ['# my clusters, by hand', '# the laptop', '# the end']) expect(text).toContain(comment);
    expect(plan.currentContext).toEqual({ before: 'mine', after: 'mine' });
  });

  it('a new file gets kubectl\'s keys and no current-context (never changed unless asked)', () => {
    const plan = one(undefined);
    const merged = parse(plan.writes[0]?.text as string, KUBECTL_YAML_OPTIONS);
    expect(plan.writes[0]?.created).toBe(true);
    expect(Object.keys(merged)).toEqual(['apiVersion', 'clusters', 'contexts', 'kind', 'preferences', 'users']);
    expect(plan.currentContext).toEqual({ before: undefined, after: undefined });
  });

  it('--set-context writes current-context (explicit file)', () => {
    const plan = one('current-context: mine\n', { setContext: 'devinfra-readonly' });
    expect(parse(plan.writes[0]?.text as string)['current-context']).toBe('devinfra-readonly');
    expect(plan.currentContext).toEqual({ before: 'mine', after: 'devinfra-readonly' });
  });

  it('a second merge changes nothing: no write', () => {
    const first = one('apiVersion: v1\nkind: Config\n').writes[0]?.text as string;
    expect(one(first).writes).toEqual([]);
  });

  it('a duplicate of a replaced name is dropped (kubectl would ignore it)', () => {
    const text = one('users:\n- name: devinfra-readonly\n  user: {}\n- name: devinfra-readonly\n  user: {token: y}\n').writes[0]?.text as string;
    expect(names(text, 'users').filter((n) => n === 'devinfra-readonly')).toHaveLength(1);
  });

  describe('several KUBECONFIG paths: where kubectl would write', () => {
    const multi = (files: [string, string | undefined][], setContext?: string) =>
      planMerge({ files: files.map(([path, text]) => ({ path, text })), explicit: false, generated: generated(), setContext });

    it('new entries go to the first file that exists, and the effective current-context stays', () => {
      const plan = multi([['/a', undefined], ['/b', 'current-context: prod\ncontexts:\n- name: prod\n  context: {cluster: p, user: p}\n'], ['/c', 'current-context: other\n']]);
      expect(plan.writes.map((w) => w.path)).toEqual(['/b']);
      expect(parse(plan.writes[0]?.text as string)['current-context']).toBe('prod');
      expect(plan.currentContext).toEqual({ before: 'prod', after: 'prod' });
    });

    it('no file exists: the last one is created', () => {
      expect(multi([['/a', undefined], ['/b', undefined]]).writes.map((w) => w.path)).toEqual(['/b']);
    });

    it('an entry that exists is replaced in the file it comes from (the first that defines it)', () => {
      const plan = multi([
        ['/a', 'clusters: []\n'],
        ['/b', 'users:\n- name: devinfra-readonly\n  user: {token: old}\n'],
        ['/c', 'users:\n- name: devinfra-readonly\n  user: {token: shadowed}\n'],
      ]);
      const byPath = Object.fromEntries(plan.writes.map((w) => [w.path, w]));
      expect(Object.keys(byPath).sort()).toEqual(['/a', '/b']);
      expect(byPath['/b']?.entries.users).toEqual(['devinfra-readonly']);
      expect(parse(byPath['/b']?.text as string).users[0].user.exec).toBeDefined();
      expect(byPath['/a']?.entries.users).toEqual(['devinfra-blue-readonly', 'devinfra-green-readonly']);
    });

    it('--set-context goes to the default file, which then wins', () => {
      const plan = multi([['/a', undefined], ['/b', 'current-context: prod\n'], ['/c', undefined]], 'devinfra-readonly');
      expect(plan.writes.map((w) => w.path)).toEqual(['/b']);
      expect(plan.currentContext).toEqual({ before: 'prod', after: 'devinfra-readonly' });
    });
  });

  it('kubectl\'s path rules: empty paths skipped, duplicates once; the default file', () => {
    expect(kubeconfigPaths('::/a:/b::/a:', ':')).toEqual(['/a', '/b']);
    expect(kubeconfigPaths(undefined, ':')).toEqual([]);
    expect(defaultFile([{ path: '/a', text: undefined }], false)).toBe('/a');
    expect(defaultFile([{ path: '/a', text: undefined }, { path: '/b', text: '' }, { path: '/c', text: '' }], false)).toBe('/b');
    expect(defaultFile([{ path: '/a', text: undefined }, { path: '/b', text: undefined }], false)).toBe('/b');
  });

  it.each([
    ['a billion laughs', 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n', /\/k\/config is not a kubeconfig bascule can merge into: its YAML aliases expand too far/],
    ['an alias with no anchor', 'a: *nowhere\n', /\/k\/config is not a kubeconfig bascule can merge into: its YAML alias \*nowhere names no anchor before it/],
    ['an alias before its anchor', 'a: *x\nb: &x 1\n', /its YAML alias \*x names no anchor before it/],
    ['not YAML', 'a: [\n', /\/k\/config is not a kubeconfig bascule can merge into: it does not parse as YAML \(line/],
    ['a list', '- a\n', /expected a mapping at the top level, got a list/],
    ['another kind', 'kind: Pod\n', /kind is "Pod", expected Config/],
    ['an entry without a name', 'users:\n- user: {}\n', /users\[0\] has no name/],
  ])('refuses %s, naming the file', (_, text, message) => {
    expect(() => one(text)).toThrow(message);
  });
});

describe('the standalone current-context: the least-privileged level, never admin', () => {
  it.each([
    [undefined, 'devinfra-readonly'],
    [['admin', 'readwrite'], 'devinfra-readwrite'],
    [['admin'], ''],
  ])('--access %j: %j', (access, expected) => {
    expect(buildKubeconfig(example(), clusters(), { access: access as string[] | undefined })['current-context']).toBe(expected);
  });
  it('ranks by what bascule grants: view < debug < edit (and unknown groups) < cluster admin', () => {
    const p = example();
    const level = (groups: string[], accessPolicies: string[] = []) => ({ ...(p.access[0] as AccessLevel), groups, accessPolicies });
    expect(privilegeOf(p, level(['readonly']))).toBe(0);
    expect(privilegeOf(p, level(['readonly'], ['arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy']))).toBe(0);
    expect(privilegeOf(p, level(['readonly', 'debugmode']))).toBe(1);
    expect(privilegeOf(p, level(['readwrite']))).toBe(2);
    expect(privilegeOf(p, level(['someone-elses']))).toBe(2);
    expect(privilegeOf(p, level(['readonly'], ['AmazonEKSClusterAdminPolicy']))).toBe(3);
    expect(privilegeOf(p, level(['system:masters']))).toBe(3);
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
    expect(dry.stdout).toContain('current-context: devinfra-readonly');
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

describe("kubectl's lock (<file>.lock, O_EXCL, sorted)", () => {
  it('takes every lock, releases them all; a held one fails after the wait, naming the lock, and releases what it took', async () => {
    const dir = tempDir();
    const [a, b] = [join(dir, 'a'), join(dir, 'sub', 'b')];
    const release = await lockKubeconfigs([b, a]);
    expect(existsSync(`${a}.lock`) && existsSync(`${b}.lock`)).toBe(true);
    release();
    expect(existsSync(`${a}.lock`) || existsSync(`${b}.lock`)).toBe(false);

    writeFileSync(`${b}.lock`, '');
    let clock = 0;
    const options = { timeoutMs: 1000, pollMs: 100, now: () => clock, sleep: async (ms: number) => void (clock += ms) };
    await expect(lockKubeconfigs([a, b], options)).rejects.toThrow(`${b} is locked: ${b}.lock exists (kubectl or bascule is writing it); nothing was written`);
    expect(clock).toBe(1000);
    expect(existsSync(`${a}.lock`)).toBe(false); // released
    expect(existsSync(`${b}.lock`)).toBe(true); // never removes a lock it did not take
  });
});
