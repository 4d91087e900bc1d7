/**
 * The drain's report as text or JSON (pure). Names from Route53 and ELBv2 are
 * shown with control characters escaped.
 */
import { formatMs } from '../switch/options.js';
import { windowMs, type Overall } from './decide.js';
import type { DrainReport, LoadBalancerVerdict } from './watch.js';

export const printable = (text: string) =>
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const unit = (lb: LoadBalancerVerdict, n: number) =>
  lb.lb.type === 'application' ? `${n} request${n === 1 ? '' : 's'}` : `up to ${n} active flow${n === 1 ? '' : 's'}`;

function verdictText(l: LoadBalancerVerdict): string {
  const v = l.verdict;
  switch (v.state) {
    case 'drained':
      return 'no traffic in the window';
    case 'receiving':
      return `${unit(l, v.total)} in the window, the last in the minute from ${instant(v.lastAt)}; drained at ${instant(v.drainedAtEarliest)} at the earliest`;
    case 'unknown':
      return printable(v.reason);
  }
}

export interface DrainSubject {
  readonly colour: string;
  readonly cluster: string;
  readonly domains: readonly string[];
}

export function drainText(subject: DrainSubject, r: DrainReport): string {
  const w = r.window;
  const lines = [
    `Drain of ${subject.colour} (${subject.cluster}): ${r.targets.served.length} load balancer${r.targets.served.length === 1 ? '' : 's'} behind ${r.targets.records} record${r.targets.records === 1 ? '' : 's'} under ${subject.domains.join(', ')}`,
    `Window: the last ${formatMs(windowMs(w))} (TTL ${formatMs(w.ttlMs)} + quiet ${formatMs(w.quietMs)} + metrics lag ${formatMs(w.lagMs)}), looked at ${instant(r.last.at)}${r.last.number > 1 ? ` (look ${r.last.number}, watching since ${instant(r.started)})` : ''}`,
    '',
  ];
  const rows: string[][] = [];
  for (const l of r.last.loadBalancers) {
    rows.push([l.verdict.state, `${printable(l.lb.name)} (${l.lb.type === 'application' ? 'ALB' : 'NLB'})`, verdictText(l)]);
    rows.push(['', '', `names: ${l.names.map(printable).join(', ')}`]);
  }
  for (const u of r.targets.unmapped) rows.push(['unknown', printable(u.name), `-> ${printable(u.target)}: ${u.reason}`]);
  const widths = [0, 1].map((i) => Math.max(0, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) lines.push(`  ${(row[0] ?? '').padEnd(widths[0] ?? 0)}  ${(row[1] ?? '').padEnd(widths[1] ?? 0)}  ${row[2] ?? ''}`.trimEnd());
  if (rows.length === 0) lines.push(`  (no record under ${subject.domains.join(', ')} points at a load balancer)`);
  lines.push('', summary(subject, r));
  return `${lines.join('\n')}\n`;
}

export function summary(subject: DrainSubject, r: DrainReport): string {
  const receiving = r.last.loadBalancers.filter((l) => l.verdict.state === 'receiving').map((l) => printable(l.lb.name));
  const unknown = r.last.loadBalancers.filter((l) => l.verdict.state === 'unknown').length + r.targets.unmapped.length;
  const states: Record<Overall, string> = {
    drained: `${subject.colour} is drained: none of its load balancers got traffic in the last ${formatMs(windowMs(r.window))}.`,
    receiving: `${subject.colour} is still receiving traffic on ${receiving.join(', ')}.`,
    unknown: `${subject.colour}'s drain is not proven: ${unknown} name${unknown === 1 ? '' : 's'} or load balancer${unknown === 1 ? '' : 's'} could not be read.`,
  };
  return states[r.overall];
}

export function drainJson(subject: DrainSubject, r: DrainReport): string {
  const doc = {
    colour: subject.colour,
    cluster: subject.cluster,
    domains: subject.domains,
    result: r.overall,
    lookedAt: instant(r.last.at),
    looks: r.last.number,
    window: { seconds: windowMs(r.window) / 1000, ttlSeconds: r.window.ttlMs / 1000, quietSeconds: r.window.quietMs / 1000, lagSeconds: r.window.lagMs / 1000 },
    loadBalancers: r.last.loadBalancers.map((l) => ({
      name: l.lb.name,
      arn: l.lb.arn,
      type: l.lb.type,
      dnsName: l.lb.dnsName,
      names: l.names,
      metric: { namespace: l.metric.namespace, name: l.metric.metric, stat: l.metric.stat, loadBalancer: l.metric.dimension },
      state: l.verdict.state,
      ...(l.verdict.state === 'receiving'
        ? { total: l.verdict.total, lastAt: instant(l.verdict.lastAt), drainedAtEarliest: instant(l.verdict.drainedAtEarliest) }
        : l.verdict.state === 'unknown'
          ? { reason: l.verdict.reason }
          : {}),
    })),
    unmapped: r.targets.unmapped,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
