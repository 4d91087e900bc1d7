/**
 * The operator's terminal, through run(argv, io): usage errors in the
 * error:/hint: form, -v/--verbose, version and cache list (text and JSON),
 * colour only on a terminal without NO_COLOR, and where the platform file is
 * found when --config is not given.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import type { Io } from '../../src/io.js';
import { cleanEnv, envKeys, KEYS } from '../support/run.js';
import { golden, tempDirs } from '../support/text.js';
import { canonicalKey, fileNameOf, serialiseEntry } from '../../src/token/cache.js';
import type { TokenCacheKey } from '../../src/token/get-token.js';
import { planIdentity, type CredentialPlan } from '../../src/aws/credentials.js';
import { findPlatformFile, searchDirectories } from '../../src/terminal/platform-file.js';
import { fastParseTokenArgv } from '../../src/token/flags.js';

const tempDir = tempDirs('bascule-terminal-');
const NOW = new Date('2026-01-02T03:04:05Z');

/** The test environments of run.ts: a clean one, and one with static keys. */
const env = cleanEnv;
const keys = () => envKeys();

async function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; tty?: boolean; now?: Date } = {}) {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: options.env ?? env(),
    now: () => options.now ?? NOW,
    cwd: options.cwd ?? tempDir(),
    stdinIsTTY: () => false,
    stderrIsTTY: () => options.tty ?? false,
    prompt: async () => {
      throw new Error('no prompt in tests');
    },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe('usage errors: error:/hint: naming --help, exit 2, nothing on stdout', () => {
  const cases: [string, string[], string, string][] = [
    ['unknown command', ['tokn'], "error: unknown command 'tokn'", "hint: did you mean 'bascule token'? see 'bascule --help'"],
    ['unknown subcommand', ['cache', 'lst'], "error: unknown command 'lst'", "hint: did you mean 'bascule cache list'? see 'bascule cache --help'"],
    ['unknown option', ['token', '-i', 'eks-green', '--bogus'], "error: unknown option '--bogus'", "hint: see 'bascule token --help'"],
    ['unknown option, close to one', ['status', '--confg', 'x'], "error: unknown option '--confg'", "hint: did you mean '--config'? see 'bascule status --help'"],
    ['missing option value', ['token', '-i'], "error: option '-i, --cluster-id <name>' argument missing", "hint: see 'bascule token --help'"],
    ['missing argument', ['completion'], "error: missing required argument 'shell'", "hint: see 'bascule completion --help'"],
    ['too many arguments', ['version', 'extra'], "error: unexpected argument 'extra': 'bascule version' takes no arguments, only flags", "hint: drop it, or put it after the flag it belongs to (--flag VALUE); see 'bascule version --help'"],
    ['the platform file as an argument', ['kubeconfig', 'good.yaml'], "error: unexpected argument 'good.yaml': 'bascule kubeconfig' takes no arguments, only flags", "hint: did you mean '--config good.yaml'? see 'bascule kubeconfig --help'"],
    ['a stray argument with a terminal escape, shown escaped', ['init', 'x\u001b[31m'], "error: unexpected argument 'x\\u001b[31m': 'bascule init' takes no arguments, only flags", "see 'bascule init --help'"],
    ['one argument too many', ['completion', 'bash', 'zsh'], "error: unexpected argument 'zsh': 'bascule completion' takes 1 argument (shell)", "see 'bascule completion --help'"],
    ['a flag swallowing the next flag, one left over', ['kubeconfig', '--config', '--out', 'x.yaml'], 'error: -c/--config has no value: it took the next flag, --out, as its value', "hint: write --config <file> before --out; see 'bascule kubeconfig --help'"],
    ['a flag swallowing the next flag', ['kubeconfig', '--config', '--merge'], 'error: -c/--config has no value: it took the next flag, --merge, as its value', "hint: write --config <file> before --merge; see 'bascule kubeconfig --help'"],
    ['a token flag swallowing a global one', ['token', '-i', '--region', 'eu-west-1'], 'error: -i/--cluster-id has no value: it took the next flag, --region, as its value', "hint: write --cluster-id <name> before --region"],
    ['a repeatable flag swallowing one', ['token', '-i', 'eks-green', '--allow-cluster', '--no-cache'], 'error: --allow-cluster has no value: it took the next flag, --no-cache, as its value', "hint: write --allow-cluster <name> before --no-cache"],
    ['a group without its command', ['cache'], "error: 'bascule cache' needs a command: clear, list", "hint: see 'bascule cache --help'"],
    ['help for an unknown command', ['help', 'tokn'], "error: unknown command 'tokn'", "hint: see 'bascule --help'"],
    ['nothing but a flag', ['-v'], "error: 'bascule' needs a command: token, eks, cache", "hint: see 'bascule --help'"],
    ['a value outside the choices', ['version', '--output', 'yaml'], "error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json.", "hint: see 'bascule version --help'"],
    ['an unknown shell', ['completion', 'ksh'], 'error: unknown shell "ksh"', 'hint: bascule completes bash, zsh, fish'],
    ['a global option after the command', ['eks', '--region'], "error: unknown option '--region'", "hint: see 'bascule eks --help'"],
  ];
  it.each(cases)('%s', async (_, argv, error, hint) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toContain(error);
    expect(lines.find((l) => l.startsWith('hint:'))).toContain(hint);
    expect(r.stderr).not.toMatch(/run with --help|Usage:/); // commander's own words are gone
    expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  });

  it('help and --version still exit 0 on stdout', async () => {
    for (const argv of [['--help'], ['cache', '--help'], ['help', 'token'], ['--version'], ['version'], []]) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stderr, argv.join(' ')).toBe('');
      expect(r.stdout.length, argv.join(' ')).toBeGreaterThan(0);
    }
  });
});

describe('-v is --verbose, not the version', () => {
  it('every command lists -v, --verbose in its help; the version is --version', async () => {
    for (const argv of [['--help'], ['token', '--help'], ['eks', 'get-token', '--help'], ['cache', 'list', '--help'], ['status', '--help'], ['completion', '--help']]) {
      expect((await cli(argv)).stdout, argv.join(' ')).toMatch(/-v, --verbose +log what is resolved/);
    }
    expect((await cli(['--help'])).stdout).toMatch(/--version +print the version/);
    expect((await cli(['--help'])).stdout).not.toMatch(/-v, --version/);
  });

  it('the token fast path and commander both take it, before or after the command; it logs on stderr, never a secret', async () => {
    for (const argv of [
      ['-v', 'token', '-i', 'eks-green', '--no-dns', '--no-cache'],
      ['token', '--verbose', '-i', 'eks-green', '--no-dns', '--no-cache'],
      ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'eks-green', '--no-dns', '--no-cache', '-v'],
      ['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-v'],
    ]) {
      const r = await cli(argv, { env: keys() });
      expect(r.code, argv.join(' ')).toBe(0);
      expect(JSON.parse(r.stdout).kind).toBe('ExecCredential');
      expect(r.stderr).toMatch(/^bascule: region eu-west-1 \(from (AWS_REGION|--region)\)$/m);
      expect(r.stderr).toMatch(/^bascule: cluster eks-green: --no-dns, the id is the cluster name$/m);
      expect(r.stderr).toMatch(/^bascule: credentials: environment variables \(AWS_ACCESS_KEY_ID\)$/m);
      expect(r.stderr).toMatch(/^bascule: token cache: skipped \(--no-cache\)$/m);
      expect(r.stderr).toMatch(/^bascule: signed a token for cluster eks-green in eu-west-1, valid until 2026-01-02T03:18:05.000Z$/m);
      expect(r.stderr).not.toContain(KEYS.secretAccessKey);
      expect(r.stderr).not.toContain(KEYS.accessKeyId);
      expect(r.stderr).not.toContain('k8s-aws-v1.');
    }
  });

  it('the fast path reads it itself (no commander on the kubectl path), before or after the command', () => {
    expect(fastParseTokenArgv(['-v', 'token', '-i', 'eks-green'])?.flags.verbose).toBe(true);
    expect(fastParseTokenArgv(['--region', 'eu-west-1', '--verbose', 'eks', 'get-token', '--cluster-name', 'x'])?.flags.verbose).toBe(true);
    expect(fastParseTokenArgv(['token', '-i', 'eks-green', '-v'])?.flags.verbose).toBe(true);
    expect(fastParseTokenArgv(['token', '-i', 'eks-green'])?.flags.verbose).toBeUndefined();
    expect(fastParseTokenArgv(['token', '--verbose=yes', '-i', 'eks-green'])).toBeUndefined(); // commander's to refuse
  });

  it('without it, stderr stays empty (kubectl shows it to the user)', async () => {
    const r = await cli(['token', '-i', 'eks-green', '--no-dns'], { env: keys() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('says cache miss, then hit, and why', async () => {
    const e = { ...keys(), BASCULE_DNS_SERVER: '127.0.0.1:1' };
    const first = await cli(['token', '-i', 'eks-green', '--no-dns', '-v'], { env: e });
    expect(first.stderr).toMatch(/^bascule: token cache: miss: .+\.json does not exist$/m);
    expect(first.stderr).toMatch(/^bascule: token cache: wrote .+\.json$/m);
    expect(first.stderr).toMatch(/^bascule: DNS server 127\.0\.0\.1:1 \(from BASCULE_DNS_SERVER\)$/m);
    const second = await cli(['token', '-i', 'eks-green', '--no-dns', '-v'], { env: e });
    expect(second.stderr).toMatch(/^bascule: token cache: hit .+\.json \(read with node:fs\), valid until 2026-01-02T03:18:05.000Z$/m);
    expect(second.stderr).not.toMatch(/signed a token/);
    const later = new Date(NOW.getTime() + 30_000);
    const strict = await cli(['token', '-i', 'eks-green', '--no-dns', '-v', '--cache-min-validity', '14m'], { env: e, now: later });
    expect(strict.stderr).toMatch(/token cache: miss: .+ is valid until 2026-01-02T03:18:05.000Z, less than --cache-min-validity \(840s\) from now/);
    const off = await cli(['token', '-i', 'eks-green', '--no-dns', '-v'], { env: { ...e, BASCULE_NO_CACHE: '1' } });
    expect(off.stderr).toMatch(/^bascule: token cache: skipped \(BASCULE_NO_CACHE=1\)$/m);
  });

  it('names the real reason of a miss: an entry signed in the future is not "too close to expiry"', async () => {
    const e = keys();
    expect((await cli(['token', '-i', 'eks-green', '--no-dns'], { env: e })).code).toBe(0);
    // The clock moved back 10 minutes: the entry (signed at NOW) is in this clock's future, and still valid for long.
    const earlier = new Date(NOW.getTime() - 600_000);
    const r = await cli(['token', '-i', 'eks-green', '--no-dns', '-v'], { env: e, now: earlier });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^bascule: token cache: miss: .+\.json is signed at 2026-01-02T03:04:05\.000Z, later than this machine's clock \(2026-01-02T02:54:05\.000Z\): the clock moved back, or the entry is not this machine's$/m);
    expect(r.stderr).not.toContain('--cache-min-validity');
  });

  it.each([
    ['--region', { AWS_REGION: 'eu-west-1' }, ['--region', 'eu-west-3'], 'eu-west-3 (from --region)'],
    ['AWS_REGION', { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' }, [], 'eu-west-1 (from AWS_REGION)'],
    ['AWS_DEFAULT_REGION', { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'eu-west-2' }, [], 'eu-west-2 (from AWS_DEFAULT_REGION)'],
    ["the profile's", { AWS_REGION: undefined, AWS_PROFILE: 'dev' }, [], 'ap-south-1 (from profile dev)'],
    [
      'none: the fallback, said as such, though no profile exists',
      { AWS_REGION: undefined },
      [],
      'us-east-1 (none in --region, AWS_REGION, AWS_DEFAULT_REGION or profile default: the fallback aws-iam-authenticator uses)',
    ],
  ] as const)('says where the region came from: %s', async (_, over, flags, said) => {
    const e = envKeys(over);
    writeFileSync(e.AWS_CONFIG_FILE as string, '[profile dev]\nregion = ap-south-1\n');
    const r = await cli(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-v', ...flags], { env: e });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`\nbascule: region ${said}\n`);
  });
});

describe('version and cache list: text and JSON', () => {
  it('version --output json names the runtime (in-process: Node; each artefact: test/e2e/version.test.ts)', async () => {
    const r = await cli(['version', '-o', 'json']);
    expect(r.code).toBe(0);
    const shape = JSON.parse(r.stdout);
    expect(shape).toEqual({ version: expect.any(String), commit: expect.any(String), runtime: 'node', runtimeVersion: process.versions.node });
    expect((await cli(['version'])).stdout).toBe(`bascule ${shape.version} (commit ${shape.commit}, node ${process.version})\n`);
  });

  const key = (clusterName: string, over: Partial<TokenCacheKey> = {}): TokenCacheKey => ({
    clusterName,
    region: 'eu-west-1',
    roleArn: null,
    externalId: null,
    sessionName: null,
    forwardSessionName: false,
    durationSeconds: null,
    profile: null,
    signerIdentity: `env:${KEYS.accessKeyId}`,
    sourceIdentity: null,
    tags: [],
    ...over,
  });

  function cacheWith(e: NodeJS.ProcessEnv): string {
    const dir = join(e.KUBECACHEDIR as string, 'bascule');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const put = (k: TokenCacheKey, signedAt: string, mode = 0o600) => {
      const canonical = canonicalKey(k);
      const file = join(dir, `${fileNameOf(canonical)}.json`);
      const signed = new Date(signedAt);
      writeFileSync(file, serialiseEntry(canonical, { token: 'k8s-aws-v1.SECRETTOKENVALUE', signedAt: signed, expiresAt: new Date(signed.getTime() + 14 * 60_000) }), { mode });
      chmodSync(file, mode);
      return file;
    };
    put(key('eks-green', { roleArn: 'arn:aws:iam::123456789012:role/admin', sessionName: 'me', externalId: 'shh-external' }), '2026-01-02T03:00:05Z');
    put(key('eks-blue', { profile: 'dev', signerIdentity: 'profile:dev:AKIDPROFILE' }), '2026-01-02T02:40:00Z');
    // A role session marked with --source-identity and --tag (the key holds the tags sorted, as tokenCacheKey makes it).
    put(key('eks-green', { roleArn: 'arn:aws:iam::123456789012:role/admin', sessionName: 'me', sourceIdentity: 'alice', tags: [['cost center', '42'], ['team', 'platform']] }), '2026-01-02T03:01:05Z');
    put(key('eks-old', { profile: 'sso', signerIdentity: 'sdk:sso:[[],[]]' }), '2026-01-02T03:02:00Z', 0o644);
    writeFileSync(join(dir, `${'0'.repeat(28)}.json`), '{"format":1,"key":"not json"}\n', { mode: 0o600 });
    return dir;
  }

  it('cache list --output json: entries without the token, key id or external id; unusable files apart', async () => {
    const e = env();
    const dir = cacheWith(e);
    const r = await cli(['cache', 'list', '--output', 'json'], { env: e });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/SECRETTOKENVALUE|k8s-aws-v1|AKID|shh-external/);
    golden('test/golden/cache-list.json', r.stdout.split(dir).join('<cache>'));
  });

  it('cache list: a table', async () => {
    const e = env();
    const dir = cacheWith(e);
    const r = await cli(['cache', 'list'], { env: e });
    expect(r.code).toBe(0);
    const lines = r.stdout.split(dir).join('<cache>').split('\n');
    expect(lines[0]).toMatch(/^CLUSTER +REGION +ROLE +SESSION +CREDENTIALS +AGE +EXPIRES +FILE$/);
    expect(lines[1]).toMatch(/^eks-blue +eu-west-1 +- +- +profile dev +24m05s +10m05s ago +<cache>\/[0-9a-f]{28}\.json$/);
    expect(lines[2]).toMatch(/^eks-green +eu-west-1 +arn:aws:iam::123456789012:role\/admin +- +environment +4m00s +in 10m00s +<cache>\/[0-9a-f]{28}\.json$/);
    expect(lines[3]).toMatch(/^eks-green +eu-west-1 +arn:aws:iam::123456789012:role\/admin +alice cost center=42 team=platform +environment +3m00s +in 11m00s +<cache>\/[0-9a-f]{28}\.json$/);
    expect(lines[4]).toMatch(/^ignored: <cache>\/0{28}\.json: not a complete cache entry/);
    expect(lines[5]).toMatch(/^ignored: <cache>\/[0-9a-f]{28}\.json: the file has mode 0644, other users can reach it/);
    expect((await cli(['cache', 'list'], { env: env() })).stdout).toMatch(/^no cached tokens in .+\/bascule\n$/);
  });
});

describe('cache list: who signed, from the identities the token path writes', () => {
  const keys = { accessKeyId: 'AKIDFILE', secretAccessKey: 's' };
  const sso = { kind: 'sso', profile: 'dev', session: 'corp', startUrl: 'https://x.awsapps.com/start', ssoRegion: 'eu-west-1', accountId: '123456789012', roleName: 'Admin' } as const;
  // [what, the plan (as planCredentials decides), the key's profile (as src/token/aws-port.ts stores it), the words]
  const CASES: [string, CredentialPlan, string | null, string][] = [
    ['environment keys', { kind: 'env', credentials: keys }, null, 'environment'],
    ['keys in the credentials file', { kind: 'shared-credentials-file', profile: 'dev', credentials: keys }, 'dev', 'profile dev (credentials file)'],
    ['keys in the config file', { kind: 'config-file', profile: 'dev', credentials: keys }, 'dev', 'profile dev (config file)'],
    ['credential_process', { kind: 'custom-process', profile: 'dev', command: 'get-creds --json' }, 'dev', 'profile dev (credential_process)'],
    ['SSO', sso, 'dev', 'profile dev (SSO)'],
    ['a role profile', { kind: 'assume-role', profile: 'admin', roleArn: 'arn:aws:iam::123456789012:role/a', sessionName: undefined, externalId: undefined, durationSeconds: undefined, mfaSerial: undefined, source: sso }, 'admin', 'profile admin (role)'],
    ['web identity', { kind: 'assume-role-with-web-identity', profile: 'default', roleArn: 'arn:aws:iam::123456789012:role/w', tokenFile: '/var/run/token', sessionName: undefined }, 'default', 'web identity'],
    ['container credentials', { kind: 'container-role' }, 'default', 'container credentials'],
    ['instance metadata', { kind: 'iam-role' }, 'default', 'EC2 instance metadata'],
  ];
  it.each(CASES)('%s', async (_, plan, profile, words) => {
    const e = env();
    const dir = join(e.KUBECACHEDIR as string, 'bascule');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const canonical = canonicalKey({ clusterName: 'eks-green', region: 'eu-west-1', roleArn: null, externalId: null, sessionName: null, forwardSessionName: false, durationSeconds: null, profile, signerIdentity: planIdentity(plan), sourceIdentity: null, tags: [] });
    const signedAt = new Date();
    writeFileSync(join(dir, `${fileNameOf(canonical)}.json`), serialiseEntry(canonical, { token: 'k8s-aws-v1.X', signedAt, expiresAt: new Date(signedAt.getTime() + 14 * 60_000) }), { mode: 0o600 });
    const r = await cli(['cache', 'list', '--output', 'json'], { env: e });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).entries.map((x: { credentials: string }) => x.credentials)).toEqual([words]);
  });
});

describe('colour: only on a terminal, never with NO_COLOR or TERM=dumb', () => {
  const RED_ERROR = '\u001b[1m\u001b[31merror:\u001b[39m\u001b[22m';
  it.each([
    ['a terminal', true, {}, true],
    ['not a terminal', false, {}, false],
    ['a terminal, NO_COLOR=1', true, { NO_COLOR: '1' }, false],
    ['a terminal, NO_COLOR empty (no-color.org: ignored)', true, { NO_COLOR: '' }, true],
    ['a terminal, TERM=dumb', true, { TERM: 'dumb' }, false],
  ] as const)('%s', async (_, tty, extra, coloured) => {
    const r = await cli(['tokn'], { tty, env: env(extra) });
    expect(r.code).toBe(2);
    if (coloured) expect(r.stderr.startsWith(`${RED_ERROR} unknown command`)).toBe(true);
    else expect(r.stderr).not.toContain('\u001b[');
  });
});

describe('the platform file without --config: BASCULE_CONFIG, then the nearest platform.yaml up to $HOME', () => {
  const quiet = { verbose: undefined };
  it('--config wins, then BASCULE_CONFIG, then the search', () => {
    const home = tempDir();
    const deep = join(home, 'infra', 'eks', 'sub');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(home, 'infra', 'platform.yaml'), 'x');
    expect(findPlatformFile('mine.yaml', { env: { HOME: home, BASCULE_CONFIG: 'env.yaml' }, cwd: deep, ...quiet })).toEqual({ path: 'mine.yaml', source: 'flag' });
    writeFileSync(join(deep, 'env.yaml'), 'x');
    expect(findPlatformFile(undefined, { env: { HOME: home, BASCULE_CONFIG: 'env.yaml' }, cwd: deep, ...quiet })).toEqual({ path: 'env.yaml', source: 'env' });
    expect(findPlatformFile(undefined, { env: { HOME: home }, cwd: deep, ...quiet })).toEqual({ path: '../../platform.yaml', source: 'search' });
    writeFileSync(join(deep, 'platform.yaml'), 'x');
    expect(findPlatformFile(undefined, { env: { HOME: home }, cwd: deep, ...quiet })).toEqual({ path: 'platform.yaml', source: 'search' });
  });

  it('stops at $HOME when inside it (a file above is not picked up), else at the root', () => {
    expect(searchDirectories('/home/ann/infra/eks', '/home/ann')).toEqual(['/home/ann/infra/eks', '/home/ann/infra', '/home/ann']);
    expect(searchDirectories('/home/ann', '/home/ann')).toEqual(['/home/ann']);
    expect(searchDirectories('/home/annex/x', '/home/ann')).toEqual(['/home/annex/x', '/home/annex', '/home', '/']);
    expect(searchDirectories('/srv/infra', '/home/ann')).toEqual(['/srv/infra', '/srv', '/']);
    const top = tempDir();
    const home = join(top, 'home');
    mkdirSync(join(home, 'work'), { recursive: true });
    writeFileSync(join(top, 'platform.yaml'), 'x'); // above $HOME: never used
    expect(() => findPlatformFile(undefined, { env: { HOME: home }, cwd: join(home, 'work'), ...quiet })).toThrow(
      `no platform file: no platform.yaml in ${join(home, 'work')} or its parents up to ${home}`,
    );
  });

  it('the commands use it (status reads the file found above; BASCULE_CONFIG is relative to the working directory)', async () => {
    const home = tempDir();
    const deep = join(home, 'infra', 'sub');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(home, 'infra', 'platform.yaml'), 'name: [unclosed\n');
    const r = await cli(['status', '-v'], { env: { HOME: home, PATH: process.env.PATH }, cwd: deep });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bascule: platform file: \.\.\/platform\.yaml \(found searching up from .+\/infra\/sub\)$/m);
    expect(r.stderr).toMatch(/^error: \.\.\/platform\.yaml is not valid YAML/m);
    const viaEnv = await cli(['kubeconfig'], { env: { HOME: home, PATH: process.env.PATH, BASCULE_CONFIG: 'other.yaml' }, cwd: deep });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toBe(`error: BASCULE_CONFIG names the platform file other.yaml, which does not exist (relative to ${deep})\nhint: set BASCULE_CONFIG to the platform file, unset it to search for platform.yaml, or pass --config FILE\n`);
    const none = await cli(['manifests', '--out', 'x'], { env: { HOME: home, PATH: process.env.PATH }, cwd: home });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`error: no platform file: no platform.yaml in ${home}\nhint: pass --config FILE, set BASCULE_CONFIG, or write a starter with \`bascule init\`\n`);
  });
});
