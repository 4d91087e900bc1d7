/**
 * The switch's presentation (pure): what `operate` (operation.ts) decided or
 * did in, text and JSON out. No I/O: the wiring (commands.ts) writes what
 * these return, and throws the errors they build.
 */
import { BasculeError, redact } from '../errors.js';
import { commandLine } from '../cutover/hints.js';
import { describeJournal, type StepId } from '../cutover/switch-journal.js';
import { formatMs, type SwitchInput } from './options.js';
import type { Failed, Finished, Preview, SwitchPlan } from './outcome.js';
import { describeStep, formatPlan, switchHeading } from './plan.js';
import { formatSwitchInventory, switchInventoryJson } from './verdicts.js';

export { commandLine };

// --- The plan (no --apply) ---------------------------------------------------

export function planJson(plan: SwitchPlan): string {
  const { spec, inventory } = plan;
  return `${JSON.stringify(
    {
      platform: plan.platform,
      file: plan.file,
      from: spec.from,
      to: spec.to,
      steps: plan.steps,
      inventory: typeof inventory === 'string' ? null : switchInventoryJson(inventory),
      ...(typeof inventory === 'string' ? { inventoryNote: inventory } : {}),
      refusedOrphans: plan.refusedOrphans,
      weighted: plan.weighted,
      missing: plan.missing,
      journal: plan.journalPath,
    },
    null,
    2,
  )}\n`;
}

export function planText(plan: SwitchPlan): string {
  const { inventory } = plan;
  return (
    `${switchHeading(plan.spec)}\n\n${formatPlan(plan.steps)}\n` +
    (typeof inventory === 'string' ? `Production records: ${inventory}\n` : formatSwitchInventory(inventory)) +
    `\nJournal: ${plan.journalPath}\n`
  );
}

/** The plan's last line, once printed and its zone ids checked. */
export const PLAN_ONLY = '\nThis is the plan; nothing was changed. Run the same command with --apply to execute it (a confirmation is asked unless --yes).\n';

// --- Before the confirmation --------------------------------------------------

export function previewText(preview: Preview): string {
  const { spec, journalPath } = preview;
  if (preview.kind === 'switch') {
    const recovery = preview.recovery
      ? `Recovery: the cut-over lock is held by ${preview.recovery.holder}; --break-lock takes it over. The plan below was rebuilt from what Route53 and the clusters show: its preflight accepts what an interrupted cut-over leaves (the records naming either colour, ${spec.to}'s live ExternalDNS running, a hand-over flag left on).\n\n`
      : '';
    return `${switchHeading(spec)}\n${recovery ? `\n${recovery}` : '\n'}${formatPlan(preview.steps)}\nJournal: ${journalPath}\n`;
  }
  const numbering = { numbering: { from: preview.first, total: preview.total } };
  const plan = `${formatPlan(preview.steps, numbering)}\nJournal: ${journalPath}\n`;
  if (preview.kind === 'resume') {
    return `${switchHeading(spec)}\nResuming ${resumedWhat(preview.operation)} (${describeJournal(preview.journal)}) at step ${preview.first}/${preview.total}:\n\n${plan}`;
  }
  const continuing = preview.continuing ? `, continuing at step ${preview.first}/${preview.total}` : '';
  return `${switchHeading(spec)}\nRolling back (${describeJournal(preview.journal)}${continuing}): ${spec.from} becomes live again.\n\n${plan}`;
}

const resumedWhat = (operation: 'switch' | 'rollback') => (operation === 'rollback' ? 'the rollback of the switch' : 'the switch');

/** The question asked before a preview is run, and the word that answers yes. */
export function confirmation(preview: Preview): { question: string; word: string } {
  if (preview.kind === 'switch') return { question: `\nThis switches production to ${preview.spec.to}.`, word: preview.spec.to };
  if (preview.kind === 'resume') return { question: `\nThis resumes ${resumedWhat(preview.operation)}.`, word: 'resume' };
  return { question: `\nThis moves production back to ${preview.spec.from}.`, word: 'rollback' };
}

// --- The outcome ----------------------------------------------------------------

export function outcomeText(outcome: Finished, input: SwitchInput): string {
  const { spec, journalPath } = outcome;
  if (outcome.kind === 'nothing-to-undo') {
    return `The switch ${outcome.journal.from} -> ${outcome.journal.to} changed nothing (it stopped at its preflight): nothing to undo. Journal: ${journalPath} (rolled back).\n`;
  }
  const elapsed = formatMs(outcome.elapsedMs);
  if (outcome.operation === 'rollback') {
    const notes = outcome.resumed ? '' : outcome.notes.map((note) => `  - ${note}\n`).join('');
    return `\nRolled back: ${spec.from} (${spec.clusters[spec.from].clusterName}) is live again (${elapsed}). Journal: ${journalPath}.\n${notes}`;
  }
  return `\nSwitched ${outcome.platform} to ${spec.to} (${spec.clusters[spec.to].clusterName}) in ${elapsed}. Journal: ${journalPath} (complete).\n${leftToHuman(outcome, input)}`;
}

function leftToHuman(outcome: Finished & { kind: 'ran' }, input: SwitchInput): string {
  const { spec } = outcome;
  const old = spec.from;
  const own = outcome.oldDomains;
  const orphans = outcome.orphans;
  const lines = [
    '',
    'Left to you:',
    `  - watch ${old}'s old ingresses until they get no traffic: bascule drain --colour ${old} --watch 15m --config ${input.config} (resolvers may keep the old answers for the TTL (${spec.apiRecord.ttl}s), clients keep open connections longer)`,
    ...(orphans.length > 0
      ? [
          `  - ${orphans.join(', ')} ${orphans.length === 1 ? 'is' : 'are'} still served by ${old} only (allowed with --allow-orphan): do NOT delete ${old}'s ingresses for ${orphans.length === 1 ? 'it' : 'them'}, or ${orphans.length === 1 ? 'it goes' : 'they go'} down; serve ${orphans.length === 1 ? 'it' : 'them'} from ${spec.to} first`,
          `  - then delete ${old}'s other ingresses; ${old}'s own ExternalDNS keep managing *.${own.private} and *.${own.public}`,
        ]
      : [`  - then delete them; ${old}'s own ExternalDNS keep managing *.${own.private} and *.${own.public}`]),
    '  - kubeconfigs need nothing: the live contexts follow the TXT record',
    `  - commit the platform file (live: ${spec.to}): manifests generated from it run the live ExternalDNS in ${spec.to} only; ${old}'s, should they run again, own no production record any more (the fence) and \`bascule status\` reports them`,
    `  - if something is wrong, undo the switch: ${commandLine(input, '--rollback')}`,
  ];
  for (const note of outcome.notes) lines.push(`  - ${note}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The error a failed step ends the command with: which step, why, and how to
 * resume or roll back. An error that is not bascule's own is a bug: it
 * surfaces as an internal error, the journal consistent all the same.
 */
export function failureError(failure: Failed, input: SwitchInput): BasculeError {
  const { spec, journal: j, step, cause } = failure;
  const rollingBack = j.rollback !== null;
  const list: readonly { id: StepId }[] = j.rollback ?? j.steps;
  const index = list.findIndex((s) => s.id === step) + 1;
  const title = describeStep(spec, step, j.before).title;
  const what = rollingBack ? 'rollback' : 'switch';
  let next: string;
  if (!rollingBack && step === 'preflight') {
    next = `nothing was changed. Fix the problem(s), then run the switch again (\`${commandLine(input, '--resume')}\` re-runs it from the preflight).`;
  } else if (rollingBack) {
    next = `the journal ${spec.journal} records where the rollback stopped. Fix the cause, then continue the rollback: \`${commandLine(input, '--rollback')}\`.`;
  } else {
    next =
      `the journal ${spec.journal} records what was done. Fix the cause, then resume (re-runs step ${index}): \`${commandLine(input, '--resume')}\`; ` +
      `or undo what was done: \`${commandLine(input, '--rollback')}\`.`;
  }
  if (!(cause instanceof BasculeError)) {
    return new BasculeError('internal', `${what} step ${index}/${list.length} (${title}) failed: ${cause instanceof Error ? `${cause.name}: ${redact(cause.message)}` : String(cause)}`, {
      hint: `this is a bug in bascule; ${next}`,
      cause,
    });
  }
  return new BasculeError(cause.kind, `${what} step ${index}/${list.length} (${title}) failed: ${redact(cause.message)}`, { hint: `${cause.hint ? `${cause.hint}\n` : ''}${next}` });
}
