/**
 * `bascule status` judged (pure): one observation in, the live colour, how
 * production is served, the operations under way and every check out.
 *
 *   txt, api-record, dns-agree, platform-file   which colour DNS says is live
 *   live-external-dns                           exactly one colour runs them, the live one
 *                                               (while an operation is unfinished: their state, not a failure)
 *   api-blue, api-green                         each API answers with a token for its cluster
 *   production | production-split | -weighted | -colour | -fenced | -handover
 *   switch, shift                               an unfinished (or unreadable) journal here
 *   lock                                        the Route53 lock record
 */
import type { Colour } from '../platform/model.js';
import { COLOURS } from '../platform/schema.js';
import { colourOfApiTarget, colourOfClusterName, type ColourTarget } from '../cutover/spec.js';
import type { Check } from './checks.js';
import type { StatusObservation } from './observe.js';
import { lockChecks, lockReport, operationChecks, underway, type CommandFor, type LockReport } from './operations.js';
import { judgeProduction, orphansTowards, productionChecks, type DomainReport } from './production.js';

export type { Check };

export interface StatusContext {
  readonly targets: Readonly<Record<Colour, Pick<ColourTarget, 'clusterName' | 'endpointHost' | 'apiRecord'>>>;
  /** `bascule switch ...` with this run's flags, for the hints. */
  readonly command: CommandFor;
  readonly now: Date;
}

export interface StatusReport extends StatusObservation {
  readonly txtColour: Colour | null;
  readonly apiColour: Colour | null;
  readonly live: Colour | null;
  /** The colour production is judged against: the live one per DNS, else the file's. */
  readonly against: Colour;
  /** Production per shared domain (empty when it was not read). */
  readonly domains: readonly DomainReport[];
  /** The lock record as held (null: free, or not read). */
  readonly held: LockReport | null;
  /** An operation is unfinished here, or the lock is held. */
  readonly underway: boolean;
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

function dnsChecks(o: StatusObservation, c: StatusContext, txtColour: Colour | null, apiColour: Colour | null): Check[] {
  const { targets } = c;
  const checks: Check[] = [];
  if (o.txt.error) checks.push({ name: 'txt', ok: false, message: `TXT ${o.txt.name}: ${o.txt.error}` });
  else if (!txtColour) checks.push({ name: 'txt', ok: false, message: `TXT ${o.txt.name} names ${o.txt.clusterName}, which is neither ${targets.blue.clusterName} nor ${targets.green.clusterName}` });
  else checks.push({ name: 'txt', ok: true, message: `TXT ${o.txt.name} names ${o.txt.clusterName} (${txtColour})` });

  if (o.api.error) checks.push({ name: 'api-record', ok: false, message: `${o.api.name}: ${o.api.error}` });
  else if (!apiColour) {
    const same = targets.blue.endpointHost === targets.green.endpointHost ? " (both clusters' endpoints share that host: give each its own apiRecord)" : '';
    checks.push({ name: 'api-record', ok: false, message: `${o.api.name} points at ${o.api.target}, which is not one colour's endpoint${same}` });
  } else checks.push({ name: 'api-record', ok: true, message: `${o.api.name} points at ${o.api.target} (${apiColour})` });

  if (txtColour && apiColour) {
    checks.push(
      txtColour === apiColour
        ? { name: 'dns-agree', ok: true, message: `the TXT and API records agree: ${txtColour} is live` }
        : { name: 'dns-agree', ok: false, message: `the TXT record says ${txtColour} but the API record says ${apiColour}` },
    );
  }
  return checks;
}

const running = (o: StatusObservation, colour: Colour) => o.clusters[colour].externalDns.filter((d) => (d.desired ?? 0) > 0 || (d.ready ?? 0) > 0);

/** "blue: live-external-dns-private 1/1, live-external-dns-public 1/1; green: stopped". */
function liveState(o: StatusObservation): string {
  return COLOURS.map((colour) => {
    const ds = o.clusters[colour].externalDns;
    if (ds.some((d) => d.error)) return `${colour}: unknown (${ds.find((d) => d.error)?.error})`;
    if (running(o, colour).length === 0) return `${colour}: stopped`;
    return `${colour}: ${ds.map((d) => `${d.name} ${d.ready ?? 0}/${d.desired ?? 0}`).join(', ')}`;
  }).join('; ');
}

/** Exactly one colour runs the live ExternalDNS, the live one (as before the production model). */
function liveExternalDnsCheck(o: StatusObservation, live: Colour | null, isUnderway: boolean): Check | undefined {
  if (o.clusters.blue.externalDns.length === 0) return undefined;
  const name = 'live-external-dns';
  if (isUnderway) return { name, ok: true, message: `a cut-over is unfinished: the live ExternalDNS are ${liveState(o)}` };
  const unknown = COLOURS.filter((colour) => o.clusters[colour].externalDns.some((d) => d.error));
  const runningIn = COLOURS.filter((colour) => running(o, colour).length > 0);
  if (unknown.length > 0) {
    return { name, ok: false, message: `cannot tell where the live ExternalDNS run: ${unknown.map((c) => `${c}: ${o.clusters[c].externalDns.find((d) => d.error)?.error}`).join('; ')}` };
  }
  if (runningIn.length === 2) {
    const old = live ? (live === 'blue' ? 'green' : 'blue') : undefined;
    const revived = old ? running(o, old).map((d) => `${old}: ${d.name}`) : [];
    return {
      name,
      ok: false,
      message: old
        ? `the old colour's live ExternalDNS run again (${revived.join(', ')}) while ${live} is live: its owner id no longer owns production (the fence), but it must not run; scale it to 0 (and apply the manifests generated with live: ${live})`
        : "the live ExternalDNS run in both colours: they fight over the shared zones; stop one colour's",
    };
  }
  if (runningIn.length === 0) return { name, ok: false, message: 'the live ExternalDNS run in no colour: the shared zones are not kept up to date' };
  const colour = runningIn[0] as Colour;
  const partial = o.clusters[colour].externalDns.filter((d) => (d.ready ?? 0) < 1).map((d) => d.name);
  if (partial.length > 0) return { name, ok: false, message: `the live ExternalDNS run in ${colour} only, but ${partial.join(', ')} ${partial.length > 1 ? 'are' : 'is'} not ready` };
  if (live && colour !== live) return { name, ok: false, message: `the live ExternalDNS run in ${colour}, but ${live} is live` };
  return { name, ok: true, message: `the live ExternalDNS run in exactly one colour: ${colour}` };
}

function apiChecks(o: StatusObservation): Check[] {
  return COLOURS.map((colour) => {
    const c = o.clusters[colour];
    return c.api.error
      ? { name: `api-${colour}`, ok: false, message: `${colour}'s API (${c.name}): ${c.api.error}` }
      : { name: `api-${colour}`, ok: true, message: `${colour}'s API answers with a token for ${c.name} (${c.api.version})` };
  });
}

function productionPart(o: StatusObservation, c: StatusContext, against: Colour, fromDns: boolean, isUnderway: boolean): { domains: DomainReport[]; checks: Check[] } {
  const p = o.production;
  if (p.state === 'skipped') return { domains: [], checks: [] };
  if (p.state === 'failed') return { domains: [], checks: [{ name: 'production', ok: false, message: `cannot read production (Route53): ${p.error}` }] };
  const domains = judgeProduction(p.value, against, isUnderway);
  const toOneColour = c.command(`--to ${against}`, ['--weights', '100', '--apply']);
  return { domains, checks: productionChecks(domains, { live: against, fromDns, underway: isUnderway, toOneColour }) };
}

/** Judges an observation (pure): which colour is live, how production is served, and every check. */
export function evaluateStatus(o: StatusObservation, c: StatusContext): StatusReport {
  const txtColour = o.txt.clusterName ? (colourOfClusterName(c.targets, o.txt.clusterName) ?? null) : null;
  const apiColour = o.api.target ? (colourOfApiTarget(c.targets, o.api.target) ?? null) : null;
  const checks = dnsChecks(o, c, txtColour, apiColour);
  const live = txtColour && (!apiColour || apiColour === txtColour) ? txtColour : null;
  if (live) {
    checks.push(
      live === o.liveInFile
        ? { name: 'platform-file', ok: true, message: `${o.file} says live: ${o.liveInFile}, as DNS does` }
        : { name: 'platform-file', ok: false, message: `${o.file} says live: ${o.liveInFile}, but DNS says ${live}` },
    );
  }
  const held = lockReport(o.lock, o.operations);
  const isUnderway = underway(o.operations, held);
  const externalDns = liveExternalDnsCheck(o, live, isUnderway);
  if (externalDns) checks.push(externalDns);
  checks.push(...apiChecks(o));
  const against = live ?? o.liveInFile;
  const production = productionPart(o, c, against, live !== null, isUnderway);
  checks.push(...production.checks, ...operationChecks(o.operations, c.command), ...lockChecks(o.lock, held, c.command, c.now, (from, to) => orphansTowards(production.domains, from, to)));
  return { ...o, txtColour, apiColour, live, against, domains: production.domains, held, underway: isUnderway, checks, ok: checks.every((x) => x.ok) };
}
