/**
 * The plain switch's view of production (pure): the one inventory judged by
 * switchVerdict, as the table the plan and the preflight print, and as JSON.
 */
import type { Colour } from '../platform/model.js';
import type { Production, ProductionName } from '../production/inventory.js';
import { switchVerdict, type SwitchAction, type Verdict } from '../production/verdicts.js';

export interface SwitchInventory {
  readonly from: Colour;
  readonly to: Colour;
  readonly verdicts: readonly Verdict<SwitchAction>[];
}

export function judgeForSwitch(production: Production, from: Colour, to: Colour): SwitchInventory {
  return { from, to, verdicts: production.names.map((n) => switchVerdict(n, from, to)) };
}

const ownerText = (n: ProductionName): string => {
  const o = n.owner;
  if (o.kind === 'live' || o.kind === 'other') return o.id;
  if (o.kind === 'bascule') return 'bascule (weighted)';
  if (o.kind === 'unreadable') return '(unreadable)';
  if (o.kind === 'mixed') return o.ids.join('+');
  return '-';
};

/** The verdict word scripts read: the action, with what is left alone told apart by why. */
export function verdictWord(v: Verdict<SwitchAction>): string {
  if (v.action !== 'left-alone') return v.action;
  switch (v.name.owner.kind) {
    case 'other':
      return 'foreign';
    case 'none':
      return 'hand-made';
    case 'unreadable':
      return 'unknown-owner';
    default:
      return 'mixed-owners';
  }
}

function whatHappens(v: Verdict<SwitchAction>, from: Colour, to: Colour): string {
  switch (v.action) {
    case 'moves':
      return `moves to ${to}: ${to}'s live ExternalDNS takes it over, the post-check waits until it targets ${to}`;
    case 'moved':
      return `already ${to}'s: ${v.reason}`;
    case 'orphan':
      return `served by ${from} only: stays on ${from}'s load balancers (needs --allow-orphan)`;
    case 'weighted':
      return `weighted (blue ${v.name.weights?.blue ?? 0} / green ${v.name.weights?.green ?? 0}): refused, a weighted shift must finish or be undone first`;
    case 'left-alone':
      return `${v.reason}: left alone`;
  }
}

/** The inventory as a table (the plan and the preflight print it). */
export function formatSwitchInventory(inv: SwitchInventory): string {
  const { from, to } = inv;
  if (inv.verdicts.length === 0) return 'Production records: none under the shared domains (nothing for the live ExternalDNS to move)\n';
  const header = ['NAME', 'TYPE', 'OWNER', 'VERDICT', 'WHAT HAPPENS'];
  const body = inv.verdicts.map((v) => [v.name.name, v.name.types.join(','), ownerText(v.name), verdictWord(v), whatHappens(v, from, to)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd();
  return `Production records (${inv.verdicts.length}):\n${[line(header), ...body.map(line)].join('\n')}\n`;
}

/** The inventory for scripts (--output json). */
export function switchInventoryJson(inv: SwitchInventory) {
  return inv.verdicts.map((v) => ({
    name: v.name.name,
    zoneId: v.name.zoneId,
    kind: v.name.kind,
    types: v.name.types,
    owner: v.name.owner.kind === 'live' || v.name.owner.kind === 'other' ? v.name.owner.id : null,
    verdict: verdictWord(v),
    reason: v.reason,
    targets: v.name.targets,
    traffic: v.name.traffic,
    [inv.from]: v.name.colours[inv.from]?.targets ?? [],
    [inv.to]: v.name.colours[inv.to]?.targets ?? [],
  }));
}

export const namesWith = (inv: SwitchInventory, action: SwitchAction): string[] => inv.verdicts.filter((v) => v.action === action).map((v) => v.name.name);
