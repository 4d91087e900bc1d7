/**
 * `bascule switch --weights` (the weighted shift), in the commands chunk: the
 * wiring only. io, the platform and the flags in, the operation's ports out
 * (operation.ts: ports in, an outcome out, no printing), then its
 * presentation (present.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandIdentity, signingCredentials } from '../aws/identity.js';
import type { Io } from '../io.js';
import type { ClusterAccess } from '../platform/clusters.js';
import type { Colour, Platform } from '../platform/model.js';
import { readPlatform } from '../platform/read.js';
import { confirm, connectClusters, kubeClients, progressFor, resolverOf, route53For } from '../cutover/connect.js';
import { dnsPort } from '../cutover/dns.js';
import { adoptJournals, journalPath as journalFile, readShiftJournal, readSwitchJournal, stateOwner, writeJournalFile } from '../cutover/journals.js';
import { writeLive } from '../cutover/live-edit.js';
import { currentOwner, lockJournal } from '../cutover/state.js';
import { clusterIdentity } from '../kube/tokens.js';
import { operateShift, type ShiftOperationPorts } from './operation.js';
import { parseShiftInput, type RawShiftFlags, type ShiftInput } from './options.js';
import { confirmation, failureError, outcomeText, phraseShift, PLAN_ONLY, planText, previewText, refusedError } from './present.js';
import type { SignalPort } from './signals.js';

export type RawWeightedFlags = RawShiftFlags;

function shiftPorts(io: Io, platform: Platform, input: ShiftInput, signals: SignalPort): ShiftOperationPorts {
  const journalPath = input.journal ? resolve(io.cwd, input.journal) : journalFile(io.env, 'shift', stateOwner(platform));
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
    readJournal: () => readShiftJournal(journalPath),
    readSwitchJournal: () => readSwitchJournal(journalFile(io.env, 'switch', stateOwner(platform))),
    writeJournal: (j) => writeJournalFile(journalPath, j),
    lockJournal: () => lockJournal(journalPath, io.now()),
    route53: () => route53For(platform, input, io),
    actions: (spec, route53) => {
      if (!clusters) throw new Error('shift: the step ports are built before the clusters are connected');
      return {
        kube: kubeClients(platform, clusters, input, io),
        route53,
        dns: dnsPort(spec.resolver, input.waits.dnsTimeoutMs),
        signals,
        writeJournal: (j) => writeJournalFile(journalPath, j),
        writeLive: (to, from) => writeLive(platformFile, to, from),
        now: io.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        emit: (event) => io.stdout(`${phraseShift(event)}\n`),
        progress: progressFor(io, false),
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

export async function weightedShiftCommand(flags: RawWeightedFlags, io: Io): Promise<void> {
  const input = parseShiftInput(flags);
  const platform = readPlatform(input.config, io.cwd);
  clusterIdentity(platform, input.identity);
  adoptJournals(io.env, stateOwner(platform), input.journal, (line) => io.stderr(`note: ${line}\n`));
  const { signalPort } = await import('./aws.js');
  const signals = signalPort({
    region: platform.aws.region,
    env: io.env,
    profile: input.identity.profile,
    credentials: signingCredentials(commandIdentity(io, platform.aws.region, input.waits.awsTimeoutMs), input.identity.profile),
    timeoutMs: input.waits.awsTimeoutMs,
  });
  const outcome = await operateShift(input, shiftPorts(io, platform, input, signals));
  switch (outcome.kind) {
    case 'plan':
      io.stdout(planText(outcome.plan, outcome.journalPath, outcome.recovery));
      io.stdout(PLAN_ONLY);
      return;
    case 'refused':
      throw refusedError(outcome.plan);
    case 'failed':
      throw failureError(outcome, input);
    default:
      io.stdout(outcomeText(outcome, input));
  }
}
