/**
 * The switch chunk's entry (dist/bascule-switch.js, see CHUNKS in
 * scripts/build.mjs): `bascule status` and `bascule switch`. Everything they
 * need (the Route53 client, the Kubernetes API client) is reached from here,
 * so `bascule token` never parses it.
 *
 * switch, in order: flags -> platform -> journal (refuse a second switch) ->
 * clusters -> spec -> plan (printed) -> [--apply] confirmation -> steps, each
 * journalled before and after -> what is left to a human.
 */
import { resolve } from 'node:path';
import { BasculeError, redact, usageError } from '../errors.js';
import type { Io } from '../io.js';
import type { ClusterAccess } from '../kubeconfig/build.js';
import { fileSystem, resolveClusters } from '../platform/clusters.js';
import type { DescribedCluster } from '../platform/eks.js';
import type { Colour, Platform } from '../platform/model.js';
import { readPlatform } from '../platform/read.js';
import { COLOURS } from '../platform/schema.js';
import { parseDnsServer } from '../token/dns.js';
import { dnsPort } from './dns.js';
import { runSteps, StepFailure, type SwitchPorts } from './execute.js';
import { beginRollback, blocksNewSwitch, describeJournal, isUnfinished, newJournal, resumePlan, type Journal, type StepId } from './journal.js';
import { currentOwner, defaultJournalPath, ownerIsRunning, readJournal, writeJournal } from './journal-file.js';
import { kubeClient, type KubePort } from './kube.js';
import { formatMs, parseStatusInput, parseSwitchInput, type CommonInput, type RawStatusFlags, type RawSwitchFlags, type SwitchInput } from './options.js';
import { writeLive } from './platform-edit.js';
import { describeStep, formatPlan, switchHeading, switchStepIds } from './plan.js';
import { buildSpec, checkTarget, endpointHost, liveExternalDnsDeployments, other, requireZones, type SwitchSpec } from './spec.js';
import { evaluateStatus, formatStatusTable, observeStatus, statusJson } from './status.js';
import { clusterIdentity, clusterTokens, credentialSource, type TokenContext } from './tokens.js';

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

function tokenContext(platform: Platform, io: Io): TokenContext {
  return {
    env: io.env,
    now: io.now,
    region: platform.aws.region,
    get interactive() {
      return io.stdinIsTTY();
    },
    prompt: io.prompt,
  };
}

function kubeClients(platform: Platform, clusters: Record<Colour, ClusterAccess>, input: CommonInput, io: Io): Record<Colour, KubePort> {
  const tokenFor = clusterTokens(tokenContext(platform, io), clusterIdentity(platform, input.identity));
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

/** The command line that continues (or undoes) this switch, with the flags that matter. */
function commandLine(input: SwitchInput, verb: '--resume' | '--rollback'): string {
  const parts = ['bascule switch', verb, '--config', input.config];
  if (input.identity.access) parts.push('--access', input.identity.access);
  if (input.identity.roleArn) parts.push('--role', input.identity.roleArn);
  if (input.identity.profile) parts.push('--profile', input.identity.profile);
  if (input.dnsServer) parts.push('--dns-server', input.dnsServer);
  if (input.fetch) parts.push('--fetch');
  if (input.journal) parts.push('--journal', input.journal);
  return parts.join(' ');
}

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

function refuseIfRunning(journal: Journal, path: string): void {
  if ((journal.state === 'running' || journal.state === 'rolling-back') && ownerIsRunning(journal.owner)) {
    throw new BasculeError('refused', `another bascule (pid ${journal.owner.pid}) is running this switch right now (journal ${path})`, {
      hint: `wait for it to finish; if it is stuck, stop it first (if pid ${journal.owner.pid} is not bascule at all, the pid was reused: set "pid": 0 under "owner" in the journal)`,
    });
  }
}

function failureError(failure: StepFailure, spec: SwitchSpec, input: SwitchInput): BasculeError {
  const j = failure.journal;
  const rollingBack = j.rollback !== null;
  const list: readonly { id: StepId }[] = j.rollback ?? j.steps;
  const index = list.findIndex((s) => s.id === failure.step) + 1;
  const title = describeStep(spec, failure.step, j.before).title;
  const cause = failure.cause;
  const kind = cause instanceof BasculeError ? cause.kind : 'internal';
  const causeText = cause instanceof Error ? redact(cause.message) : String(cause);
  const causeHint = cause instanceof BasculeError && cause.hint ? `${cause.hint}\n` : '';
  const what = rollingBack ? 'rollback' : 'switch';
  let next: string;
  if (!rollingBack && failure.step === 'preflight') {
    next = `nothing was changed. Fix the problem(s), then run the switch again (\`${commandLine(input, '--resume')}\` re-runs it from the preflight).`;
  } else if (rollingBack) {
    next = `the journal ${spec.journal} records where the rollback stopped. Fix the cause, then continue the rollback: \`${commandLine(input, '--rollback')}\`.`;
  } else {
    next =
      `the journal ${spec.journal} records what was done. Fix the cause, then resume (re-runs step ${index}): \`${commandLine(input, '--resume')}\`; ` +
      `or undo what was done: \`${commandLine(input, '--rollback')}\`.`;
  }
  return new BasculeError(kind, `${what} step ${index}/${list.length} (${title}) failed: ${causeText}`, { hint: `${causeHint}${next}` });
}

function ports(spec: SwitchSpec, platform: Platform, clusters: Record<Colour, ClusterAccess>, input: SwitchInput, io: Io, route53: SwitchPorts['route53']): SwitchPorts {
  const platformFile = resolve(io.cwd, input.config);
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
  };
}

async function route53For(platform: Platform, input: SwitchInput, io: Io): Promise<SwitchPorts['route53']> {
  const { route53Client } = await import('./route53.js');
  return route53Client({
    region: platform.aws.region,
    env: io.env,
    profile: input.identity.profile,
    credentials: credentialSource(tokenContext(platform, io), input.identity.profile),
  });
}

function leftToHuman(spec: SwitchSpec, platform: Platform, input: SwitchInput, notes: readonly string[]): string {
  const old = spec.from;
  const own = platform.clusters[old].domains;
  const lines = [
    '',
    'Left to you:',
    `  - watch ${old}'s old ingresses until they get no traffic: bascule drain --colour ${old} --watch 15m --config ${input.config} (resolvers may keep the old answers for the TTL (${spec.apiRecord.ttl}s), clients keep open connections longer)`,
    `  - then delete them; ${old}'s own ExternalDNS keep managing *.${own.private.name} and *.${own.public.name}`,
    '  - kubeconfigs need nothing: the live contexts follow the TXT record',
    `  - commit the platform file (live: ${spec.to}): manifests generated from it run the live ExternalDNS in ${spec.to} only; applying ones generated before the switch would start ${old}'s again`,
    `  - if something is wrong, undo the switch: ${commandLine(input, '--rollback')}`,
  ];
  for (const note of notes) lines.push(`  - ${note}`);
  return `${lines.join('\n')}\n`;
}

async function execute(spec: SwitchSpec, platform: Platform, clusters: Record<Colour, ClusterAccess>, input: SwitchInput, io: Io, journal: Journal, ids: StepId[]) {
  const route53 = await route53For(platform, input, io);
  const started = io.now().getTime();
  try {
    const result = await runSteps(spec, ports(spec, platform, clusters, input, io, route53), journal, ids);
    return { ...result, elapsed: formatMs(io.now().getTime() - started) };
  } catch (error) {
    if (error instanceof StepFailure) throw failureError(error, spec, input);
    throw error;
  } finally {
    route53.destroy();
  }
}

export async function switchCommand(flags: RawSwitchFlags, io: Io): Promise<void> {
  const input = parseSwitchInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  requireZones(platform);
  clusterIdentity(platform, input.identity);
  const journalPath = input.journal ? resolve(io.cwd, input.journal) : defaultJournalPath(io.env, platform.name);
  const existing = readJournal(journalPath);
  const resume = commandLine(input, '--resume');
  const rollback = commandLine(input, '--rollback');

  if (input.mode.kind === 'switch') {
    const to = input.mode.to;
    if (existing) refuseIfRunning(existing, journalPath);
    if (existing && blocksNewSwitch(existing)) {
      throw new BasculeError('refused', `a switch is unfinished: ${describeJournal(existing)} (journal ${journalPath}); refusing to start another`, {
        hint: `resume it: ${resume}\n      or undo it: ${rollback}`,
      });
    }
    checkTarget(platform, to);
    const clusters = await connectClusters(platform, input, io);
    const spec = buildSpec(platform, endpointsOf(clusters), { from: other(to), to, resolver: resolverOf(platform, input), waits: input.waits, journal: journalPath });
    const ids = switchStepIds(spec);
    io.stdout(`${switchHeading(spec)}\n\n${formatPlan(ids.map((id) => describeStep(spec, id, null)))}\nJournal: ${journalPath}\n`);
    if (!input.apply) {
      io.stdout('\nThis is the plan; nothing was changed. Run the same command with --apply to execute it (a confirmation is asked unless --yes).\n');
      return;
    }
    await confirm(io, input, `\nThis switches production to ${to}.`, to);
    const journal = newJournal({ platform: platform.name, platformFile: resolve(io.cwd, input.config), from: spec.from, to, steps: ids, now: io.now(), owner: currentOwner() });
    writeJournal(journalPath, journal);
    io.stdout('\n');
    const done = await execute(spec, platform, clusters, input, io, journal, ids);
    io.stdout(`\nSwitched ${platform.name} to ${to} (${spec.clusters[to].clusterName}) in ${done.elapsed}. Journal: ${journalPath} (complete).\n`);
    io.stdout(leftToHuman(spec, platform, input, done.notes));
    return;
  }

  if (!existing) {
    throw usageError(`there is no switch to ${input.mode.kind === 'resume' ? 'resume' : 'roll back'}: no journal at ${journalPath}`, 'a journal is written when `bascule switch --to COLOUR --apply` runs; pass --journal FILE if it was written elsewhere');
  }
  if (existing.platform !== platform.name) {
    throw usageError(`the journal ${journalPath} is for platform ${existing.platform}, not ${platform.name}`, 'pass the --config the switch was started with');
  }
  refuseIfRunning(existing, journalPath);
  const clusters = await connectClusters(platform, input, io);
  const spec = buildSpec(platform, endpointsOf(clusters), { from: existing.from, to: existing.to, resolver: resolverOf(platform, input), waits: input.waits, journal: journalPath });
  if (resolve(io.cwd, input.config) !== existing.platformFile) io.stderr(`note: the switch was started with ${existing.platformFile}; using ${resolve(io.cwd, input.config)}\n`);

  if (input.mode.kind === 'resume') {
    const plan = resumePlan(existing);
    if ('refused' in plan) throw usageError(plan.refused, existing.state === 'completed' ? `to undo it: ${rollback}` : undefined);
    const list: readonly { id: StepId }[] = existing.rollback ?? existing.steps;
    const first = list.findIndex((s) => s.id === plan.steps[0]) + 1;
    const what = plan.operation === 'rollback' ? 'the rollback of the switch' : 'the switch';
    io.stdout(`${switchHeading(spec)}\nResuming ${what} (${describeJournal(existing)}) at step ${first}/${list.length}:\n\n`);
    io.stdout(`${formatPlan(plan.steps.map((id) => describeStep(spec, id, existing.before)), { numbering: { from: first, total: list.length } })}\nJournal: ${journalPath}\n`);
    await confirm(io, input, `\nThis resumes ${what}.`, 'resume');
    io.stdout('\n');
    const done = await execute(spec, platform, clusters, input, io, existing, plan.steps);
    if (plan.operation === 'rollback') io.stdout(`\nRolled back: ${spec.from} (${spec.clusters[spec.from].clusterName}) is live again (${done.elapsed}). Journal: ${journalPath}.\n`);
    else {
      io.stdout(`\nSwitched ${platform.name} to ${spec.to} (${spec.clusters[spec.to].clusterName}) in ${done.elapsed}. Journal: ${journalPath} (complete).\n`);
      io.stdout(leftToHuman(spec, platform, input, done.notes));
    }
    return;
  }

  const begun = beginRollback(existing, io.now(), currentOwner());
  if ('refused' in begun) throw usageError(begun.refused);
  if (begun.steps.length === 0) {
    writeJournal(journalPath, begun.journal);
    io.stdout(`The switch ${existing.from} -> ${existing.to} changed nothing (it stopped at its preflight): nothing to undo. Journal: ${journalPath} (rolled back).\n`);
    return;
  }
  const list = begun.journal.rollback ?? [];
  const first = list.findIndex((s) => s.id === begun.steps[0]) + 1;
  const continuing = existing.rollback !== null ? `, continuing at step ${first}/${list.length}` : '';
  io.stdout(`${switchHeading(spec)}\nRolling back (${describeJournal(existing)}${continuing}): ${spec.from} becomes live again.\n\n`);
  io.stdout(`${formatPlan(begun.steps.map((id) => describeStep(spec, id, existing.before)), { numbering: { from: first, total: list.length } })}\nJournal: ${journalPath}\n`);
  await confirm(io, input, `\nThis moves production back to ${spec.from}.`, 'rollback');
  writeJournal(journalPath, begun.journal);
  io.stdout('\n');
  const done = await execute(spec, platform, clusters, input, io, begun.journal, begun.steps);
  io.stdout(`\nRolled back: ${spec.from} (${spec.clusters[spec.from].clusterName}) is live again (${done.elapsed}). Journal: ${journalPath}.\n`);
  for (const note of done.notes) io.stdout(`  - ${note}\n`);
}

function endpointsOf(clusters: Record<Colour, ClusterAccess>): Record<Colour, string> {
  return { blue: clusters.blue.endpoint, green: clusters.green.endpoint };
}
