/**
 * `bascule token` driven in-process through run(argv, io): flags to output,
 * and every bad input with its exit code and message.
 */
import { describe, expect, it } from 'vitest';
import { envKeys, runInProcess, cleanEnv, KEYS } from '../support/run.js';
import { fastParseTokenArgv, OUTPUT_FLAG, TOKEN_FLAGS, VERBOSE_FLAG, type FastParse } from '../../src/token/flags.js';
import { joinPath } from '../../src/runtime.js';
import { parseTokenInput } from '../../src/token/options.js';
import { decodeToken as decode } from '../support/token.js';

const fixed = () => new Date('2026-01-02T03:04:05.678Z');

describe('bascule token (in-process)', () => {
  it('prints one ExecCredential line, v1beta1 by default, and nothing on stderr', async () => {
    const r = await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env: envKeys(), now: fixed });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    const cred = JSON.parse(lines[0] as string);
    expect(cred).toMatchObject({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', spec: {} });
    expect(cred.status.expirationTimestamp).toBe('2026-01-02T03:18:05Z');
    const url = decode(cred.status.token);
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260102T030405Z');
  });

  it('echoes KUBERNETES_EXEC_INFO v1', async () => {
    const env = envKeys({ KUBERNETES_EXEC_INFO: '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}' });
    const r = await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env, now: fixed });
    expect(JSON.parse(r.stdout).apiVersion).toBe('client.authentication.k8s.io/v1');
  });

  it('--token-only prints the bare token', async () => {
    const r = await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--token-only', '--no-cache'], { env: envKeys(), now: fixed });
    expect(r.stdout).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+\n$/);
  });

  it('takes the aws eks get-token command line as `aws eks update-kubeconfig` writes it', async () => {
    const r = await runInProcess(['--region', 'us-east-1', 'eks', 'get-token', '--cluster-name', 'eks-green', '--output', 'json', '--no-dns', '--no-cache'], {
      env: envKeys({ AWS_REGION: undefined }),
      now: fixed,
    });
    expect(r.code).toBe(0);
    expect(decode(JSON.parse(r.stdout).status.token).host).toBe('sts.us-east-1.amazonaws.com');
  });

  it('takes the aws-iam-authenticator command line (token -i NAME)', async () => {
    const r = await runInProcess(['token', '-i', 'eks-green', '--region', 'cn-north-1', '--no-dns', '--no-cache'], { env: envKeys(), now: fixed });
    expect(decode(JSON.parse(r.stdout).status.token).host).toBe('sts.cn-north-1.amazonaws.com.cn');
  });

  it('region order: flag, AWS_REGION, AWS_DEFAULT_REGION, profile', async () => {
    const { writeFileSync } = await import('node:fs');
    const env = envKeys({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    writeFileSync(env.AWS_CONFIG_FILE as string, '[default]\nregion = ap-south-1\n[profile other]\nregion = sa-east-1\n');
    const host = async (args: string[], e: NodeJS.ProcessEnv) =>
      decode(JSON.parse((await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--no-cache', ...args], { env: e, now: fixed })).stdout).status.token).host;
    expect(await host([], env)).toBe('sts.ap-south-1.amazonaws.com');
    expect(await host([], { ...env, AWS_DEFAULT_REGION: 'eu-north-1' })).toBe('sts.eu-north-1.amazonaws.com');
    expect(await host([], { ...env, AWS_DEFAULT_REGION: 'eu-north-1', AWS_REGION: 'eu-south-1' })).toBe('sts.eu-south-1.amazonaws.com');
    expect(await host(['--region', 'me-south-1'], { ...env, AWS_REGION: 'eu-south-1' })).toBe('sts.me-south-1.amazonaws.com');
  });

  it('accepts aws-iam-authenticator\'s --cache (bascule always caches)', async () => {
    const r = await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--cache'], { env: envKeys(), now: fixed });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fastParseTokenArgv(['token', '-i', 'eks-green', '--cache'])?.flags.cache).toBe(true);
  });

  it("with no region anywhere, signs for us-east-1 as aws-iam-authenticator does (any aws-partition cluster accepts it)", async () => {
    const r = await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env: envKeys({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }), now: fixed });
    expect(r.stderr).toBe('');
    expect(decode(JSON.parse(r.stdout).status.token).host).toBe('sts.us-east-1.amazonaws.com');
  });

  it('signs with a static profile without the SDK', async () => {
    const { writeFileSync } = await import('node:fs');
    const env = cleanEnv({ AWS_PROFILE: 'dev' });
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE as string, `[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    writeFileSync(env.AWS_CONFIG_FILE as string, '[profile dev]\nregion = eu-west-3\n');
    const r = await runInProcess(['token', '-i', 'eks-green', '--no-dns', '--no-cache'], { env, now: fixed });
    expect(r.stderr).toBe('');
    const url = decode(JSON.parse(r.stdout).status.token);
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDPROFILE/20260102/eu-west-3/sts/aws4_request');
  });

  it('prints help for every command, and the version', async () => {
    for (const argv of [['--help'], ['token', '--help'], ['eks', 'get-token', '--help'], ['cache', 'clear', '--help']]) {
      const r = await runInProcess(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: bascule/);
    }
    expect((await runInProcess(['token', '--help'])).stdout).toMatch(/--allow-cluster <name>/);
    expect((await runInProcess(['--version'])).stdout).toMatch(/^bascule \S+ \(commit \S+, node v\d+/);
  });

});

describe('the fast path reads the flags exactly as commander does', () => {
  // Each valid command line, parsed by the fast path and by commander (through
  // --help-free runs of the program), must give the same TokenInput.
  const lines: string[][] = [
    ['token', '-i', 'eks.devinfra.info'],
    ['token', '--cluster-id=eks.devinfra.info', '-r', 'arn:aws:iam::123456789012:role/a', '-s', 'me', '-e', 'ext-1', '--duration', '1h'],
    ['token', '-ieks-green', '--no-dns', '--token-only', '--no-cache', '--region', 'eu-west-3', '--profile', 'dev'],
    ['token', '-i', 'x.example', '--allow-cluster', 'a', '--allow-cluster=b-*', '--dns-server', '127.0.0.1:5353', '--dns-timeout', '700'],
    ['token', '-i', 'x.example', '--dns-timeout', '1', '--dns-timeout', '900', '--cache-min-validity', '2m'],
    ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'eks-green', '--output', 'json'],
    ['--profile', 'p', '--region', 'us-east-1', 'eks', 'get-token', '--cluster-name', 'eks-green', '--role-arn', 'arn:aws:iam::123456789012:role/a'],
    ['token', '-i', 'eks-green', '--forward-session-name', '-r', 'arn:aws:iam::123456789012:role/a'],
    ['token', '-i', 'x.example', '-r', 'arn:aws:iam::123456789012:role/a', '--source-identity', 'alice', '--tag', 'team=a b', '--tag=env=prod', '--allow-server', 'api.x.example', '--allow-server=*.y.example:443'],
  ];
  const asInput = (parsed: FastParse) =>
    parseTokenInput({ ...parsed.flags, region: parsed.flags.region ?? parsed.globals.region, profile: parsed.flags.profile ?? parsed.globals.profile }, {});

  it.each(lines)('%j', async (...argv) => {
    const fast = fastParseTokenArgv(argv);
    expect(fast).toBeDefined();
    // Run the commander program, capturing what it hands to the token command.
    let viaCommander: unknown;
    const { runProgram } = await import('../../src/program.js');
    const io = { stdout: () => undefined, stderr: () => undefined, env: {}, now: () => new Date(), cwd: '/', stdinIsTTY: () => false, prompt: async () => '' };
    const actions = { token: async (parsed: FastParse) => void (viaCommander = asInput(parsed)), cacheClear: async () => undefined, cacheList: async () => undefined };
    expect(await runProgram(argv, io, actions)).toBe(0);
    expect(viaCommander).toEqual(asInput(fast!));
  });

  it.each([
    ['token', '--help'],
    ['token', '-h'],
    ['token', '-i'],
    ['token', '-i', 'x', 'extra'],
    ['token', '--bogus'],
    ['token', '--token-only=yes'],
    ['token', '-i', '--no-dns'],
    ['token', '--', '-i', 'x'],
    ['eks', 'describe-cluster'],
    ['token', '--output', 'json'],
    ['--region'],
    ['version'],
  ])('leaves %j to commander', (...argv) => expect(fastParseTokenArgv(argv)).toBeUndefined());

  it('writes every flag in the one shape the fast path reads: "-x, --long <value>", "--long <value>" or "--long"', () => {
    for (const f of [...TOKEN_FLAGS, OUTPUT_FLAG, VERBOSE_FLAG]) expect(f.flags).toMatch(/^(?:-\w, )?--[\w-]+(?: <[^>]+>)?$/);
  });

  it('declares every flag once, with unique names', () => {
    const names = TOKEN_FLAGS.flatMap((f) => f.flags.match(/--?[\w-]+/g) ?? []);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('bad input: a clear error, a non-zero exit, nothing on stdout', () => {
  const cases: [string, string[], NodeJS.ProcessEnv | undefined, number, RegExp][] = [
    ['unknown flag', ['token', '-i', 'eks-green', '--bogus'], undefined, 2, /unknown option '--bogus'/],
    ['unknown command', ['tokn'], undefined, 2, /unknown command 'tokn'/],
    ['missing id', ['token'], undefined, 2, /missing the cluster id.*\n.*-i\/--cluster-id/],
    ['an id that is no name', ['token', '-i', 'not a name!'], undefined, 2, /neither an EKS cluster name nor a valid DNS name/],
    ['--no-dns with a DNS name', ['token', '-i', 'eks.devinfra.info', '--no-dns'], undefined, 2, /not a valid EKS cluster name, and --no-dns makes it the cluster name/],
    ['two different ids', ['token', '-i', 'a', '--cluster-name', 'b'], undefined, 2, /--cluster-id "a" and --cluster-name "b" name different clusters/],
    ['a malformed role ARN', ['token', '-i', 'eks-green', '-r', 'arn:aws:iam::12345:role/x'], undefined, 2, /"arn:aws:iam::12345:role\/x" is not an IAM role ARN/],
    ['a user ARN as role', ['token', '-i', 'eks-green', '-r', 'arn:aws:iam::123456789012:user/x'], undefined, 2, /is not an IAM role ARN/],
    ['a bad session name', ['token', '-i', 'eks-green', '-r', 'arn:aws:iam::123456789012:role/x', '-s', 'a b'], undefined, 2, /--session-name "a b" is not a valid role session name/],
    ['a session name without a role', ['token', '-i', 'eks-green', '-s', 'me'], undefined, 2, /^error: --session-name applies only with --role: without a role there is no role session\nhint: add --role ARN \(the role to assume\), or drop --session-name$/m],
    ['a duration without a role', ['token', '-i', 'eks-green', '--duration', '1h'], undefined, 2, /^error: --duration applies only with --role.*\nhint: add --role ARN \(the role to assume\), or drop --duration$/m],
    ['both session-name flags', ['token', '-i', 'eks-green', '-r', 'arn:aws:iam::123456789012:role/x', '-s', 'me', '--forward-session-name'], undefined, 2, /exclusive/],
    ['a bad duration', ['token', '-i', 'eks-green', '-r', 'arn:aws:iam::123456789012:role/x', '--duration', 'soon'], undefined, 2, /--duration "soon" is not a duration/],
    ['a duration out of range', ['token', '-i', 'eks-green', '-r', 'arn:aws:iam::123456789012:role/x', '--duration', '13h'], undefined, 2, /--duration 13h is out of range/],
    ['a bad region', ['token', '-i', 'eks-green', '--region', 'mars-1'], undefined, 2, /"mars-1" is not an AWS region name.*\nhint: give the region's code as AWS writes it, e.g. eu-west-3/],
    ['a DNS server by name', ['token', '-i', 'eks.devinfra.info', '--dns-server', 'dns.example'], undefined, 2, /"dns.example" is not an IP address/],
    ['a DNS server port out of range', ['token', '-i', 'eks.devinfra.info', '--dns-server', '127.0.0.1:70000'], undefined, 2, /--dns-server "127\.0\.0\.1:70000" has port "70000", not between 1 and 65535/],
    ['a bad --dns-timeout', ['token', '-i', 'eks-green', '--dns-timeout', 'soon'], undefined, 2, /--dns-timeout "soon" is not a duration\nhint: write a duration such as 500ms, 2s/],
    ['a bad --aws-timeout', ['token', '-i', 'eks-green', '--aws-timeout', '10d'], undefined, 2, /--aws-timeout "10d" is not a duration/],
    ['an --aws-timeout out of range', ['token', '-i', 'eks-green', '--aws-timeout', '20m'], undefined, 2, /--aws-timeout 20m is out of range \(100ms to 10m\)/],
    ['an AWS region of no partition', ['token', '-i', 'eks-green', '--region', 'EU-WEST-1'], undefined, 2, /--region "EU-WEST-1" is not an AWS region name/],
    ['a role ARN in an unknown partition', ['token', '-i', 'eks-green', '-r', 'arn:aws-mars:iam::123456789012:role/x'], undefined, 2, /names the partition "aws-mars", which is not one of aws-cn, aws-us-gov/],
    ['a bad BASCULE_DNS_SERVER names the variable', ['token', '-i', 'eks.devinfra.info'], envKeys({ BASCULE_DNS_SERVER: '999.0.0.1' }), 2, /^error: BASCULE_DNS_SERVER "999\.0\.0\.1" is not an IP address/],
    ['a bad allow pattern', ['token', '-i', 'eks-green', '--no-dns', '--allow-cluster', 'eks.green'], envKeys(), 2, /--allow-cluster "eks.green" is not a cluster name or a glob/],
    ['a cluster outside the allow-list', ['token', '-i', 'eks-prod', '--no-dns', '--allow-cluster', 'eks-blue', '--allow-cluster', 'eks-green'], envKeys(), 1, /refusing to sign for cluster "eks-prod": the id is a cluster outside --allow-cluster \(eks-blue, eks-green\)/],
    ['an --output other than json', ['eks', 'get-token', '--cluster-name', 'eks-green', '--output', 'yaml'], envKeys(), 2, /--output yaml is not supported/],
    ['malformed KUBERNETES_EXEC_INFO', ['token', '-i', 'eks-green', '--no-dns'], envKeys({ KUBERNETES_EXEC_INFO: '{oops' }), 2, /KUBERNETES_EXEC_INFO is not valid JSON/],
    ['a bad AWS_CREDENTIAL_EXPIRATION', ['token', '-i', 'eks-green', '--no-dns'], envKeys({ AWS_CREDENTIAL_EXPIRATION: 'tomorrow' }), 2, /AWS_CREDENTIAL_EXPIRATION "tomorrow" is not a date/],
    ['expired environment credentials', ['token', '-i', 'eks-green', '--no-dns', '--no-cache'], envKeys({ AWS_SESSION_TOKEN: 'tok', AWS_CREDENTIAL_EXPIRATION: '2020-01-01T00:00:00Z' }), 1, /the AWS credentials from the environment \(AWS_ACCESS_KEY_ID\) expired at 2020-01-01T00:00:00.000Z/],
  ];
  it.each(cases)('%s', async (_, argv, env, code, message) => {
    const r = await runInProcess(argv, { env: env ?? envKeys() });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^hint: ./m);
    expect(r.stderr).not.toContain(KEYS.secretAccessKey);
  });
});

describe('joinPath (the cache directory and its files, without node:path)', () => {
  // path.posix.join's answers for what bascule joins: parts with and without slashes, empty parts.
  it.each([
    [['/home/u', '.kube', 'cache'], '/home/u/.kube/cache'],
    [['/home/u/', '/.kube/', 'cache'], '/home/u/.kube/cache'],
    [['/tmp/c', 'bascule'], '/tmp/c/bascule'],
    [['', '/a', '', 'b'], '/a/b'],
    [['rel//dir', 'x'], 'rel/dir/x'],
    [['/'], '/'],
    [[''], ''],
  ])('%j -> %s', (parts, joined) => expect(joinPath(...parts)).toBe(joined));
});
