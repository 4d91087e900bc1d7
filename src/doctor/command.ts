/**
 * `bascule doctor`: flags in, the ports wired, the report out (text with
 * ✓/✗ and the fix under each broken link, or JSON). Exit 0 when every link
 * holds, 1 when one is broken.
 */
import { readFileSync } from 'node:fs';
import { parseAwsTimeout } from '../aws/identity.js';
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseDurationFlag } from '../vocabulary.js';
import { escapeControl } from '../text.js';
import { loadingPrecedence } from '../kubeconfig/rules.js';
import { runDoctor, type DoctorReport, type LinkStatus } from './doctor.js';
import type { PluginInput } from './plugin.js';
import type { DoctorPorts } from './ports.js';
import { lookupTxt, parseTokenInput } from './token-rules.js';

export interface DoctorFlags {
  context?: string;
  clusterId?: string;
  config?: string;
  role?: string;
  region?: string;
  profile?: string;
  dnsServer?: string;
  allowCluster?: string[];
  dns?: boolean;
  output?: string;
  timeout?: string;
  awsTimeout?: string;
}

export class DoctorFailure extends BasculeError {
  override get exitCode(): number {
    return 1;
  }
}

const MARK: Record<LinkStatus, string> = { ok: '✓', fail: '✗', unknown: '?', skipped: '–' };

export function reportText(report: DoctorReport): string {
  const width = Math.max(...report.links.map((l) => l.name.length));
  const kubeconfig = report.links.find((l) => l.name === 'kubeconfig');
  // No context: either -i named the cluster (no kubeconfig read), or the kubeconfig link says what is missing.
  // The links quote the kubeconfig (names, servers, exec args): nothing in it may act on the terminal.
  const subject = report.context !== undefined ? `context "${escapeControl(report.context)}"` : kubeconfig?.status === 'skipped' ? 'no kubeconfig (-i names the cluster)' : 'no context to check (see the kubeconfig link)';
  const lines = [`bascule doctor: ${subject}${report.clusterName ? `, cluster ${report.clusterName}` : ''}`, ''];
  for (const l of report.links) {
    lines.push(`${MARK[l.status]} ${l.name.padEnd(width)}  ${escapeControl(l.detail)}`);
    if (l.fix && l.status !== 'ok' && l.status !== 'skipped') lines.push(`  ${' '.repeat(width)}  fix: ${escapeControl(l.fix)}`);
  }
  const broken = report.links.filter((l) => l.status === 'fail');
  lines.push('', broken.length === 0 ? 'every link holds' : `${broken.length} link${broken.length > 1 ? 's' : ''} broken: ${broken.map((l) => l.name).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function reportJson(report: DoctorReport) {
  return {
    ok: report.ok,
    context: report.context ?? null,
    cluster: report.clusterName ?? null,
    links: report.links.map((l) => ({ name: l.name, status: l.status, detail: l.detail, fix: l.fix ?? null, ...(l.session ? { session: l.session } : {}) })),
  };
}

function directInput(flags: DoctorFlags, env: NodeJS.ProcessEnv): PluginInput | undefined {
  if (flags.clusterId === undefined) return undefined;
  const input = parseTokenInput(
    {
      clusterId: flags.clusterId,
      role: flags.role,
      region: flags.region,
      profile: flags.profile,
      dnsServer: flags.dnsServer,
      allowCluster: flags.allowCluster,
      ...(flags.dns === false ? { dns: false } : {}),
    },
    env,
  );
  return { kind: 'bascule', ...input };
}

export async function doctorCommand(flags: DoctorFlags, io: Io): Promise<void> {
  const output = flags.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw usageError(`--output ${JSON.stringify(output)} is not text or json`, 'give --output text (the default) or --output json');
  if (flags.context !== undefined && flags.clusterId !== undefined) throw usageError('--context and -i are exclusive', 'give a kubeconfig context, or the cluster (with --role, --region...) without one');
  if (flags.clusterId === undefined && (flags.role || flags.region || flags.profile || flags.dnsServer || flags.allowCluster || flags.dns === false)) {
    throw usageError('--role, --region, --profile, --dns-server, --allow-cluster and --no-dns go with -i', 'with a kubeconfig context, the doctor reads them from the exec entry');
  }
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout ?? '10s', { min: 1000, max: 120_000 });
  // The AWS work (credentials, role, STS, EKS) within --aws-timeout, as every command; --timeout, the older spelling, still bounds it when --aws-timeout is not given.
  const awsTimeoutMs = parseAwsTimeout(flags.awsTimeout, timeoutMs);
  const direct = directInput(flags, io.env);
  // Found by the program (--config, BASCULE_CONFIG, the nearest platform.yaml up the tree); none: no platform checks.
  const configFile = flags.config;

  const [{ readKubeconfigs, selectContext }, adapters, { credentialsPort }, { presignedSender }, { readPlatform }] = await Promise.all([
    import('./kubeconfig.js'),
    import('./adapters.js'),
    import('./aws.js'),
    import('../authenticator/sts.js'),
    import('../platform/read.js'),
  ]);
  const ports: DoctorPorts = {
    env: io.env,
    now: io.now,
    kubeconfig: (context) => selectContext(readKubeconfigs(loadingPrecedence(undefined, io.env, io.cwd)), context),
    which: (command, path, baseDir) => adapters.which(command, path, baseDir),
    version: (path, kind) => adapters.commandVersion(path, kind, io.env),
    lookupTxt,
    credentials: credentialsPort(),
    presign: async (input) => (await import('../aws/presign.js')).presignToken(input),
    sendPresigned: presignedSender(io.env),
    platform: () => (configFile ? readPlatform(configFile, io.cwd) : undefined),
    readFile: (file) => readFileSync(file, 'utf8'),
    kube: (target) => adapters.kubeApi(target, timeoutMs, io.env),
    accessEntries: (input) => adapters.lookupAccessEntry({ ...input, timeoutMs: awsTimeoutMs }),
    cachedToken: (key) => adapters.readCachedToken(io.env, key),
  };
  const report = await runDoctor({ context: flags.context, direct, stsTimeoutMs: awsTimeoutMs }, ports);
  io.stdout(output === 'json' ? `${JSON.stringify(reportJson(report), null, 2)}\n` : reportText(report));
  if (!report.ok) {
    const broken = report.links.filter((l) => l.status === 'fail').map((l) => l.name);
    throw new DoctorFailure('check', `${broken.length} link${broken.length > 1 ? 's' : ''} broken: ${broken.join(', ')}`, { hint: output === 'json' ? 'each broken link carries its fix' : 'each ✗ line above says the fix' });
  }
}
