/**
 * The drain's report as text or JSON (pure). Names from Route53 and ELBv2 are
 * shown with control characters escaped.
 */
import type { Owner } from '../production/inventory.js';
import { notOurs } from '../production/verdicts.js';
import { formatMs } from '../cutover/options.js';
import { windowMs, type Overall } from './decide.js';
import { sending, type NamingName, type ProductionView } from './production.js';
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
    `Window: the last ${formatMs(windowMs(w))} (TTL ${formatMs(w.ttlMs)}${r.ttlFrom ? ` of ${printable(r.ttlFrom)}` : ''} + quiet ${formatMs(w.quietMs)} + metrics lag ${formatMs(w.lagMs)}), looked at ${instant(r.last.at)}${r.last.number > 1 ? ` (look ${r.last.number}, watching since ${instant(r.started)})` : ''}`,
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
  if (r.production.domains.length > 0) lines.push('', ...productionText(subject.colour, r.production));
  lines.push('', summary(subject, r));
  return `${lines.join('\n')}\n`;
}

/** Who owns a production name, for people. */
export function ownerText(o: Owner): string {
  if (o.kind === 'live') return `owned by ${o.colour}'s live ExternalDNS (${printable(o.id)})`;
  if (o.kind === 'bascule') return "bascule's weighted pair";
  return printable(notOurs(o) ?? o.kind);
}

const share = (colour: string, n: NamingName) => `${colour} ${n.share}%${n.form === 'routed' ? ' (routed: some answers)' : ''}`;

/** A production name in one line: "www.devinfra.fr (CNAME, TTL 24h, blue 100%)". */
const briefly = (colour: string, n: NamingName) => `${printable(n.name)} (${n.types.join('/')}, TTL ${formatMs(n.ttl * 1000)}, ${share(colour, n)})`;

function productionText(colour: string, p: ProductionView): string[] {
  const sends = sending(p);
  const head = `Production under ${p.domains.map(printable).join(', ')}: ${sends.length === 0 ? `no name sends traffic to ${colour}` : `${sends.length} name${sends.length === 1 ? '' : 's'} still send${sends.length === 1 ? 's' : ''} traffic to ${colour}`}${p.notRead.length > 0 ? ` (not read: ${p.notRead.join('; ')})` : ''}`;
  const rows = p.names.map((n) => [
    n.sends ? 'sends' : 'ttl',
    printable(n.name),
    `${n.types.join('/')} -> ${n.targets.map(printable).join(', ') || '(nothing)'}, TTL ${formatMs(n.ttl * 1000)}, ${share(colour, n)}, ${ownerText(n.owner)}${n.served ? `; ${colour} serves it` : ''}`,
  ]);
  const widths = [0, 1].map((i) => Math.max(0, ...rows.map((row) => (row[i] ?? '').length)));
  return [head, ...rows.map((row) => `  ${(row[0] ?? '').padEnd(widths[0] ?? 0)}  ${(row[1] ?? '').padEnd(widths[1] ?? 0)}  ${row[2] ?? ''}`.trimEnd())];
}

function receivingText(colour: string, r: DrainReport): string {
  const receiving = r.last.loadBalancers.filter((l) => l.verdict.state === 'receiving').map((l) => printable(l.lb.name));
  const names = sending(r.production);
  const shown = names.slice(0, 5).map((n) => briefly(colour, n));
  if (names.length > 5) shown.push(`and ${names.length - 5} more`);
  const onLbs = receiving.length > 0 ? ` on ${receiving.join(', ')}` : '';
  if (names.length === 0) return `${colour} is still receiving traffic${onLbs}.`;
  return `${colour} is still receiving traffic${onLbs}${onLbs ? ', and' : ':'} production still points at it: ${shown.join(', ')}.`;
}

export function summary(subject: DrainSubject, r: DrainReport): string {
  const unknown = r.last.loadBalancers.filter((l) => l.verdict.state === 'unknown').length + r.targets.unmapped.length;
  const states: Record<Overall, string> = {
    drained: `${subject.colour} is drained: none of its load balancers got traffic in the last ${formatMs(windowMs(r.window))}.`,
    receiving: receivingText(subject.colour, r),
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
    window: {
      seconds: windowMs(r.window) / 1000,
      ttlSeconds: r.window.ttlMs / 1000,
      quietSeconds: r.window.quietMs / 1000,
      lagSeconds: r.window.lagMs / 1000,
      colourTtlSeconds: r.targets.ttlSeconds,
      ttlFrom: r.ttlFrom ?? null,
    },
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
    production: {
      read: r.production.domains.length > 0,
      domains: r.production.domains,
      notRead: r.production.notRead,
      namesRead: r.production.read,
      sending: sending(r.production).length,
      names: r.production.names.map((n) => ({
        name: n.name,
        zoneId: n.zoneId,
        types: n.types,
        form: n.form,
        owner: n.owner,
        targets: n.targets,
        ttlSeconds: n.ttl,
        share: n.share,
        sendsTraffic: n.sends,
        servedByColour: n.served,
      })),
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
