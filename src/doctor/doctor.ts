/**
 * `bascule doctor`, the use case: walks the chain kubectl follows, link by
 * link, and says for each whether it holds and, when it does not, the fix.
 *   kubeconfig entry -> exec command -> cluster name (TXT, allow-list) ->
 *   region -> credentials -> AssumeRole -> identity (STS) -> clock ->
 *   mapping (platform, aws-auth, access entries) -> cached token -> the API.
 * Each link is a file of links/; this file keeps their order and the skip
 * rule: a broken link stops the links that need it (they are not run, and
 * say so). Every side effect comes through DoctorPorts; no secret is ever
 * printed.
 */
import type { PluginInput } from './plugin.js';
import type { DoctorPorts } from './ports.js';
import { checkApi } from './links/api.js';
import { reachApi } from './links/api-target.js';
import { checkCachedToken } from './links/cache.js';
import { checkClock } from './links/clock.js';
import { checkClusterName } from './links/cluster-name.js';
import { checkCredentials } from './links/credentials.js';
import { checkExecCommand } from './links/exec-command.js';
import { checkIdentity } from './links/identity.js';
import { checkKubeconfig } from './links/kubeconfig.js';
import { line, type Checked, type Link } from './links/link.js';
import { checkMapping } from './links/mapping.js';
import { readPlatformFile } from './links/platform.js';
import { checkRegion } from './links/region.js';
import { checkRole } from './links/role.js';

export type { Link, LinkStatus } from './links/link.js';

export interface DoctorInput {
  /** A kubeconfig context (default: current-context). */
  readonly context: string | undefined;
  /** Without a kubeconfig: the plugin input from doctor's own flags. */
  readonly direct: PluginInput | undefined;
  readonly stsTimeoutMs: number;
}

export interface DoctorReport {
  readonly context: string | undefined;
  readonly clusterName: string | undefined;
  readonly links: readonly Link[];
  readonly ok: boolean;
}

export const LINK_NAMES = ['kubeconfig', 'exec command', 'cluster name', 'region', 'credentials', 'assume role', 'identity', 'clock', 'mapping', 'cached token', 'API'] as const;

/** The report so far: the links checked, and what the report's header names. */
class Walk {
  readonly links: Link[] = [];
  context: string | undefined;
  clusterName: string | undefined;
  /** The exec command link, once the plugin's version is known (it runs beside the other links). */
  versioned: { at: number; link: Promise<Link> } | undefined;

  take<T>(checked: Checked<T>): T | undefined {
    this.links.push(checked.link);
    return checked.found;
  }

  /** The skip rule: every link not checked is skipped, because an earlier link is broken. */
  async finish(): Promise<DoctorReport> {
    const links = this.links;
    if (this.versioned) links[this.versioned.at] = await this.versioned.link;
    for (const name of LINK_NAMES) {
      if (!links.some((l) => l.name === name)) links.push(line(name, 'skipped', 'not checked: an earlier link is broken'));
    }
    links.sort((a, b) => LINK_NAMES.indexOf(a.name as never) - LINK_NAMES.indexOf(b.name as never));
    return { context: this.context, clusterName: this.clusterName, links, ok: !links.some((l) => l.status === 'fail') };
  }
}

/** The links in kubectl's order; each runs on what the links before it found. */
export async function runDoctor(input: DoctorInput, ports: DoctorPorts): Promise<DoctorReport> {
  const walk = new Walk();
  const entry = walk.take(checkKubeconfig(input, ports));
  if (!entry) return walk.finish();
  const view = 'view' in entry ? entry.view : undefined;
  walk.context = view?.contextName;
  const at = walk.links.length;
  const exec = walk.take(checkExecCommand(entry, ports));
  if (!exec) return walk.finish();
  if (exec.versioned) walk.versioned = { at, link: exec.versioned };
  const { plugin, env } = exec;
  const platform = readPlatformFile(ports);

  const name = await checkClusterName(plugin, platform, ports);
  walk.clusterName = name.named;
  const clusterName = walk.take(name);
  if (clusterName === undefined) return walk.finish();
  const where = walk.take(checkRegion(plugin, env));
  if (!where) return walk.finish();
  const signer = walk.take(await checkCredentials(plugin, { env, region: where.region, timeoutMs: input.stsTimeoutMs }, ports));
  if (!signer) return walk.finish();
  const credentials = walk.take(await checkRole(plugin, signer, ports));
  if (!credentials) return walk.finish();
  const identified = walk.take(await checkIdentity({ ...where, clusterName, env, timeoutMs: input.stsTimeoutMs }, credentials, ports));
  if (!identified) return walk.finish();
  walk.links.push(checkClock(identified.verified));

  const canonical = identified.verified.identity.canonicalArn;
  const api = reachApi(view, platform, clusterName, identified.token, ports);
  walk.links.push(await checkMapping({ platform, api, canonical, clusterName, region: where.region, credentials, plugin, env }, ports));
  walk.links.push(checkCachedToken(plugin, { clusterName, region: where.region, env, plan: signer.plan }, ports));
  walk.links.push(await checkApi(api, { plugin, clusterName, canonical, platform }));
  return walk.finish();
}
