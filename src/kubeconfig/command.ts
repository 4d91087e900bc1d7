/**
 * `bascule kubeconfig`: platform file -> kubeconfig, printed, written (--out)
 * or merged into an existing kubeconfig (--merge), in that order of steps:
 * load the platform, pick the access levels, connect the clusters (file, CA
 * files, or EKS with --fetch), build, serialise once, then the one write.
 */
import { resolve } from 'node:path';
import { parseAwsTimeout } from '../aws/identity.js';
import { usageError } from '../errors.js';
import type { Io } from '../io.js';
import { resolveClusters, fileSystem, type ClusterSourcePorts } from '../platform/clusters.js';
import type { DescribeClusters, DescribedCluster } from '../platform/eks.js';
import type { Colour, Platform } from '../platform/model.js';
import { DEFAULT_PLATFORM_FILE, readPlatform } from '../platform/read.js';
import { COLOURS } from '../platform/schema.js';
import { commentSafe, emitYaml } from '../platform/yaml-out.js';
import { buildKubeconfig, kubeconfigHeader, type Kubeconfig } from './build.js';
import { checkWritable, readExisting, writeAtomic } from '../files.js';
import { defaultLockOptions, lockKubeconfigs, type LockOptions } from './lock.js';
import { buildFleetKubeconfig, fleetKubeconfigHeader } from './fleet.js';
import { planMerge } from './merge.js';
import { loadingPrecedence } from './rules.js';

export interface KubeconfigFlags {
  config?: string;
  access?: string[];
  out?: string;
  /** `--merge` alone is `true`; `--merge FILE` names the file. */
  merge?: string | boolean;
  dryRun?: boolean;
  fetch?: boolean;
  command?: string;
  profile?: string;
  /** --aws-timeout: the bound on --fetch's AWS work (the credentials and each DescribeCluster). */
  awsTimeout?: string;
  /** --set-context: make the generated default context current (merges never change it otherwise). */
  setContext?: boolean;
  /** --fleet PATH: every platform of a fleet (fleet.ts). */
  fleet?: string;
}

export interface KubeconfigDeps extends ClusterSourcePorts {
  readonly describeClusters?: DescribeClusters;
  readonly lock?: LockOptions;
}

function checkAccessNames(platform: Platform, names: readonly string[]): void {
  const known = platform.access.map((a) => a.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw usageError(
      `--access ${unknown.map((n) => JSON.stringify(n)).join(', ')}: no such access level in ${platform.source}`,
      `the access levels are: ${known.join(', ')}`,
    );
  }
}

/** The environment --fetch's AWS work reads, and its bound (--aws-timeout). */
type AwsBounds = { env: NodeJS.ProcessEnv; timeoutMs: number };

async function fetchClusters(platform: Platform, flags: KubeconfigFlags, aws: AwsBounds, deps: KubeconfigDeps): Promise<Record<Colour, DescribedCluster>> {
  const describe = deps.describeClusters ?? (await import('../platform/eks.js')).describeClusters;
  const names = COLOURS.map((colour) => platform.clusters[colour].name);
  const described = await describe(names, { region: platform.aws.region, profile: flags.profile, ...aws });
  return Object.fromEntries(COLOURS.map((colour, i) => [colour, described[i] as DescribedCluster])) as Record<Colour, DescribedCluster>;
}

export async function kubeconfigCommand(flags: KubeconfigFlags, io: Io, deps: KubeconfigDeps = fileSystem): Promise<void> {
  if (flags.out !== undefined && flags.merge !== undefined && flags.merge !== false) throw usageError('--out and --merge are exclusive', 'give --out FILE for a standalone kubeconfig, or --merge [FILE] to merge into yours');
  if (flags.command !== undefined && flags.command.trim() === '') throw usageError('--command is empty', 'name the program kubectl runs, e.g. --command bascule or --command /usr/local/bin/bascule; omit it for "bascule"');
  if (flags.merge === '-') throw usageError('--merge -: a merge reads and rewrites a file, it cannot be standard output', 'print what it would write with --merge --dry-run, or a standalone kubeconfig with --out - (or no --out)');
  if (flags.setContext && (flags.merge === undefined || flags.merge === false)) {
    throw usageError('--set-context applies to --merge only', 'a standalone kubeconfig (--out, or printed) always has its own current-context: the least-privileged level');
  }
  const aws = { env: io.env, timeoutMs: parseAwsTimeout(flags.awsTimeout) };
  // A path is written absolute: kubectl would resolve a relative one against the kubeconfig's directory.
  const command = flags.command === undefined ? undefined : flags.command.includes('/') ? resolve(io.cwd, flags.command) : flags.command;
  const { generated, header } = flags.fleet !== undefined ? await forFleet(flags, io, deps, command, aws) : await forPlatform(flags, io, deps, command, aws);

  if (flags.merge !== undefined && flags.merge !== false) {
    await mergeInto(flags, io, generated, deps.lock ?? defaultLockOptions);
    return;
  }

  const text = emitYaml(generated, { header });
  if (flags.out === undefined || flags.out === '-' || flags.dryRun) {
    io.stdout(text);
    return;
  }
  const result = writeAtomic(resolve(io.cwd, flags.out), text, { newMode: 0o600, backup: true });
  report(io, result, generated.contexts.map((c) => c.name));
}

/** One platform's entries, and the header of its standalone file. */
async function forPlatform(flags: KubeconfigFlags, io: Io, deps: KubeconfigDeps, command: string | undefined, aws: AwsBounds): Promise<{ generated: Kubeconfig; header: string[] }> {
  const platform = readPlatform(flags.config ?? DEFAULT_PLATFORM_FILE, io.cwd);
  const access = flags.access ?? [];
  checkAccessNames(platform, access);
  const fetched = flags.fetch ? await fetchClusters(platform, flags, aws, deps) : undefined;
  const { clusters, notes } = resolveClusters(platform, deps, fetched);
  for (const note of notes) io.stderr(`note: ${note}\n`);
  const generated = buildKubeconfig(platform, clusters, { access, ...(command ? { command } : {}) });
  return { generated, header: kubeconfigHeader(platform, generated['current-context']) };
}

/** --fleet: every platform's entries together (fleet.ts). */
async function forFleet(flags: KubeconfigFlags, io: Io, deps: KubeconfigDeps, command: string | undefined, aws: AwsBounds): Promise<{ generated: Kubeconfig; header: string[] }> {
  if (flags.config !== undefined) throw usageError('--config and --fleet are exclusive', 'give one platform file with --config, or a fleet with --fleet PATH');
  if (flags.setContext) throw usageError('--set-context does not apply to --fleet', 'a fleet has no one default context; make one current with kubectl config use-context NAME');
  const fetch = flags.fetch ? (p: Platform, profile: string | undefined) => fetchClusters(p, { ...flags, profile }, aws, deps) : undefined;
  const fleet = await buildFleetKubeconfig(flags.fleet, io, deps, { access: flags.access ?? [], command, fetch, profile: flags.profile });
  return { generated: fleet.generated, header: fleetKubeconfigHeader(fleet) };
}

/**
 * --merge: lock (kubectl's locks), read every file of the precedence, plan
 * (pure), check every target, write, unlock. Nothing is written unless every
 * file read, parsed and may be written.
 */
async function mergeInto(flags: KubeconfigFlags, io: Io, generated: Kubeconfig, lock: LockOptions): Promise<void> {
  const explicit = typeof flags.merge === 'string' ? flags.merge : undefined;
  const paths = loadingPrecedence(explicit, io.env, io.cwd);
  const setContext = flags.setContext ? generated['current-context'] || (generated.contexts[0]?.name ?? '') : undefined;
  const unlock = flags.dryRun ? () => undefined : await lockKubeconfigs(paths, lock);
  try {
    const existing = new Map(paths.map((path) => [path, readExisting(path)]));
    const plan = planMerge({
      files: paths.map((path) => ({ path, text: existing.get(path)?.text })),
      explicit: explicit !== undefined,
      generated,
      setContext,
    });
    if (flags.dryRun) {
      for (const write of plan.writes) io.stdout(plan.writes.length > 1 || paths.length > 1 ? `# ${commentSafe(write.path)}\n${write.text}` : write.text);
      return;
    }
    for (const write of plan.writes) {
      io.verbose?.(`merging into ${write.path} (${explicit !== undefined ? '--merge FILE' : io.env.KUBECONFIG ? 'where kubectl writes among $KUBECONFIG' : 'the default, no $KUBECONFIG'})${existing.get(write.path) ? '' : ': it does not exist yet'}`);
    }
    for (const write of plan.writes) checkWritable(write.path, existing.get(write.path));
    if (plan.writes.length === 0) {
      io.stderr(`${paths.length === 1 ? `${paths[0]} is` : `the kubeconfig files (${paths.join(', ')}) are`} up to date (${generated.contexts.length} contexts)\n`);
    }
    for (const write of plan.writes) {
      const result = writeAtomic(write.path, write.text, { newMode: 0o600, backup: true });
      report(io, result, write.entries.contexts);
    }
    const { before, after } = plan.currentContext;
    if (before !== after) io.stderr(`current-context: ${after} (was ${before ?? 'unset'})\n`);
  } finally {
    unlock();
  }
}

function report(io: Io, result: ReturnType<typeof writeAtomic>, contexts: string[]): void {
  if (!result.changed) {
    io.stderr(`${result.path} is up to date (${contexts.length} contexts)\n`);
    return;
  }
  const what = result.created ? 'wrote' : 'updated';
  const which = contexts.length > 0 ? `: contexts ${contexts.join(', ')}` : '';
  io.stderr(`${what} ${result.path}${which}${result.backup ? ` (previous content in ${result.backup})` : ''}\n`);
}
