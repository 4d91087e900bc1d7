/**
 * `bascule kubeconfig`: platform file -> kubeconfig, printed, written (--out)
 * or merged into an existing kubeconfig (--merge), in that order of steps:
 * load the platform, pick the access levels, connect the clusters (file, CA
 * files, or EKS with --fetch), build, serialise once, then the one write.
 */
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { resolveClusters, fileSystem, type ClusterSourcePorts } from '../platform/clusters.js';
import type { DescribeClusters, DescribedCluster } from '../platform/eks.js';
import type { Colour, Platform } from '../platform/model.js';
import { DEFAULT_PLATFORM_FILE, readPlatform } from '../platform/read.js';
import { COLOURS } from '../platform/schema.js';
import { emitYaml, KUBECTL_YAML_OPTIONS } from '../platform/yaml-out.js';
import { buildKubeconfig, kubeconfigHeader } from './build.js';
import { readExisting, writeAtomic } from '../files.js';
import { asKubeconfig, mergeKubeconfig } from './merge.js';

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
}

export interface KubeconfigDeps extends ClusterSourcePorts {
  readonly describeClusters?: DescribeClusters;
}

/** Where --merge writes: the first file of $KUBECONFIG, else ~/.kube/config (as kubectl and the AWS CLI do). */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim() !== '');
  return first ?? resolve(env.HOME || homedir(), '.kube', 'config');
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

async function fetchClusters(platform: Platform, flags: KubeconfigFlags, deps: KubeconfigDeps): Promise<Record<Colour, DescribedCluster>> {
  const describe = deps.describeClusters ?? (await import('../platform/eks.js')).describeClusters;
  const names = COLOURS.map((colour) => platform.clusters[colour].name);
  const described = await describe(names, { region: platform.aws.region, profile: flags.profile });
  return Object.fromEntries(COLOURS.map((colour, i) => [colour, described[i] as DescribedCluster])) as Record<Colour, DescribedCluster>;
}

export async function kubeconfigCommand(flags: KubeconfigFlags, io: Io, deps: KubeconfigDeps = fileSystem): Promise<void> {
  if (flags.out !== undefined && flags.merge !== undefined && flags.merge !== false) throw usageError('--out and --merge are exclusive; give one');
  if (flags.command !== undefined && flags.command.trim() === '') throw usageError('--command is empty');
  const source = flags.config ?? DEFAULT_PLATFORM_FILE;
  const platform = readPlatform(source, io.cwd);
  const access = flags.access ?? [];
  checkAccessNames(platform, access);

  io.verbose?.(`platform ${platform.name} (${platform.source}): blue ${platform.clusters.blue.name}, green ${platform.clusters.green.name}, live ${platform.live}`);
  io.verbose?.(flags.fetch ? `endpoints and CAs: EKS DescribeCluster in ${platform.aws.region}${flags.profile ? ` (profile ${flags.profile})` : ''}` : 'endpoints and CAs: the platform file');
  const fetched = flags.fetch ? await fetchClusters(platform, flags, deps) : undefined;
  const { clusters, notes } = resolveClusters(platform, deps, fetched);
  for (const note of notes) io.stderr(`note: ${note}\n`);

  // A path is written absolute: kubectl would resolve a relative one against the kubeconfig's directory.
  const command = flags.command === undefined ? undefined : flags.command.includes('/') ? resolve(io.cwd, flags.command) : flags.command;
  const generated = buildKubeconfig(platform, clusters, { access, ...(command ? { command } : {}) });

  if (flags.merge !== undefined && flags.merge !== false) {
    const target = typeof flags.merge === 'string' ? resolve(io.cwd, flags.merge) : defaultKubeconfigPath(io.env);
    const existing = readExisting(target);
    io.verbose?.(
      `merging into ${target} (${typeof flags.merge === 'string' ? '--merge FILE' : io.env.KUBECONFIG ? 'the first file of $KUBECONFIG' : 'the default, no $KUBECONFIG'})${existing ? '' : ': it does not exist yet'}`,
    );
    let current: Record<string, unknown> = {};
    if (existing) {
      const lines = new LineCounter();
      const doc = parseDocument(existing.text, { ...KUBECTL_YAML_OPTIONS, lineCounter: lines, uniqueKeys: true, prettyErrors: false });
      const error = doc.errors[0];
      if (error) {
        const line = error.pos ? ` (line ${lines.linePos(error.pos[0]).line})` : '';
        throw new BasculeError('config', `${target} is not a kubeconfig bascule can merge into: it does not parse as YAML${line}: ${error.message.split('\n')[0]}`, {
          hint: 'nothing was written; fix or move the file, or write to another one with --out',
        });
      }
      current = asKubeconfig(doc.toJS({ maxAliasCount: 100 }), target);
    }
    const text = emitYaml(mergeKubeconfig(current, generated));
    if (flags.dryRun) {
      io.stdout(text);
      return;
    }
    const result = writeAtomic(target, text, { newMode: 0o600, backup: true });
    report(io, result, generated.contexts.map((c) => c.name));
    return;
  }

  const text = emitYaml(generated, { header: kubeconfigHeader(platform) });
  if (flags.out === undefined || flags.out === '-' || flags.dryRun) {
    io.stdout(text);
    return;
  }
  const result = writeAtomic(resolve(io.cwd, flags.out), text, { newMode: 0o600, backup: true });
  report(io, result, generated.contexts.map((c) => c.name));
}

function report(io: Io, result: ReturnType<typeof writeAtomic>, contexts: string[]): void {
  if (!result.changed) {
    io.stderr(`${result.path} is up to date (${contexts.length} contexts)\n`);
    return;
  }
  const what = result.created ? 'wrote' : 'updated';
  io.stderr(`${what} ${result.path}: contexts ${contexts.join(', ')}${result.backup ? ` (previous content in ${result.backup})` : ''}\n`);
}
