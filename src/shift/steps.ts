/**
 * The weighted shift's steps as people read them (pure): titles, and for the
 * plan what each changes and how it is checked.
 */
import { formatMs } from '../cutover/options.js';
import type { ShiftOptions, ShiftRollbackStep, ShiftStep } from '../cutover/shift-journal.js';
import type { CutoverSpec } from '../cutover/spec.js';

export interface PlannedStep {
  readonly title: string;
  readonly changes: readonly string[];
  readonly checks: readonly string[];
}

const deployments = (spec: CutoverSpec) => spec.externalDns.deployments.map((d) => `${spec.externalDns.namespace}/${d}`).join(', ');
const owners = (spec: CutoverSpec) => spec.live.map((l) => l.owner[spec.to]).join(', ');

export const stepTitle =
  (spec: CutoverSpec) =>
  (id: ShiftStep): string => {
    const { from, to } = spec;
    switch (id) {
      case 'stop-source':
        return `Stop ${from}'s live ExternalDNS`;
      case 'convert':
        return 'Convert the production names to weighted pairs (one batch per zone)';
      case 'stages':
        return `Move the weights: ${to}'s share in stages`;
      case 'settle':
        return `Settle: each pair becomes ${to}'s simple records, owned by ${to}'s live ExternalDNS (one batch per zone)`;
      case 'start-target':
        return `Start ${to}'s live ExternalDNS`;
      case 'postcheck':
        return `Post-check and the fence (${from}'s live ExternalDNS stopped, owning nothing)`;
      case 'record-live':
        return 'Record the live colour';
    }
  };

export const rollbackTitle =
  (spec: CutoverSpec) =>
  (id: ShiftRollbackStep): string => {
    const { from, to } = spec;
    switch (id) {
      case 'rollback-stages':
        return `Step the weights back down, stage by stage (each held one TTL)`;
      case 'stop-target':
        return `Stop ${to}'s live ExternalDNS`;
      case 'restore':
        return 'Restore the production names, the API record and the TXT exactly (one batch per zone, only over what the shift left)';
      case 'start-source':
        return `Start ${from}'s live ExternalDNS again, with the replicas they had`;
      case 'rollback-postcheck':
        return `Rollback post-check: production and DNS on ${from}`;
      case 'restore-live':
        return 'Record the live colour';
    }
  };

/** The forward steps for the plan: what each changes, how it is checked. */
export function describeSteps(spec: CutoverSpec, options: ShiftOptions, names: readonly string[]): PlannedStep[] {
  const { from, to } = spec;
  const title = stepTitle(spec);
  const wait = `up to ${formatMs(spec.waits.timeoutMs)}`;
  const stages = options.stages.map((s) => `${s}%`).join(' -> ');
  return [
    { title: title('stop-source'), changes: [`${from}: scale ${deployments(spec)} to 0 (stopped before the conversion: once their registry entries are deleted they would retry refused batches every loop)`], checks: [`no pod of them is left in ${from}, ${wait}`] },
    {
      title: title('convert'),
      changes: [`delete each simple record and its registry entries, create the weighted pair (set identifiers ${from} 100, ${to} 0, pointing at each colour's own name): ${names.join(', ') || 'no name'}`],
      checks: ['each batch is INSYNC; a batch is applied whole or not at all, so every name resolves throughout'],
    },
    {
      title: title('stages'),
      changes: [
        `stages ${stages}: ${to}'s weight raised first, ${from}'s lowered second (never 0/0); the API record and the TXT flip to ${to} at ${options.flipAt}%`,
        ...(options.pause ? ['paused after each stage but the last (--resume promotes)'] : []),
      ],
      checks: [
        `Route53 read back until every name holds the stage's weights (${wait})`,
        `each stage held at least one TTL${options.holdMs > 0 ? ` and ${formatMs(options.holdMs)}` : ''}, its signals read every ${formatMs(options.signalPollMs)}; a failing signal reverts to the share held before`,
      ],
    },
    {
      title: title('settle'),
      changes: [`replace each pair by a copy of ${to}'s own record and its registry entries (owner ${owners(spec)})`],
      checks: ['each batch is INSYNC; every pair must be at 100 / 0 before it is settled'],
    },
    { title: title('start-target'), changes: [`${to}: scale ${deployments(spec)} to 1 (no hand-over flag: ${to}'s live ExternalDNS own the settled records)`], checks: [`each has 1 replica ready, ${wait}`] },
    {
      title: title('postcheck'),
      changes: [],
      checks: [
        `${from}'s live ExternalDNS at 0 with no pod left, owning no shifted name`,
        `every shifted name targets ${to}'s load balancers, owned by ${to}'s live ExternalDNS`,
        `TXT ${spec.txtRecord.name} and ${spec.apiRecord.name} resolve to ${to}; a token for the stable name is accepted by ${to}'s API`,
      ],
    },
    { title: title('record-live'), changes: [`${spec.platformFile}: live: ${from} -> live: ${to}`], checks: ['the file reads back as a valid platform; else the edit to make is printed'] },
  ];
}

export function formatSteps(steps: readonly PlannedStep[]): string {
  const lines: string[] = [];
  steps.forEach((step, i) => {
    lines.push(`${i + 1}/${steps.length}  ${step.title}${step.changes.length === 0 ? ' (changes nothing)' : ''}`);
    step.changes.forEach((c, k) => lines.push(`      ${k === 0 ? 'changes:' : '        '} ${c}`));
    step.checks.forEach((c, k) => lines.push(`      ${k === 0 ? 'checks: ' : '        '} ${c}`));
  });
  return `${lines.join('\n')}\n`;
}
