/**
 * The token cache's permission rules, through the artefact under test (the
 * single binary by default: Bun's fs must give the same modes, O_EXCL and
 * O_NOFOLLOW as Node's).
 */
import { chmodSync, lstatSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envKeys, runBuilt } from '../support/run.js';

const args = ['token', '-i', 'eks-green', '--region', 'eu-west-1'];
const dirOf = (env: NodeJS.ProcessEnv) => join(env.KUBECACHEDIR as string, 'bascule');
const files = (env: NodeJS.ProcessEnv) => readdirSync(dirOf(env)).map((f) => join(dirOf(env), f));

describe('the token cache, through the built artefact', () => {
  it('writes one 0600 file in a 0700 directory, and serves it again with stderr empty', async () => {
    const env = envKeys();
    const first = await runBuilt(args, { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(lstatSync(dirOf(env)).mode & 0o777).toBe(0o700);
    expect(files(env)).toHaveLength(1);
    expect(lstatSync(files(env)[0] as string).mode & 0o777).toBe(0o600);
    const again = await runBuilt(args, { env });
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(first.stdout);
  });

  it.each([
    ['a file others can read', (file: string) => chmodSync(file, 0o644), /\.json has mode 0644, other users can reach it \(want 0600\)/],
    [
      'a symbolic link',
      (file: string) => {
        writeFileSync(`${file}.target`, readFileSync(file), { mode: 0o600 });
        rmSync(file);
        symlinkSync(`${file}.target`, file);
      },
      /is a symbolic link/,
    ],
  ])('%s is not used: one warning, a fresh token', async (_, loosen, warning) => {
    const env = envKeys();
    expect((await runBuilt(args, { env })).code).toBe(0);
    loosen(files(env)[0] as string);
    const r = await runBuilt(args, { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(warning);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout).kind).toBe('ExecCredential');
  });

  it('`bascule cache clear` removes the cached token', async () => {
    const env = envKeys();
    await runBuilt(args, { env });
    const r = await runBuilt(['cache', 'clear'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('removed 1 cached token\n');
    expect(readdirSync(dirOf(env)).filter((f) => f.endsWith('.json'))).toEqual([]);
  });
});
