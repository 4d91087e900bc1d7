/**
 * `bascule switch` (plain; `--weights` is the weighted shift's room), in the
 * commands chunk: the wiring only. io, the platform and the flags in, the
 * operation's ports out (operation.ts: ports in, an outcome out, no
 * printing), then its presentation (present.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Io } from '../io.js';
import type { ClusterAccess } from '../platform/clusters.js';
import type { Colour, Platform } from '../platform/model.js';
import { readPlatform } from '../platform/read.js';
import { confirm, connectClusters, kubeClients, progressFor, resolverOf, route53For } from '../cutover/connect.js';
import { dnsPort } from '../cutover/dns.js';
import { journalPath as journalFile, readSwitchJournal, writeJournalFile } from '../cutover/journals.js';
import { writeLive } from '../cutover/live-edit.js';
import { phrase } from '../cutover/present.js';
import { requireZones } from '../cutover/spec.js';
import { currentOwner, lockJournal } from '../cutover/state.js';
import { clusterIdentity } from '../kube/tokens.js';
import { operate, type OperationPorts } from './operation.js';
import { parseSwitchInput, type RawSwitchFlags, type SwitchInput } from './options.js';
import { confirmation, failureError, outcomeText, PLAN_ONLY, planJson, planText, previewText } from './present.js';

export type { RawSwitchFlags };

/** The wiring: the operation's ports from io, the platform and the flags. */
export function switchPorts(io: Io, platform: Platform, input: SwitchInput): OperationPorts {
  const journalPath = input.journal ? resolve(io.cwd, input.journal) : journalFile(io.env, 'switch', platform.name);
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
    readJournal: () => readSwitchJournal(journalPath),
    writeJournal: (j) => writeJournalFile(journalPath, j),
    lockJournal: () => lockJournal(journalPath, io.now()),
    route53: () => route53For(platform, input, io),
    steps: (spec, route53) => {
      if (!clusters) throw new Error('switch: the step ports are built before the clusters are connected');
      return {
        kube: kubeClients(platform, clusters, input, io),
        route53,
        dns: dnsPort(spec.resolver, input.waits.dnsTimeoutMs),
        writeJournal: (j) => writeJournalFile(spec.journal, j),
        writeLive: (to, from) => writeLive(platformFile, to, from),
        now: io.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        owner: currentOwner(),
        emit: (event) => io.stdout(`${phrase(event)}\n`),
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
