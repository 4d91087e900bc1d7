/**
 * The AWS shared config and credentials files, read the way the AWS CLI and
 * SDKs read them, for what the hot path needs without loading the SDK: the
 * profile's region, and whether it holds plain static keys.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BasculeError } from '../errors.js';

export type IniSections = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** Parses INI text into sections. Indented lines continue a nested key (e.g. s3 =) and are skipped. */
export function parseIni(text: string): IniSections {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(rawLine)) continue;
    const header = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(rawLine);
    if (header) {
      const name = (header[1] as string).trim().replace(/\s+/g, ' ');
      current = sections.get(name) ?? {};
      sections.set(name, current);
      continue;
    }
    if (!current || /^\s/.test(rawLine)) continue; // nested sub-property
    const eq = rawLine.indexOf('=');
    if (eq < 0) continue;
    const key = rawLine.slice(0, eq).trim().toLowerCase();
    const value = rawLine.slice(eq + 1).replace(/\s+[#;].*$/, '').trim();
    current[key] = value;
  }
  return sections;
}

export interface AwsFiles {
  readonly config: IniSections;
  readonly credentials: IniSections;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw new BasculeError('io', `cannot read AWS file ${path}: ${code ?? String(error)}`);
  }
}

export function awsFilePaths(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  const home = env.HOME || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

export function readAwsFiles(env: NodeJS.ProcessEnv): AwsFiles {
  const paths = awsFilePaths(env);
  const configText = readOptional(paths.config);
  const credentialsText = readOptional(paths.credentials);
  return {
    config: parseIni(configText),
    credentials: parseIni(credentialsText),
  };
}

/** The profile's settings, credentials file over config file, as the SDKs merge them. */
export function profileSettings(files: AwsFiles, profile: string): Record<string, string> | undefined {
  const fromConfig = files.config.get(profile === 'default' ? 'default' : `profile ${profile}`) ??
    (profile === 'default' ? files.config.get('profile default') : undefined);
  const fromCredentials = files.credentials.get(profile);
  if (!fromConfig && !fromCredentials) return undefined;
  return { ...fromConfig, ...fromCredentials };
}

/** The profile the SDK chain would use: --profile, AWS_PROFILE, else "default". */
export function selectedProfile(flag: string | undefined, env: NodeJS.ProcessEnv): { name: string; explicit: boolean } {
  const name = flag || env.AWS_PROFILE;
  return name ? { name, explicit: true } : { name: 'default', explicit: false };
}

/** --region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's region. No silent default. */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv, readProfileRegion: () => string | undefined): string {
  const region = flag || env.AWS_REGION || env.AWS_DEFAULT_REGION || readProfileRegion();
  if (!region) {
    throw new BasculeError('config', 'no AWS region is set', {
      hint: 'pass --region eu-west-1, set AWS_REGION, or add "region = ..." to the AWS profile',
    });
  }
  return region;
}

/** A profile bascule can sign with directly: static keys and no role to assume. */
export function staticProfileCredentials(settings: Record<string, string> | undefined):
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | undefined {
  if (!settings) return undefined;
  const accessKeyId = settings.aws_access_key_id;
  const secretAccessKey = settings.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey || settings.role_arn) return undefined;
  return settings.aws_session_token ? { accessKeyId, secretAccessKey, sessionToken: settings.aws_session_token } : { accessKeyId, secretAccessKey };
}
