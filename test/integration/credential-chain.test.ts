/**
 * The credential chain against botocore itself (the AWS CLI v1 on this
 * machine, the reference `aws eks get-token` follows): for every combination
 * of environment keys, AWS_PROFILE, --profile and profile kinds (static keys
 * in either file, credential_process, SSO, web identity, assume-role with
 * source_profile or credential_source), bascule's plan must name the source
 * botocore picks. botocore missing is a failure, never a skip (.ci/run checks
 * it first).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAwsFiles } from '../../src/aws/config-files.js';
import { planCredentials } from '../../src/aws/credentials.js';
import { BasculeError } from '../../src/errors.js';
import { tempDirs } from '../support/text.js';

const temp = tempDirs('bascule-chain-');
let dir = '';
let files: { A: Record<string, string>; B: Record<string, string> };

const ROLE = 'arn:aws:iam::123456789012:role/r';
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDENVIRONMENT', AWS_SECRET_ACCESS_KEY: 'env/secret' };
const WEB = () => ({ AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'web-token'), AWS_ROLE_ARN: ROLE });

beforeAll(() => {
  dir = temp();
  writeFileSync(join(dir, 'creds.py'), 'import json\nprint(json.dumps({"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "p/secret"}))\n');
  writeFileSync(join(dir, 'web-token'), 'header.payload.signature');
  const proc = `credential_process = python3 ${join(dir, 'creds.py')}`;
  writeFileSync(
    join(dir, 'credentials-a'),
    ['[static]', 'aws_access_key_id = AKIDCREDFILE', 'aws_secret_access_key = c/secret', '[both]', 'aws_access_key_id = AKIDBOTH', 'aws_secret_access_key = b/secret'].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'config-a'),
    [
      '[default]',
      'region = eu-west-1',
      '[profile static]',
      'region = eu-west-1',
      '[profile cfgstatic]',
      'aws_access_key_id = AKIDCONFIG',
      'aws_secret_access_key = k/secret',
      '[profile process]',
      proc,
      '[profile both]',
      proc,
      '[profile proc-and-keys]',
      proc,
      'aws_access_key_id = AKIDCFG2',
      'aws_secret_access_key = k2/secret',
      '[profile sso]',
      'sso_session = corp',
      'sso_account_id = 123456789012',
      'sso_role_name = ReadOnly',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      'sso_region = eu-west-1',
      '[profile sso-legacy-and-keys]',
      'sso_start_url = https://corp.awsapps.com/start',
      'sso_region = eu-west-1',
      'sso_account_id = 123456789012',
      'sso_role_name = ReadOnly',
      'aws_access_key_id = AKIDSSOKEYS',
      'aws_secret_access_key = s/secret',
      '[profile webid]',
      `role_arn = ${ROLE}`,
      `web_identity_token_file = ${join(dir, 'web-token')}`,
      '[profile role-static]',
      `role_arn = ${ROLE}`,
      'source_profile = static',
      '[profile role-process]',
      `role_arn = ${ROLE}`,
      'source_profile = process',
      '[profile role-sso]',
      `role_arn = ${ROLE}`,
      'source_profile = sso',
      '[profile role-chain]',
      `role_arn = ${ROLE}`,
      'source_profile = role-static',
      '[profile role-env]',
      `role_arn = ${ROLE}`,
      'credential_source = Environment',
      '[profile role-and-keys]',
      `role_arn = ${ROLE}`,
      'source_profile = static',
      'aws_access_key_id = AKIDROLEKEYS',
      'aws_secret_access_key = r/secret',
      '[profile role-self]',
      `role_arn = ${ROLE}`,
      'source_profile = role-self',
      'aws_access_key_id = AKIDSELF',
      'aws_secret_access_key = self/secret',
      '[profile role-missing-source]',
      `role_arn = ${ROLE}`,
      'source_profile = nowhere',
      '[profile role-no-source]',
      `role_arn = ${ROLE}`,
      '[profile empty]',
      'region = eu-west-1',
    ].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'credentials-b'), '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d/secret\n');
  writeFileSync(join(dir, 'config-b'), `[default]\nregion = eu-west-1\n${proc}\n`);
  const common = { AWS_EC2_METADATA_DISABLED: 'true' };
  files = {
    A: { ...common, AWS_CONFIG_FILE: join(dir, 'config-a'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials-a') },
    B: { ...common, AWS_CONFIG_FILE: join(dir, 'config-b'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials-b') },
  };
});

interface Case {
  readonly name: string;
  readonly set?: 'A' | 'B';
  readonly env?: () => Record<string, string>;
  /** --profile (aws --profile) */
  readonly profile?: string;
  /** What botocore picks (checked against botocore itself, then against bascule). */
  readonly expected: string;
}

/** The table (the closing note lists it). */
export const CASES: readonly Case[] = [
  { name: 'environment keys, no profile', env: () => KEYS, expected: 'env' },
  { name: 'environment keys + AWS_PROFILE=static: the keys win', env: () => ({ ...KEYS, AWS_PROFILE: 'static' }), expected: 'env' },
  { name: 'environment keys + --profile static: the profile wins', env: () => KEYS, profile: 'static', expected: 'shared-credentials-file' },
  { name: 'environment keys + AWS_PROFILE=process: the keys win', env: () => ({ ...KEYS, AWS_PROFILE: 'process' }), expected: 'env' },
  { name: 'environment keys + --profile process', env: () => KEYS, profile: 'process', expected: 'custom-process' },
  { name: 'AWS_PROFILE=process', env: () => ({ AWS_PROFILE: 'process' }), expected: 'custom-process' },
  { name: 'AWS_DEFAULT_PROFILE=static over AWS_PROFILE=process', env: () => ({ AWS_DEFAULT_PROFILE: 'static', AWS_PROFILE: 'process' }), expected: 'shared-credentials-file' },
  { name: '--profile over AWS_PROFILE', env: () => ({ AWS_PROFILE: 'process' }), profile: 'static', expected: 'shared-credentials-file' },
  { name: 'keys in the config file', profile: 'cfgstatic', expected: 'config-file' },
  { name: 'credentials-file keys before credential_process', profile: 'both', expected: 'shared-credentials-file' },
  { name: 'credential_process before config-file keys', profile: 'proc-and-keys', expected: 'custom-process' },
  { name: 'SSO (sso-session)', profile: 'sso', expected: 'sso' },
  { name: 'SSO before keys in the same profile', profile: 'sso-legacy-and-keys', expected: 'sso' },
  { name: 'web identity profile', profile: 'webid', expected: 'assume-role-with-web-identity' },
  { name: 'web identity from the environment, no profile', env: WEB, expected: 'assume-role-with-web-identity' },
  { name: 'web identity environment + AWS_PROFILE=static: web identity wins', env: () => ({ ...WEB(), AWS_PROFILE: 'static' }), expected: 'assume-role-with-web-identity' },
  { name: 'web identity environment + --profile static: the profile wins', env: WEB, profile: 'static', expected: 'shared-credentials-file' },
  { name: 'environment keys + web identity environment: the keys win', env: () => ({ ...KEYS, ...WEB() }), expected: 'env' },
  { name: 'assume-role, source_profile with keys', profile: 'role-static', expected: 'assume-role' },
  { name: 'assume-role, source_profile with credential_process', profile: 'role-process', expected: 'assume-role' },
  { name: 'assume-role, source_profile with SSO', profile: 'role-sso', expected: 'assume-role' },
  { name: 'assume-role chained through another role', profile: 'role-chain', expected: 'assume-role' },
  { name: 'assume-role, credential_source = Environment', env: () => KEYS, profile: 'role-env', expected: 'assume-role' },
  { name: 'role_arn beats keys in the same profile', profile: 'role-and-keys', expected: 'assume-role' },
  { name: 'a role profile that is its own source (keys)', profile: 'role-self', expected: 'assume-role' },
  { name: 'environment keys + --profile role-static', env: () => KEYS, profile: 'role-static', expected: 'assume-role' },
  { name: 'environment keys + AWS_PROFILE=role-static: the keys win', env: () => ({ ...KEYS, AWS_PROFILE: 'role-static' }), expected: 'env' },
  { name: 'default profile: credentials-file keys before its credential_process', set: 'B', expected: 'shared-credentials-file' },
  { name: 'a profile with no credentials, metadata off', profile: 'empty', expected: 'none' },
  { name: 'nothing at all, metadata off', expected: 'none' },
  { name: '--profile that does not exist', profile: 'missing', expected: 'error' },
  { name: 'AWS_PROFILE that does not exist', env: () => ({ AWS_PROFILE: 'missing' }), expected: 'error' },
  { name: 'AWS_PROFILE that does not exist, with environment keys', env: () => ({ ...KEYS, AWS_PROFILE: 'missing' }), expected: 'error' },
  { name: 'partial environment keys', env: () => ({ AWS_ACCESS_KEY_ID: 'AKIDONLY' }), expected: 'error' },
  { name: 'role with a source_profile that does not exist', profile: 'role-missing-source', expected: 'error' },
  { name: 'role with neither source_profile nor credential_source', profile: 'role-no-source', expected: 'error' },
];

const envOf = (c: Case) => ({ ...files[c.set ?? 'A'], ...(c.env?.() ?? {}) });

function basculePicks(c: Case): string {
  const env = envOf(c);
  try {
    const plan = planCredentials({ env, profileFlag: c.profile, files: () => readAwsFiles(env) });
    return plan ? plan.kind : 'none';
  } catch (error) {
    if (error instanceof BasculeError) return 'error';
    throw error;
  }
}

function botocorePicks(cases: readonly Case[]): string[] {
  const r = spawnSync('python3', [new URL('../support/botocore_credentials.py', import.meta.url).pathname], {
    input: JSON.stringify(cases.map((c) => ({ env: envOf(c), profile: c.profile ?? null }))),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error || r.status !== 0) {
    throw new Error(`python3 with botocore (the AWS CLI v1) is required for this cross-check: ${r.error?.message ?? r.stderr}`);
  }
  return (JSON.parse(r.stdout) as string[]).map((m) => (m.startsWith('error:') ? 'error' : m));
}

describe('credential precedence: bascule picks what botocore picks', () => {
  let reference: string[] = [];
  beforeAll(() => {
    reference = botocorePicks(CASES);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_, i) => {
    const c = CASES[i] as Case;
    expect(reference[i], `botocore for "${c.name}"`).toBe(c.expected);
    expect(basculePicks(c), `bascule for "${c.name}"`).toBe(c.expected);
  });
});
