/**
 * The one entry: `run(argv, io) -> exit code`. Flags become typed inputs here;
 * each command's work lives in its own module, loaded when that command runs.
 * Errors are printed once, by `formatError`, never elsewhere.
 */
import { Command, CommanderError, Option } from 'commander';
import { BasculeError, formatError, usageError } from './errors.js';
import type { Io } from './io.js';
import { VERSION, versionLine } from './version.js';
import { parseTokenInput, type RawTokenFlags } from './token/options.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The command words of argv (`eks get-token`), skipping the global options.
 * Options are declared only on the command that runs: kubectl pays for every
 * option object built, on every call. `help` and no command build them all.
 */
export function commandPath(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--region' || arg === '--profile') i++;
    else if (arg.startsWith('-')) break;
    else words.push(arg);
    if (words.length === 2) break;
  }
  return words;
}

function addTokenOptions(cmd: Command): Command {
  return cmd
    .option('-i, --cluster-id <name>', 'cluster name, or DNS name whose TXT record holds the active cluster name')
    .option('--cluster-name <name>', 'same as --cluster-id (aws eks get-token spelling)')
    .option('-r, --role <arn>', 'IAM role to assume before signing')
    .addOption(new Option('--role-arn <arn>', 'same as --role (aws eks get-token spelling)'))
    .option('-s, --session-name <name>', 'role session name (default "bascule")')
    .option('--forward-session-name', "use the caller's own session name as the role session name")
    .option('-e, --external-id <id>', 'external id for the role assumption')
    .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile)')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE, then the credential chain)')
    .option('--duration <duration>', 'assumed-role session length, e.g. 1h (900s..12h)')
    .option('--token-only', 'print the bare token instead of an ExecCredential')
    .option('--dns-server <host[:port]>', 'resolver to ask for the TXT record (env BASCULE_DNS_SERVER)')
    .option('--allow-cluster <name>', 'only sign for this cluster name; repeatable; "*" globs', collect)
    .option('--no-dns', 'the id is the cluster name: no TXT lookup')
    .option('--dns-timeout <ms>', 'bound on the whole TXT lookup, in ms', String(2000))
    .option('--no-cache', 'neither read nor write the token cache (env BASCULE_NO_CACHE=1)')
    .option('--cache-min-validity <duration>', 'serve a cached token only with this much validity left', '5m');
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const program = new Command('bascule')
    .description('Blue/green EKS: a kubectl credential plugin that follows the active cluster, generators, and the switch.')
    .version(versionLine(), '-v, --version', 'print the version and the git commit')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    // The AWS CLI's globals, as `aws eks update-kubeconfig` writes them before `eks get-token`.
    .option('--region <region>', 'AWS region (AWS CLI compatible global)')
    .option('--profile <name>', 'AWS profile (AWS CLI compatible global)');

  const globals = () => program.opts<{ region?: string; profile?: string }>();
  const path = commandPath(argv);
  const all = path.length === 0 || path[0] === 'help';
  /** Should the options of this command be declared? */
  const runs = (...names: string[]) => all || names.every((name, i) => path[i] === name || path[i] === undefined);

  const tokenAction = async (flags: RawTokenFlags & { output?: string }) => {
    if (flags.output !== undefined && flags.output !== 'json') {
      throw usageError(`--output ${flags.output} is not supported`, 'bascule prints JSON (an ExecCredential); use --token-only for the bare token');
    }
    const input = parseTokenInput({ ...flags, region: flags.region ?? globals().region, profile: flags.profile ?? globals().profile }, io.env);
    const { getToken } = await import('./token/get-token.js');
    const { lookupTxt } = await import('./token/dns.js');
    const cache = input.cache ? (await import('./token/cache.js')).diskTokenCache(io) : undefined;
    await getToken(input, {
      env: io.env,
      now: io.now,
      lookupTxt,
      stdout: io.stdout,
      stderr: io.stderr,
      prompt: io.prompt,
      stdinIsTTY: io.stdinIsTTY,
      ...(cache ? { cache } : {}),
    });
  };

  const token = program
    .command('token')
    .description('print an ExecCredential for kubectl: resolve the active cluster, assume the role, presign the EKS token')
    .action(tokenAction);
  if (runs('token')) addTokenOptions(token);

  const eks = program.command('eks').description('aws CLI compatible commands (what `aws eks update-kubeconfig` writes)');
  const getToken = eks.command('get-token').description('same as `bascule token`, with the aws CLI spelling').action(tokenAction);
  if (runs('eks', 'get-token')) addTokenOptions(getToken).option('--output <format>', 'output format (json only)');

  const cache = program.command('cache').description('the token cache');
  cache
    .command('clear')
    .description('delete every cached token')
    .action(async () => {
      const { clearTokenCache } = await import('./token/cache.js');
      const removed = clearTokenCache(io);
      io.stderr(`removed ${removed} cached token${removed === 1 ? '' : 's'}\n`);
    });

  // --- Generators (platform description, kubeconfig, manifests) and the switch ---
  // Each action loads its code from a chunk (see CHUNKS in scripts/build.mjs),
  // so kubectl's hot path never parses it.
  const platformChunk = () => import('./platform/commands.js');

  const init = program
    .command('init')
    .description('write a commented starter platform file (platform.yaml)')
    .action(async (flags: { out?: string; force?: boolean }) => (await platformChunk()).initCommand(flags, io));
  if (runs('init')) init.option('-o, --out <file>', 'where to write it ("-" for stdout)', 'platform.yaml').option('--force', 'overwrite an existing file (kept as FILE.bak)');

  program
    .command('schema')
    .description('print the JSON Schema of the platform file (for editors)')
    .action(async () => (await platformChunk()).schemaCommand(io));

  const kubeconfig = program
    .command('kubeconfig')
    .description('generate kubeconfig entries for every access level: the live cluster behind the stable name, and each colour')
    .action(async (flags: import('./kubeconfig/command.js').KubeconfigFlags) =>
      (await platformChunk()).kubeconfigCommand({ ...flags, profile: flags.profile ?? globals().profile }, io),
    );
  if (runs('kubeconfig')) {
    kubeconfig
      .option('-c, --config <file>', 'the platform file', 'platform.yaml')
      .option('-a, --access <name>', 'only this access level; repeatable (default: all)', collect)
      .option('-o, --out <file>', 'write a standalone kubeconfig to FILE (default: print it)')
      .option('--merge [file]', 'merge into a kubeconfig (default: $KUBECONFIG, else ~/.kube/config), replacing only bascule\'s entries')
      .option('--dry-run', 'print what would be written, write nothing')
      .option('--fetch', 'read endpoints and CAs from EKS (DescribeCluster) instead of the platform file')
      .option('--command <path>', 'the exec command kubectl runs (default "bascule", found on PATH)')
      .option('--profile <name>', 'AWS profile for --fetch');
  }

  program
    .command('version')
    .description('print the version and the git commit')
    .action(() => io.stdout(`${versionLine()}\n`));

  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)');
  }

  if (argv.length === 0) {
    io.stdout(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its own message (usage errors) or the help/version.
      exitCode = error.exitCode === 0 ? 0 : 2;
    } else {
      const { text, exitCode: code } = formatError(error);
      io.stderr(text);
      exitCode = code;
    }
  }
  return exitCode;
}

export { VERSION, BasculeError };
