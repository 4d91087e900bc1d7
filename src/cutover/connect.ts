/**
 * The wiring every cut-over command shares (status, the switch, the weighted
 * shift): the clusters (from the platform file, or --fetch from EKS), the
 * resolver, one Kubernetes client per colour with the identity the flags
 * name, the one Route53 adapter, the confirmation, progress on stderr.
 */
import type { Route53Port } from '../aws/route53.js';
import { commandIdentity, signingCredentials } from '../aws/identity.js';
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import type { ClusterAccess } from '../platform/clusters.js';
import { kubeClient, type KubePort } from '../kube/client.js';
import { clusterIdentity, clusterTokens } from '../kube/tokens.js';
import { fileSystem, resolveClusters } from '../platform/clusters.js';
import type { DescribedCluster } from '../platform/eks.js';
import type { Colour, Platform } from '../platform/model.js';
import { COLOURS } from '../platform/schema.js';
import { parseDnsServer } from '../vocabulary.js';
import { createProgress } from '../terminal/progress.js';
import type { ProgressEvent } from './actions/ports.js';
import { formatMs, type CommonInput } from './options.js';

export async function connectClusters(platform: Platform, input: CommonInput, io: Io): Promise<Record<Colour, ClusterAccess>> {
  let fetched: Record<Colour, DescribedCluster> | undefined;
  if (input.fetch) {
    const { describeClusters } = await import('../platform/eks.js');
    const described = await describeClusters(
      COLOURS.map((c) => platform.clusters[c].name),
      { region: platform.aws.region, profile: input.identity.profile, env: io.env, timeoutMs: input.waits.awsTimeoutMs },
    );
    fetched = Object.fromEntries(COLOURS.map((c, i) => [c, described[i] as DescribedCluster])) as Record<Colour, DescribedCluster>;
  }
  const { clusters, notes } = resolveClusters(platform, fileSystem, fetched);
  for (const note of notes) io.stderr(`note: ${note}\n`);
  return clusters;
}

export function resolverOf(platform: Platform, input: CommonInput): string | undefined {
  return input.dnsServer ?? (platform.clusterNameRecord.dnsServer ? parseDnsServer(platform.clusterNameRecord.dnsServer) : undefined);
}

export function kubeClients(platform: Platform, clusters: Record<Colour, ClusterAccess>, input: CommonInput, io: Io): Record<Colour, KubePort> {
  const who = clusterIdentity(platform, input.identity);
  const tokenFor = clusterTokens(commandIdentity(io, platform.aws.region, input.waits.awsTimeoutMs), who);
  return Object.fromEntries(
    COLOURS.map((colour) => {
      const c = clusters[colour];
      return [
        colour,
        kubeClient(
          { label: `${colour} (${c.name})`, clusterName: c.name, endpoint: c.endpoint, caPem: c.caPem, tlsServerName: c.tlsServerName, identity: who.description },
          () => tokenFor(c.name),
          { timeoutMs: input.waits.requestTimeoutMs, env: io.env },
        ),
      ];
    }),
  ) as Record<Colour, KubePort>;
}

export async function confirm(io: Io, input: { readonly yes: boolean }, question: string, word: string): Promise<void> {
  if (input.yes) return;
  if (!io.stdinIsTTY()) {
    throw usageError('refusing to change production without a confirmation: standard input is not a terminal', 'review the plan, then add --yes to run it unattended; nothing was changed');
  }
  let answer: string;
  try {
    answer = (await io.prompt(`${question} Type "${word}" to go on: `)).trim();
  } catch {
    throw new BasculeError('refused', 'no answer to the confirmation (standard input closed): nothing was changed');
  }
  if (answer !== word) throw new BasculeError('refused', `not confirmed (expected "${word}"): nothing was changed`);
}

/**
 * Progress on stderr: JSON lines with --output json, the terminal reporter on a
 * terminal (src/terminal/progress.ts), else a plain line while a wait lasts,
 * every 10 s (quick waits print nothing; the steps themselves are on stdout).
 */
export function progressFor(io: Io, json: boolean): (event: ProgressEvent) => void {
  if (json || io.stderrIsTTY?.()) return createProgress(io, { json });
  return progressLines(io);
}

function progressLines(io: Io): (event: ProgressEvent) => void {
  let since: number | undefined;
  let last = 0;
  return (event) => {
    const now = io.now().getTime();
    if (event.state !== 'waiting') {
      since = undefined;
      return;
    }
    since ??= now;
    if (now - since < 10_000 || now - last < 10_000) return;
    last = now;
    io.stderr(`waiting (${formatMs(now - since)}): ${event.step}: ${event.detail ?? ''}\n`);
  };
}

/** The one Route53 adapter, as the flags' profile (the SDK loads here, in the commands' chunk). */
export async function route53For(platform: Platform, input: CommonInput, io: Io): Promise<Route53Port> {
  const { route53Client } = await import('../aws/route53.js');
  return route53Client({
    region: platform.aws.region,
    env: io.env,
    profile: input.identity.profile,
    credentials: signingCredentials(commandIdentity(io, platform.aws.region, input.waits.awsTimeoutMs), input.identity.profile),
    account: platform.aws.accountId,
    timeoutMs: input.waits.awsTimeoutMs,
  });
}

