/**
 * Each credential failure names its real cause, in-process through run():
 * the credential_process's exit code or bad output, the missing profile and
 * the profiles that exist, the SSO session to log in to, which credentials
 * expired, broken role profiles. Never a secret, never a raw control character.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess } from '../support/run.js';

const node = process.execPath;
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

interface Case {
  readonly name: string;
  readonly config: string;
  readonly credentials?: string;
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  readonly code: number;
  readonly says: RegExp;
  /** Files to write under HOME before the run. */
  readonly home?: (home: string) => void;
}

const proc = (script: string) => `credential_process = ${node} -e "${script}"`;

const CASES: readonly Case[] = [
  {
    name: 'credential_process exits non-zero: its code and last stderr line',
    env: { AWS_PROFILE: 'p' },
    config: `[profile p]\n${proc("console.error('token expired, run login'); process.exit(3)")}\n`,
    code: 1,
    says: /^error: the credential_process of profile "p" \(.*node\) exited with code 3: token expired, run login\nhint: run that command yourself/,
  },
  {
    name: 'credential_process prints no JSON (and its stdout is not echoed)',
    env: { AWS_PROFILE: 'p' },
    config: `[profile p]\n${proc(`console.log('AccessKeyId=AKIDX ${SECRET}')`)}\n`,
    code: 1,
    says: /^error: the credential_process of profile "p" \(.*node\) printed no valid JSON on stdout\nhint: it must print \{"Version": 1/,
  },
  {
    name: 'credential_process prints another Version',
    env: { AWS_PROFILE: 'p' },
    config: `[profile p]\n${proc("console.log(JSON.stringify({ Version: 2, AccessKeyId: 'A', SecretAccessKey: 'B' }))")}\n`,
    code: 1,
    says: /printed Version 2; only Version 1 is supported/,
  },
  {
    name: 'credential_process without SecretAccessKey',
    env: { AWS_PROFILE: 'p' },
    config: `[profile p]\n${proc("console.log(JSON.stringify({ Version: 1, AccessKeyId: 'A' }))")}\n`,
    code: 1,
    says: /printed no SecretAccessKey/,
  },
  {
    name: 'credential_process program missing',
    env: { AWS_PROFILE: 'p' },
    config: '[profile p]\ncredential_process = /nonexistent/aws-vault export --format=json p\n',
    code: 1,
    says: /^error: the credential_process of profile "p" \(\/nonexistent\/aws-vault\) could not be started: no such program/,
  },
  {
    name: 'credential_process credentials already expired: says which',
    env: { AWS_PROFILE: 'p' },
    config: `[profile p]\n${proc("console.log(JSON.stringify({ Version: 1, AccessKeyId: 'ASIAOLD', SecretAccessKey: 'B', SessionToken: 'T', Expiration: '2020-01-01T00:00:00Z' }))")}\n`,
    code: 1,
    says: /^error: the AWS credentials from profile p \(credential_process\) expired at 2020-01-01T00:00:00\.000Z/,
  },
  {
    name: 'AWS_PROFILE names a missing profile: the ones that exist',
    config: '[profile dev]\nregion = eu-west-1\n[default]\nregion = eu-west-1\n',
    credentials: '[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = x\n',
    env: { AWS_PROFILE: 'prod' },
    code: 2,
    says: /^error: the AWS profile named by AWS_PROFILE, "prod" does not exist in .*aws-config or .*aws-credentials\nhint: the profiles there are: default, dev, ops\n/,
  },
  {
    name: '--profile names a missing profile',
    config: '[profile dev]\nregion = eu-west-1\n',
    args: ['--profile', 'prod'],
    code: 2,
    says: /^error: the AWS profile given with --profile, "prod" does not exist .*\nhint: the profiles there are: dev\n/,
  },
  {
    name: 'SSO session never logged in: the session to log in to',
    config: '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n',
    env: { AWS_PROFILE: 'sso' },
    code: 1,
    says: /^error: the SSO session "corp" has no login on this machine \(no token in .*\.aws\/sso\/cache\/[0-9a-f]{40}\.json\)\nhint: run "aws sso login --sso-session corp"\n/,
  },
  {
    name: 'SSO login expired: when, and the command',
    config: '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n',
    env: { AWS_PROFILE: 'sso' },
    home: (home) => {
      // sha1("corp"), as the AWS CLI names the cached token of an sso-session
      const dir = join(home, '.aws', 'sso', 'cache');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${createHash('sha1').update('corp').digest('hex')}.json`), JSON.stringify({ accessToken: 'tok', expiresAt: '2020-01-01T00:00:00Z' }));
    },
    code: 1,
    says: /^error: the SSO session "corp" expired at 2020-01-01T00:00:00Z\nhint: run "aws sso login --sso-session corp"\n/,
  },
  {
    name: 'SSO profile missing settings',
    config: '[profile sso]\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n',
    env: { AWS_PROFILE: 'sso' },
    code: 2,
    says: /^error: profile "sso" is configured for SSO but lacks sso_start_url, sso_region\nhint: run "aws configure sso"/,
  },
  {
    name: 'role profile with a missing source_profile',
    config: '[profile r]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = base\n[profile other]\nregion = eu-west-1\n',
    env: { AWS_PROFILE: 'r' },
    code: 2,
    says: /^error: source_profile of profile "r": "base" does not exist .*\nhint: the profiles there are: other, r\n/,
  },
  {
    name: 'role profiles in a loop',
    config: '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/y\nsource_profile = a\n',
    env: { AWS_PROFILE: 'a' },
    code: 2,
    says: /^error: profiles "a" -> "b" -> "a" assume roles in a loop/,
  },
  {
    name: 'partial environment keys',
    config: '',
    env: { AWS_ACCESS_KEY_ID: 'AKIDONLY' },
    code: 2,
    says: /^error: partial AWS credentials in the environment: AWS_SECRET_ACCESS_KEY is not set\n/,
  },
  {
    name: 'profile with half a key pair',
    config: '',
    credentials: '[default]\naws_access_key_id = AKIDHALF\n',
    code: 2,
    says: /^error: profile "default" in .*aws-credentials has aws_access_key_id but no aws_secret_access_key\n/,
  },
  {
    name: 'control characters in a profile name are escaped',
    config: '[profile dev]\nregion = eu-west-1\n',
    env: { AWS_PROFILE: 'x\u001b[31my\u009b' },
    code: 2,
    says: /"x\\u001b\[31my\\u009b" does not exist/,
  },
];

describe('credential failures name their cause', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const env = cleanEnv({ AWS_REGION: 'eu-west-1', ...c.env });
    writeFileSync(env.AWS_CONFIG_FILE as string, c.config);
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, c.credentials ?? '');
    c.home?.(env.HOME as string);
    const r = await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--no-cache', ...(c.args ?? [])], { env });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(c.says);
    expect(r.code).toBe(c.code);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
