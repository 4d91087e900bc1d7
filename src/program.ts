/**
 * The full command line: every command, its help, and commander's parsing and
 * errors. `run()` (cli.ts) comes here for everything but the plain token calls
 * kubectl makes.
 */
import { Command, CommanderError } from 'commander';
import type { Io } from './io.js';
import { versionLine } from './version.js';
import { OUTPUT_FLAG, TOKEN_FLAGS, type FastParse, type FlagSpec, type TokenFlags } from './token/flags.js';

/**
 * What the commands do, handed in by cli.ts from the main bundle: this module
 * is its own chunk, and must not carry a second copy of the token path.
 */
export interface Actions {
  token(parsed: FastParse): Promise<void>;
  cacheClear(): Promise<void>;
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

/** Parses and runs; errors other than commander's propagate to run(). Returns commander's exit code. */
export async function runProgram(argv: readonly string[], io: Io, actions: Actions): Promise<number> {
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

  const tokenAction = (flags: TokenFlags) => actions.token({ flags, globals: globals() });

  addOptions(
    program.command('token').description('print an ExecCredential for kubectl: resolve the active cluster, assume the role, presign the EKS token'),
    TOKEN_FLAGS,
  ).action(tokenAction);

  const eks = program.command('eks').description('aws CLI compatible commands (what `aws eks update-kubeconfig` writes)');
  addOptions(eks.command('get-token').description('same as `bascule token`, with the aws CLI spelling'), [...TOKEN_FLAGS, OUTPUT_FLAG]).action(tokenAction);

  const cache = program.command('cache').description('the token cache');
  cache
    .command('clear')
    .description('delete every cached token')
    .action(() => actions.cacheClear());

  // --- Generators (platform description, kubeconfig, manifests) and the switch ---
  // Each action loads its code from a chunk (see CHUNKS in scripts/build.mjs).
  const platformChunk = () => import('./platform/commands.js');

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

  program
    .command('kubeconfig')
    .description('generate kubeconfig entries for every access level: the live cluster behind the stable name, and each colour')
    .option('-c, --config <file>', 'the platform file', 'platform.yaml')
    .option('-a, --access <name>', 'only this access level; repeatable (default: all)', collect)
    .option('-o, --out <file>', 'write a standalone kubeconfig to FILE (default: print it)')
    .option('--merge [file]', "merge into a kubeconfig (default: $KUBECONFIG, else ~/.kube/config), replacing only bascule's entries")
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--fetch', 'read endpoints and CAs from EKS (DescribeCluster) instead of the platform file')
    .option('--command <path>', 'the exec command kubectl runs (default "bascule", found on PATH)')
    .option('--profile <name>', 'AWS profile for --fetch')
    .action(async (flags: import('./kubeconfig/command.js').KubeconfigFlags) =>
      (await platformChunk()).kubeconfigCommand({ ...flags, profile: flags.profile ?? globals().profile }, io),
    );

  const manifestsChunk = () => import('./manifests/commands.js');
  program
    .command('manifests')
    .description('generate the platform for each colour: rights (RBAC, aws-auth, access entries), the four ExternalDNS, the add-ons (helmfile, NodeLocal DNS)')
    .option('-c, --config <file>', 'the platform file', 'platform.yaml')
    .option('-o, --out <dir>', 'the output directory: DIR/blue, DIR/green (required)')
    .option('--colour <colour>', 'only this colour: blue or green (default: both)')
    .option('--force', "write into a directory holding files bascule did not write (it overwrites only the files it generates, and deletes none of the others)")
    .action(async (flags: import('./manifests/command.js').ManifestsFlags) => (await manifestsChunk()).manifestsAction(flags, io));

  const switchChunk = () => import('./switch/commands.js');
  const switchIdentity = (cmd: Command) =>
    cmd
      .option('-c, --config <file>', 'the platform file', 'platform.yaml')
      .option('-a, --access <name>', "reach the clusters as this access level (its role and profile), e.g. admin")
      .option('--role <arn>', 'reach the clusters with this IAM role (instead of --access)')
      .option('--profile <name>', 'AWS profile for Route53 (and the clusters, unless the access level names one)')
      .option('--dns-server <host[:port]>', 'resolver to ask for the TXT and API records (default: clusterNameRecord.dnsServer, else the system)')
      .option('--fetch', 'read endpoints and CAs from EKS (DescribeCluster) instead of the platform file')
      .option('--request-timeout <duration>', 'bound on each request to a cluster API', '15s')
      .option('--dns-timeout <duration>', 'bound on each DNS lookup', '2s');

  switchIdentity(
    program
      .command('status')
      .description('which colour is live: the TXT and API records (through the resolver), the live ExternalDNS of each colour, each API; non-zero exit when something disagrees'),
  )
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (flags: import('./switch/commands.js').RawStatusFlags) =>
      (await switchChunk()).statusCommand({ ...flags, profile: flags.profile ?? globals().profile }, io),
    );

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
    .option('--journal <file>', 'the journal file (default ${XDG_STATE_HOME:-~/.local/state}/bascule/switch-<platform>.json)')
    .option('--timeout <duration>', 'bound on each wait for pods and for Route53', '5m')
    .option('--poll-interval <duration>', 'how often a wait looks again', '2s')
    .option('--dns-wait <duration>', "bound on the post-check's wait for the resolver to follow (default: the larger of the old and new TTLs + 30s)")
    .option('--allow-orphan <name>', 'accept leaving this production name, served by the old colour only, on the old colour (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--break-lock', "take over the switch lock record another bascule holds (after making sure that operation is dead)")
    .option('-o, --output <format>', 'the plan as table or json', 'table')
    // The weighted shift (issue 13), its own chunk: --weights starts one; --resume/--rollback follow its journal.
    .option('--weights <stages>', "move production in stages of the new colour's share, e.g. 10,50,100 (Route53 weighted records)")
    .option('--hold <duration>', 'with --weights: hold each stage at least this long (and at least one TTL), watching the signals')
    .option('--flip-at <stage>', 'with --weights: the stage at which the API record and the TXT flip (default: 100)')
    .option('--pause', 'with --weights: stop after each stage until --resume')
    .option('--gradual', 'with --rollback of a weighted shift: step back stage by stage')
    .option('--max-5xx-rate <percent>', "with --weights: revert when the new colour's 5XX rate goes above this (default 1)")
    .option('--min-requests <n>', 'with --weights: judge the 5XX rate from this many requests (default 20)')
    .option('--max-unhealthy <n>', "with --weights: revert when more of the new colour's targets are unhealthy (default 0)")
    .action(async (flags: import('./switch/commands.js').RawSwitchFlags & import('./switch/gradual/command.js').RawWeightedFlags) => {
      const shift = await import('./switch/gradual/command.js');
      const withProfile = { ...flags, profile: flags.profile ?? globals().profile };
      if (shift.wantsWeighted(withProfile, io)) return shift.weightedShiftCommand(withProfile, io);
      return (await switchChunk()).switchCommand(withProfile, io);
    });

  // bascule drain (issue 13): its own chunk, see CHUNKS in scripts/build.mjs.
  program
    .command('drain')
    .description("is the old colour drained? maps its names to load balancers (ELBv2) and reads CloudWatch until each got no traffic for the TTL + --quiet; exit 3 while still receiving")
    .option('--colour <colour>', 'the colour to check (blue or green)')
    .option('-c, --config <file>', 'the platform file', 'platform.yaml')
    .option('--watch <duration>', 'look again every --poll-interval until drained, for at most this long (default: look once)')
    .option('--quiet <duration>', 'how long each load balancer must stay at zero after the TTL', '5m')
    .option('--poll-interval <duration>', 'how often --watch looks again', '1m')
    .option('--metrics-lag <duration>', 'how far behind CloudWatch may be (its newest minutes prove nothing)', '3m')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: import('./drain/commands.js').RawDrainFlags) =>
      (await import('./drain/commands.js')).drainCommand({ ...flags, profile: globals().profile }, io),
    );

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
    return 0;
  } catch (error) {
    // Commander has printed its own message (usage errors), or the help/version.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}
