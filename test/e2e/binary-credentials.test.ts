/**
 * The credential sources bascule hands to the AWS SDK, through the artefact
 * under test (the single binary by default): credential_process, IAM Identity
 * Center (SSO) and web identity profiles. Each signs with the credentials its
 * source gave; stderr stays empty.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto } from '../support/moto.mjs';
import { cleanEnv, runBuilt } from '../support/run.js';
import { decodeToken as decode } from '../support/token.js';

const signed = (stdout: string) => {
  const url = decode(JSON.parse(stdout).status.token);
  return { keyId: url.searchParams.get('X-Amz-Credential')?.split('/')[0], sessionToken: url.searchParams.get('X-Amz-Security-Token') };
};
const token = ['token', '-i', 'eks-green', '--no-cache'];

let moto: Awaited<ReturnType<typeof startMoto>>;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(() => moto?.stop());

describe('credential sources of the SDK chain, through the built artefact', () => {
  it('credential_process: runs the command, signs with what it printed', async () => {
    const env = cleanEnv({ AWS_PROFILE: 'proc' });
    const script = join(env.HOME as string, 'creds.sh');
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    writeFileSync(
      script,
      `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"ASIAPROCESSEXAMPLE01","SecretAccessKey":"c2VjcmV0","SessionToken":"process-session","Expiration":"${expiration}"}'\n`,
      { mode: 0o755 },
    );
    writeFileSync(env.AWS_CONFIG_FILE as string, `[profile proc]\nregion = eu-west-1\ncredential_process = ${script}\n`);
    const r = await runBuilt(token, { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(signed(r.stdout)).toEqual({ keyId: 'ASIAPROCESSEXAMPLE01', sessionToken: 'process-session' });
  });

  it('web identity: AssumeRoleWithWebIdentity (moto) with the token file, signs with the role session', async () => {
    const env = cleanEnv({ AWS_PROFILE: 'wi', AWS_ENDPOINT_URL_STS: moto.endpoint });
    const tokenFile = join(env.HOME as string, 'web-identity-token');
    writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpib3QifQ.c2ln');
    writeFileSync(
      env.AWS_CONFIG_FILE as string,
      `[profile wi]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/k8s-bot\nweb_identity_token_file = ${tokenFile}\nrole_session_name = bot\n`,
    );
    const r = await runBuilt(token, { env, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { keyId, sessionToken } = signed(r.stdout);
    expect(keyId).toMatch(/^ASIA/);
    expect(sessionToken).toBeTruthy();
  });

  describe('IAM Identity Center (SSO)', () => {
    let portal: Server;
    let endpoint: string;
    const calls: { path: string; bearer: string | undefined }[] = [];
    beforeAll(async () => {
      // The SSO portal's GetRoleCredentials, as the SDK calls it.
      portal = createServer((req, res) => {
        calls.push({ path: req.url ?? '', bearer: req.headers['x-amz-sso_bearer_token'] as string | undefined });
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            roleCredentials: { accessKeyId: 'ASIASSOEXAMPLE000001', secretAccessKey: 'c3Nv', sessionToken: 'sso-session', expiration: Date.now() + 3600_000 },
          }),
        );
      });
      await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => portal.close(resolve)));

    it('an sso-session profile with a cached login: GetRoleCredentials with the cached bearer token', async () => {
      const env = cleanEnv({ AWS_PROFILE: 'sso', AWS_ENDPOINT_URL_SSO: endpoint });
      writeFileSync(
        env.AWS_CONFIG_FILE as string,
        '[profile sso]\nregion = eu-west-1\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Platform\n\n' +
          '[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n',
      );
      // What `aws sso login` leaves: ~/.aws/sso/cache/<sha1 of the session name>.json.
      const cache = join(env.HOME as string, '.aws', 'sso', 'cache');
      mkdirSync(cache, { recursive: true });
      writeFileSync(
        join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`),
        JSON.stringify({ accessToken: 'cached-sso-access-token', expiresAt: new Date(Date.now() + 3600_000).toISOString(), region: 'eu-west-1', startUrl: 'https://corp.awsapps.com/start' }),
      );
      const r = await runBuilt(token, { env, timeoutMs: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(signed(r.stdout)).toEqual({ keyId: 'ASIASSOEXAMPLE000001', sessionToken: 'sso-session' });
      expect(calls.at(-1)).toEqual({ path: '/federation/credentials?account_id=123456789012&role_name=Platform', bearer: 'cached-sso-access-token' });
    });
  });
});
