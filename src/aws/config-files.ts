/**
 * The AWS shared config and credentials files, read the way botocore (the AWS
 * CLI) reads them, without loading the SDK: profiles (the credentials file's
 * keys over the config file's), sso-session and services sections, the
 * region and the endpoint a profile sets for a service.
 */
import { readTextFile } from '../libc.js';
import { BasculeError } from '../errors.js';
import { homeDirectory, joinPath } from '../runtime.js';
import { echo } from '../text.js';

export type Settings = Readonly<Record<string, string>>;
export type IniSections = ReadonlyMap<string, Settings>;

/**
 * Parses INI text into sections. A key with an empty value followed by
 * indented `k = v` lines holds nested settings, stored as `key.k`
 * (`sts =` / `  endpoint_url = ...` in a services section).
 */
export function parseIni(text: string): IniSections {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  let parent: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(rawLine)) continue;
    const header = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(rawLine);
    if (header) {
      const name = (header[1] as string).trim().replace(/\s+/g, ' ');
      current = sections.get(name) ?? {};
      sections.set(name, current);
      parent = undefined;
      continue;
    }
    if (!current) continue;
    const eq = rawLine.indexOf('=');
    if (eq < 0) continue;
    const key = rawLine.slice(0, eq).trim().toLowerCase();
    const value = rawLine.slice(eq + 1).replace(/\s+[#;].*$/, '').trim();
    if (/^\s/.test(rawLine)) {
      if (parent) current[`${parent}.${key}`] = value;
      continue;
    }
    current[key] = value;
    parent = value === '' ? key : undefined;
  }
  return sections;
}

export interface AwsFiles {
  readonly config: IniSections;
  readonly credentials: IniSections;
  readonly paths: { readonly config: string; readonly credentials: string };
}

function readOptional(path: string): string {
  try {
    return readTextFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw new BasculeError('io', `cannot read AWS file ${path}: ${code ?? String(error)}`);
  }
}

export function awsFilePaths(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  const home = homeDirectory(env);
  const expand = (p: string) => (p.startsWith('~/') ? joinPath(home, p.slice(2)) : p);
  return {
    config: expand(env.AWS_CONFIG_FILE || joinPath(home, '.aws', 'config')),
    credentials: expand(env.AWS_SHARED_CREDENTIALS_FILE || joinPath(home, '.aws', 'credentials')),
  };
}

export function readAwsFiles(env: NodeJS.ProcessEnv): AwsFiles {
  const paths = awsFilePaths(env);
  return { config: parseIni(readOptional(paths.config)), credentials: parseIni(readOptional(paths.credentials)), paths };
}

/** The profile's section of the config file ([profile NAME], [default]). */
export function configSection(files: AwsFiles, profile: string): Settings | undefined {
  if (profile === 'default') return files.config.get('profile default') ?? files.config.get('default');
  return files.config.get(`profile ${profile}`);
}

/** The profile's settings, credentials file over config file, as botocore merges them. */
export function profileSettings(files: AwsFiles, profile: string): Settings | undefined {
  const fromConfig = configSection(files, profile);
  const fromCredentials = files.credentials.get(profile);
  if (!fromConfig && !fromCredentials) return undefined;
  return { ...fromConfig, ...fromCredentials };
}

/** Every profile the files define, sorted: for "no such profile" messages. */
export function profileNames(files: AwsFiles): string[] {
  const names = new Set<string>();
  for (const section of files.config.keys()) {
    if (section === 'default') names.add('default');
    else if (section.startsWith('profile ')) names.add(section.slice('profile '.length));
  }
  for (const section of files.credentials.keys()) names.add(section);
  return [...names].sort();
}

export function ssoSession(files: AwsFiles, name: string): Settings | undefined {
  return files.config.get(`sso-session ${name}`);
}

/** The profile the chain uses: --profile (explicit: environment keys are then ignored), AWS_PROFILE, else "default". */
export function selectedProfile(flag: string | undefined, env: NodeJS.ProcessEnv): { name: string; named: boolean; flag: boolean } {
  if (flag) return { name: flag, named: true, flag: true };
  const fromEnv = env.AWS_DEFAULT_PROFILE || env.AWS_PROFILE; // botocore's order
  return fromEnv ? { name: fromEnv, named: true, flag: false } : { name: 'default', named: false, flag: false };
}

/**
 * The region: --region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's
 * region. With none, us-east-1, as aws-iam-authenticator falls back to: its
 * STS host is accepted by every EKS cluster of the aws partition (other
 * partitions need the region set).
 */
export const FALLBACK_REGION = 'us-east-1';
export function resolveRegion(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  readProfile: () => { readonly profile: string; readonly region: string | undefined },
): { readonly region: string; /** Where it came from, as --verbose says it. */ readonly source: string } {
  if (flag) return { region: flag, source: 'from --region' };
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: 'from AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: 'from AWS_DEFAULT_REGION' };
  const { profile, region } = readProfile();
  if (region) return { region, source: `from profile ${echo(profile)}` };
  return { region: FALLBACK_REGION, source: `none in --region, AWS_REGION, AWS_DEFAULT_REGION or profile ${echo(profile)}: the fallback aws-iam-authenticator uses` };
}

/** Service ids as the AWS CLI names them in AWS_ENDPOINT_URL_<ID> and in services sections. */
export type ServiceId = 'sts' | 'route_53' | 'eks' | 'sso' | 'elastic_load_balancing_v2' | 'cloudwatch';

/**
 * The endpoint a profile configures for a service, in botocore's order:
 * AWS_ENDPOINT_URL_<SERVICE>, the profile's services section, AWS_ENDPOINT_URL,
 * the profile's endpoint_url. undefined: the service's public endpoint.
 */
export function configuredEndpoint(service: ServiceId, env: NodeJS.ProcessEnv, files: AwsFiles | undefined, profile: string): string | undefined {
  const settings = files ? profileSettings(files, profile) : undefined;
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? settings?.ignore_configured_endpoint_urls;
  if (ignore && /^true$/i.test(ignore)) return undefined;
  const fromEnv = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`];
  if (fromEnv) return fromEnv;
  const services = settings?.services && files ? files.config.get(`services ${settings.services}`) : undefined;
  const fromServices = services?.[`${service}.endpoint_url`];
  if (fromServices) return fromServices;
  return env.AWS_ENDPOINT_URL || settings?.endpoint_url || undefined;
}
