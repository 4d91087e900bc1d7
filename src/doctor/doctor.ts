/**
 * `bascule doctor`, the use case: walks the chain kubectl follows, link by
 * link, and says for each whether it holds and, when it does not, the fix.
 *   kubeconfig entry -> exec command -> cluster name (TXT, allow-list) ->
 *   region -> credentials -> AssumeRole -> identity (STS) -> clock ->
 *   mapping (platform, aws-auth, access entries) -> cached token -> the API.
 * A broken link stops the links that need it (they are not run, and say so).
 * Every side effect comes through DoctorPorts; no secret is ever printed.
 */
import { dirname } from 'node:path';
import { BasculeError } from '../errors.js';
import type { Platform } from '../platform/model.js';
import { PARTITIONS, type PartitionId } from '../verify/rules.js';
import { verifyToken, type Verified } from '../verify/verify.js';
import { partitionOf } from '../vocabulary.js';
import { formatDuration, isoSecond as iso } from '../text.js';
import type { ContextView } from './kubeconfig.js';
import { matchAwsAuth, platformAccessLevel, type AwsAuthReading } from './mapping.js';
import { pluginKind, readPluginArgs, type PluginInput } from './plugin.js';
import type { AccessEntryLookup, ApiTarget, CredentialContext, DoctorPorts } from './ports.js';
import {
  assertAllowed,
  checkServer,
  clusterNameFromTxt,
  describePlan,
  FALLBACK_REGION,
  isExternalDnsRegistryRecord,
  isPlainClusterName,
  planIdentity,
  tokenCacheKey,
  profileSettings,
  readAwsFiles,
  selectedProfile,
  type AwsCredentials,
  type AwsFiles,
  type CredentialPlan,
} from './token-rules.js';

export type LinkStatus = 'ok' | 'fail' | 'unknown' | 'skipped';

export interface Link {
  readonly name: string;
  readonly status: LinkStatus;
  readonly detail: string;
  readonly fix: string | undefined;
  /** The assume role link: the session asked for (source identity, tags), for scripts. */
  readonly session?: { readonly sourceIdentity: string | null; readonly tags: Readonly<Record<string, string>> };
}

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

/** Above this, STS refuses signatures ("Signature not yet current") and tokens die early. */
const MAX_SKEW_MS = 5 * 60_000;

export const LINK_NAMES = ['kubeconfig', 'exec command', 'cluster name', 'region', 'credentials', 'assume role', 'identity', 'clock', 'mapping', 'cached token', 'API'] as const;

const errText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const errHint = (error: unknown) => (error instanceof BasculeError ? error.hint : undefined);

const duration = (ms: number): string => formatDuration(ms, 'seconds');

export async function runDoctor(input: DoctorInput, ports: DoctorPorts): Promise<DoctorReport> {
  const links: Link[] = [];
  const add = (name: string, status: LinkStatus, detail: string, fix?: string) => void links.push({ name, status, detail, fix });
  let clusterName: string | undefined;
  let view: ContextView | undefined;
  // The plugin's version runs beside the other links (an AWS CLI takes seconds to start).
  let versionOf: { at: number; path: string; line: string; pending: Promise<string | undefined> } | undefined;
  const finish = async (): Promise<DoctorReport> => {
    if (versionOf) {
      const version = await versionOf.pending;
      const at = versionOf.at;
      links[at] = { ...(links[at] as Link), detail: `${versionOf.path} (${version ?? 'version unknown'}): ${versionOf.line}` };
    }
    for (const name of LINK_NAMES) {
      if (!links.some((l) => l.name === name)) add(name, 'skipped', 'not checked: an earlier link is broken');
    }
    links.sort((a, b) => LINK_NAMES.indexOf(a.name as never) - LINK_NAMES.indexOf(b.name as never));
    return { context: view?.contextName, clusterName, links, ok: !links.some((l) => l.status === 'fail') };
  };

  // --- kubeconfig and its exec command ---
  let plugin: PluginInput;
  let env: NodeJS.ProcessEnv = ports.env;
  if (input.direct) {
    plugin = input.direct;
    add('kubeconfig', 'skipped', `not read: -i ${plugin.id} names the cluster`);
    add('exec command', 'skipped', 'not read: no kubeconfig entry');
  } else {
    const found = ports.kubeconfig(input.context);
    if ('problem' in found) {
      add('kubeconfig', 'fail', found.problem, found.fix);
      return finish();
    }
    view = found;
    const c = view.cluster;
    const tls = c.insecure ? ', insecure-skip-tls-verify' : c.tlsServerName ? `, tls-server-name ${c.tlsServerName}` : '';
    const exec = view.user.exec;
    if (c.insecure) {
      add('kubeconfig', 'fail', `context "${view.contextName}" (${view.file}): cluster "${c.name}" at ${c.server} skips TLS verification`, 'a leaked token is then usable by anyone in the path: regenerate the entry with "bascule kubeconfig --merge" (both CAs, tls-server-name kubernetes.default.svc)');
    } else {
      add('kubeconfig', 'ok', `context "${view.contextName}" (${view.file}): cluster "${c.name}" at ${c.server}${tls}, user "${view.user.name}"`);
    }
    if (!exec) {
      add('exec command', 'fail', `user "${view.user.name}" runs no exec plugin (it uses ${view.user.kind})`, 'EKS needs a token plugin: regenerate the entry with "bascule kubeconfig --merge" (or aws eks update-kubeconfig)');
      return finish();
    }
    env = { ...ports.env, ...exec.env };
    const kind = pluginKind(exec.command);
    const path = ports.which(exec.command, env.PATH, dirname(view.file));
    const line = [exec.command, ...exec.args].join(' ');
    if (!path) {
      add('exec command', 'fail', `"${exec.command}" is not found on PATH (kubectl runs: ${line})`, `install it, or put its directory on the PATH kubectl runs with${kind === 'bascule' ? ' (or regenerate with "bascule kubeconfig --merge --command /path/to/bascule")' : ''}`);
      return finish();
    }
    if (exec.apiVersion === 'client.authentication.k8s.io/v1alpha1') {
      add('exec command', 'fail', `${path}: the entry asks for ${exec.apiVersion}, which kubectl removed in 1.24`, 'regenerate the entry ("bascule kubeconfig --merge"): it writes client.authentication.k8s.io/v1');
      return finish();
    }
    if (!kind) {
      add('exec command', 'fail', `${path} is not a plugin the doctor reads (bascule, aws eks get-token, aws-iam-authenticator): ${line}`, 'run "bascule doctor -i CLUSTER --role ARN" to check the AWS side directly');
      return finish();
    }
    const read = readPluginArgs(kind, exec.args, env);
    if ('problem' in read) {
      add('exec command', 'fail', read.problem, 'regenerate the entry ("bascule kubeconfig --merge")');
      return finish();
    }
    plugin = read;
    if (kind === 'bascule' && plugin.allowServers.length > 0) {
      try {
        checkServer({ ...(exec.provideClusterInfo ? { cluster: { server: c.server } } : {}) }, plugin.allowServers);
      } catch (error) {
        add('exec command', 'fail', `${path}: ${errText(error)}`, errHint(error));
        return finish();
      }
    }
    versionOf = { at: links.length, path, line, pending: ports.version(path, kind) };
    add('exec command', 'ok', `${path}: ${line}`);
  }

  const platform = safePlatform(ports);
  const platformError = platform && 'error' in platform ? platform.error : undefined;
  const plat = platform && !('error' in platform) ? platform : undefined;

  // --- cluster name: the TXT lookup and the allow-list ---
  if (plugin.noDns || (plugin.kind === 'bascule' && isPlainClusterName(plugin.id))) {
    clusterName = plugin.id;
    add('cluster name', 'ok', `${plugin.id} (${plugin.kind !== 'bascule' ? 'given to the plugin' : plugin.noDns ? '--no-dns' : 'no dot: the id is the cluster name'}: no TXT lookup)`);
  } else {
    const resolver = plugin.dnsServer ? `DNS server ${plugin.dnsServer}` : 'the system resolver';
    let answer;
    try {
      answer = await ports.lookupTxt(plugin.id, { server: plugin.dnsServer, timeoutMs: plugin.dnsTimeoutMs });
    } catch (error) {
      add('cluster name', 'fail', errText(error), errHint(error));
      return finish();
    }
    const raw =
      answer.kind === 'records'
        ? answer.records.map((r) => JSON.stringify(r.join(''))).join(', ') || 'no values'
        : answer.kind === 'cname'
          ? `a CNAME to ${JSON.stringify(answer.target)}, no TXT record`
          : `no record (${answer.reason})`;
    const skipped = answer.kind === 'records' ? answer.records.filter((r) => isExternalDnsRegistryRecord(r.join(''))).length : 0;
    const lookup = `TXT ${plugin.id} via ${resolver}: ${raw}${skipped ? ` (${skipped} ExternalDNS registry record${skipped > 1 ? 's' : ''} skipped)` : ''}`;
    let resolved;
    try {
      resolved = clusterNameFromTxt(plugin.id, answer);
    } catch (error) {
      add('cluster name', 'fail', `${lookup}: ${errText(error)}`, errHint(error));
      return finish();
    }
    const allow = plugin.allowClusters.length ? plugin.allowClusters.join(', ') : 'none';
    try {
      assertAllowed(resolved, plugin.id, plugin.allowClusters);
    } catch {
      add(
        'cluster name',
        'fail',
        `${lookup} -> ${resolved.clusterName}, which the allow-list (${allow}) refuses: the plugin will not sign`,
        `if ${resolved.clusterName} is one of your clusters, add --allow-cluster ${resolved.clusterName} to the exec args (bascule kubeconfig writes the platform's clusters there); otherwise the TXT record at ${plugin.id} is wrong or tampered with: make it name the live cluster`,
      );
      return finish();
    }
    clusterName = resolved.clusterName;
    const known = plat ? (['blue', 'green'] as const).find((colour) => plat.clusters[colour].name === clusterName) : undefined;
    if (plat && !known) {
      add('cluster name', 'fail', `${lookup} -> ${clusterName}, which is neither cluster of ${plat.source} (${plat.clusters.blue.name}, ${plat.clusters.green.name})`, `make the TXT record at ${plugin.id} name the live cluster (${plat.clusters[plat.live].name} per ${plat.source})`);
      return finish();
    }
    const colour = known && plat ? `; ${known} in ${plat.source}${plat.live === known ? ', the live colour' : `, NOT the live colour (${plat.live})`}` : '';
    add('cluster name', 'ok', `${lookup} -> ${clusterName} (${resolved.source === 'txt' ? 'from the TXT record' : 'no TXT value: the id itself'}; allow-list ${allow}${colour})`);
  }

  // --- region, credentials, role ---
  let files: AwsFiles | undefined;
  const awsFiles = () => (files ??= readAwsFiles(env));
  const profileName = selectedProfile(plugin.profile, env).name;
  let region: string | undefined;
  let regionFrom: string;
  if (plugin.region) [region, regionFrom] = [plugin.region, 'the plugin\'s --region'];
  else if (env.AWS_REGION) [region, regionFrom] = [env.AWS_REGION, 'AWS_REGION'];
  else if (env.AWS_DEFAULT_REGION) [region, regionFrom] = [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'];
  else {
    try {
      region = profileSettings(awsFiles(), profileName)?.region;
    } catch (error) {
      add('region', 'fail', errText(error), errHint(error));
      return finish();
    }
    regionFrom = `profile ${profileName}`;
  }
  if (!region && plugin.kind !== 'aws-cli') {
    // As the token (and aws-iam-authenticator): us-east-1, whose STS host every cluster of the aws partition accepts.
    [region, regionFrom] = [FALLBACK_REGION, 'no region set: the plugin\'s fallback, as aws-iam-authenticator\'s'];
  }
  if (!region) {
    add('region', 'fail', 'no AWS region: not in the plugin\'s args, AWS_REGION, AWS_DEFAULT_REGION nor the profile', 'add --region REGION to the exec args (bascule kubeconfig does), or set AWS_REGION, or "region =" in the profile');
    return finish();
  }
  let partition: PartitionId;
  try {
    partition = partitionOf(region).name as PartitionId;
  } catch (error) {
    add('region', 'fail', errText(error), errHint(error));
    return finish();
  }
  add('region', 'ok', `${region} (from ${regionFrom}; partition ${partition})`);

  const ctx: CredentialContext = { env, profileFlag: plugin.profile, region, timeoutMs: input.stsTimeoutMs };
  let plan: CredentialPlan;
  let source: { credentials: AwsCredentials; origin: string };
  try {
    // The chain bascule's token walks (botocore's order): the source it takes, then its credentials.
    plan = ports.credentials.plan(ctx);
    source = await ports.credentials.source(ctx, plan);
  } catch (error) {
    add('credentials', 'fail', errText(error), errHint(error) ?? 'export AWS credentials, set AWS_PROFILE, or run "aws sso login"');
    return finish();
  }
  let credentials = source.credentials;
  const provider = `${describeSource(plan)}${plan.kind === 'env' && credentials.sessionToken ? ' with AWS_SESSION_TOKEN' : ''}`;
  const now = ports.now();
  if (credentials.expiration && credentials.expiration.getTime() <= now.getTime()) {
    add('credentials', 'fail', `${provider}: expired at ${iso(credentials.expiration)}`, 'refresh them (aws sso login, new keys or session token, the credential_process) and retry');
    return finish();
  }
  const expiry = credentials.expiration ? `expire at ${iso(credentials.expiration)} (in ${duration(credentials.expiration.getTime() - now.getTime())})` : credentials.sessionToken ? 'temporary, expiry unknown' : 'long-term keys, no expiry';
  add('credentials', 'ok', `${provider}; ${expiry}`);

  if (plugin.roleArn) {
    const session = { sourceIdentity: plugin.sourceIdentity ?? null, tags: Object.fromEntries(plugin.tags) };
    const marks = [plugin.sourceIdentity && `source identity ${plugin.sourceIdentity}`, plugin.tags.length && `tags ${plugin.tags.map(([k, v]) => `${k}=${v}`).join(', ')}`].filter(Boolean);
    try {
      let sessionName: string | undefined;
      ({ credentials, sessionName } = await ports.credentials.assumeRole(ctx, source, {
        roleArn: plugin.roleArn,
        sessionName: plugin.sessionName,
        forwardSessionName: plugin.forwardSessionName,
        externalId: plugin.externalId,
        durationSeconds: plugin.durationSeconds,
        sourceIdentity: plugin.sourceIdentity,
        tags: plugin.tags,
      }));
      const until = credentials.expiration ? `, until ${iso(credentials.expiration)}` : '';
      links.push({ name: 'assume role', status: 'ok', detail: `${plugin.roleArn} (session ${[sessionName ?? 'forwarded', ...marks].join(', ')}${until})`, fix: undefined, session });
    } catch (error) {
      links.push({ name: 'assume role', status: 'fail', detail: errText(error), fix: errHint(error), session });
      return finish();
    }
  } else {
    add('assume role', 'skipped', 'no role: the token carries the credentials\' own identity');
  }

  // --- identity: a token as the plugin makes it, sent to STS as EKS does ---
  let token: string;
  let verified: Verified;
  try {
    token = (await ports.presign({ credentials, region, clusterName, now: ports.now() })).token;
  } catch (error) {
    add('identity', 'fail', `cannot sign a token: ${errText(error)}`, errHint(error));
    return finish();
  }
  const result = await verifyToken(
    { token, clusterName, partition: PARTITIONS.includes(partition) ? partition : 'aws', stsEndpoint: env.AWS_ENDPOINT_URL_STS || undefined, timeoutMs: input.stsTimeoutMs },
    { now: ports.now, send: ports.sendPresigned },
  );
  if (!result.ok) {
    add('identity', 'fail', `a token for ${clusterName}: ${result.class}: ${result.reason}`, result.hint);
    return finish();
  }
  verified = result;
  const id = verified.identity;
  add('identity', 'ok', `${id.arn}${id.canonicalArn !== id.arn ? ` -> ${id.canonicalArn}` : ''} (account ${id.account}, user id ${id.userId}${id.sessionName ? `, session ${id.sessionName}` : ''})`);

  if (verified.stsDate) {
    const skew = verified.receivedAt.getTime() - verified.stsDate.getTime();
    const words = Math.abs(skew) < 2000 ? 'in step with STS (within the Date header\'s second)' : `${duration(skew)} ${skew > 0 ? 'ahead of' : 'behind'} STS`;
    if (Math.abs(skew) > MAX_SKEW_MS) add('clock', 'fail', `this machine's clock is ${words}`, 'tokens are dated by this clock and EKS allows 15 minutes: sync it (timedatectl set-ntp true, or chrony/ntpd)');
    else add('clock', 'ok', `this machine's clock is ${words}`);
  } else {
    add('clock', 'unknown', 'STS sent no Date header');
  }

  // --- the API target: the kubeconfig's, else the platform's for that cluster ---
  let target: ApiTarget | undefined;
  if (view) target = view.cluster;
  else if (plat) {
    const c = (['blue', 'green'] as const).map((colour) => plat.clusters[colour]).find((x) => x.name === clusterName);
    if (c?.endpoint) {
      let caPem: string | undefined;
      try {
        caPem = c.ca?.kind === 'pem' ? c.ca.pem : c.ca?.kind === 'file' ? ports.readFile(c.ca.file) : undefined;
      } catch {
        caPem = undefined; // the API link then says the certificate does not verify
      }
      target = { server: c.endpoint, caPem, tlsServerName: c.tlsServerName, insecure: false };
    }
  }
  const kube = target ? ports.kube(target) : undefined;

  // --- mapping: the platform's access level, aws-auth, access entries ---
  const canonical = id.canonicalArn;
  const parts: string[] = [];
  let mapped = false;
  let unmappedEverywhere = true;
  if (plat) {
    const level = platformAccessLevel(plat, canonical);
    parts.push(level ? `access level ${level.name} in ${plat.source} (groups ${level.groups.join(', ') || 'none'})` : `no access level of ${plat.source} has role ${canonical}`);
  }
  let awsAuth: AwsAuthReading | undefined;
  if (kube) {
    const answer = await kube.awsAuth(token);
    if (answer.status === 200) awsAuth = matchAwsAuth(answer.json, canonical);
    else if (answer.status === 404) awsAuth = { status: 'no-match', entries: 0 };
    else awsAuth = { status: 'unreadable', reason: answer.status === 'unreachable' ? answer.reason : answer.status === 401 ? 'the API refused the token (401)' : answer.status === 403 ? 'not permitted to read it (403)' : `HTTP ${answer.status}` };
    if (awsAuth.status === 'match') {
      mapped = true;
      parts.push(`aws-auth maps ${awsAuth.match.kind} ${awsAuth.match.arn} to ${awsAuth.match.username ? `user ${awsAuth.match.username}, ` : ''}groups ${awsAuth.match.groups.join(', ') || 'none'}`);
    } else if (awsAuth.status === 'no-match') parts.push(answer.status === 404 ? 'no aws-auth ConfigMap' : `aws-auth does not map it (${awsAuth.entries} entries)`);
    else {
      unmappedEverywhere = false;
      parts.push(`aws-auth unread: ${awsAuth.reason}`);
    }
  } else {
    unmappedEverywhere = false;
    parts.push('aws-auth unread: no API endpoint known');
  }
  let entry: AccessEntryLookup;
  try {
    entry = await ports.accessEntries({ clusterName, region, credentials, principalArn: canonical, profileFlag: plugin.profile, env });
  } catch (error) {
    entry = { status: 'error', reason: errText(error) };
  }
  if (entry.status === 'found') {
    mapped = true;
    parts.push(`access entry${entry.type ? ` (${entry.type})` : ''}${entry.username ? ` as ${entry.username}` : ''}, groups ${entry.groups.join(', ') || 'none'}`);
  } else if (entry.status === 'absent') parts.push(`no access entry for it (${entry.count} in ${clusterName}${entry.mode ? `, authentication mode ${entry.mode}` : ''})`);
  else {
    unmappedEverywhere = false;
    parts.push(`access entries unread: ${entry.reason}`);
  }
  const mapFix = `map ${canonical} in ${clusterName}: an access entry (aws eks create-access-entry --cluster-name ${clusterName} --principal-arn ${canonical}, then associate an access policy) or a mapRoles entry in aws-auth${plat ? ` — "bascule manifests --config ${plat.source}" writes both for its access levels` : ''}`;
  // The API's own answer settles what could not be read: an identity that
  // cannot read aws-auth (401) is not mapped there either.
  const review = kube ? await kube.selfSubjectReview(token) : undefined;
  const refused = review?.status === 401;
  if (platformError) add('mapping', 'fail', `the platform file cannot be read: ${platformError}; ${parts.join('; ')}`, 'fix the platform file (bascule kubeconfig and manifests read it too), or leave out --config');
  else if (mapped) add('mapping', 'ok', parts.join('; '));
  else if (unmappedEverywhere) add('mapping', 'fail', `${canonical} is mapped nowhere: ${parts.join('; ')}`, mapFix);
  else if (entry.status === 'absent' && entry.mode === 'API') {
    add('mapping', 'fail', `${canonical} has no access entry, and ${clusterName} reads nothing else (authentication mode API): ${parts.join('; ')}`, mapFix);
  } else add('mapping', 'unknown', parts.join('; '), `${refused ? 'the API refuses the token: ' : 'if the API refuses the token, '}${mapFix}`);

  // --- bascule's cached token for the same key ---
  if (plugin.kind === 'bascule' && plugin.cache) {
    try {
      // The token's own key (src/token/aws-port.ts): the selected profile unless the environment's keys sign.
      const cached = ports.cachedToken(tokenCacheKey(clusterName, region, plugin, { profile: plan.kind === 'env' ? null : profileName, identity: planIdentity(plan) }));
      const now = ports.now().getTime();
      if (!cached) add('cached token', 'ok', 'none cached for this cluster and identity: the next kubectl call signs one');
      else if (cached.expiresAt.getTime() <= now) add('cached token', 'ok', `one signed ${duration(now - cached.signedAt.getTime())} ago, expired: the next kubectl call signs a new one`);
      else add('cached token', 'ok', `signed ${duration(now - cached.signedAt.getTime())} ago, valid until ${iso(cached.expiresAt)} (kubectl gets it; "bascule cache clear" forgets it)`);
    } catch (error) {
      add('cached token', 'unknown', `cannot read the cache: ${errText(error)}`);
    }
  } else {
    add('cached token', 'skipped', plugin.kind === 'bascule' ? 'the plugin runs with --no-cache' : `${plugin.kind} keeps no token cache`);
  }

  // --- the API's own answer ---
  if (!kube || !target) {
    add('API', 'skipped', 'no API endpoint known: use a kubeconfig context, or --config with the cluster\'s endpoint');
    return finish();
  }
  if (!review) return finish();
  if (review.status === 'unreachable') {
    add('API', 'fail', `${target.server}: ${review.reason}`, 'check the server address, the CA and tls-server-name in the kubeconfig, and the network (VPN, endpoint access)');
  } else if (review.status === 201 || review.status === 200) {
    const user = review.json?.status?.userInfo ?? {};
    const groups: string[] = Array.isArray(user.groups) ? user.groups.map(String) : [];
    add('API', 'ok', `${target.server} knows you as ${JSON.stringify(String(user.username ?? '?'))}, groups ${groups.join(', ') || 'none'} (SelfSubjectReview, as kubectl auth whoami)`);
  } else if (review.status === 401) {
    const txt = !plugin.noDns ? `the TXT record at ${plugin.id} names ${clusterName}: check it names the cluster behind ${target.server}` : `check that ${target.server} is ${clusterName}'s API`;
    const fix = `STS accepts the identity, so either the API at ${target.server} is not ${clusterName}'s (${txt}), or ${canonical} is not mapped in it: ${mapFix}`;
    add('API', 'fail', `${target.server} refused a token for ${clusterName} (401 Unauthorized)`, fix);
  } else if (review.status === 403) {
    add('API', 'ok', `${target.server} accepts the token (SelfSubjectReview itself is forbidden: 403)`);
  } else if (review.status === 404) {
    add('API', 'unknown', `${target.server} has no SelfSubjectReview (authentication.k8s.io/v1 needs Kubernetes 1.28+)`, 'run "kubectl auth whoami" or any kubectl get to see how the API answers');
  } else {
    add('API', 'fail', `${target.server} answered ${review.status}${typeof review.json?.message === 'string' ? `: ${review.json.message}` : ''}`, 'check the cluster\'s health');
  }
  return finish();
}

function safePlatform(ports: DoctorPorts): Platform | { error: string } | undefined {
  try {
    return ports.platform();
  } catch (error) {
    return { error: errText(error).split('\n')[0] as string };
  }
}

/** The chain's source as src/aws names it, and for a role profile what assumes it; never a secret. */
function describeSource(plan: CredentialPlan): string {
  const what = describePlan(plan);
  return plan.kind === 'assume-role' ? `${what}, assumed with ${describeSource(plan.source)}` : what;
}
