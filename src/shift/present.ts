/**
 * The weighted shift's presentation (pure): its events, plan, refusals and
 * outcomes as text. Events of the actions both cut-overs share are phrased by
 * src/cutover/present.ts, so the same action reads the same way.
 */
import { BasculeError, redact } from '../errors.js';
import { commandLine } from '../cutover/hints.js';
import { formatMs } from '../cutover/options.js';
import { phrase } from '../cutover/present.js';
import { describeShift } from '../cutover/shift-journal.js';
import type { ShiftAction, Verdict } from '../production/verdicts.js';
import type { AnyEvent } from './events.js';
import type { Preview, ShiftOutcome } from './operation.js';
import type { ShiftInput } from './options.js';
import type { ShiftPlan } from './plan.js';
import { describeSteps, formatSteps } from './steps.js';
import { describeOptions } from './weights.js';

const I = '      ';

export function phraseShift(e: AnyEvent): string {
  switch (e.kind) {
    case 'stage':
      return `${I}stage ${e.index}/${e.total}: ${e.to} ${e.target}%`;
    case 'weight':
      return `${I}stage ${e.share}%: ${e.colour} weight ${e.weight}`;
    case 'weights-held':
      return `${I}stage ${e.share}%: Route53 holds ${e.to} ${e.share} / ${e.from} ${100 - e.share} on ${e.names} name${e.names === 1 ? '' : 's'}`;
    case 'flipped':
      return `${I}the API record and the TXT now name ${e.colour}`;
    case 'hold':
      return `${I}stage ${e.share}%: hold: ${e.ok ? 'holding' : 'failing'} (${e.summary}; ${formatMs(e.leftMs)} left)`;
    case 'held':
      return `${I}stage ${e.share}% held`;
    case 'reverting':
      return `${I}stage ${e.share}% failed: ${e.reasons.join('; ')}; reverting to ${e.back}%`;
    case 'reverted':
      return `${I}reverted to ${e.to} ${e.share}% / ${e.from} ${100 - e.share}%`;
    case 'paused':
      return `${I}stage ${e.share}% held: paused`;
    case 'zone-written':
      return `${I}zone ${e.zoneId}: ${e.names.join(', ')} ${e.what}`;
    case 'fence':
      return `${I}the fence: ${e.colour}'s live ExternalDNS stopped (${e.deployments.join(', ')}), owning no shifted name`;
    case 'rolled-back-to':
      return `${I}rolled back to ${e.to} ${e.share}%`;
    default:
      return phrase(e);
  }
}

function whatHappens(v: Verdict<ShiftAction>, plan: ShiftPlan): string {
  const { from, to } = plan.spec;
  switch (v.action) {
    case 'converts':
      return `becomes a weighted pair ${from}/${to}, moves by its weights, settles on ${to}`;
    case 'shifts':
      return `a weighted pair (${from} ${v.name.weights?.[from] ?? 0} / ${to} ${v.name.weights?.[to] ?? 0}): moves by its weights, settles on ${to}`;
    case 'moved':
      return `already ${to}'s: left as it is`;
    case 'orphan':
      return `${v.reason}: ${plan.orphans.includes(v.name.name) ? `left on ${from} (--allow-orphan)` : 'refused (--allow-orphan to leave it)'}`;
    case 'left-alone':
      return `${v.reason}: left alone, never converted`;
  }
}

/** The production names, each with what the shift does and what watches it. */
export function namesTable(plan: ShiftPlan): string {
  if (plan.verdicts.length === 0) return 'Production records: none under the shared domains\n';
  const watch = new Map(plan.watches.map((w) => [w.name, w.unwatched ? 'unwatched' : w.loadBalancers.join(',')]));
  const rows = plan.verdicts.map((v) => [v.name.name, v.name.types.join(','), v.action, watch.get(v.name.name) ?? '-', whatHappens(v, plan)]);
  const header = ['NAME', 'TYPE', 'VERDICT', 'SIGNALS', 'WHAT HAPPENS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd();
  return `Production records (${rows.length}):\n${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function heading(plan: ShiftPlan): string {
  const { spec } = plan;
  return `Weighted shift of ${spec.platform}: ${spec.from} (${spec.clusters[spec.from].clusterName}) -> ${spec.to} (${spec.clusters[spec.to].clusterName}), platform file ${spec.platformFile}`;
}

function recoveryText(recovery: string | undefined, plan: ShiftPlan): string {
  if (!recovery) return '';
  return `\nRecovery: the cut-over lock is held by ${recovery}; --break-lock takes it over. This plan was rebuilt from what Route53 and the clusters show (weighted pairs at whatever share, the API record and the TXT wherever they point): production goes to ${plan.spec.to} whole, then settles.\n`;
}

export function planText(plan: ShiftPlan, journalPath: string, recovery: string | undefined): string {
  const signals = plan.signals.length > 0 ? plan.signals.map((s) => `${s.name} (${s.targetGroups.length} target group${s.targetGroups.length === 1 ? '' : 's'}${s.type === 'application' ? ', 5XX rate' : ''})`).join(', ') : 'none';
  const t = plan.options.thresholds;
  const refusals = plan.refusals.length > 0 ? `\nRefused (--apply will not run until each is resolved):\n${plan.refusals.map((r) => `  - ${r.text}`).join('\n')}\n` : '';
  return (
    `${heading(plan)}\n  ${describeOptions(plan.options)}\n${recoveryText(recovery, plan)}\n` +
    formatSteps(describeSteps(plan.spec, plan.options, plan.shifted.map((n) => n.name))) +
    `\n${namesTable(plan)}` +
    `\nSignals: ${signals}; revert above ${t.max5xxPercent}% 5XX (from ${t.minRequests} requests) or ${t.maxUnhealthyTargets} unhealthy target${t.maxUnhealthyTargets === 1 ? '' : 's'}\n` +
    refusals +
    `\nJournal: ${journalPath}\n`
  );
}

export const PLAN_ONLY = '\nThis is the plan; nothing was changed. Run the same command with --apply to execute it (a confirmation is asked unless --yes).\n';

/** The plan's refusals as the error --apply ends with (nothing was changed). */
export function refusedError(plan: ShiftPlan): BasculeError {
  const n = plan.refusals.length;
  return new BasculeError('check', `the weighted shift is refused (${n === 1 ? 'one problem' : `${n} problems`}):\n${plan.refusals.map((r) => `  - ${r.text}`).join('\n')}`, {
    hint: 'resolve each, then run the command again; nothing was changed (no lock taken, no journal written)',
  });
}

export function previewText(preview: Preview): string {
  if (preview.kind === 'shift') return planText(preview.plan, preview.journalPath, preview.recovery);
  const j = preview.journal;
  if (preview.kind === 'resume') return `Resuming (${describeShift(j)}). Journal: ${preview.journalPath}\n`;
  const steps = (j.rollback?.steps ?? []).join(', ');
  return `Rolling back (${describeShift(j)})${preview.gradual ? ' stage by stage' : ' at once'}: production exactly as before the shift, on ${j.from}. Steps: ${steps}. Journal: ${preview.journalPath}\n`;
}

export function confirmation(preview: Preview): { question: string; word: string } {
  if (preview.kind === 'shift') return { question: `\nThis moves production to ${preview.plan.spec.to} in stages.`, word: preview.plan.spec.to };
  if (preview.kind === 'resume') return { question: '\nThis resumes the weighted shift.', word: 'resume' };
  return { question: `\nThis moves production back to ${preview.journal.from}.`, word: 'rollback' };
}

export function outcomeText(outcome: Extract<ShiftOutcome, { kind: 'ran' | 'nothing-to-undo' }>, input: ShiftInput): string {
  const j = outcome.journal;
  if (outcome.kind === 'nothing-to-undo') return `The weighted shift ${j.from} -> ${j.to} changed nothing: nothing to undo. Journal: ${outcome.journalPath} (rolled back).\n`;
  switch (outcome.outcome) {
    case 'completed': {
      const orphans = j.before.orphans.length > 0 ? `\n  - ${j.before.orphans.join(', ')} stay on ${j.from} (--allow-orphan): do not delete ${j.from}'s ingresses for them` : '';
      return (
        `\nShifted to ${j.to}: production is ${j.to}'s simple records, owned by ${j.to}'s live ExternalDNS; ${j.from}'s are stopped and own none of them. Journal: ${outcome.journalPath} (complete).\n` +
        `Left to you:\n  - bascule drain --colour ${j.from} --watch 15m --config ${input.config}, before deleting ${j.from}'s load balancers${orphans}\n  - commit the platform file (live: ${j.to})\n  - if something is wrong: ${commandLine(input, '--rollback')}\n`
      );
    }
    case 'paused':
      return `\nPaused with ${j.to} at ${j.share}%. Promote with: ${commandLine(input, '--resume')}\n  or undo: ${commandLine(input, '--rollback')} [--gradual]\n`;
    case 'rolled-back':
      return `\nRolled back: production as before the shift (${j.from}). Journal: ${outcome.journalPath}.\n`;
    case 'reverted':
      throw new BasculeError('check', `stage ${(j.revert?.stage ?? 0) + 1} reverted by itself to ${j.to} ${j.share}%: ${(j.revert?.reasons ?? []).join('; ')}`, {
        hint: `fix ${j.to}, then retry the stage: ${commandLine(input, '--resume')}\n      or undo the shift: ${commandLine(input, '--rollback')}`,
      });
  }
}

/** A failed step: which, why, and which of --resume or --rollback the journal accepts. */
export function failureError(outcome: Extract<ShiftOutcome, { kind: 'failed' }>, input: ShiftInput): BasculeError {
  const { failure, rollingBack, journalPath } = outcome;
  const cause = failure.cause;
  const what = rollingBack ? 'rollback of the weighted shift' : 'weighted shift';
  const next = rollingBack
    ? `the journal ${journalPath} records where the rollback stopped; fix the cause, then continue it: ${commandLine(input, '--rollback')} (or ${commandLine(input, '--resume')})`
    : `the journal ${journalPath} records where; fix the cause, then resume: ${commandLine(input, '--resume')}; or undo what was done: ${commandLine(input, '--rollback')}`;
  if (!(cause instanceof BasculeError)) {
    return new BasculeError('internal', `the ${what} stopped at ${failure.step}: ${cause instanceof Error ? `${cause.name}: ${redact(cause.message)}` : String(cause)}`, { hint: `this is a bug in bascule; ${next}`, cause });
  }
  return new BasculeError(cause.kind, `the ${what} stopped at ${failure.step}: ${redact(cause.message)}`, { hint: `${cause.hint ? `${cause.hint}\n` : ''}${next}` });
}
