/**
 * `bascule status` printed (pure): the table for people, one JSON object for
 * scripts (test/golden/status.json pins its fields: a field renamed fails a
 * test).
 */
import type { Colour } from '../platform/model.js';
import { COLOURS } from '../platform/schema.js';
import { isExternalDnsRegistryRecord } from '../dns/cluster-name.js';
import { describeTraffic } from '../production/inventory.js';
import { truncateWords } from '../text.js';
import type { StatusReport } from './evaluate.js';
import type { JournalObservation } from './observe.js';
import { describeCounts, type DomainReport, type NameReport } from './production.js';

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `${indent}${r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, (widths[i] as number) + 2))).join('')}`.trimEnd());
}

function dnsLines(r: StatusReport): string[] {
  const txtValues = r.txt.values?.filter((v) => !isExternalDnsRegistryRecord(v)).map((v) => JSON.stringify(v)).join(' ') ?? '';
  return [
    `DNS, via ${r.resolver}`,
    ...table([
      ['TXT', r.txt.name, r.txt.error ? `(${truncateWords(r.txt.error, 80)})` : txtValues || '-', r.txtColour ?? '?'],
      ['CNAME', r.api.name, r.api.error ? `(${truncateWords(r.api.error, 80)})` : (r.api.target ?? '-'), r.apiColour ?? '?'],
    ]),
  ];
}

function clusterLines(r: StatusReport): string[] {
  const rows: string[][] = [['', ...COLOURS.map((c) => `${c} (${r.clusters[c].name})${r.live === c ? ' *live*' : ''}`)]];
  rows.push(['API', ...COLOURS.map((c) => (r.clusters[c].api.error ? 'ERROR' : `ok ${r.clusters[c].api.version}`))]);
  for (const [i, d] of r.clusters.blue.externalDns.entries()) {
    rows.push([
      `${r.namespace}/${d.name}`,
      ...COLOURS.map((c) => {
        const x = r.clusters[c].externalDns[i];
        if (!x || x.error) return `? (${x?.error ?? 'unknown'})`;
        return x.desired === 0 && x.ready === 0 ? 'stopped (0)' : `${x.ready}/${x.desired} ready`;
      }),
    ]);
  }
  return ['Clusters', ...table(rows)];
}

/** The names worth a line: every one but those served as they should be (and, without -v, those left alone). */
const shown = (d: DomainReport, verbose: boolean) => d.names.filter((n) => (verbose ? true : n.verdict !== 'ok' && n.verdict !== 'left-alone'));

function productionLines(r: StatusReport, verbose: boolean): string[] {
  const p = r.production;
  const title = `Production, against ${r.against}${r.live ? ' (the live colour)' : ' (the file\'s live colour: DNS is unclear)'}`;
  if (p.state === 'skipped') return ['Production', `  not read: ${p.reason}`];
  if (p.state === 'failed') return [title, `  (${truncateWords(p.error, 120)})`];
  const lines = [title];
  for (const d of r.domains) {
    lines.push(`  ${d.domain} (${d.kind}, zone ${d.zoneId}): ${describeCounts(d.counts, r.against)}`);
    const rows = shown(d, verbose).map((n: NameReport) => [n.name.name, describeTraffic(n.name.traffic), `${n.verdict}: ${n.reason}`]);
    if (rows.length > 0) lines.push(...table(rows, '    '));
  }
  return lines;
}

const KIND = { switch: 'switch', shift: 'weighted shift' } as const;

function operationLines(r: StatusReport): string[] {
  const rows: string[][] = (['switch', 'shift'] as const).map((kind) => {
    const j = r.operations.find((x: JournalObservation) => x.kind === kind);
    return [KIND[kind], j ? j.path : '-', j ? `${j.unfinished ? 'UNFINISHED: ' : ''}${j.description}` : 'no journal here'];
  });
  const l = r.lock;
  const lock =
    l.state === 'skipped' ? `not read: ${l.reason}` : l.state === 'failed' ? `(${truncateWords(l.error, 100)})` : r.held ? `held by ${r.held.description}` : 'free';
  rows.push(['lock', l.state === 'read' ? l.value.name : '-', lock]);
  return ['Operations', ...table(rows)];
}

function checkLines(r: StatusReport): string[] {
  const lines = ['Checks'];
  for (const c of r.checks) {
    lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.message}`);
    if (!c.ok && c.hint) for (const h of c.hint.split('\n')) lines.push(`        ${h}`);
  }
  return lines;
}

export function formatStatusTable(r: StatusReport, options: { verbose?: boolean } = {}): string {
  const head = `${r.platform} (${r.file}): ${r.live ? `${r.live} is live` : 'the live colour is unclear'}; the file says live: ${r.liveInFile}`;
  const sections = [[head], dnsLines(r), clusterLines(r), productionLines(r, options.verbose ?? false), operationLines(r), checkLines(r)];
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}

/** The journal the old `switch` field showed: an unreadable one, else the unfinished one, else the first found. */
function lastJournal(r: StatusReport) {
  const j = r.operations.find((x) => x.unreadable) ?? r.operations.find((x) => x.unfinished) ?? r.operations[0];
  return j ? { path: j.path, description: j.description, unfinished: j.unfinished } : null;
}

const owner = (n: NameReport['name']) => {
  const o = n.owner;
  return { kind: o.kind, id: o.kind === 'live' || o.kind === 'other' ? o.id : o.kind === 'mixed' ? o.ids.join(',') : null, colour: o.kind === 'live' ? o.colour : null };
};

function productionJson(r: StatusReport) {
  const p = r.production;
  return {
    against: r.against,
    error: p.state === 'failed' ? p.error : null,
    skipped: p.state === 'skipped' ? p.reason : null,
    domains: r.domains.map((d) => ({
      kind: d.kind,
      domain: d.domain,
      zoneId: d.zoneId,
      counts: d.counts,
      names: d.names.map((n) => ({
        name: n.name.name,
        types: n.name.types,
        form: n.name.form,
        owner: owner(n.name),
        weights: n.name.weights ?? null,
        servedBy: COLOURS.filter((c: Colour) => n.name.colours[c]),
        traffic: n.name.traffic,
        targets: n.name.targets,
        ttl: n.name.ttl,
        verdict: n.verdict,
        reason: n.reason,
      })),
    })),
  };
}

function lockJson(r: StatusReport) {
  const l = r.lock;
  if (l.state !== 'read') return { record: null, zoneId: null, error: l.state === 'failed' ? l.error : `not read: ${l.reason}` };
  if (!r.held) return null;
  const h = r.held.holder;
  return {
    record: r.held.name,
    zoneId: r.held.zoneId,
    values: r.held.values,
    kind: h?.kind ?? null,
    op: h?.op ?? null,
    from: h?.from ?? null,
    to: h?.to ?? null,
    step: h?.step ?? null,
    by: h?.by ?? null,
    pid: h?.pid ?? null,
    since: h?.since ?? null,
    id: h?.id ?? null,
    description: r.held.description,
    journal: r.held.journal?.path ?? null,
  };
}

export function statusJson(r: StatusReport): string {
  const report = {
    platform: r.platform,
    file: r.file,
    liveInFile: r.liveInFile,
    live: r.live,
    ok: r.ok,
    resolver: r.resolver,
    txt: { ...r.txt, colour: r.txtColour },
    api: { ...r.api, colour: r.apiColour },
    clusters: r.clusters,
    externalDnsNamespace: r.namespace,
    switch: lastJournal(r),
    checks: r.checks,
    production: productionJson(r),
    operations: r.operations.map((j) => ({ kind: j.kind, path: j.path, description: j.description, unfinished: j.unfinished, unreadable: j.unreadable === true })),
    lock: lockJson(r),
    underway: r.underway,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
