/**
 * The token command's flags, declared once. Commander builds help and the
 * full parser from this table (program.ts); `fastParseTokenArgv` reads the
 * plain, valid command lines kubectl passes on every call without loading
 * commander (~6 ms per kubectl command on this project's benchmark machine).
 * Anything unusual (help, an unknown flag, a missing value, `--`, positional
 * arguments) is left to commander, so errors and help read the same on both.
 */
import type { RawTokenFlags } from './options.js';

export interface FlagSpec {
  readonly flags: string; // commander's spelling: '-i, --cluster-id <name>'
  readonly key: keyof RawTokenFlags | 'output' | 'verbose';
  readonly description: string;
  readonly default?: string;
  readonly repeatable?: boolean;
}

export const TOKEN_FLAGS: readonly FlagSpec[] = [
  { flags: '-i, --cluster-id <name>', key: 'clusterId', description: 'cluster name, or DNS name whose TXT record holds the active cluster name' },
  { flags: '--cluster-name <name>', key: 'clusterName', description: 'same as --cluster-id (aws eks get-token spelling)' },
  { flags: '-r, --role <arn>', key: 'role', description: 'IAM role to assume before signing' },
  { flags: '--role-arn <arn>', key: 'roleArn', description: 'same as --role (aws eks get-token spelling)' },
  { flags: '-s, --session-name <name>', key: 'sessionName', description: 'role session name (default "bascule")' },
  { flags: '--forward-session-name', key: 'forwardSessionName', description: "use the caller's own session name as the role session name" },
  { flags: '-e, --external-id <id>', key: 'externalId', description: 'external id for the role assumption' },
  { flags: '--region <region>', key: 'region', description: 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile)' },
  { flags: '--profile <name>', key: 'profile', description: 'AWS profile (default: AWS_PROFILE, then the credential chain)' },
  { flags: '--duration <duration>', key: 'duration', description: 'assumed-role session length, e.g. 1h (900s..12h)' },
  { flags: '--token-only', key: 'tokenOnly', description: 'print the bare token instead of an ExecCredential' },
  { flags: '--dns-server <host[:port]>', key: 'dnsServer', description: 'resolver to ask for the TXT record (env BASCULE_DNS_SERVER)' },
  { flags: '--allow-cluster <name>', key: 'allowCluster', description: 'only sign for this cluster name; repeatable; "*" globs', repeatable: true },
  { flags: '--allow-server <host[:port]>', key: 'allowServer', description: 'only sign when kubectl calls this API server (provideClusterInfo: true); repeatable; "*" for one label', repeatable: true },
  { flags: '--source-identity <id>', key: 'sourceIdentity', description: 'the role session\'s source identity (STS SourceIdentity, in CloudTrail)' },
  { flags: '--tag <key=value>', key: 'tag', description: 'a session tag on the role session; repeatable', repeatable: true },
  { flags: '--no-dns', key: 'dns', description: 'the id is the cluster name: no TXT lookup' },
  { flags: '--dns-timeout <duration>', key: 'dnsTimeout', description: 'bound on the whole TXT lookup (e.g. 2s, 500ms; a bare number is ms)', default: '2s' },
  { flags: '--aws-timeout <duration>', key: 'awsTimeout', description: 'bound on the AWS work: credentials, role assumption (e.g. 15s)', default: '15s' },
  { flags: '--cache', key: 'cache', description: 'accepted for aws-iam-authenticator compatibility: bascule always caches' },
  { flags: '--no-cache', key: 'cache', description: 'neither read nor write the token cache (env BASCULE_NO_CACHE=1)' },
  { flags: '--cache-min-validity <duration>', key: 'cacheMinValidity', description: 'serve a cached token only with this much validity left', default: '5m' },
];

/** `eks get-token` also takes the AWS CLI's --output. */
export const OUTPUT_FLAG: FlagSpec = { flags: '--output <format>', key: 'output', description: 'output format (json only)' };

/** Every command takes it (program.ts); -v as kubectl users expect (the version is --version). */
export const VERBOSE_FLAG: FlagSpec = { flags: '-v, --verbose', key: 'verbose', description: 'log what is resolved, read, cached and skipped, and why, on stderr (never a secret)' };

export type TokenFlags = RawTokenFlags & { output?: string; verbose?: boolean };
export interface FastParse {
  readonly flags: TokenFlags;
  readonly globals: { region?: string; profile?: string };
}

interface Parsed {
  readonly long: string;
  readonly short?: string;
  readonly takesValue: boolean;
  readonly negate: boolean;
  readonly spec: FlagSpec;
}

/**
 * A spec's spelling read with string operations: "-x, --long <value>",
 * "--long <value>" or "--long" (test/unit/token-cli.test.ts holds every spec
 * to that shape). No regular expression and no array callback here: on the
 * cached path each first use of one costs the runtime more than this loop.
 */
function parseSpec(spec: FlagSpec): Parsed {
  const text = spec.flags;
  const comma = text.indexOf(', ');
  const long = comma < 0 ? text : text.slice(comma + 2);
  const space = long.indexOf(' ');
  const name = space < 0 ? long : long.slice(0, space);
  return { long: name, ...(comma < 0 ? {} : { short: text.slice(0, comma) }), takesValue: text.includes('<'), negate: name.startsWith('--no-'), spec };
}

/** The flags of `token`, or of `eks get-token` with --output; undefined: let commander decide. */
export function fastParseTokenArgv(argv: readonly string[]): FastParse | undefined {
  const globals: { region?: string; profile?: string } = {};
  let verbose = false;
  let i = 0;
  for (;;) {
    const arg = argv[i];
    if (arg === '-v' || arg === '--verbose') {
      verbose = true;
      i += 1;
    } else if (arg === '--region' || arg === '--profile') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) return undefined;
      globals[arg.slice(2) as 'region' | 'profile'] = value;
      i += 2;
    } else break;
  }
  let specs: readonly FlagSpec[];
  if (argv[i] === 'token') {
    specs = TOKEN_FLAGS;
    i += 1;
  } else if (argv[i] === 'eks' && argv[i + 1] === 'get-token') {
    specs = [...TOKEN_FLAGS, OUTPUT_FLAG];
    i += 2;
  } else return undefined;

  const table: Parsed[] = [];
  for (let s = 0; s < specs.length; s++) table.push(parseSpec(specs[s] as FlagSpec));
  table.push(parseSpec(VERBOSE_FLAG));
  // The specs' defaults are left out: parseTokenInput gives an absent flag the same value (DEFAULT_*).
  const flags: Record<string, unknown> = verbose ? { verbose } : {};
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') return undefined;
    let name = arg;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      name = arg.slice(0, eq);
      inline = arg.slice(eq + 1);
    } else if (!arg.startsWith('--') && arg.length > 2) {
      name = arg.slice(0, 2);
      inline = arg.slice(2);
    }
    let p: Parsed | undefined;
    for (let t = 0; t < table.length && !p; t++) if ((table[t] as Parsed).long === name || (table[t] as Parsed).short === name) p = table[t];
    if (!p) return undefined; // unknown, -h, --help, -v...: commander's words
    if (!p.takesValue) {
      if (inline !== undefined) return undefined;
      flags[p.spec.key] = !p.negate;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined;
    flags[p.spec.key] = p.spec.repeatable ? [...((flags[p.spec.key] as string[] | undefined) ?? []), value] : value;
  }
  return { flags: flags as TokenFlags, globals };
}
