/**
 * The weighted shift's entry (its own chunk): `bascule switch --to green
 * --weights 10,50,100 [--hold 10m] [--flip-at 50] [--pause] --apply`, and its
 * --resume / --rollback [--gradual].
 *
 * flags -> platform -> Route53 read whole -> inventory (orphans, foreign sets,
 * 0/0, a stage below the current one: refused) -> the new colour's load
 * balancers and their signals (a missing metric: refused) -> plan printed ->
 * [--apply] confirmation -> journal -> runner. Every refusal happens before
 * anything changes.
 */
import { resolve } from 'node:path';
import type { AwsContext } from '../aws/clients.js';
import { BasculeError, redact, usageError } from '../errors.js';
import type { Io } from '../io.js';
import type { Colour, Platform } from '../platform/model.js';
import { readPlatform } from '../platform/read.js';
import { parseColour, parseDurationMs } from '../switch/options.js';
import { blocksNewSwitch, describeJournal } from '../cutover/switch-journal.js';
import { normName } from '../production/names.js';
import { currentOwner, ownerIsRunning } from '../cutover/state.js';
import { journalPath as journalFileOf, readShiftJournal, readSwitchJournal as readJournal, writeJournalFile } from '../cutover/journals.js';
import { writeLive } from '../cutover/live-edit.js';
import { checkTarget, endpointHost, other, requireZones, txtValuesFor } from '../cutover/spec.js';
import { credentialSource, sessionContext } from '../aws/session.js';
import { describeShift, newShiftJournal, resumable, type ShiftJournal } from '../cutover/shift-journal.js';
import { heldWeights, type Domains, type Inventory } from './production.js';
import { rollbackShift, runShift, type Outcome, type ShiftPorts, type ShiftSettings } from './runner.js';
import { missingSignals } from './signals.js';
import { describeOptions, parseGradualFlags, remainingStages, type RawGradualFlags } from './weights.js';

export interface RawWeightedFlags extends RawGradualFlags {
  config?: string;
  profile?: string;
  to?: string;
  apply?: boolean;
  yes?: boolean;
  resume?: boolean;
  rollback?: boolean;
  gradual?: boolean;
  allowOrphan?: string[];
  breakLock?: boolean;
  journal?: string;
  timeout?: string;
  pollInterval?: string;
}

export const shiftJournalPath = (env: NodeJS.ProcessEnv, platformName: string): string => journalFileOf(env, 'shift', platformName);
const writeShiftJournal = (path: string, j: ShiftJournal) => writeJournalFile(path, j);

/** Is this `bascule switch` a weighted one? --weights or --gradual, or a resume/rollback with a weighted journal on file. */
export function wantsWeighted(flags: RawWeightedFlags, io: Io): boolean {
  if (flags.weights !== undefined || flags.gradual) return true;
  if (!flags.resume && !flags.rollback) {
    const stray = (
      [
        ['--hold', flags.hold],
        ['--flip-at', flags.flipAt],
        ['--pause', flags.pause],
        ['--max-5xx-rate', flags.max5xxRate],
        ['--min-requests', flags.minRequests],
        ['--max-unhealthy', flags.maxUnhealthy],
      ] as const
    ).filter(([, v]) => v !== undefined && v !== false);
    if (stray.length > 0) throw usageError(`${stray.map(([f]) => f).join(', ')} only apply to a weighted shift`, 'add --weights, e.g. --weights 10,50,100');
    return false;
  }
  try {
    const platform = readPlatform(flags.config ?? 'platform.yaml', io.cwd);
    const path = flags.journal ? resolve(io.cwd, flags.journal) : shiftJournalPath(io.env, platform.name);
    const j = readShiftJournal(path);
    return j !== undefined && j.state !== 'rolled-back' && j.state !== 'completed' ? true : flags.journal !== undefined && j !== undefined;
  } catch {
    return false;
  }
}

function domainsOf(platform: Platform): Domains {
  const kinds = ['private', 'public'] as const;
  const missing = kinds.filter((k) => !platform.domains[k].zoneId);
  if (missing.length > 0) {
    throw new BasculeError('config', `${platform.source}: the weighted shift rewrites the production names, but ${missing.map((k) => `domains.${k}.zoneId`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`, {
      hint: 'add the hosted zone id(s); nothing was changed',
    });
  }
  const zone = (d: { name: string; zoneId: string | undefined }) => ({ name: d.name, zoneId: d.zoneId as string });
  return {
    shared: kinds.map((k) => zone(platform.domains[k])),
    colours: { blue: kinds.map((k) => zone(platform.clusters.blue.domains[k])), green: kinds.map((k) => zone(platform.clusters.green.domains[k])) },
    exclude: [platform.api.record, platform.clusterNameRecord.name],
  };
}

function awsContext(platform: Platform, io: Io, profile: string | undefined): AwsContext {
  return {
    region: platform.aws.region,
    env: io.env,
    credentials: credentialSource(sessionContext(io, platform.aws.region), profile),
  };
}

/** What the API CNAME points at when a colour is live: its endpoint host, else its own API record. */
const apiTarget = (platform: Platform, c: Colour) => (platform.clusters[c].endpoint ? endpointHost(platform.clusters[c].endpoint as string) : platform.clusters[c].apiRecord);

function commandLine(flags: RawWeightedFlags, verb: string): string {
  const parts = ['bascule switch', verb, '--config', flags.config ?? 'platform.yaml'];
  if (flags.profile) parts.push('--profile', flags.profile);
  if (flags.journal) parts.push('--journal', flags.journal);
  return parts.join(' ');
}

function refuseInventory(inv: Inventory, to: Colour, allowed: readonly string[]): void {
  if (inv.blocked.length > 0) {
    throw new BasculeError('refused', `the production names cannot be shifted with weights:\n${inv.blocked.map((b) => `  - ${b}`).join('\n')}`, {
      hint: 'fix these records by hand (or remove them from the production domains); nothing was changed',
    });
  }
  const unknown = allowed.map(normName).filter((n) => !inv.orphans.some((o) => o.name === n));
  if (unknown.length > 0) throw usageError(`--allow-orphan ${unknown.join(', ')}: not a production name served by one colour only`, inv.orphans.length > 0 ? `the orphans are: ${inv.orphans.map((o) => o.name).join(', ')}` : 'there is no orphan');
  const refused = inv.orphans.filter((o) => !allowed.some((a) => normName(a) === o.name));
  if (refused.length > 0) {
    throw new BasculeError('refused', `${refused.length} production name${refused.length === 1 ? ' is' : 's are'} served by one colour only:\n${refused.map((o) => `  - ${o.name}: only ${o.servedBy} (${o.missing} does not exist)`).join('\n')}`, {
      hint: `deploy them in ${to} first, or leave them as they are (they keep pointing where they point): ${refused.map((o) => `--allow-orphan ${o.name}`).join(' ')}; nothing was changed`,
    });
  }
  if (inv.names.length === 0) throw new BasculeError('refused', 'no production name is served by both colours: nothing to shift', { hint: 'check the production domains and the colours\' names; nothing was changed' });
}

async function confirm(io: Io, flags: RawWeightedFlags, question: string, word: string): Promise<void> {
  if (flags.yes) return;
  if (!io.stdinIsTTY()) throw usageError('refusing to change production without a confirmation: standard input is not a terminal', 'review the plan, then add --yes to run it unattended; nothing was changed');
  const answer = (await io.prompt(`${question} Type "${word}" to go on: `).catch(() => '')).trim();
  if (answer !== word) throw new BasculeError('refused', `not confirmed (expected "${word}"): nothing was changed`);
}

export async function weightedShiftCommand(flags: RawWeightedFlags, io: Io): Promise<void> {
  const platform = readPlatform(flags.config ?? 'platform.yaml', io.cwd);
  const zones = requireZones(platform);
  const domains = domainsOf(platform);
  const journalPath = flags.journal ? resolve(io.cwd, flags.journal) : shiftJournalPath(io.env, platform.name);
  const platformFile = resolve(io.cwd, flags.config ?? 'platform.yaml');
  const waits = {
    timeoutMs: flags.timeout === undefined ? 300_000 : parseDurationMs('--timeout', flags.timeout, { min: 100, max: 3_600_000 }),
    pollMs: flags.pollInterval === undefined ? 2000 : parseDurationMs('--poll-interval', flags.pollInterval, { min: 10, max: 60_000 }),
  };
  const existing = readShiftJournal(journalPath);
  const ctx = awsContext(platform, io, flags.profile);
  const aws = await import('./aws.js');
  const now = () => io.now().getTime();
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const out = (line: string) => io.stdout(`${line}\n`);

  if (flags.resume || flags.rollback) {
    if (!existing) throw usageError(`there is no weighted shift to ${flags.resume ? 'resume' : 'roll back'}: no journal at ${journalPath}`);
    if (existing.platform !== platform.name) throw usageError(`the journal ${journalPath} is for platform ${existing.platform}, not ${platform.name}`);
    if (existing.owner && ownerIsRunning(existing.owner)) {
      throw new BasculeError('refused', `another bascule (pid ${existing.owner.pid}) is running this weighted shift right now (journal ${journalPath})`, {
        hint: `wait for it to finish; if it is stuck, stop it first (if pid ${existing.owner.pid} is not bascule, set "pid": 0 under "owner" in the journal)`,
      });
    }
    existing.owner = currentOwner();
    existing.lock = await lock(platform, zones, ctx, flags, `${flags.rollback ? 'rollback' : 'resume'}=${existing.from}->${existing.to}`, existing.lock ?? null, io);
    writeShiftJournal(journalPath, existing);
    const settings = await settingsFor(existing, domains, aws, ctx, waits);
    const ports = await portsFor(platform, existing, journalPath, zones, domains, aws, ctx, waits, now, sleep, out);
    if (flags.rollback) {
      if (existing.state === 'rolled-back') throw usageError(`the weighted shift ${existing.from} -> ${existing.to} is already rolled back`);
      out(`Rolling back (${describeShift(existing)})${flags.gradual || existing.rollback?.gradual ? ' stage by stage' : ' at once'}: production as before the shift. Journal: ${journalPath}`);
      await confirm(io, flags, `\nThis moves production back to ${existing.from}.`, 'rollback');
      return finish(await guard(rollbackShift(ports, existing, settings, flags.gradual === true), flags, journalPath, true), existing, flags, journalPath, out, () => unlock(existing, ctx, journalPath, io), platformFile);
    }
    const can = resumable(existing);
    if ('refused' in can) throw usageError(can.refused);
    out(`Resuming (${describeShift(existing)}). Journal: ${journalPath}`);
    await confirm(io, flags, '\nThis resumes the weighted shift.', 'resume');
    return finish(await guard(runShift(ports, existing, settings), flags, journalPath, existing.state === 'rolling-back'), existing, flags, journalPath, out, () => unlock(existing, ctx, journalPath, io), platformFile);
  }

  if (flags.to === undefined) throw usageError('--to is required: the colour to move production to', 'e.g. bascule switch --to green --weights 10,50,100');
  const to = parseColour('--to', flags.to);
  const options = parseGradualFlags(flags);
  const from = other(to);
  if (existing && existing.state !== 'completed' && existing.state !== 'rolled-back') {
    throw new BasculeError('refused', `a weighted shift is unfinished: ${describeShift(existing)} (journal ${journalPath}); refusing to start another`, {
      hint: `resume it: ${commandLine(flags, '--resume')}\n      or undo it: ${commandLine(flags, '--rollback')}`,
    });
  }
  const plain = readJournal(journalFileOf(io.env, 'switch', platform.name));
  if (plain && blocksNewSwitch(plain)) {
    throw new BasculeError('refused', `a switch is unfinished: ${describeJournal(plain)}; refusing to start a weighted shift`, { hint: 'resume or roll it back first (bascule switch --resume / --rollback, without --weights)' });
  }
  checkTarget(platform, to);
  const inv = await aws.readInventory(ctx, domains);
  refuseInventory(inv, to, flags.allowOrphan ?? []);
  const held = inv.names.map(heldWeights).find((w) => w !== undefined);
  const current = held ? { to: held[to], from: held[from] } : { to: 0, from: 100 };
  remainingStages(options.stages, current);
  const startShare = held ? Math.round((held[to] * 100) / Math.max(1, held[to] + held[from])) : 0;
  const lbs = await aws.colourLoadBalancers(ctx, domains.colours[to], [platform.clusters[to].apiRecord]);
  if (lbs.length === 0) throw new BasculeError('refused', `no name of ${to} points at a load balancer: its health cannot be watched`, { hint: `check ${to}'s names under ${domains.colours[to].map((d) => d.name).join(', ')}; nothing was changed` });
  const sources = await aws.signalSources(ctx, lbs);
  const missing = missingSignals(sources.map((s) => ({ name: s.lb.name, type: s.lb.type, hasRequestMetric: s.hasRequestMetric, targetGroups: s.targetGroups.length })));
  if (missing.length > 0) {
    throw new BasculeError('refused', `the failure signals of ${to} cannot be read:\n${missing.map((m) => `  - ${m}`).join('\n')}`, { hint: `send test traffic to ${to}'s own names first (its metrics appear with its first requests); nothing was changed` });
  }

  const lines = [
    `Weighted shift of ${platform.name}: ${from} (${platform.clusters[from].name}) -> ${to} (${platform.clusters[to].name})`,
    `  ${describeOptions(options)} (TTL ${inv.ttlSeconds}s)`,
    `  ${inv.names.length} production name${inv.names.length === 1 ? '' : 's'}${inv.names.some((n) => n.now.kind === 'simple') ? ', first converted to weighted records (one atomic batch per zone)' : ''}:`,
    ...inv.names.map((n) => `    ${n.name} ${n.type} -> ${n.targets[from].name} / ${n.targets[to].name}`),
    ...(inv.orphans.length > 0 ? ['  left as they are (--allow-orphan), on their colour:', ...inv.orphans.map((o) => `    ${o.name} (only ${o.servedBy})`)] : []),
    `  signals: ${sources.map((s) => `${s.lb.name} (${s.targetGroups.length} target group${s.targetGroups.length === 1 ? '' : 's'}${s.lb.type === 'application' ? ', 5XX rate' : ''})`).join(', ')}; revert above ${options.thresholds.max5xxPercent}% 5XX (from ${options.thresholds.minRequests} requests) or ${options.thresholds.maxUnhealthyTargets} unhealthy target${options.thresholds.maxUnhealthyTargets === 1 ? '' : 's'}`,
    `Journal: ${journalPath}`,
  ];
  out(lines.join('\n'));
  if (!flags.apply) {
    out('\nThis is the plan; nothing was changed. Run the same command with --apply to execute it (a confirmation is asked unless --yes).');
    return;
  }
  await confirm(io, flags, `\nThis moves production to ${to} in stages.`, to);
  const journal = newShiftJournal({ platform: platform.name, from, to, stages: options.stages, flipAt: options.flipAt, holdMs: options.holdMs, pause: options.pause, thresholds: options.thresholds, before: inv.names, startShare, now: now(), owner: currentOwner() });
  journal.lock = await lock(platform, zones, ctx, flags, `shift=${from}->${to}`, null, io);
  writeShiftJournal(journalPath, journal);
  const settings: ShiftSettings = { ttlMs: inv.ttlSeconds * 1000, verifyTimeoutMs: waits.timeoutMs, pollMs: waits.pollMs, signalPollMs: options.signalPollMs };
  const ports = await portsFor(platform, journal, journalPath, zones, domains, aws, ctx, waits, now, sleep, out, sources);
  return finish(await guard(runShift(ports, journal, settings), flags, journalPath, false), journal, flags, journalPath, out, () => unlock(journal, ctx, journalPath, io), platformFile);
}

type Aws = typeof import('./aws.js');

async function settingsFor(j: ShiftJournal, domains: Domains, aws: Aws, ctx: AwsContext, waits: { timeoutMs: number; pollMs: number }): Promise<ShiftSettings> {
  const inv = await aws.readInventory(ctx, domains);
  const ttl = Math.max(inv.ttlSeconds, ...j.before.map((n) => n.ttl));
  return { ttlMs: ttl * 1000, verifyTimeoutMs: waits.timeoutMs, pollMs: waits.pollMs, signalPollMs: 15_000 };
}

async function portsFor(
  platform: Platform,
  j: ShiftJournal,
  journalPath: string,
  zones: { api: string; txt: string },
  domains: Domains,
  aws: Aws,
  ctx: AwsContext,
  waits: { timeoutMs: number; pollMs: number },
  now: () => number,
  sleep: (ms: number) => Promise<void>,
  out: (line: string) => void,
  known?: Awaited<ReturnType<Aws['signalSources']>>,
): Promise<ShiftPorts> {
  let sources = known;
  const wait = { ...waits, now, sleep };
  const flipTo = async (c: Colour) => {
    await aws.applyBatch(ctx, zones.api, [{ action: 'UPSERT', set: { name: platform.api.record, type: 'CNAME', ttl: platform.api.ttl, values: [apiTarget(platform, c)] } }], `bascule: ${platform.api.record} -> ${c}`, wait);
    await aws.applyBatch(ctx, zones.txt, [{ action: 'UPSERT', set: { name: platform.clusterNameRecord.name, type: 'TXT', ttl: platform.clusterNameRecord.ttl, values: txtValuesFor(platform.clusters[c].name) } }], `bascule: ${platform.clusterNameRecord.name} -> ${c}`, wait);
  };
  return {
    read: async () => (await aws.readInventory(ctx, domains)).names,
    apply: (zoneId, changes, comment) => aws.applyBatch(ctx, zoneId, changes, comment, wait),
    signals: async (since) => {
      sources ??= await aws.signalSources(ctx, await aws.colourLoadBalancers(ctx, domains.colours[j.to], [platform.clusters[j.to].apiRecord]));
      return aws.observe(ctx, sources, since, now());
    },
    flip: () => flipTo(j.to),
    unflip: () => flipTo(j.from),
    writeJournal: (x) => writeShiftJournal(journalPath, x),
    now,
    sleep,
    progress: (e) => out(`${new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z')}  ${redact(e.step)}: ${e.state}${e.detail ? ` (${redact(e.detail)})` : ''}`),
  };
}

/** A failure mid-run: the journal says where it stopped; say how to go on. */
async function guard(run: Promise<Outcome>, flags: RawWeightedFlags, journalPath: string, rollingBack: boolean): Promise<Outcome> {
  try {
    return await run;
  } catch (error) {
    const kind = error instanceof BasculeError ? error.kind : 'internal';
    const hint = error instanceof BasculeError && error.hint ? `${error.hint}\n` : '';
    const text = error instanceof Error ? redact(error.message) : String(error);
    throw new BasculeError(kind, `the weighted ${rollingBack ? 'rollback' : 'shift'} stopped: ${text}`, {
      hint: `${hint}the journal ${journalPath} records where; fix the cause, then ${rollingBack ? `continue: ${commandLine(flags, '--rollback')}` : `resume: ${commandLine(flags, '--resume')} (or undo: ${commandLine(flags, '--rollback')})`}`,
    });
  }
}

/** The switch lock (a Route53 TXT record shared with the plain switch): one operator across machines. */
async function lock(platform: Platform, zones: { api: string; txt: string }, ctx: AwsContext, flags: RawWeightedFlags, operation: string, mine: ShiftJournal['lock'], io: Io): Promise<NonNullable<ShiftJournal['lock']>> {
  const { acquireLock } = await import('../cutover/lock.js');
  const { route53Client } = await import('../aws/route53.js');
  const r53 = route53Client({ region: ctx.region, env: ctx.env, profile: undefined, credentials: ctx.credentials });
  const [op = 'shift', pair = ''] = operation.split('=');
  const [from = '', to = ''] = pair.split('->');
  try {
    const fields = { platform: platform.name, kind: 'shift' as const, op, from, to, step: 'start', sha: '-' };
    return (await acquireLock(r53, { zoneId: zones.txt, txtRecord: platform.clusterNameRecord.name, fields, now: io.now(), mine, breakLock: flags.breakLock === true, note: (line) => io.stderr(`note: ${line}\n`) })).lock;
  } finally {
    r53.destroy();
  }
}

/** Releases the lock once the shift is complete or rolled back (a pause or a revert keeps it). */
async function unlock(j: ShiftJournal, ctx: AwsContext, journalPath: string, io: Io): Promise<void> {
  if (!j.lock || (j.state !== 'completed' && j.state !== 'rolled-back')) return;
  const { releaseLock } = await import('../cutover/lock.js');
  const { route53Client } = await import('../aws/route53.js');
  const r53 = route53Client({ region: ctx.region, env: ctx.env, profile: undefined, credentials: ctx.credentials });
  try {
    const note = await releaseLock(r53, j.lock, `shift=${j.from}->${j.to}`);
    if (note) io.stderr(`note: ${note}\n`);
    j.lock = null;
    writeShiftJournal(journalPath, j);
  } finally {
    r53.destroy();
  }
}

async function finish(outcome: Outcome, j: ShiftJournal, flags: RawWeightedFlags, journalPath: string, out: (line: string) => void, release: () => Promise<void>, platformFile: string): Promise<void> {
  await release();
  // The platform file's live: follows production once all of it moved (and back after a rollback).
  const live = outcome === 'completed' ? writeLive(platformFile, j.to, j.from) : outcome === 'rolled-back' ? writeLive(platformFile, j.from, j.to) : undefined;
  const liveLine = live?.kind === 'written' ? `${live.path} now says live: ${outcome === 'completed' ? j.to : j.from} (line ${live.line})` : live?.kind === 'manual' ? live.instruction : undefined;
  switch (outcome) {
    case 'completed':
      out(`\nShifted to ${j.to}: 100% of production. Journal: ${journalPath} (complete).${liveLine ? `\n${liveLine}.` : ''}\nLeft to you: bascule drain --colour ${j.from} --watch 15m, before deleting ${j.from}'s load balancers; commit the platform file (live: ${j.to}).`);
      return;
    case 'paused':
      out(`\nPaused with ${j.to} at ${j.share}%. Promote with: ${commandLine(flags, '--resume')}\n  or undo: ${commandLine(flags, '--rollback')} [--gradual]`);
      return;
    case 'rolled-back':
      out(`\nRolled back: production as before the shift (${j.from}). Journal: ${journalPath}.${live?.kind === 'written' || live?.kind === 'manual' ? `\n${liveLine}.` : ''}`);
      return;
    case 'reverted':
      throw new BasculeError('check', `stage ${(j.revert?.stage ?? 0) + 1} reverted by itself to ${j.to} ${j.share}%: ${(j.revert?.reasons ?? []).join('; ')}`, {
        hint: `fix ${j.to}, then retry the stage: ${commandLine(flags, '--resume')}\n      or undo the shift: ${commandLine(flags, '--rollback')}`,
      });
  }
}

