/**
 * `bascule kubeconfig --merge` beside the real kubectl: the same lock, the
 * same files, the same current-context. kubectl is the reference: where
 * `kubectl config set-context` writes a new entry is where bascule must
 * write; parallel writers (bascule and kubectl) lose nothing.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bascule, cleanEnv, kubectl, ROOT } from '../support/kube.mjs';
import { makeTempDir } from '../support/temp.mjs';

const PLATFORM = join(ROOT, 'examples', 'platform.yaml');
const LEVELS = ['admin', 'readwrite', 'readonly'];

const setup = () => {
  const dir = makeTempDir('kc-merge-');
  return { dir, env: cleanEnv({ HOME: dir }) as Record<string, string> };
};
const merge = (args: string[], env: Record<string, string>) => bascule(['kubeconfig', '--config', PLATFORM, '--merge', ...args], { env, cwd: ROOT });
const contextsIn = (file: string): string[] => {
  if (!existsSync(file)) return [];
  const config = parse(readFileSync(file, 'utf8')) ?? {};
  return ((config.contexts ?? []) as { name: string }[]).map((c) => c.name);
};
const PROD = 'apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster: {server: "https://prod.example"}\ncontexts:\n- name: prod\n  context: {cluster: prod, user: prod}\nusers:\n- name: prod\n  user: {token: x}\n';

describe('several $KUBECONFIG paths: bascule writes where kubectl writes', () => {
  const layouts: [string, (string | undefined)[]][] = [
    ['none exists', [undefined, undefined, undefined]],
    ['only the second exists', [undefined, PROD, undefined]],
    ['the first and third exist', [PROD.replace('prod', 'first'), undefined, 'apiVersion: v1\nkind: Config\n']],
  ];
  it.each(layouts)('%s', async (_, texts) => {
    const { dir, env } = setup();
    const paths = (tag: string) => texts.map((_, i) => join(dir, tag, `config-${i}`));
    for (const tag of ['kubectl', 'bascule']) {
      mkdirSync(join(dir, tag));
      paths(tag).forEach((p, i) => texts[i] !== undefined && writeFileSync(p, texts[i] as string));
    }
    const probe = await kubectl(['config', 'set-context', 'probe', '--cluster', 'x'], { env: { ...env, KUBECONFIG: paths('kubectl').join(':') } });
    expect(probe.code, probe.stderr).toBe(0);
    const result = await merge(['--access', 'readonly'], { ...env, KUBECONFIG: paths('bascule').join(':') });
    expect(result.code, result.stderr).toBe(0);
    const kubectlWrote = paths('kubectl').map((p) => contextsIn(p).includes('probe'));
    const basculeWrote = paths('bascule').map((p) => contextsIn(p).includes('devinfra-readonly'));
    expect(basculeWrote).toEqual(kubectlWrote);
  });

  it('the effective current-context never changes unless --set-context asks', async () => {
    const { dir, env } = setup();
    const [first, second] = [join(dir, 'first'), join(dir, 'second')];
    writeFileSync(second, PROD);
    const kubeEnv = { ...env, KUBECONFIG: `${first}:${second}` };
    const current = async () => (await kubectl(['config', 'current-context'], { env: kubeEnv })).stdout.trim();
    expect(await current()).toBe('prod');
    const merged = await merge([], kubeEnv);
    expect(merged.code, merged.stderr).toBe(0);
    expect(existsSync(first)).toBe(false);
    expect(await current()).toBe('prod');
    const asked = await merge(['--set-context'], kubeEnv);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stderr).toContain('current-context: devinfra-readonly (was prod)');
    expect(await current()).toBe('devinfra-readonly');
  });
});

describe('the file itself', () => {
  it('keeps comments and mode, writes through a symlink (the link stays)', async () => {
    const { dir, env } = setup();
    mkdirSync(join(dir, 'dotfiles'));
    const real = join(dir, 'dotfiles', 'kubeconfig');
    writeFileSync(real, `# my kubeconfig, by hand\n${PROD}# keep me too\n`);
    chmodSync(real, 0o640);
    const link = join(dir, 'config');
    symlinkSync(real, link);
    const result = await merge([link, '--access', 'readonly'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    const text = readFileSync(real, 'utf8');
    expect(text).toContain('# my kubeconfig, by hand');
    expect(text).toContain('# keep me too');
    expect(lstatSync(real).mode & 0o777).toBe(0o640);
    expect(contextsIn(real)).toEqual(['prod', 'devinfra-readonly', 'devinfra-blue-readonly', 'devinfra-green-readonly']);
    expect(existsSync(`${link}.lock`)).toBe(false);
  });

  it('refuses a read-only file (0444), even as root: exit 1, nothing written', async () => {
    const { dir, env } = setup();
    const file = join(dir, 'config');
    writeFileSync(file, PROD);
    chmodSync(file, 0o444);
    const result = await merge([file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${file} is read-only (mode 0444); nothing was written`);
    expect(readFileSync(file, 'utf8')).toBe(PROD);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('refuses a dangling symlink, and says symlink', async () => {
    const { dir, env } = setup();
    const link = join(dir, 'config');
    symlinkSync(join(dir, 'nowhere', 'kubeconfig'), link);
    const result = await merge([link], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${link} is a symlink to ${join(dir, 'nowhere', 'kubeconfig')}, which does not exist`);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses --merge - (a merge is not standard output), exit 2', async () => {
    const { env } = setup();
    const result = await merge(['-'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--merge -: a merge reads and rewrites a file');
  });

  it('waits for a lock kubectl holds, then writes', async () => {
    const { dir, env } = setup();
    const file = join(dir, 'config');
    writeFileSync(`${file}.lock`, '');
    const pending = merge([file, '--access', 'readonly'], env);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(existsSync(file)).toBe(false);
    const { rmSync } = await import('node:fs');
    rmSync(`${file}.lock`);
    const result = await pending;
    expect(result.code, result.stderr).toBe(0);
    expect(contextsIn(file)).toContain('devinfra-readonly');
  });
});

// Dozens of bascule and kubectl processes on shared cores: bounded, more generously than one command.
const MANY_PROCESSES_MS = 240_000;

describe('parallel writers lose nothing (kubectl\'s lock)', () => {
  it('three merges of different levels into one file, 10 times over', async () => {
    for (let round = 0; round < 10; round++) {
      const { dir, env } = setup();
      const file = join(dir, 'config');
      const results = await Promise.all(LEVELS.map((level) => merge([file, '--access', level], env)));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const contexts = contextsIn(file);
      for (const level of LEVELS) expect(contexts, `round ${round}`).toContain(`devinfra-${level}`);
      expect(contexts).toHaveLength(9);
      expect(existsSync(`${file}.lock`)).toBe(false);
    }
  }, MANY_PROCESSES_MS);

  it('a kubectl set-context loop beside 16 merges: all 30 of kubectl\'s contexts and all of bascule\'s are there', async () => {
    const { dir, env } = setup();
    const file = join(dir, 'config');
    const kubeEnv = { ...env, KUBECONFIG: file };
    const kubectlLoop = (async () => {
      for (let i = 0; i < 30; i++) {
        // kubectl gives up at once on a held lock ("file exists"): as a user would, run it again.
        for (let attempt = 0; ; attempt++) {
          const r = await kubectl(['config', 'set-context', `k-${i}`, '--cluster', 'c', '--user', 'u'], { env: kubeEnv });
          if (r.code === 0) break;
          expect(r.stderr, 'kubectl may fail only on the lock').toMatch(/\.lock: file exists/);
          expect(attempt).toBeLessThan(200);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    })();
    const merges = (async () => {
      for (let i = 0; i < 16; i++) {
        const r = await merge(['--access', LEVELS[i % 3] as string], kubeEnv);
        expect(r.code, r.stderr).toBe(0);
      }
    })();
    await Promise.all([kubectlLoop, merges]);
    const contexts = contextsIn(file);
    for (let i = 0; i < 30; i++) expect(contexts).toContain(`k-${i}`);
    for (const level of LEVELS) expect(contexts).toContain(`devinfra-${level}`);
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, MANY_PROCESSES_MS);
});
