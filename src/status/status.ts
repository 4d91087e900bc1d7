/**
 * `bascule status`: what DNS and the clusters say now. Observing is done by
 * the adapters (resolver, each cluster's API); judging (`evaluateStatus`) and
 * printing are pure.
 */
import type { Colour } from '../platform/model.js';
import { truncateWords } from '../text.js';
import { COLOURS } from '../platform/schema.js';
import { clusterNameFromTxt, isExternalDnsRegistryRecord } from '../dns/cluster-name.js';
import type { DnsPort } from '../cutover/dns.js';
import type { KubePort } from '../kube/client.js';
import { colourOfApiTarget, colourOfClusterName, type ColourTarget } from '../cutover/spec.js';

export interface DeploymentObservation {
  readonly name: string;
  readonly desired?: number;
  readonly ready?: number;
  readonly error?: string;
}

export interface ClusterObservation {
  readonly name: string;
  readonly endpoint: string;
  readonly api: { readonly version?: string; readonly error?: string };
  readonly externalDns: readonly DeploymentObservation[];
}

export interface StatusObservation {
  readonly platform: string;
  readonly file: string;
  readonly liveInFile: Colour;
  readonly resolver: string;
  readonly txt: { readonly name: string; readonly values?: readonly string[]; readonly clusterName?: string; readonly error?: string };
  readonly api: { readonly name: string; readonly target?: string; readonly error?: string };
  readonly namespace: string;
  readonly clusters: Readonly<Record<Colour, ClusterObservation>>;
  readonly journal?: { readonly path: string; readonly description: string; readonly unfinished: boolean };
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

export interface StatusReport extends StatusObservation {
  readonly txtColour: Colour | null;
  readonly apiColour: Colour | null;
  readonly live: Colour | null;
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] as string : String(error));

export async function observeStatus(options: {
  platform: string;
  file: string;
  liveInFile: Colour;
  txtName: string;
  apiName: string;
  namespace: string;
  deployments: readonly string[];
  clusters: Readonly<Record<Colour, Pick<ColourTarget, 'clusterName' | 'endpoint'>>>;
  dns: DnsPort;
  kube: Readonly<Record<Colour, KubePort>>;
  journal?: StatusObservation['journal'];
}): Promise<StatusObservation> {
  const { dns } = options;
  const txtP = (async (): Promise<StatusObservation['txt']> => {
    try {
      const answer = await dns.txt(options.txtName);
      const values = answer.kind === 'records' ? answer.records.map((chunks) => chunks.join('')) : [];
      try {
        const name = clusterNameFromTxt(options.txtName, answer);
        return { name: options.txtName, values, clusterName: name.clusterName };
      } catch (error) {
        return { name: options.txtName, values, error: errorText(error) };
      }
    } catch (error) {
      return { name: options.txtName, error: errorText(error) };
    }
  })();
  const apiP = (async (): Promise<StatusObservation['api']> => {
    try {
      const answer = await dns.cname(options.apiName);
      return answer.kind === 'cname' ? { name: options.apiName, target: answer.target } : { name: options.apiName, error: `no CNAME (${answer.reason})` };
    } catch (error) {
      return { name: options.apiName, error: errorText(error) };
    }
  })();
  const clusterP = (colour: Colour) =>
    (async (): Promise<ClusterObservation> => {
      const kube = options.kube[colour];
      const base = { name: options.clusters[colour].clusterName, endpoint: options.clusters[colour].endpoint };
      let version: string;
      try {
        version = await kube.version();
      } catch (error) {
        return { ...base, api: { error: errorText(error) }, externalDns: options.deployments.map((name) => ({ name, error: 'API unreachable' })) };
      }
      const externalDns = await Promise.all(
        options.deployments.map(async (name): Promise<DeploymentObservation> => {
          try {
            const d = await kube.deployment(options.namespace, name);
            return d ? { name, desired: d.desired, ready: d.ready } : { name, error: 'no such Deployment' };
          } catch (error) {
            return { name, error: errorText(error) };
          }
        }),
      );
      return { ...base, api: { version }, externalDns };
    })();
  const [txt, api, blue, green] = await Promise.all([txtP, apiP, clusterP('blue'), clusterP('green')]);
  return {
    platform: options.platform,
    file: options.file,
    liveInFile: options.liveInFile,
    resolver: dns.where,
    txt,
    api,
    namespace: options.namespace,
    clusters: { blue, green },
    ...(options.journal ? { journal: options.journal } : {}),
  };
}

/** Judges an observation (pure): which colour is live, and every check. */
export function evaluateStatus(o: StatusObservation, targets: Readonly<Record<Colour, Pick<ColourTarget, 'clusterName' | 'endpointHost' | 'apiRecord'>>>): StatusReport {
  const checks: Check[] = [];
  const txtColour = o.txt.clusterName ? (colourOfClusterName(targets, o.txt.clusterName) ?? null) : null;
  const apiColour = o.api.target ? (colourOfApiTarget(targets, o.api.target) ?? null) : null;

  if (o.txt.error) checks.push({ name: 'txt', ok: false, message: `TXT ${o.txt.name}: ${o.txt.error}` });
  else if (!txtColour) checks.push({ name: 'txt', ok: false, message: `TXT ${o.txt.name} names ${o.txt.clusterName}, which is neither ${targets.blue.clusterName} nor ${targets.green.clusterName}` });
  else checks.push({ name: 'txt', ok: true, message: `TXT ${o.txt.name} names ${o.txt.clusterName} (${txtColour})` });

  if (o.api.error) checks.push({ name: 'api-record', ok: false, message: `${o.api.name}: ${o.api.error}` });
  else if (!apiColour) {
    const same = targets.blue.endpointHost === targets.green.endpointHost ? ' (both clusters\' endpoints share that host: give each its own apiRecord)' : '';
    checks.push({ name: 'api-record', ok: false, message: `${o.api.name} points at ${o.api.target}, which is not one colour's endpoint${same}` });
  } else checks.push({ name: 'api-record', ok: true, message: `${o.api.name} points at ${o.api.target} (${apiColour})` });

  if (txtColour && apiColour) {
    checks.push(
      txtColour === apiColour
        ? { name: 'dns-agree', ok: true, message: `the TXT and API records agree: ${txtColour} is live` }
        : { name: 'dns-agree', ok: false, message: `the TXT record says ${txtColour} but the API record says ${apiColour}` },
    );
  }
  const live = txtColour && (!apiColour || apiColour === txtColour) ? txtColour : null;
  if (live) {
    checks.push(
      live === o.liveInFile
        ? { name: 'platform-file', ok: true, message: `${o.file} says live: ${o.liveInFile}, as DNS does` }
        : { name: 'platform-file', ok: false, message: `${o.file} says live: ${o.liveInFile}, but DNS says ${live}` },
    );
  }

  const running = (colour: Colour) => o.clusters[colour].externalDns.filter((d) => (d.desired ?? 0) > 0 || (d.ready ?? 0) > 0);
  const unknown = COLOURS.filter((colour) => o.clusters[colour].externalDns.some((d) => d.error));
  if (o.clusters.blue.externalDns.length > 0) {
    const runningIn = COLOURS.filter((colour) => running(colour).length > 0);
    if (unknown.length > 0) {
      checks.push({ name: 'live-external-dns', ok: false, message: `cannot tell where the live ExternalDNS run: ${unknown.map((c) => `${c}: ${o.clusters[c].externalDns.find((d) => d.error)?.error}`).join('; ')}` });
    } else if (runningIn.length === 2) {
      const old = live ? (live === 'blue' ? 'green' : 'blue') : undefined;
      const revived = old ? running(old).map((d) => `${old}: ${d.name}`) : [];
      checks.push({
        name: 'live-external-dns',
        ok: false,
        message: old
          ? `the old colour's live ExternalDNS run again (${revived.join(', ')}) while ${live} is live: its owner id no longer owns production (the fence), but it must not run; scale it to 0 (and apply the manifests generated with live: ${live})`
          : "the live ExternalDNS run in both colours: they fight over the shared zones; stop one colour's",
      });
    } else if (runningIn.length === 0) {
      checks.push({ name: 'live-external-dns', ok: false, message: 'the live ExternalDNS run in no colour: the shared zones are not kept up to date' });
    } else {
      const colour = runningIn[0] as Colour;
      const partial = o.clusters[colour].externalDns.filter((d) => (d.ready ?? 0) < 1).map((d) => d.name);
      if (partial.length > 0) checks.push({ name: 'live-external-dns', ok: false, message: `the live ExternalDNS run in ${colour} only, but ${partial.join(', ')} ${partial.length > 1 ? 'are' : 'is'} not ready` });
      else if (live && colour !== live) checks.push({ name: 'live-external-dns', ok: false, message: `the live ExternalDNS run in ${colour}, but ${live} is live` });
      else checks.push({ name: 'live-external-dns', ok: true, message: `the live ExternalDNS run in exactly one colour: ${colour}` });
    }
  }

  for (const colour of COLOURS) {
    const c = o.clusters[colour];
    checks.push(
      c.api.error
        ? { name: `api-${colour}`, ok: false, message: `${colour}'s API (${c.name}): ${c.api.error}` }
        : { name: `api-${colour}`, ok: true, message: `${colour}'s API answers with a token for ${c.name} (${c.api.version})` },
    );
  }
  if (o.journal?.unfinished) checks.push({ name: 'switch', ok: false, message: `${o.journal.description} (journal ${o.journal.path})` });
  return { ...o, txtColour, apiColour, live, checks, ok: checks.every((c) => c.ok) };
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `${indent}${r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, (widths[i] as number) + 2))).join('')}`.trimEnd());
}

export function formatStatusTable(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(`${r.platform} (${r.file}): ${r.live ? `${r.live} is live` : 'the live colour is unclear'}; the file says live: ${r.liveInFile}`);
  lines.push('');
  lines.push(`DNS, via ${r.resolver}`);
  const txtValues = r.txt.values?.filter((v) => !isExternalDnsRegistryRecord(v)).map((v) => JSON.stringify(v)).join(' ') ?? '';
  lines.push(
    ...table([
      ['TXT', r.txt.name, r.txt.error ? `(${truncateWords(r.txt.error, 80)})` : txtValues || '-', r.txtColour ?? '?'],
      ['CNAME', r.api.name, r.api.error ? `(${truncateWords(r.api.error, 80)})` : (r.api.target ?? '-'), r.apiColour ?? '?'],
    ]),
  );
  lines.push('');
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
  lines.push('Clusters', ...table(rows));
  lines.push('');
  lines.push('Checks');
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.message}`);
  if (r.journal && !r.journal.unfinished) lines.push(`  last switch: ${r.journal.description} (journal ${r.journal.path})`);
  return `${lines.join('\n')}\n`;
}

export function statusJson(r: StatusReport): string {
  return `${JSON.stringify(
    {
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
      switch: r.journal ?? null,
      checks: r.checks,
    },
    null,
    2,
  )}\n`;
}

