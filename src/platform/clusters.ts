/**
 * Each cluster's connection details (endpoint, CA, TLS name), from the
 * platform file (inline or CA file) or, with --fetch, from EKS. Every missing
 * or bad value is reported with the key or file at fault, all at once.
 */
import { readFileSync } from 'node:fs';
import { BasculeError } from '../errors.js';
import { systemProblem } from '../system-error.js';
import type { DescribedCluster } from './eks.js';
import type { Colour, Platform } from './model.js';
import { checkCaData, checkCaPem } from './pem.js';
import { COLOURS, isHttpsBaseUrl } from './schema.js';

/** How to reach one cluster's API: its name, endpoint, CA and the TLS server name to verify. */
export interface ClusterAccess {
  readonly name: string;
  readonly endpoint: string;
  /** Canonical PEM, one or more CA certificates. */
  readonly caPem: string;
  readonly tlsServerName: string | undefined;
}

export interface ClusterSourcePorts {
  readonly readFile: (file: string) => string;
}

export const fileSystem: ClusterSourcePorts = { readFile: (file) => readFileSync(file, 'utf8') };

export interface ResolvedClusters {
  readonly clusters: Record<Colour, ClusterAccess>;
  /** Things worth telling the user (stderr), e.g. the file disagrees with EKS. */
  readonly notes: string[];
}

/** Checks what EKS returned for one colour (pure). */
export function checkDescribed(platform: Platform, colour: Colour, described: DescribedCluster): { endpoint: string; caPem: string } {
  const name = platform.clusters[colour].name;
  const fail = (what: string, hint?: string) =>
    new BasculeError('aws', `EKS DescribeCluster ${name} (clusters.${colour}): ${what}`, { hint: hint ?? 'nothing was written' });
  const account = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):(\d{12}):cluster\//.exec(described.arn ?? '');
  if (account && account[2] !== platform.aws.accountId) {
    throw fail(`the cluster is in account ${account[2]}, not aws.accountId ${platform.aws.accountId}`, 'check the credentials --fetch uses, or aws.accountId');
  }
  if (!described.endpoint) throw fail(`EKS returned no endpoint (status ${described.status ?? 'unknown'})`, 'wait until the cluster is ACTIVE, then retry');
  const endpoint = described.endpoint.replace(/\/$/, '');
  if (!isHttpsBaseUrl(endpoint)) throw fail(`the endpoint ${JSON.stringify(endpoint)} is not an https:// URL`);
  if (described.caData === undefined || described.caData === '') throw fail('EKS returned no certificateAuthority.data', 'wait until the cluster is ACTIVE, then retry');
  const ca = checkCaData(described.caData);
  if (!ca.ok) {
    throw fail(`certificateAuthority.data ${ca.reason}`, 'bascule puts only a verified CA certificate in a kubeconfig; set clusters.<colour>.ca in the platform file instead of fetching it');
  }
  return { endpoint, caPem: ca.pem };
}

export function resolveClusters(platform: Platform, ports: ClusterSourcePorts, fetched?: Readonly<Record<Colour, DescribedCluster>>): ResolvedClusters {
  const problems: string[] = [];
  const notes: string[] = [];
  const out = {} as Record<Colour, ClusterAccess>;
  for (const colour of COLOURS) {
    const c = platform.clusters[colour];
    let endpoint = c.endpoint;
    let caPem: string | undefined;
    if (fetched) {
      const got = checkDescribed(platform, colour, fetched[colour]);
      if (endpoint !== undefined && endpoint !== got.endpoint) {
        notes.push(`clusters.${colour}.endpoint in ${platform.source} is ${endpoint}; EKS says ${got.endpoint}: using EKS's`);
      }
      endpoint = got.endpoint;
      caPem = got.caPem;
    } else {
      if (endpoint === undefined) problems.push(`clusters.${colour}.endpoint is not set; expected the cluster's API endpoint (or pass --fetch to read it from EKS)`);
      if (c.ca === undefined) problems.push(`clusters.${colour}.ca is not set; expected file, data or pem (or pass --fetch to read it from EKS)`);
      else if (c.ca.kind === 'pem') caPem = c.ca.pem;
      else {
        let text: string | undefined;
        try {
          text = ports.readFile(c.ca.file);
        } catch (error) {
          problems.push(`${c.ca.path}: cannot read the CA file ${c.ca.file}: ${systemProblem(error)}`);
        }
        if (text !== undefined) {
          const check = checkCaPem(text);
          if (check.ok) caPem = check.pem;
          else problems.push(`${c.ca.path}: the CA file ${c.ca.file} ${check.reason}`);
        }
      }
    }
    if (endpoint !== undefined && caPem !== undefined) out[colour] = { name: c.name, endpoint, caPem, tlsServerName: c.tlsServerName };
  }
  if (problems.length > 0) {
    throw new BasculeError('config', `${platform.source}: cannot connect the clusters:\n${problems.map((p) => `  ${p}`).join('\n')}`, { hint: 'nothing was written' });
  }
  return { clusters: out, notes };
}
