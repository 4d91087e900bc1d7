/**
 * Many kubectl at once (k9s, Lens, xargs -P): 30 cold `bascule token --role`
 * processes make exactly one AssumeRole call between them, and all 30 print
 * valid tokens. A crashed lock holder never blocks later runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalKey, fileNameOf } from '../../src/token/cache.js';
import { verifyToken } from '../support/eks-verifier.mjs';
import { startMoto } from '../support/moto.mjs';
import { envKeys, runBuilt } from '../support/run.js';

const ROLE = 'arn:aws:iam::123456789012:role/k8s-admin';
let moto: Awaited<ReturnType<typeof startMoto>>;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(() => moto?.stop());

// 30 cold starts at once starve moto on a shared machine: the AWS deadline (--aws-timeout, 15s by default) is not what these tests measure.
const args = ['token', '-i', 'eks-green', '--no-dns', '-r', ROLE, '--aws-timeout', '2m'];
const keyFile = (env: NodeJS.ProcessEnv) =>
  join(
    env.KUBECACHEDIR as string,
    'bascule',
    fileNameOf(
      canonicalKey({
        clusterName: 'eks-green', region: 'eu-west-1', roleArn: ROLE, externalId: null, sessionName: null,
        forwardSessionName: false, durationSeconds: null, profile: null, signerIdentity: 'env:AKIDEXAMPLE', sourceIdentity: null, tags: [],
      }),
    ),
  );

describe('concurrent cold starts', () => {
  it('30 at once: one AssumeRole, 30 valid tokens', async () => {
    const env = envKeys({ AWS_ENDPOINT_URL_STS: moto.endpoint });
    const before = (await moto.assumedRoles()).length;
    const results = await Promise.all(Array.from({ length: 30 }, () => runBuilt(args, { env, timeoutMs: 120_000 })));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect((await moto.assumedRoles()).length - before).toBe(1);
    const tokens = new Set(results.map((r) => JSON.parse(r.stdout).status.token as string));
    expect(tokens.size).toBe(1);
    for (const token of tokens) {
      await expect(verifyToken(token, { clusterName: 'eks-green', lookupSecret: moto.lookupSecret })).resolves.toMatchObject({
        arn: 'arn:aws:sts::123456789012:assumed-role/k8s-admin/bascule',
      });
    }
  });

  it('a lock left by a crashed process (dead pid) does not block', async () => {
    const env = envKeys({ AWS_ENDPOINT_URL_STS: moto.endpoint });
    mkdirSync(join(env.KUBECACHEDIR as string, 'bascule'), { recursive: true, mode: 0o700 });
    const lock = `${keyFile(env).replace(/\.json$/, '')}.lock`;
    writeFileSync(lock, `999999 ${hostname()} ${Date.now()}\n`, { mode: 0o600 });
    const r = await runBuilt(args, { env, timeoutMs: 10_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a lock too old to be live (a hung holder, another host) is taken over', async () => {
    const env = envKeys({ AWS_ENDPOINT_URL_STS: moto.endpoint });
    mkdirSync(join(env.KUBECACHEDIR as string, 'bascule'), { recursive: true, mode: 0o700 });
    const lock = `${keyFile(env)}.lock`.replace('.json.lock', '.lock');
    // Its holder line says when it was taken (by the clock that also judges tokens): five minutes ago.
    writeFileSync(lock, `1 some-other-host ${Date.now() - 5 * 60_000}\n`, { mode: 0o600 });
    const r = await runBuilt(args, { env, timeoutMs: 10_000 });
    expect(r.code).toBe(0);
  });
});
