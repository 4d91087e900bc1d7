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
import { readFileSync } from 'node:fs';
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
import { readInventory, runSteps, StepFailure, type SwitchPorts } from './execute.js';
import { formatInventory, inventoryJson, unallowedOrphans, type Inventory } from './inventory.js';
import {
  beginRollback,
  blocksNewSwitch,
  changedAnything,
  describeJournal,
  isUnfinished,
  journalConsistency,
  newJournal,
  resumePlan,
  type Before,
  type Journal,
  type LockRecord,
  type StepId,
} from './journal.js';
import { currentOwner, defaultJournalPath, lockJournal, readJournal, writeJournal } from './journal-file.js';
import { acquireLock, releaseLock } from './lock.js';
import { kubeClient, type KubePort } from './kube.js';
import { formatMs, parseStatusInput, parseSwitchInput, type CommonInput, type RawStatusFlags, type RawSwitchFlags, type SwitchInput } from './options.js';
import { writeLive } from './platform-edit.js';
import { describeStep, formatPlan, switchHeading, switchStepIds } from './plan.js';
import {
  buildSpec,
  changedFacts,
  checkTarget,
  colourOfApiTarget,
  endpointHost,
  liveExternalDnsDeployments,
  missingZones,
  other,
  platformHash,
  requireZones,
  specFacts,
  txtValue,
  type SwitchSpec,
} from './spec.js';
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

function failureError(failure: StepFailure, spec: SwitchSpec, input: SwitchInput): Error {
  const j = failure.journal;
  const rollingBack = j.rollback !== null;
  const list: readonly { id: StepId }[] = j.rollback ?? j.steps;
  const index = list.findIndex((s) => s.id === failure.step) + 1;
  const title = describeStep(spec, failure.step, j.before).title;
  const cause = failure.cause;
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
  // Not bascule's own error: a bug. It surfaces as an internal error, the journal consistent all the same.
  if (!(cause instanceof BasculeError)) {
    return new BasculeError('internal', `${what} step ${index}/${list.length} (${title}) failed: ${cause instanceof Error ? `${cause.name}: ${redact(cause.message)}` : String(cause)}`, {
      hint: `this is a bug in bascule; ${next}`,
      cause,
    });
  }
  return new BasculeError(cause.kind, `${what} step ${index}/${list.length} (${title}) failed: ${redact(cause.message)}`, { hint: `${cause.hint ? `${cause.hint}\n` : ''}${next}` });
}

/**
 * A plain stderr line while a wait lasts, every 10 s (quick waits print
 * nothing), until the terminal reporter (src/terminal/progress.ts) is wired here.
 */
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
    progress: progressLines(io),
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

function leftToHuman(spec: SwitchSpec, platform: Platform, input: SwitchInput, journal: Journal, notes: readonly string[]): string {
  const old = spec.from;
  const own = platform.clusters[old].domains;
  const orphans = journal.before?.orphans ?? [];
  const lines = [
    '',
    'Left to you:',
    `  - watch ${old}'s old ingresses until they get no traffic: bascule drain --colour ${old} --watch 15m --config ${input.config} (resolvers may keep the old answers for the TTL (${spec.apiRecord.ttl}s), clients keep open connections longer)`,
    ...(orphans.length > 0
      ? [
          `  - ${orphans.join(', ')} ${orphans.length === 1 ? 'is' : 'are'} still served by ${old} only (allowed with --allow-orphan): do NOT delete ${old}'s ingresses for ${orphans.length === 1 ? 'it' : 'them'}, or ${orphans.length === 1 ? 'it goes' : 'they go'} down; serve ${orphans.length === 1 ? 'it' : 'them'} from ${spec.to} first`,
          `  - then delete ${old}'s other ingresses; ${old}'s own ExternalDNS keep managing *.${own.private.name} and *.${own.public.name}`,
        ]
      : [`  - then delete them; ${old}'s own ExternalDNS keep managing *.${own.private.name} and *.${own.public.name}`]),
    '  - kubeconfigs need nothing: the live contexts follow the TXT record',
    `  - commit the platform file (live: ${spec.to}): manifests generated from it run the live ExternalDNS in ${spec.to} only; ${old}'s, should they run again, own no production record any more (the fence) and \`bascule status\` reports them`,
    `  - if something is wrong, undo the switch: ${commandLine(input, '--rollback')}`,
  ];
  for (const note of notes) lines.push(`  - ${note}`);
  return `${lines.join('\n')}\n`;
}

/** The facts a rollback's before values can hold: what a preflight of this switch can have recorded. */
function beforeProblem(spec: SwitchSpec, j: Journal) {
  return (before: Before): string | undefined => {
    const from = spec.clusters[j.from];
    if (before.api !== null) {
      if (before.api.values.length !== 1 || colourOfApiTarget(spec.clusters, before.api.values[0] as string) !== j.from) {
        return `the API record's value ${before.api.values.join(' ')} is not ${j.from}'s endpoint (${from.endpointHost})`;
      }
    }
    if (before.txt === null || before.txt.values.length !== 1 || before.txt.values[0] !== txtValue(from.clusterName)) {
      return `the cluster-name record's value ${before.txt ? before.txt.values.join(' ') : '(none)'} is not ${txtValue(from.clusterName)}`;
    }
    const names = Object.keys(before.replicas);
    if (names.sort().join(',') !== [...spec.externalDns.deployments].sort().join(',')) return `its replicas name ${names.join(', ') || 'nothing'}, not ${spec.externalDns.deployments.join(', ')}`;
    const domains = spec.production.map((z) => z.domain);
    const stray = [...(before.moves ?? []), ...(before.orphans ?? [])].filter((n) => !domains.some((d) => n.endsWith(`.${d}`)));
    if (stray.length > 0) return `its production names ${stray.join(', ')} are not under ${domains.join(' or ')}`;
    return undefined;
  };
}

/**
 * Refuses a journal whose pinned inputs changed, or that was edited: names
 * what. A switch that changed nothing yet (stopped at its preflight) is
 * planned again from the file as it is now: its pins are renewed.
 */
function checkJournal(j: Journal, spec: SwitchSpec, platformText: string, path: string): Journal {
  const hashNow = platformHash(platformText);
  const changed = changedFacts(j.pins.facts, specFacts(spec));
  if (!changedAnything(j)) {
    const problem = journalConsistency(j, { steps: switchStepIds(spec), beforeProblem: beforeProblem(spec, j) });
    if (problem) throw new BasculeError('refused', `the switch journal ${path} is not one bascule wrote: ${problem}; it is refused, not obeyed`, { hint: 'move it aside; nothing was changed' });
    return { ...j, pins: { platformHash: hashNow, facts: specFacts(spec) } };
  }
  if (changed.length > 0 || hashNow !== j.pins.platformHash) {
    const what = changed.length > 0 ? changed.map((c) => `  - ${c}`).join('\n') : `  - the file's text (sha256 ${j.pins.platformHash.slice(0, 12)}... -> ${hashNow.slice(0, 12)}...), no fact the steps use`;
    throw new BasculeError('refused', `the platform file ${spec.platformFile} changed since the switch ${j.from} -> ${j.to} started (journal ${path}):\n${what}`, {
      hint: 'the journal was planned from the old file: restore it (git diff / git checkout), then retry; nothing was changed',
    });
  }
  const problem = journalConsistency(j, { steps: switchStepIds(spec), beforeProblem: beforeProblem(spec, j) });
  if (problem) {
    throw new BasculeError('refused', `the switch journal ${path} is not one bascule wrote: ${problem}; it is refused, not obeyed`, {
      hint: 'restore the journal bascule wrote; otherwise look at Route53 and both clusters (`bascule status`) and repair by hand; nothing was changed',
    });
  }
  return j;
}

async function execute(spec: SwitchSpec, platform: Platform, clusters: Record<Colour, ClusterAccess>, input: SwitchInput, io: Io, journal: Journal, ids: StepId[], route53: SwitchPorts['route53']) {
  const started = io.now().getTime();
  try {
    const result = await runSteps(spec, ports(spec, platform, clusters, input, io, route53), journal, ids);
    return { ...result, elapsed: formatMs(io.now().getTime() - started) };
  } catch (error) {
    if (error instanceof StepFailure) {
      // Nothing changed (stopped at its preflight): the lock goes, another operator may start.
      if (!changedAnything(error.journal) && error.journal.lock) {
        const note = await releaseLock(route53, error.journal.lock, 'switch').catch(() => 'the switch lock record could not be removed');
        writeJournal(spec.journal, { ...error.journal, lock: null });
        if (note) io.stderr(`note: ${note}\n`);
      }
      throw failureError(error, spec, input);
    }
    throw error;
  }
}

/** Releases the lock record once the operation is over; the journal then says so. */
async function finish(route53: SwitchPorts['route53'], journal: Journal, path: string, operation: string, io: Io): Promise<void> {
  if (!journal.lock) return;
  const note = await releaseLock(route53, journal.lock, operation);
  writeJournal(path, { ...journal, lock: null });
  if (note) io.stderr(`note: ${note}\n`);
}

async function takeLock(route53: SwitchPorts['route53'], spec: SwitchSpec, io: Io, input: SwitchInput, operation: string, mine: LockRecord | null): Promise<LockRecord> {
  return acquireLock(route53, {
    zoneId: spec.txtRecord.zoneId,
    txtRecord: spec.txtRecord.name,
    platform: spec.platform,
    operation,
    now: io.now(),
    mine,
    breakLock: input.breakLock,
    note: (line) => io.stderr(`note: ${line}\n`),
  });
}

async function readPlanInventory(spec: SwitchSpec, platform: Platform, input: SwitchInput, io: Io): Promise<Inventory | string> {
  if (spec.live.length === 0) return 'externalDns.enabled is false: no production records to inventory';
  const missing = missingZones(platform);
  if (missing.length > 0) return `not taken: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`;
  const route53 = await route53For(platform, input, io);
  try {
    return await readInventory(spec, route53, spec.from, spec.to, {});
  } catch (error) {
    if (error instanceof BasculeError) return `not taken: ${error.message}`;
    throw error;
  } finally {
    route53.destroy();
  }
}

export async function switchCommand(flags: RawSwitchFlags, io: Io): Promise<void> {
  const input = parseSwitchInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  clusterIdentity(platform, input.identity);
  const journalPath = input.journal ? resolve(io.cwd, input.journal) : defaultJournalPath(io.env, platform.name);
  const platformFile = resolve(io.cwd, input.config);
  const resume = commandLine(input, '--resume');
  const rollback = commandLine(input, '--rollback');

  if (input.mode.kind === 'switch' && !input.apply) {
    // The plan: changes nothing, takes no lock; printed even when zone ids are missing (it names them).
    const to = input.mode.to;
    const existing = readJournal(journalPath);
    if (existing && blocksNewSwitch(existing)) {
      throw new BasculeError('refused', `a switch is unfinished: ${describeJournal(existing)} (journal ${journalPath}); refusing to plan another`, {
        hint: `resume it: ${resume}\n      or undo it: ${rollback}`,
      });
    }
    checkTarget(platform, to);
    const clusters = await connectClusters(platform, input, io);
    const spec = buildSpec(platform, endpointsOf(clusters), { from: other(to), to, resolver: resolverOf(platform, input), waits: input.waits, journal: journalPath, allowOrphans: input.allowOrphans, planOnly: true });
    const steps = switchStepIds(spec).map((id) => describeStep(spec, id, null));
    const inventory = await readPlanInventory(spec, platform, input, io);
    const missing = missingZones(platform);
    if (input.output === 'json') {
      const orphans = typeof inventory === 'string' ? [] : unallowedOrphans(inventory, spec.allowOrphans).missing;
      io.stdout(
        `${JSON.stringify(
          {
            platform: platform.name,
            file: platform.source,
            from: spec.from,
            to,
            steps,
            inventory: typeof inventory === 'string' ? null : inventoryJson(inventory),
            ...(typeof inventory === 'string' ? { inventoryNote: inventory } : {}),
            refusedOrphans: orphans,
            missing,
            journal: journalPath,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      io.stdout(`${switchHeading(spec)}\n\n${formatPlan(steps)}\n`);
      io.stdout(typeof inventory === 'string' ? `Production records: ${inventory}\n` : formatInventory(inventory));
      io.stdout(`\nJournal: ${journalPath}\n`);
    }
    if (missing.length > 0) requireZones(platform); // names what is missing, exit 2
    if (input.output !== 'json') io.stdout('\nThis is the plan; nothing was changed. Run the same command with --apply to execute it (a confirmation is asked unless --yes).\n');
    return;
  }

  requireZones(platform);
  // One operator per journal on this machine, from here to the end.
  const held = lockJournal(journalPath, io.now());
  try {
    const platformText = readFileSync(platformFile, 'utf8');
    const existing = readJournal(journalPath);
    if (input.mode.kind === 'switch') {
      const to = input.mode.to;
      if (existing && blocksNewSwitch(existing)) {
        throw new BasculeError('refused', `a switch is unfinished: ${describeJournal(existing)} (journal ${journalPath}); refusing to start another`, {
          hint: `resume it: ${resume}\n      or undo it: ${rollback}`,
        });
      }
      checkTarget(platform, to);
      const clusters = await connectClusters(platform, input, io);
      const spec = buildSpec(platform, endpointsOf(clusters), { from: other(to), to, resolver: resolverOf(platform, input), waits: input.waits, journal: journalPath, allowOrphans: input.allowOrphans });
      const ids = switchStepIds(spec);
      io.stdout(`${switchHeading(spec)}\n\n${formatPlan(ids.map((id) => describeStep(spec, id, null)))}\nJournal: ${journalPath}\n`);
      await confirm(io, input, `\nThis switches production to ${to}.`, to);
      const route53 = await route53For(platform, input, io);
      try {
        const lock = await takeLock(route53, spec, io, input, `switch=${spec.from}->${to}`, null);
        const journal = newJournal({
          platform: platform.name,
          platformFile,
          from: spec.from,
          to,
          steps: ids,
          now: io.now(),
          owner: currentOwner(),
          pins: { platformHash: platformHash(platformText), facts: specFacts(spec) },
          lock,
        });
        writeJournal(journalPath, journal);
        io.stdout('\n');
        const done = await execute(spec, platform, clusters, input, io, journal, ids, route53);
        await finish(route53, done.journal, journalPath, 'switch', io);
        io.stdout(`\nSwitched ${platform.name} to ${to} (${spec.clusters[to].clusterName}) in ${done.elapsed}. Journal: ${journalPath} (complete).\n`);
        io.stdout(leftToHuman(spec, platform, input, done.journal, done.notes));
      } finally {
        route53.destroy();
      }
      return;
    }

    if (!existing) {
      throw usageError(`there is no switch to ${input.mode.kind === 'resume' ? 'resume' : 'roll back'}: no journal at ${journalPath}`, 'a journal is written when `bascule switch --to COLOUR --apply` runs; pass --journal FILE if it was written elsewhere');
    }
    if (existing.platform !== platform.name) {
      throw usageError(`the journal ${journalPath} is for platform ${existing.platform}, not ${platform.name}`, 'pass the --config the switch was started with');
    }
    const clusters = await connectClusters(platform, input, io);
    const spec = buildSpec(platform, endpointsOf(clusters), { from: existing.from, to: existing.to, resolver: resolverOf(platform, input), waits: input.waits, journal: journalPath });
    if (platformFile !== existing.platformFile) io.stderr(`note: the switch was started with ${existing.platformFile}; using ${platformFile}\n`);
    if (input.mode.kind === 'resume') {
      const plan = resumePlan(existing);
      if ('refused' in plan) throw usageError(plan.refused, existing.state === 'completed' ? `to undo it: ${rollback}` : undefined);
      const checked = checkJournal(existing, spec, platformText, journalPath);
      const list: readonly { id: StepId }[] = existing.rollback ?? existing.steps;
      const first = list.findIndex((s) => s.id === plan.steps[0]) + 1;
      const what = plan.operation === 'rollback' ? 'the rollback of the switch' : 'the switch';
      io.stdout(`${switchHeading(spec)}\nResuming ${what} (${describeJournal(existing)}) at step ${first}/${list.length}:\n\n`);
      io.stdout(`${formatPlan(plan.steps.map((id) => describeStep(spec, id, existing.before)), { numbering: { from: first, total: list.length } })}\nJournal: ${journalPath}\n`);
      await confirm(io, input, `\nThis resumes ${what}.`, 'resume');
      const route53 = await route53For(platform, input, io);
      try {
        const lock = await takeLock(route53, spec, io, input, `${plan.operation}=${spec.from}->${spec.to}`, existing.lock);
        const journal = { ...checked, lock };
        writeJournal(journalPath, journal);
        io.stdout('\n');
        const done = await execute(spec, platform, clusters, input, io, journal, plan.steps, route53);
        await finish(route53, done.journal, journalPath, plan.operation, io);
        if (plan.operation === 'rollback') io.stdout(`\nRolled back: ${spec.from} (${spec.clusters[spec.from].clusterName}) is live again (${done.elapsed}). Journal: ${journalPath}.\n`);
        else {
          io.stdout(`\nSwitched ${platform.name} to ${spec.to} (${spec.clusters[spec.to].clusterName}) in ${done.elapsed}. Journal: ${journalPath} (complete).\n`);
          io.stdout(leftToHuman(spec, platform, input, done.journal, done.notes));
        }
      } finally {
        route53.destroy();
      }
      return;
    }

    const begun = beginRollback(existing, io.now(), currentOwner());
    if ('refused' in begun) throw usageError(begun.refused);
    checkJournal(existing, spec, platformText, journalPath);
    const route53 = await route53For(platform, input, io);
    try {
      if (begun.steps.length === 0) {
        writeJournal(journalPath, begun.journal);
        await finish(route53, begun.journal, journalPath, 'rollback', io);
        io.stdout(`The switch ${existing.from} -> ${existing.to} changed nothing (it stopped at its preflight): nothing to undo. Journal: ${journalPath} (rolled back).\n`);
        return;
      }
      const list = begun.journal.rollback ?? [];
      const first = list.findIndex((s) => s.id === begun.steps[0]) + 1;
      const continuing = existing.rollback !== null ? `, continuing at step ${first}/${list.length}` : '';
      io.stdout(`${switchHeading(spec)}\nRolling back (${describeJournal(existing)}${continuing}): ${spec.from} becomes live again.\n\n`);
      io.stdout(`${formatPlan(begun.steps.map((id) => describeStep(spec, id, existing.before)), { numbering: { from: first, total: list.length } })}\nJournal: ${journalPath}\n`);
      await confirm(io, input, `\nThis moves production back to ${spec.from}.`, 'rollback');
      const lock = await takeLock(route53, spec, io, input, `rollback=${spec.from}->${spec.to}`, existing.lock);
      const journal = { ...begun.journal, lock };
      writeJournal(journalPath, journal);
      io.stdout('\n');
      const done = await execute(spec, platform, clusters, input, io, journal, begun.steps, route53);
      await finish(route53, done.journal, journalPath, 'rollback', io);
      io.stdout(`\nRolled back: ${spec.from} (${spec.clusters[spec.from].clusterName}) is live again (${done.elapsed}). Journal: ${journalPath}.\n`);
      for (const note of done.notes) io.stdout(`  - ${note}\n`);
    } finally {
      route53.destroy();
    }
  } finally {
    held.release();
  }
}

function endpointsOf(clusters: Record<Colour, ClusterAccess>): Record<Colour, string> {
  return { blue: clusters.blue.endpoint, green: clusters.green.endpoint };
}
