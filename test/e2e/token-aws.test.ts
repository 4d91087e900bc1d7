/**
 * The AWS side of `bascule token`, run as the built artefact: role
 * assumption against moto, the SDK credential chain (profiles), and the STS
 * failures moto cannot produce, from a scripted STS on loopback.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSts } from '../support/fake-sts.mjs';
import { startMoto } from '../support/moto.mjs';
import { cleanEnv, envKeys, KEYS, runBuilt } from '../support/run.js';
import { decodeToken as decode, signerOf as signer } from '../support/token.js';

const ROLE = 'arn:aws:iam::123456789012:role/k8s-readonly';

let moto: Awaited<ReturnType<typeof startMoto>>;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(() => moto?.stop());

describe('role assumption against moto', () => {
  it('passes role, session name, external id and duration; signs with the role credentials; stderr stays quiet', async () => {
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-r', ROLE, '-s', 'bob', '-e', 'ext-123', '--duration', '1h'], {
      env: envKeys({ AWS_ENDPOINT_URL_STS: moto.endpoint }),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const issued = (await moto.assumedRoles()).find((x: { access_key_id: string }) => x.access_key_id === signer(r.stdout));
    expect(issued).toMatchObject({ role_arn: ROLE, session_name: 'bob', external_id: 'ext-123' });
    const url = decode(JSON.parse(r.stdout).status.token);
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com'); // the endpoint override is for AssumeRole only
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(issued.session_token);
  });

  it('--forward-session-name carries the caller session name into the role session', async () => {
    // First become an assumed-role session "carol", then forward it.
    const first = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-r', ROLE, '-s', 'carol'], { env: envKeys({ AWS_ENDPOINT_URL_STS: moto.endpoint }) });
    const carol = (await moto.assumedRoles()).find((x: { access_key_id: string }) => x.access_key_id === signer(first.stdout));
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-r', 'arn:aws:iam::123456789012:role/k8s-admin', '--forward-session-name'], {
      env: envKeys({ AWS_ENDPOINT_URL_STS: moto.endpoint, AWS_ACCESS_KEY_ID: carol.access_key_id, AWS_SECRET_ACCESS_KEY: carol.secret_access_key, AWS_SESSION_TOKEN: carol.session_token }),
    });
    expect(r.stderr).toBe('');
    const forwarded = (await moto.assumedRoles()).find((x: { access_key_id: string }) => x.access_key_id === signer(r.stdout));
    expect(forwarded).toMatchObject({ role_arn: 'arn:aws:iam::123456789012:role/k8s-admin', session_name: 'carol' });
  });

  it('web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN): AssumeRoleWithWebIdentity, stderr quiet', async () => {
    const env = cleanEnv({ AWS_ENDPOINT_URL_STS: moto.endpoint, AWS_REGION: 'eu-west-1', AWS_ROLE_ARN: ROLE, AWS_ROLE_SESSION_NAME: 'pod-1' });
    env.AWS_WEB_IDENTITY_TOKEN_FILE = `${env.HOME}/web-identity-token`;
    writeFileSync(env.AWS_WEB_IDENTITY_TOKEN_FILE, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2ln');
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(signer(r.stdout)).toMatch(/^ASIA/);
  });

  it('an assume-role profile (role_arn + source_profile) goes through the SDK chain', async () => {
    const env = cleanEnv({ AWS_PROFILE: 'k8s', AWS_ENDPOINT_URL_STS: moto.endpoint });
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, `[base]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    writeFileSync(env.AWS_CONFIG_FILE as string, `[profile k8s]\nregion = eu-west-1\nrole_arn = ${ROLE}\nsource_profile = base\nrole_session_name = from-profile\n`);
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const issued = (await moto.assumedRoles()).find((x: { access_key_id: string }) => x.access_key_id === signer(r.stdout));
    expect(issued).toMatchObject({ role_arn: ROLE, session_name: 'from-profile' });
  });

  it('a profile with mfa_serial, run non-interactively by kubectl: a clear error, no prompt', async () => {
    const env = cleanEnv({
      AWS_PROFILE: 'mfa',
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      KUBERNETES_EXEC_INFO: '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}',
    });
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, `[base]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    writeFileSync(env.AWS_CONFIG_FILE as string, `[profile mfa]\nregion = eu-west-1\nrole_arn = ${ROLE}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n`);
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/AWS profile "mfa" needs an MFA code \(mfa_serial arn:aws:iam::123456789012:mfa\/alice\), but bascule may not prompt/);
    expect(r.stderr).toMatch(/interactiveMode: IfAvailable/);
  });
  it('a profile with mfa_serial, when kubectl says the session is interactive: prompts on stderr, reads the code', async () => {
    const env = cleanEnv({
      AWS_PROFILE: 'mfa',
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      KUBERNETES_EXEC_INFO: '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}',
    });
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, `[base]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    writeFileSync(env.AWS_CONFIG_FILE as string, `[profile mfa]\nregion = eu-west-1\nrole_arn = ${ROLE}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n`);
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env, input: '123456\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('MFA code for arn:aws:iam::123456789012:mfa/alice: ');
    expect(JSON.parse(r.stdout).apiVersion).toBe('client.authentication.k8s.io/v1');
    const bad = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env, input: 'abc\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/the MFA code must be 6 digits/);
  });
});

describe('STS failures (scripted STS on loopback)', () => {
  const run = async (script: Parameters<typeof startFakeSts>[0], extra: Record<string, string> = {}) => {
    const sts = await startFakeSts(script);
    try {
      const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-r', ROLE], { env: envKeys({ AWS_ENDPOINT_URL_STS: sts.endpoint, ...extra }), timeoutMs: 60_000 });
      return { ...r, calls: sts.calls.length };
    } finally {
      await sts.close();
    }
  };
  const fresh = { credentials: { accessKeyId: 'ASIAFAKE', secretAccessKey: 'fake/secret+key', sessionToken: 'fake-session', expiration: new Date(Date.now() + 3600_000).toISOString() } };

  it('AccessDenied: names the role, no retry', async () => {
    const r = await run([{ error: 'AccessDenied', status: 403, message: `User: ${KEYS.arn} is not authorized to perform: sts:AssumeRole on resource: ${ROLE}` }]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: STS AssumeRole ${ROLE} was denied: User: arn:aws:iam::123456789012:user/alice is not authorized`));
    expect(r.stderr).toMatch(/hint: check the role's trust policy/);
    expect(r.calls).toBe(1);
  });

  it('throttling: retried with backoff, then succeeds', async () => {
    const r = await run([{ error: 'Throttling', message: 'Rate exceeded' }, { error: 'Throttling', message: 'Rate exceeded' }, fresh]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.calls).toBe(3);
  });

  it('throttling that does not stop: bounded attempts, then a clear error', async () => {
    const r = await run([{ error: 'Throttling', message: 'Rate exceeded' }]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/STS AssumeRole .* was throttled by STS after 4 attempts \(Throttling\)/);
    expect(r.calls).toBe(4);
  });

  it('expired source credentials', async () => {
    const r = await run([{ error: 'ExpiredToken', message: 'The security token included in the request is expired' }], { AWS_SESSION_TOKEN: 'old' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/STS AssumeRole .* failed: the credentials from the environment \(AWS_ACCESS_KEY_ID\) have expired/);
  });

  it('role credentials already expired: no token', async () => {
    const r = await run([{ credentials: { ...fresh.credentials, expiration: '2020-01-01T00:00:00Z' } }]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/expired at 2020-01-01T00:00:00\.000Z/);
  });

  it('role credentials expiring in 5 minutes: the token says so', async () => {
    const expiration = new Date(Math.floor(Date.now() / 1000) * 1000 + 5 * 60_000);
    const r = await run([{ credentials: { ...fresh.credentials, expiration: expiration.toISOString() } }]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status.expirationTimestamp).toBe(expiration.toISOString().replace('.000Z', 'Z'));
  });

  it('an unreachable STS endpoint', async () => {
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-r', ROLE], { env: envKeys({ AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1' }), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/STS AssumeRole .* failed: cannot reach the endpoint http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED/);
  });

  it('never prints a secret, a session token or a token in a failure', async () => {
    const r = await run([{ error: 'InvalidClientTokenId', status: 403, message: `The security token ${KEYS.secretAccessKey} is invalid` }], { AWS_SESSION_TOKEN: 'SESSIONTOKENSECRET' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AWS does not accept the credentials from the environment \(AWS_ACCESS_KEY_ID\) \(InvalidClientTokenId\)/);
    expect(r.stderr).not.toContain(KEYS.secretAccessKey);
    expect(r.stderr).not.toContain('SESSIONTOKENSECRET');
  });
});
