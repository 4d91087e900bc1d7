/**
 * The full command line: every command, its help, and commander's parsing and
 * errors. `run()` (cli.ts) comes here for everything but the plain token calls
 * kubectl makes.
 *
 * Adding a command: `program.command(...)` below, its code loaded from a chunk
 * in its action (see CHUNKS in scripts/chunks.mjs), its io the `io` here (it
 * carries --verbose). A platform file option: `platformFileOption(cmd)`, then
 * `withPlatformFile(flags)` in the action. Every command gets -v/--verbose and
 * the error:/hint: form of usage errors from the loop at the end.
 */
import { Command, CommanderError, Option } from 'commander';
import { BasculeError, usageError } from './errors.js';
import { withVerbose, type Io } from './io.js';
import { versionJson, versionLine } from './version.js';
import { OUTPUT_FLAG, TOKEN_FLAGS, VERBOSE_FLAG, type FastParse, type FlagSpec, type TokenFlags } from './token/flags.js';
import { completeArguments, completeWith, completionScript, SHELLS, type Shell } from './terminal/completion.js';
import { HELP, helpAfter } from './help.js';
import { findPlatformFile } from './terminal/platform-file.js';
import { echo } from './text.js';

/**
 * What the commands do, handed in by cli.ts from the main bundle: this module
 * is its own chunk, and must not carry a second copy of the token path (nor
 * of the cache, which the token path holds).
 */
export interface Actions {
  token(parsed: FastParse, io: Io): Promise<void>;
  cacheClear(io: Io): Promise<void>;
  cacheList(flags: { output: 'table' | 'json' }, io: Io): Promise<void>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addOptions(cmd: Command, specs: readonly FlagSpec[]): Command {
  for (const spec of specs) {
    if (spec.repeatable) cmd.option(spec.flags, spec.description, collect);
    else if (spec.default !== undefined) cmd.option(spec.flags, spec.description, spec.default);
    else cmd.option(spec.flags, spec.description);
  }
  return cmd;
}

/** `bascule cache list`, for the hint of an error in that command. */
const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** A word of the command line as a message may show it: the one rule for echoed text (src/text.ts). */
const shown = (word: string) => echo(word);

/** A flag given as another flag's value (`--config --out x.yaml`): commander takes it, as getopt would. */
function swallowedFlag(cmd: Command): { option: Option; value: string } | undefined {
  const flags = new Set(['--help', '-h']);
  for (let c: Command | null = cmd; c; c = c.parent) for (const o of c.options) for (const f of [o.long, o.short]) if (f) flags.add(f);
  for (const option of cmd.options) {
    if (!option.required) continue; // no value, or an optional one (commander never gives it a flag)
    const raw: unknown = cmd.getOptionValue(option.attributeName());
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value === 'string' && flags.has(value.split('=')[0] as string)) return { option, value };
    }
  }
  return undefined;
}

const swallowedError = (cmd: Command, { option, value }: { option: Option; value: string }): BasculeError => {
  const name = [option.short, option.long].filter(Boolean).join('/') || option.flags;
  const placeholder = /<[^>]+>/.exec(option.flags)?.[0] ?? 'VALUE';
  const flag = shown(value);
  return usageError(`${name} has no value: it took the next flag, ${flag}, as its value`, `write ${option.long ?? name} ${placeholder} before ${flag}; see '${commandPath(cmd)} --help'`);
};

/** Arguments a command does not take: say which, and what was probably meant. */
function excessError(cmd: Command): BasculeError {
  const where = commandPath(cmd);
  const swallowed = swallowedFlag(cmd);
  if (swallowed) return swallowedError(cmd, swallowed);
  const expected = cmd.registeredArguments.length;
  const stray = cmd.args.slice(expected);
  const takes = expected === 0 ? 'takes no arguments, only flags' : `takes ${expected} argument${expected === 1 ? '' : 's'} (${cmd.registeredArguments.map((a) => a.name()).join(', ')})`;
  const first = shown(stray[0] as string);
  const config = cmd.options.some((o) => o.long === '--config') && /\.(ya?ml|json)$/i.test(first);
  return usageError(
    `unexpected argument${stray.length > 1 ? 's' : ''} ${stray.map((a) => `'${shown(a)}'`).join(' ')}: '${where}' ${takes}`,
    config ? `did you mean '--config ${first}'? see '${where} --help'` : `drop it, or put it after the flag it belongs to (--flag VALUE); see '${where} --help'`,
  );
}

/** Commander's own usage errors, in bascule's error:/hint: form (exit 2), the hint naming --help. */
export function usageFromCommander(error: CommanderError, cmd: Command): BasculeError {
  if (error.code === 'commander.excessArguments') return excessError(cmd);
  const [message, ...rest] = error.message.replace(/^error: /, '').split('\n');
  const where = commandPath(cmd);
  const suggestion = /\(Did you mean (.+)\?\)/.exec(rest.join(' '))?.[1];
  const see = `see '${where} --help'`;
  if (!suggestion) return usageError(message as string, see);
  const meant = error.code === 'commander.unknownCommand' ? `${where} ${suggestion}` : suggestion;
  return usageError(message as string, `did you mean '${meant}'? ${see}`);
}

const missingCommand = (cmd: Command) =>
  usageError(
    `'${commandPath(cmd)}' needs a command: ${cmd.commands.map((c) => c.name()).join(', ')}`,
    `see '${commandPath(cmd)} --help'`,
  );

/** Everything below this command, depth first. */
const allCommands = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(allCommands)];

function outputOption(cmd: Command, formats: readonly string[]): Command {
  return cmd.addOption(new Option('-o, --output <format>', formats.join(' or ')).choices(formats).default(formats[0]));
}

export const FLEET_HELP = 'the fleet: a fleet file or a directory of platform files (default: $BASCULE_FLEET, else the nearest fleet.yaml in this directory or a parent)';

export const PLATFORM_FILE_HELP = 'the platform file (default: $BASCULE_CONFIG, else the nearest platform.yaml in this directory or a parent, up to $HOME)';

/** --aws-timeout, as every command that calls AWS takes it (src/aws/identity.ts's AWS_TIMEOUT: its default, its bounds). */
const AWS_TIMEOUT_HELP = 'bound on the AWS work: the credentials, the role, each AWS call';
const awsTimeoutOption = (cmd: Command, when = ''): Command => cmd.option('--aws-timeout <duration>', `${when}${AWS_TIMEOUT_HELP}`, '15s');

/** The -c/--config option of a command that reads the platform file; resolve it with withPlatformFile in the action. */
export const platformFileOption = (cmd: Command): Command => cmd.option('-c, --config <file>', PLATFORM_FILE_HELP);

/** Parses and runs; errors other than commander's propagate to run(). Returns commander's exit code. */
export async function runProgram(argv: readonly string[], processIo: Io, actions: Actions): Promise<number> {
  // The single binary starts with the JIT held back for the plain token call
  // (scripts/build-binary.mjs); the other commands get the normal policy back:
  // `manifests` takes 413 ms with it and 649 ms without.
  (globalThis as { Bun?: { unsafe?: { setJITPolicy?: (scale: number) => void } } }).Bun?.unsafe?.setJITPolicy?.(1);
  // The io every action gets: --verbose (anywhere on the line) turns its logger on before the action runs.
  let io: Io = processIo;

  const program = new Command('bascule')
    .description('Blue/green EKS: a kubectl credential plugin that follows the active cluster, generators, and the switch.')
    .version(versionLine(), '--version', 'print the version and the git commit')
    .enablePositionalOptions()
    // The AWS CLI's globals, as `aws eks update-kubeconfig` writes them before `eks get-token`.
    .option('--region <region>', 'AWS region (AWS CLI compatible global)')
    .option('--profile <name>', 'AWS profile (AWS CLI compatible global)');

  const globals = () => program.opts<{ region?: string; profile?: string }>();

  /** The platform file of the command line: --config, $BASCULE_CONFIG, or the search up the tree. */
  const withPlatformFile = <T extends { config?: string }>(flags: T): T & { config: string } => ({ ...flags, config: findPlatformFile(flags.config, io).path });

  /** withPlatformFile, with --profile falling back to the program's AWS CLI global --profile. */
  const withPlatformAndProfile = <T extends { config?: string; profile?: string }>(flags: T): T & { config: string } =>
    withPlatformFile({ ...flags, profile: flags.profile ?? globals().profile });

  /** The same search for a command that also runs without one (--config and BASCULE_CONFIG must name a file). */
  const withOptionalPlatformFile = <T extends { config?: string }>(flags: T): T => {
    if (flags.config !== undefined || io.env.BASCULE_CONFIG) return withPlatformFile(flags);
    try {
      return withPlatformFile(flags);
    } catch {
      return flags; // the search found none
    }
  };

  const tokenAction = (flags: TokenFlags) => actions.token({ flags, globals: globals() }, io);

  addOptions(
    program.command('token').description('print an ExecCredential for kubectl: resolve the active cluster, assume the role, presign the EKS token'),
    TOKEN_FLAGS,
  ).action(tokenAction);

  const eks = program.command('eks').description('aws CLI compatible commands (what `aws eks update-kubeconfig` writes)');
  addOptions(eks.command('get-token').description('same as `bascule token`, with the aws CLI spelling'), [...TOKEN_FLAGS, OUTPUT_FLAG]).action(tokenAction);
  completeWith(eks.commands[0]?.options.find((o) => o.long === '--output'), ['json']);

  const cache = program.command('cache').description('the token cache');
  cache
    .command('clear')
    .description('delete every cached token')
    .action(() => actions.cacheClear(io));
  outputOption(cache.command('list').description('the cached tokens: cluster, role, age, expiry and file (never the token)'), ['table', 'json']).action(
    (flags: { output: 'table' | 'json' }) => actions.cacheList(flags, io),
  );

  // --- Generators (platform description, kubeconfig, manifests) and the switch ---
  // Each action loads its code from a chunk (see CHUNKS in scripts/chunks.mjs).
  const platformChunk = () => import('./commands.js');

  program
    .command('init')
    .description('write a commented starter platform file (platform.yaml)')
    .option('-o, --out <file>', 'where to write it ("-" for stdout)', 'platform.yaml')
    .option('--force', 'overwrite an existing file (kept as FILE.bak)')
    .action(async (flags: { out?: string; force?: boolean }) => (await platformChunk()).initCommand(flags, io));

  program
    .command('schema')
    .description('print the JSON Schema of the platform file (for editors)')
    .action(async () => (await platformChunk()).schemaCommand(io));

  const kubeconfig = platformFileOption(
    program
      .command('kubeconfig')
      .description('generate kubeconfig entries for every access level: the live cluster behind the stable name, and each colour'),
  )
    .option('-a, --access <name>', 'only this access level; repeatable (default: all)', collect)
    .option('-o, --out <file>', 'write a standalone kubeconfig to FILE (default: print it)')
    .option('--merge [file]', "merge into a kubeconfig (default: $KUBECONFIG, else ~/.kube/config), replacing only bascule's entries")
    .option('--set-context', "with --merge: make the least-privileged generated context current (never changed otherwise)")
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--fetch', 'read endpoints and CAs from EKS (DescribeCluster) instead of the platform file')
    .option('--command <path>', 'the exec command kubectl runs (default "bascule", found on PATH)')
    .option('--profile <name>', 'AWS profile for --fetch')
    .option('--fleet <path>', `every platform of a fleet, its entries prefixed by the platform name, in one write: ${FLEET_HELP.replace(/^the fleet: /, '')}`);
  awsTimeoutOption(kubeconfig, 'with --fetch: ')
    .action(async (flags: import('./kubeconfig/command.js').KubeconfigFlags) =>
      (await platformChunk()).kubeconfigCommand(flags.fleet !== undefined ? { ...flags, profile: flags.profile ?? globals().profile } : withPlatformAndProfile(flags), io),
    );

  const manifestsChunk = () => import('./manifests/commands.js');
  platformFileOption(
    program
      .command('manifests')
      .description('generate the platform for each colour: rights (RBAC, aws-auth, access entries), the four ExternalDNS, the add-ons (helmfile, NodeLocal DNS)'),
  )
    .option('-o, --out <dir>', 'the output directory: DIR/blue, DIR/green (required)')
    .option('--colour <colour>', 'only this colour: blue or green (default: both)')
    .option('--force', "write into a directory holding files bascule did not write (it overwrites only the files it generates, and deletes none of the others)")
    .action(async (flags: import('./manifests/command.js').ManifestsFlags) => (await manifestsChunk()).manifestsAction(withPlatformFile(flags), io));

  const switchIdentity = (cmd: Command) =>
    awsTimeoutOption(
      platformFileOption(cmd)
        .option('-a, --access <name>', "reach the clusters as this access level (its role and profile), e.g. admin")
        .option('--role <arn>', 'reach the clusters with this IAM role (instead of --access)')
        .option('--profile <name>', 'AWS profile for Route53 (and the clusters, unless the access level names one)')
        .option('--dns-server <host[:port]>', 'resolver to ask for the TXT and API records (default: clusterNameRecord.dnsServer, else the system)')
        .option('--fetch', 'read endpoints and CAs from EKS (DescribeCluster) instead of the platform file')
        .option('--request-timeout <duration>', 'bound on each request to a cluster API', '15s')
        .option('--dns-timeout <duration>', 'bound on each DNS lookup', '2s'),
    );

  const status = switchIdentity(
    program
      .command('status')
      .description('which colour is live, and does everything agree: the TXT and API records (through the resolver), the live ExternalDNS of each colour, each API, production per shared domain (Route53), unfinished operations (the journals here, the lock record); non-zero exit when something disagrees'),
  )
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--timeout <duration>', 'bound on each part status reads (production, the lock record, each cluster); with --fleet, each platform within twice this', '1m')
    .option('--fleet <path>', `every platform of a fleet, in one table: ${FLEET_HELP.replace(/^the fleet: /, '')}`)
    .option('--all', 'every platform of the default fleet ($BASCULE_FLEET, else the nearest fleet.yaml)')
    .option('--parallel <n>', 'with --fleet: how many platforms are observed at once (default 8)')
    .action(async (flags: import('./status/command.js').RawStatusFlags) => {
      const fleet = flags.fleet !== undefined || flags.all === true;
      return (await import('./status/command.js')).statusCommand(fleet ? { ...flags, profile: flags.profile ?? globals().profile } : withPlatformAndProfile(flags), io);
    });
  completeWith(status.options.find((o) => o.long === '--output'), ['table', 'json']);

  switchIdentity(
    program
      .command('switch')
      .description('move production to the other colour: prints the plan; with --apply runs it, each step checked and journalled (--resume, --rollback)'),
  )
    .option('--to <colour>', 'the colour to make live (blue or green)')
    .option('--apply', 'run the plan (asks for confirmation unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--resume', 'continue an interrupted switch (or rollback) from its journal')
    .option('--rollback', 'undo what the switch did, from its journal')
    .option('--journal <file>', 'the journal file (default ${XDG_STATE_HOME:-~/.local/state}/bascule/<account>/switch-<platform>.json)')
    .option('--timeout <duration>', 'bound on each wait for pods and for Route53', '5m')
    .option('--poll-interval <duration>', 'how often a wait looks again', '2s')
    .option('--dns-wait <duration>', "bound on the post-check's wait for the resolver to follow (default: the larger of the old and new TTLs + 30s)")
    .option('--allow-orphan <name>', 'accept leaving this production name, served by the old colour only, on the old colour (repeatable)', collect)
    .option('--break-lock', "take over the switch lock record another bascule holds (after making sure that operation is dead)")
    .option('-o, --output <format>', 'the plan as table or json', 'table')
    // The weighted shift: --weights starts one; --resume/--rollback follow its journal.
    .option('--weights <stages>', "move production in stages of the new colour's share, e.g. 10,50,100 (Route53 weighted records)")
    .option('--hold <duration>', 'with --weights: hold each stage at least this long (and at least one TTL), watching the signals')
    .option('--flip-at <stage>', 'with --weights: the stage at which the API record and the TXT flip (default: 100)')
    .option('--pause', 'with --weights: stop after each stage until --resume')
    .option('--gradual', 'with --rollback of a weighted shift: step back stage by stage')
    .option('--max-5xx-rate <percent>', "with --weights: revert when the new colour's 5XX rate goes above this (default 1)")
    .option('--min-requests <n>', 'with --weights: judge the 5XX rate from this many requests (default 20)')
    .option('--max-unhealthy <n>', "with --weights: revert when more of the new colour's targets are unhealthy (default 0)")
    .option('--signal-interval <duration>', 'with --weights: how often a hold reads the signals (default 15s)')
    .option('--allow-unwatched <name>', 'with --weights: accept shifting this production name, whose load balancer no signal can watch (repeatable)', collect)
    .action(async (flags: import('./switch/command.js').RawSwitchFlags & import('./shift/command.js').RawWeightedFlags) => {
      // The plain switch and the weighted shift are two rooms; the program picks one (the last operation's kind for --resume/--rollback).
      const withProfile = withPlatformAndProfile(flags);
      if ((await import('./cutover/dispatch.js')).cutoverKind(withProfile, io) === 'shift') return (await import('./shift/command.js')).weightedShiftCommand(withProfile, io);
      return (await import('./switch/command.js')).switchCommand(withProfile, io);
    });

  // A fleet of platforms: docs/fleet.md.
  const fleet = program.command('fleet').description('a fleet of platform files: check what no two of them may share');
  outputOption(
    fleet
      .command('check')
      .description('every platform file of the fleet loads; no two share a name in one account, an owner id, a domain an ExternalDNS filters, or a cluster-name record'),
    ['table', 'json'],
  )
    .option('--fleet <path>', FLEET_HELP)
    .action(async (flags: import('./fleet/command.js').FleetCheckFlags) => (await import('./fleet/command.js')).fleetCheckCommand(flags, io));

  // bascule drain: in the commands chunk (scripts/chunks.mjs).
  const drain = platformFileOption(
    program
      .command('drain')
      .description("is the old colour drained? maps its names to load balancers (ELBv2) and reads CloudWatch until each got no traffic for the TTL + --quiet; exit 3 while still receiving"),
  )
    .option('--colour <colour>', 'the colour to check (blue or green)')
    .option('--watch <duration>', 'look again every --poll-interval until drained, for at most this long (default: look once)')
    .option('--quiet <duration>', 'how long each load balancer must stay at zero after the TTL', '5m')
    .option('--poll-interval <duration>', 'how often --watch looks again', '1m')
    .option('--metrics-lag <duration>', 'how far behind CloudWatch may be (its newest minutes prove nothing)', '3m')
    .option('-o, --output <format>', 'text or json', 'text');
  awsTimeoutOption(drain)
    .action(async (flags: import('./drain/commands.js').RawDrainFlags) =>
      (await import('./drain/commands.js')).drainCommand(withPlatformFile({ ...flags, profile: globals().profile }), io),
    );

  // Diagnostics: their code lives in the platform chunk.
  program
    .command('verify')
    .description(
      "check an EKS token as the cluster would: the authenticator's rules (Go's URL and base64 rules), then STS; prints the identity EKS maps. Exit 4 malformed, 5 expired, 6 wrong cluster, 7 refused by STS, 8 STS unreachable, 9 STS's answer unreadable (docs/doctor.md)",
    )
    .option('-t, --token <token>', 'the token (k8s-aws-v1....) or an ExecCredential; "-" reads it from standard input')
    .option('-i, --cluster-id <name>', 'the EKS cluster name the API server checks tokens for')
    .option('--partition <id>', 'the cluster\'s partition: aws, aws-cn or aws-us-gov', 'aws')
    .option('--timeout <duration>', 'bound on the STS call', '10s')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: import('./verify/command.js').VerifyFlags) => (await platformChunk()).verifyCommand(flags, io));

  platformFileOption(
    program
      .command('doctor')
      .description('why does kubectl say Unauthorized? checks each link (kubeconfig, exec command, TXT, credentials, role, STS identity, clock, mapping, cache, the API) and prints the fix'),
  )
    .option('--context <name>', 'the kubeconfig context (default: current-context, from KUBECONFIG as kubectl reads it)')
    .option('-i, --cluster-id <name>', 'no kubeconfig: the cluster name, or the DNS name whose TXT record holds it')
    .option('-r, --role <arn>', 'with -i: the role to assume')
    .option('--region <region>', 'with -i: the AWS region')
    .option('--profile <name>', 'with -i: the AWS profile')
    .option('--dns-server <host[:port]>', 'with -i: the resolver for the TXT record')
    .option('--allow-cluster <name>', 'with -i: the allow-list; repeatable', collect)
    .option('--no-dns', 'with -i: the id is the cluster name')
    .option('--timeout <duration>', 'bound on each network call', '10s')
    .option('--aws-timeout <duration>', `${AWS_TIMEOUT_HELP} (default: --timeout)`)
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: import('./doctor/command.js').DoctorFlags) =>
      // The platform file is optional here: without one, the doctor checks no access levels.
      (await platformChunk()).doctorCommand(withOptionalPlatformFile(flags), io),
    );

  outputOption(program.command('version').description('print the version and the git commit'), ['text', 'json']).action((flags: { output: 'text' | 'json' }) =>
    io.stdout(flags.output === 'json' ? `${JSON.stringify(versionJson(), null, 2)}\n` : `${versionLine()}\n`),
  );

  const completion = program
    .command('completion')
    .description('print the shell completion script: bash, zsh or fish (see the script\'s first lines to install it)')
    .argument('<shell>', SHELLS.join(', '))
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw usageError(`unknown shell ${JSON.stringify(shell)}`, `bascule completes ${SHELLS.join(', ')}: e.g. bascule completion bash`);
      io.stdout(completionScript(shell as Shell, program));
    });
  completeArguments(completion, SHELLS.map((shell) => ({ name: shell, description: `the ${shell} completion script` })));

  // Every command: -v/--verbose, examples and docs after its help, bascule's error:/hint: form for commander's errors, help on stdout.
  for (const command of allCommands(program)) {
    if (!command.options.some((o) => o.long === '--verbose')) addOptions(command, [VERBOSE_FLAG]);
    const help = HELP[commandPath(command).replace(/^bascule ?/, '')];
    if (help) command.addHelpText('after', helpAfter(help));
    command
      .configureOutput({ writeOut: processIo.stdout, writeErr: processIo.stderr, outputError: () => undefined })
      .exitOverride((error) => {
        throw error.exitCode === 0 ? error : usageFromCommander(error, command);
      });
    if (command.commands.length > 0) {
      // Commander asks for help on stderr when a command group is given no command: say so instead.
      const help = command.help.bind(command);
      command.help = ((context?: { error?: boolean }) => {
        if (context?.error) {
          const [first, second] = command.args;
          if (first === 'help' && second !== undefined) throw usageError(`unknown command '${second}'`, `see '${commandPath(command)} --help'`);
          throw missingCommand(command);
        }
        return help(context as { error: boolean });
      }) as Command['help'];
    }
  }
  program.hook('preAction', (_, action) => {
    const swallowed = swallowedFlag(action);
    if (swallowed) throw swallowedError(action, swallowed);
    for (let c: Command | null = action; c; c = c.parent) {
      if (c.opts<{ verbose?: boolean }>().verbose) {
        io = withVerbose(processIo);
        return;
      }
    }
  });

  if (argv.length === 0) {
    io.stdout(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // Help and --version (exit 0); every other error is a BasculeError by now.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}
