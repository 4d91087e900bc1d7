/**
 * The planner (pure): a switch spec (and, once known, what preflight saw) in,
 * the ordered steps out, each saying what it changes and how it is checked.
 * The same steps are printed as the plan and run by the executor.
 */
import type { Colour } from '../platform/model.js';
import { ROLLBACK_STEPS, type Before, type RecordValue, type RollbackStepId, type StepId, type SwitchStepId } from '../cutover/switch-journal.js';
import { formatMs } from './options.js';
import { txtValuesFor, type SwitchSpec } from '../cutover/spec.js';

export interface PlannedStep {
  readonly id: StepId;
  readonly title: string;
  /** What the step changes; empty: it changes nothing. */
  readonly changes: readonly string[];
  /** How it is checked before the next step may run. */
  readonly checks: readonly string[];
}

/** The switch steps for a platform: without ExternalDNS there is nothing to scale. */
export function switchStepIds(spec: Pick<SwitchSpec, 'externalDns'>): SwitchStepId[] {
  const scale = spec.externalDns.deployments.length > 0;
  return [
    'preflight',
    ...(scale ? (['stop-source'] as const) : []),
    'dns',
    ...(scale ? (['start-target'] as const) : []),
    'postcheck',
    ...(scale ? (['end-handover'] as const) : []),
    'record-live',
  ];
}

const where = (spec: SwitchSpec) => (spec.resolver ? `DNS server ${spec.resolver}` : 'the system resolver');
const deployments = (spec: SwitchSpec) => spec.externalDns.deployments.map((d) => `${spec.externalDns.namespace}/${d}`).join(', ');
const showRecord = (r: RecordValue | null) => (r === null ? 'absent' : `${r.values.join(' ')} (TTL ${r.ttl})`);

function apiChange(spec: SwitchSpec, to: Colour, before: RecordValue | null | undefined): string {
  const now = before === undefined ? '' : `, now ${showRecord(before)}`;
  return `zone ${spec.apiRecord.zoneId}: UPSERT ${spec.apiRecord.name} CNAME ${spec.clusters[to].endpointHost}, TTL ${spec.apiRecord.ttl} (${to}'s endpoint${now})`;
}

function txtChange(spec: SwitchSpec, to: Colour, before: RecordValue | null | undefined): string {
  const now = before === undefined ? '' : `, now ${showRecord(before)}`;
  const values = txtValuesFor(spec.clusters[to].clusterName);
  return `zone ${spec.txtRecord.zoneId}: UPSERT ${spec.txtRecord.name} TXT ${values.join(' ')}, TTL ${spec.txtRecord.ttl} (${to}'s cluster name${now})`;
}

function scaleDown(spec: SwitchSpec, colour: Colour): PlannedStep['checks'] {
  return [`no pod of them is left in ${colour} (looked at every ${formatMs(spec.waits.pollMs)}, up to ${formatMs(spec.waits.timeoutMs)})`];
}

function scaleUp(spec: SwitchSpec, colour: Colour, replicas: string): PlannedStep['checks'] {
  return [`each has ${replicas} updated, ready and available (as kubectl rollout status), in ${colour}, up to ${formatMs(spec.waits.timeoutMs)}`];
}

const owner = (spec: SwitchSpec, colour: Colour) => spec.live.map((l) => l.owner[colour]).join(', ');

function productionFollows(spec: SwitchSpec, colour: Colour, names: string): string[] {
  if (spec.live.length === 0) return [];
  return [
    `${names} target ${colour}'s load balancers (what ${colour}'s own record for each name targets) and their registry entries name ${owner(spec, colour)}, in Route53 (waits up to 3 ExternalDNS intervals, read from ${colour}'s Deployments' --interval)`,
  ];
}

function dnsFollows(spec: SwitchSpec, colour: Colour): string[] {
  const c = spec.clusters[colour];
  return [
    `TXT ${spec.txtRecord.name} resolves to ${c.clusterName} via ${where(spec)} (waits up to ${formatMs(spec.waits.dnsWaitMs)}: resolvers may keep the old answer for the TTL)`,
    `${spec.apiRecord.name} resolves to ${c.endpointHost} via ${where(spec)} (not checked if that resolver cannot see the record)`,
  ];
}

export function describeSwitchStep(spec: SwitchSpec, id: SwitchStepId, before?: Before): PlannedStep {
  const { from, to } = spec;
  const src = spec.clusters[from];
  const dst = spec.clusters[to];
  switch (id) {
    case 'preflight':
      return {
        id,
        title: 'Preflight',
        changes: [],
        checks: [
          `${to}'s API (${dst.endpoint}) answers with a token for ${dst.clusterName}; ${from}'s (${src.endpoint}) with a token for ${src.clusterName}`,
          ...(spec.externalDns.deployments.length > 0
            ? [`${to}'s live ExternalDNS (${deployments(spec)}) exist with 0 replicas; ${from}'s exist`]
            : ['(externalDns.enabled is false: no ExternalDNS to check)']),
          ...(spec.live.length > 0
            ? [
                `both colours' live ExternalDNS run what \`bascule manifests\` generates: owner ids (${from} ${owner(spec, from)}; ${to} ${owner(spec, to)}), --policy=upsert-only, domain and zone filters, exclusions, image ${spec.externalDns.image}; no --migrate-from-txt-owner left over`,
              ]
            : []),
          `the Route53 zones ${[...new Set([spec.apiRecord.zoneId, spec.txtRecord.zoneId, ...spec.production.map((z) => z.zoneId)])].join(', ')} exist; private ones are associated with both clusters' VPCs`,
          `${spec.apiRecord.name} is a CNAME to ${from}'s endpoint (or absent), not at a zone apex, alone at its name`,
          `TXT ${spec.txtRecord.name} names ${src.clusterName} (${from}) and holds no ExternalDNS registry value, in Route53 and via ${where(spec)}`,
          ...(spec.live.length > 0
            ? [
                `the inventory of production records (below): every name ${from}'s live ExternalDNS own that ${to} does not serve is an orphan, refused unless named by --allow-orphan${spec.allowOrphans.length > 0 ? ` (allowed: ${spec.allowOrphans.join(', ')})` : ''}`,
              ]
            : []),
        ],
      };
    case 'stop-source':
      return {
        id,
        title: `Stop ${from}'s live ExternalDNS`,
        changes: [`${from}: scale ${deployments(spec)} to 0 replicas`],
        checks: scaleDown(spec, from),
      };
    case 'dns':
      return {
        id,
        title: 'Repoint the API and TXT records (Route53)',
        changes: [apiChange(spec, to, before?.api), txtChange(spec, to, before?.txt)],
        checks: [`each change batch is INSYNC (GetChange, up to ${formatMs(spec.waits.timeoutMs)}), and Route53 then holds these values`],
      };
    case 'start-target':
      return {
        id,
        title: `Start ${to}'s live ExternalDNS, taking production over`,
        changes: [`${to}: add --migrate-from-txt-owner=<${from}'s live owner id> to ${deployments(spec)}, scale them to 1 replica`],
        checks: scaleUp(spec, to, '1 replica'),
      };
    case 'postcheck':
      return {
        id,
        title: 'Post-check',
        changes: [],
        checks: [
          ...productionFollows(spec, to, before?.moves ? (before.moves.length === 0 ? 'no production name moves; otherwise each moving name' : before.moves.join(', ')) : 'the production names that move'),
          ...dnsFollows(spec, to),
          `a token for the stable name (as \`bascule token -i ${spec.txtRecord.name}\` makes it) is signed for ${dst.clusterName}, and ${to}'s API accepts it`,
        ],
      };
    case 'end-handover':
      return {
        id,
        title: `End the hand-over: ${from}'s live owner id is no more migrated`,
        changes: [`${to}: remove --migrate-from-txt-owner from ${deployments(spec)} (as \`bascule manifests\` generates them)`],
        checks: scaleUp(spec, to, '1 replica'),
      };
    case 'record-live':
      return {
        id,
        title: 'Record the live colour',
        changes: [`${spec.platformFile}: live: ${from} -> live: ${to} (the rest of the file, comments included, kept as it is)`],
        checks: [`the file reads back as a valid platform with live: ${to}; if it cannot be edited safely, the edit to make is printed`],
      };
  }
}

function restoreRecord(spec: SwitchSpec, which: 'api' | 'txt', before: Before | null): string {
  const r = which === 'api' ? spec.apiRecord : spec.txtRecord;
  const type = which === 'api' ? 'CNAME' : 'TXT';
  const value = before?.[which];
  if (value === undefined) return `zone ${r.zoneId}: ${r.name} ${type} back to what preflight recorded`;
  if (value === null) return `zone ${r.zoneId}: DELETE ${r.name} ${type} (it did not exist before the switch)`;
  return `zone ${r.zoneId}: UPSERT ${r.name} ${type} ${value.values.join(' ')}, TTL ${value.ttl} (as before the switch)`;
}

export function describeRollbackStep(spec: SwitchSpec, id: RollbackStepId, before: Before | null): PlannedStep {
  const { from, to } = spec;
  const src = spec.clusters[from];
  switch (id) {
    case 'rollback-preflight':
      return {
        id,
        title: 'Rollback preflight',
        changes: [],
        checks: [`the APIs the rollback scales answer with a token for their cluster; the Route53 zones exist; the inventory of production records, ${to} -> ${from}`],
      };
    case 'stop-target':
      return {
        id,
        title: `Stop ${to}'s live ExternalDNS`,
        changes: [`${to}: remove any --migrate-from-txt-owner from ${deployments(spec)}, scale them to 0 replicas`],
        checks: scaleDown(spec, to),
      };
    case 'restore-dns':
      return {
        id,
        title: 'Restore the API and TXT records (Route53)',
        changes: [restoreRecord(spec, 'api', before), restoreRecord(spec, 'txt', before)],
        checks: [`each change batch is INSYNC (GetChange, up to ${formatMs(spec.waits.timeoutMs)})`],
      };
    case 'start-source': {
      const replicas = before ? spec.externalDns.deployments.map((d) => `${d} ${before.replicas[d] ?? 1}`).join(', ') : '';
      return {
        id,
        title: `Start ${from}'s live ExternalDNS again, taking production back`,
        changes: [`${from}: add --migrate-from-txt-owner=<${to}'s live owner id> to ${deployments(spec)}, scale them back to the replicas they had${replicas ? ` (${replicas})` : ''}`],
        checks: scaleUp(spec, from, 'those replicas'),
      };
    }
    case 'rollback-postcheck':
      return {
        id,
        title: 'Rollback post-check',
        changes: [],
        checks: [...productionFollows(spec, from, `the production names ${from} serves (its own inventory, taken by the rollback preflight)`), ...dnsFollows(spec, from)],
      };
    case 'rollback-end-handover':
      return {
        id,
        title: `End the hand-over back: ${to}'s live owner id is no more migrated`,
        changes: [`${from}: remove --migrate-from-txt-owner from ${deployments(spec)}`],
        checks: scaleUp(spec, from, 'those replicas'),
      };
    case 'restore-live':
      return {
        id,
        title: 'Record the live colour',
        changes: [`${spec.platformFile}: live: ${to} -> live: ${from}`],
        checks: [`the file reads back as a valid platform with live: ${from} (${src.clusterName})`],
      };
  }
}

export function describeStep(spec: SwitchSpec, id: StepId, before: Before | null): PlannedStep {
  return (ROLLBACK_STEPS as readonly StepId[]).includes(id)
    ? describeRollbackStep(spec, id as RollbackStepId, before)
    : describeSwitchStep(spec, id as SwitchStepId, before ?? undefined);
}

/** The plan as printed: one block per step. */
export function formatPlan(steps: readonly PlannedStep[], options: { numbering?: { from: number; total: number } } = {}): string {
  const lines: string[] = [];
  const total = options.numbering?.total ?? steps.length;
  const first = options.numbering?.from ?? 1;
  steps.forEach((step, i) => {
    lines.push(`${first + i}/${total}  ${step.title}${step.changes.length === 0 ? ' (changes nothing)' : ''}`);
    step.changes.forEach((c, k) => lines.push(`      ${k === 0 ? 'changes:' : '        '} ${c}`));
    step.checks.forEach((c, k) => lines.push(`      ${k === 0 ? 'checks: ' : '        '} ${c}`));
  });
  return `${lines.join('\n')}\n`;
}

export function switchHeading(spec: SwitchSpec): string {
  const f = spec.clusters[spec.from];
  const t = spec.clusters[spec.to];
  return `Switch ${spec.platform} from ${spec.from} (${f.clusterName}) to ${spec.to} (${t.clusterName}), platform file ${spec.platformFile}`;
}
