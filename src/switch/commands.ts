/**
 * The switch's entry in the commands chunk (dist/bascule-commands.js, see
 * CHUNKS in scripts/chunks.mjs): `bascule status` and `bascule switch`. Everything they
 * need (the Route53 client, the Kubernetes API client) is reached from here,
 * so `bascule token` never parses it.
 *
 * This file is the wiring: io, the platform and the flags in, ports out.
 * `bascule switch` (plan, --apply, --resume, --rollback) is one operation
 * (operation.ts: ports in, an outcome out, no printing) and its presentation
 * (present.ts: outcome in, text or JSON out).
 */
import { createProgress } from '../terminal/progress.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import type { ClusterAccess } from '../kubeconfig/build.js';
import { fileSystem, resolveClusters } from '../platform/clusters.js';
import type { DescribedCluster } from '../platform/eks.js';
import type { Colour, Platform } from '../platform/model.js';
import { readPlatform } from '../platform/read.js';
import { COLOURS } from '../platform/schema.js';
import { parseDnsServer } from '../vocabulary.js';
import { dnsPort } from './dns.js';
import type { SwitchPorts } from './execute.js';
import { describeJournal, isUnfinished } from './journal.js';
import { currentOwner, defaultJournalPath, lockJournal, readJournal, writeJournal } from './journal-file.js';
import { kubeClient, type KubePort } from './kube.js';
import { operate, type OperationPorts } from './operation.js';
import { formatMs, parseStatusInput, parseSwitchInput, type CommonInput, type RawStatusFlags, type RawSwitchFlags, type SwitchInput } from './options.js';
import { writeLive } from './platform-edit.js';
import { confirmation, failureError, outcomeText, PLAN_ONLY, planJson, planText, previewText } from './present.js';
import type { Route53Port } from './route53.js';
import { endpointHost, liveExternalDnsDeployments, requireZones } from './spec.js';
import { evaluateStatus, formatStatusTable, observeStatus, statusJson } from './status.js';
import { credentialSource, sessionContext } from '../aws/session.js';
import { clusterIdentity, clusterTokens } from './tokens.js';

export type { RawStatusFlags, RawSwitchFlags };

// --- Shared: clusters, resolver, adapters -----------------------------------

async function connectClusters(platform: Platform, input: CommonInput, io: Io): Promise<Record<Colour, ClusterAccess>> {
  let fetched: Record<Colour, DescribedCluster> | undefined;
  if (input.fetch) {
    const { describeClusters } = await import('../platform/eks.js');
    const described = await describeClusters(
      COLOURS.map((c) => platform.clusters[c].name),
      { region: platform.aws.region, profile: input.identity.profile },
    );
    fetched = Object.fromEntries(COLOURS.map((c, i) => [c, described[i] as DescribedCluster])) as Record<Colour, DescribedCluster>;
  }
  const { clusters, notes } = resolveClusters(platform, fileSystem, fetched);
  for (const note of notes) io.stderr(`note: ${note}\n`);
  return clusters;
}

function resolverOf(platform: Platform, input: CommonInput): string | undefined {
  return input.dnsServer ?? (platform.clusterNameRecord.dnsServer ? parseDnsServer(platform.clusterNameRecord.dnsServer) : undefined);
}

function kubeClients(platform: Platform, clusters: Record<Colour, ClusterAccess>, input: CommonInput, io: Io): Record<Colour, KubePort> {
  const tokenFor = clusterTokens(sessionContext(io, platform.aws.region), clusterIdentity(platform, input.identity));
  return Object.fromEntries(
    COLOURS.map((colour) => {
      const c = clusters[colour];
      return [
        colour,
        kubeClient(
          { label: `${colour} (${c.name})`, clusterName: c.name, endpoint: c.endpoint, caPem: c.caPem, tlsServerName: c.tlsServerName },
          () => tokenFor(c.name),
          { timeoutMs: input.waits.requestTimeoutMs },
        ),
      ];
    }),
  ) as Record<Colour, KubePort>;
}

// --- bascule status ---------------------------------------------------------

export async function statusCommand(flags: RawStatusFlags, io: Io): Promise<void> {
  const input = parseStatusInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  clusterIdentity(platform, input.identity); // an unknown --access fails before any network call
  const clusters = await connectClusters(platform, input, io);
  const targets = Object.fromEntries(
    COLOURS.map((c) => [c, { clusterName: clusters[c].name, endpoint: clusters[c].endpoint, endpointHost: endpointHost(clusters[c].endpoint), apiRecord: platform.clusters[c].apiRecord }]),
  ) as Record<Colour, { clusterName: string; endpoint: string; endpointHost: string; apiRecord: string }>;
  const journalPath = defaultJournalPath(io.env, platform.name);
  if (io.verbose) {
    const resolver = resolverOf(platform, input);
    io.verbose(`platform ${platform.name} (${platform.source}): live ${platform.live} in the file`);
    io.verbose(`resolver: ${resolver ? `DNS server ${resolver} (from ${input.dnsServer ? '--dns-server' : 'clusterNameRecord.dnsServer'})` : 'the system resolver'}`);
    for (const c of COLOURS) io.verbose(`${c}: ${clusters[c].name} at ${clusters[c].endpoint} (${input.fetch ? 'from EKS' : 'from the platform file'})`);
    io.verbose(`journal: ${journalPath}`);
  }
  let journal;
  try {
    const j = readJournal(journalPath);
    if (j) journal = { path: journalPath, description: describeJournal(j), unfinished: isUnfinished(j) };
  } catch (error) {
    journal = { path: journalPath, description: error instanceof Error ? error.message : String(error), unfinished: true };
  }
  const observation = await observeStatus({
    platform: platform.name,
    file: platform.source,
    liveInFile: platform.live,
    txtName: platform.clusterNameRecord.name,
    apiName: platform.api.record,
    namespace: platform.externalDns.namespace,
    deployments: liveExternalDnsDeployments(platform),
    clusters: targets,
    dns: dnsPort(resolverOf(platform, input), input.waits.dnsTimeoutMs),
    kube: kubeClients(platform, clusters, input, io),
    ...(journal ? { journal } : {}),
  });
  const report = evaluateStatus(observation, targets);
  io.stdout(input.output === 'json' ? statusJson(report) : formatStatusTable(report));
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok);
    throw new BasculeError('check', `status: ${failed.length} check${failed.length === 1 ? '' : 's'} failed (${failed.map((c) => c.name).join(', ')})`);
  }
}

// --- bascule switch ---------------------------------------------------------

async function confirm(io: Io, input: SwitchInput, question: string, word: string): Promise<void> {
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
function progressFor(io: Io, json: boolean): SwitchPorts['progress'] {
  if (json || io.stderrIsTTY?.()) return createProgress(io, { json });
  return progressLines(io);
}

function progressLines(io: Io): SwitchPorts['progress'] {
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

async function route53For(platform: Platform, input: SwitchInput, io: Io): Promise<Route53Port> {
  const { route53Client } = await import('./route53.js');
  return route53Client({
    region: platform.aws.region,
    env: io.env,
    profile: input.identity.profile,
    credentials: credentialSource(sessionContext(io, platform.aws.region), input.identity.profile),
  });
}

/** The wiring: the operation's ports from io, the platform and the flags. */
export function switchPorts(io: Io, platform: Platform, input: SwitchInput): OperationPorts {
  const journalPath = input.journal ? resolve(io.cwd, input.journal) : defaultJournalPath(io.env, platform.name);
  const platformFile = resolve(io.cwd, input.config);
  let clusters: Record<Colour, ClusterAccess> | undefined;
  return {
    platform,
    platformFile,
    platformText: () => readFileSync(platformFile, 'utf8'),
    journalPath,
    resolver: resolverOf(platform, input),
    connect: async () => {
      clusters = await connectClusters(platform, input, io);
      return { blue: clusters.blue.endpoint, green: clusters.green.endpoint };
    },
    readJournal: () => readJournal(journalPath),
    writeJournal: (j) => writeJournal(journalPath, j),
    lockJournal: () => lockJournal(journalPath, io.now()),
    route53: () => route53For(platform, input, io),
    steps: (spec, route53) => {
      if (!clusters) throw new Error('switch: the step ports are built before the clusters are connected');
      return {
        kube: kubeClients(platform, clusters, input, io),
        route53,
        dns: dnsPort(spec.resolver, input.waits.dnsTimeoutMs),
        writeJournal: (j) => writeJournal(spec.journal, j),
        writeLive: (to, from) => writeLive(platformFile, to, from),
        now: io.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        owner: currentOwner(),
        out: (line) => io.stdout(`${line}\n`),
        progress: progressFor(io, input.output === 'json'),
      };
    },
    approve: async (preview) => {
      io.stdout(previewText(preview));
      const { question, word } = confirmation(preview);
      await confirm(io, input, question, word);
    },
    note: (line) => io.stderr(`note: ${line}\n`),
    now: io.now,
    owner: currentOwner(),
  };
}

export async function switchCommand(flags: RawSwitchFlags, io: Io): Promise<void> {
  const input = parseSwitchInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  clusterIdentity(platform, input.identity);
  const outcome = await operate(input, switchPorts(io, platform, input));
  if (outcome.kind === 'plan') {
    io.stdout(input.output === 'json' ? planJson(outcome) : planText(outcome));
    if (outcome.missing.length > 0) requireZones(platform); // names what is missing, exit 2
    if (input.output !== 'json') io.stdout(PLAN_ONLY);
    return;
  }
  if (outcome.kind === 'failed') throw failureError(outcome, input);
  io.stdout(outcomeText(outcome, input));
}
