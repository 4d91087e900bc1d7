/**
 * `bascule status --fleet` printed (pure): one row per platform (platform,
 * account, live colour, how production is served, unfinished operations and
 * locks, failing checks), then one line per failing check; or one JSON
 * object for scripts (test/golden/status-fleet.json pins its fields).
 */
import { describeTraffic, otherColour } from '../production/inventory.js';
import { truncateWords } from '../text.js';
import type { StatusReport } from './evaluate.js';
import type { DomainCounts } from './production.js';

/** One platform of the fleet: its report, or why there is none. */
export interface FleetRow {
  readonly file: string;
  /** Where the fleet names it (`platforms[2] (line 7)`). */
  readonly from: string;
  readonly platform: string | null;
  readonly account: string | null;
  readonly report: StatusReport | null;
  /** The file does not load, the platform did not answer within its bound, or failed. */
  readonly error: string | null;
}

export interface FleetStatus {
  readonly source: string;
  readonly rows: readonly FleetRow[];
  readonly ok: boolean;
  readonly route53: { readonly requests: number; readonly zonesListed: number };
}

const ZERO: DomainCounts = { names: 0, live: 0, other: 0, split: 0, elsewhere: 0, leftAlone: 0, orphans: 0, fenced: 0, handover: 0, weighted: 0 };

/** Every shared domain's counts, added up. */
export function totalCounts(r: StatusReport): DomainCounts {
  return r.domains.reduce((t, d) => Object.fromEntries(Object.entries(t).map(([k, n]) => [k, n + d.counts[k as keyof DomainCounts]])) as unknown as DomainCounts, ZERO);
}

const splitNames = (r: StatusReport) => r.domains.flatMap((d) => d.names.filter((n) => n.traffic === 'split' && n.verdict !== 'left-alone'));

/** "200 names: 196 blue, split 2 (blue 50% / green 50%), 2 orphans". */
export function productionCell(r: StatusReport): string {
  const p = r.production;
  if (p.state === 'skipped') return `not read (${truncateWords(p.reason, 40)})`;
  if (p.state === 'failed') return `ERROR (${truncateWords(p.error, 60)})`;
  const c = totalCounts(r);
  const splits = [...new Set(splitNames(r).map((n) => describeTraffic(n.name.traffic)))];
  const parts = [
    `${c.live} ${r.against}`,
    ...(c.other ? [`${c.other} ${otherColour(r.against)}`] : []),
    ...(c.split ? [`split ${c.split}${splits.length === 1 ? ` (${splits[0]})` : ''}`] : []),
    ...(c.elsewhere ? [`${c.elsewhere} elsewhere`] : []),
    ...(c.orphans ? [`${c.orphans} orphan${c.orphans === 1 ? '' : 's'}`] : []),
    ...(c.fenced ? [`${c.fenced} fenced`] : []),
    ...(c.handover ? [`${c.handover} not handed over`] : []),
    ...(c.weighted ? [`${c.weighted} weighted`] : []),
  ];
  return `${c.names - c.leftAlone} names: ${parts.join(', ')}`;
}

const KIND = { switch: 'switch', shift: 'weighted shift' } as const;

/** "switch blue -> green stopped at step dns (failed); lock held by alice@laptop". */
export function operationsCell(r: StatusReport): string {
  const parts = r.operations.filter((j) => j.unfinished).map((j) => (j.unreadable ? `${KIND[j.kind]} journal unreadable` : truncateWords(j.description, 70)));
  if (r.held) {
    const h = r.held.holder;
    const what = h?.kind ? `${KIND[h.kind]} ${h.from ?? '?'} -> ${h.to ?? '?'}${h.step ? ` at ${h.step}` : ''}` : 'an unknown holder';
    parts.push(r.held.journal?.unfinished ? `lock held here (${what})` : `lock held by ${h?.by ?? '?'} (${what})`);
  } else if (r.lock.state === 'failed') parts.push('lock unreadable');
  return parts.length > 0 ? parts.join('; ') : '-';
}

const failing = (r: StatusReport) => r.checks.filter((c) => !c.ok);

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, (widths[i] as number) + 2))).join('')}`.trimEnd());
}

function rowCells(row: FleetRow): string[] {
  const id = [row.platform ?? '?', row.account ?? '?'];
  const r = row.report;
  if (!r) return [...id, '?', '-', '-', `ERROR: ${truncateWords(row.error ?? 'no report', 90)}`];
  const live = r.live ?? `? (file: ${r.liveInFile})`;
  const checks = [...new Set(failing(r).map((c) => c.name))];
  return [...id, live, productionCell(r), operationsCell(r), checks.length === 0 ? 'ok' : `FAIL ${checks.join(', ')}`];
}

export function fleetStatusTable(s: FleetStatus): string {
  const agree = s.rows.filter((r) => r.report?.ok === true).length;
  const head = `fleet ${s.source}: ${s.rows.length} platform${s.rows.length === 1 ? '' : 's'}, ${agree} agree${agree === s.rows.length ? '' : `, ${s.rows.length - agree} do not`}; Route53: ${s.route53.requests} requests, ${s.route53.zonesListed} zone${s.route53.zonesListed === 1 ? '' : 's'} listed`;
  const lines = [head, '', ...table([['PLATFORM', 'ACCOUNT', 'LIVE', 'PRODUCTION', 'OPERATIONS', 'CHECKS'], ...s.rows.map(rowCells)])];
  const bad = s.rows.filter((r) => r.report?.ok !== true);
  if (bad.length > 0) {
    lines.push('', 'Not agreeing');
    for (const row of bad) {
      const who = `${row.platform ?? '?'} (${row.account ?? '?'}, ${row.file})`;
      if (!row.report) lines.push(`  ${who}: ${truncateWords(row.error ?? 'no report', 200)}`);
      else for (const c of failing(row.report)) lines.push(`  ${who}: ${c.name}: ${truncateWords(c.message, 200)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function productionJson(r: StatusReport) {
  const p = r.production;
  const counts = p.state === 'read' ? totalCounts(r) : null;
  return {
    against: r.against,
    error: p.state === 'failed' ? p.error : null,
    skipped: p.state === 'skipped' ? p.reason : null,
    counts,
    split: splitNames(r).map((n) => ({ name: n.name.name, traffic: n.name.traffic })),
    orphans: r.domains.flatMap((d) => d.names.filter((n) => n.verdict === 'orphan').map((n) => n.name.name)),
  };
}

function rowJson(row: FleetRow) {
  const r = row.report;
  const h = r?.held ?? null;
  return {
    file: row.file,
    from: row.from,
    platform: row.platform,
    account: row.account,
    ok: r?.ok === true,
    error: row.error,
    live: r?.live ?? null,
    liveInFile: r?.liveInFile ?? null,
    production: r ? productionJson(r) : null,
    operations: r ? r.operations.map((j) => ({ kind: j.kind, path: j.path, description: j.description, unfinished: j.unfinished, unreadable: j.unreadable === true })) : [],
    lock: h ? { record: h.name, zoneId: h.zoneId, kind: h.holder?.kind ?? null, from: h.holder?.from ?? null, to: h.holder?.to ?? null, step: h.holder?.step ?? null, by: h.holder?.by ?? null, description: h.description, journal: h.journal?.path ?? null } : null,
    failing: r ? failing(r).map((c) => ({ name: c.name, message: c.message })) : [],
  };
}

export function fleetStatusJson(s: FleetStatus): string {
  return `${JSON.stringify({ fleet: s.source, ok: s.ok, route53: s.route53, platforms: s.rows.map(rowJson) }, null, 2)}\n`;
}
