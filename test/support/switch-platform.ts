/**
 * What the switch world and the cut-over world share: the loopback platform
 * file (blue and green, the article's three zones, the test resolver), each
 * colour's four ExternalDNS Deployments as `bascule manifests` generates them,
 * and a resolver whose answers follow what Route53 holds.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { buildExternalDns } from '../../src/manifests/external-dns.js';
import { readPlatform } from '../../src/platform/read.js';
import { encodeName } from './route53-names.mjs';
import { TXT_NAME } from './world.js';

export { TXT_NAME };
export const API_NAME = 'api.devinfra.local';
export const LIVE = ['live-external-dns-private', 'live-external-dns-public'] as const;
export const CLUSTER_SCOPED = ['external-dns-private', 'external-dns-public'] as const;
export const ADMIN_ROLE = 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sadmin';
export const VPC = { blue: 'vpc-0b1e0000000000001', green: 'vpc-0a2e0000000000002' };
/** Each colour's live owner id (the live ExternalDNS of the private zone). */
export const OWNER = { blue: 'live-eks-blue.devinfra.local', green: 'live-eks-green.devinfra.local' };
/** Each colour's cluster-scoped owner id (its ExternalDNS of its private sub-domain). */
export const CLUSTER_OWNER = { blue: 'ingress-eks-blue.devinfra.local', green: 'ingress-eks-green.devinfra.local' };
/** The live ExternalDNS loop; the post-check waits at most 3 of them. */
export const INTERVAL = '1s';
/** The cluster-scoped instances only need to write once (their first loop runs when their pod starts). */
export const CLUSTER_INTERVAL = '5s';

export type Overrides = { apiZone?: string; txtZone?: string; live?: string };
export interface PlatformContext {
  zones: { api: string; txt: string; public: string };
  dnsAddress: string;
  api: { blue: { url: string }; green: { url: string } };
  /** Green's CA, inlined (blue's is a file beside the platform file: blue-ca.crt). */
  greenCaPem: string;
}

/** The platform file: comments and layout the switch must keep. */
export function platformText(ctx: PlatformContext, overrides: Overrides = {}): string {
  return [
    '# The loopback platform of the switch tests.',
    'name: devinfra',
    'aws:',
    '  accountId: "123456789012"',
    '  region: eu-west-3',
    '',
    '# The stable API name: the switch repoints this CNAME.',
    'api:',
    `  record: ${API_NAME}`,
    `  zoneId: ${overrides.apiZone ?? ctx.zones.api}   # moto's zone`,
    '  ttl: 5',
    '',
    'clusterNameRecord:',
    `  name: ${TXT_NAME}`,
    `  zoneId: ${overrides.txtZone ?? ctx.zones.txt}`,
    '  ttl: 5',
    `  dnsServer: ${ctx.dnsAddress}   # the test's resolver`,
    '',
    '# The colour serving production now.',
    `live: ${overrides.live ?? 'blue'}   # written by bascule switch`,
    '',
    'domains:',
    `  private: { name: devinfra.local, zoneId: ${ctx.zones.api} }`,
    `  public: { name: devinfra.fr, zoneId: ${ctx.zones.public} }`,
    '',
    'clusters:',
    '  blue:',
    '    name: eks-blue',
    `    endpoint: ${ctx.api.blue.url}`,
    '    tlsServerName: kubernetes.default.svc',
    `    vpcId: ${VPC.blue}`,
    '    ca:',
    '      file: blue-ca.crt',
    '  green:',
    '    name: eks-green',
    `    endpoint: ${ctx.api.green.url}`,
    '    tlsServerName: kubernetes.default.svc',
    `    vpcId: ${VPC.green}`,
    '    ca:',
    `      data: ${Buffer.from(ctx.greenCaPem).toString('base64')}`,
    '',
    'access:',
    '  - name: admin',
    `    roleArn: ${ADMIN_ROLE}`,
    '    groups: [system:masters]',
    '',
  ].join('\n');
}

/**
 * Each colour's four ExternalDNS Deployments as `bascule manifests` generates them for a blue-live platform
 * (live ones at 1 in blue, 0 in green), with the tests' loop intervals: { colour: { name: Deployment } }.
 */
export function externalDnsDeployments(platformFile: string, dir: string): Record<'blue' | 'green', Record<string, any>> {
  const platform = readPlatform(platformFile, dir);
  const of = (colour: 'blue' | 'green') =>
    Object.fromEntries(
      buildExternalDns({ ...platform, live: 'blue' }, colour)
        .filter((o) => o.kind === 'Deployment')
        .map((d: any) => {
          d.spec.template.spec.containers[0].args.push(`--interval=${d.metadata.name.startsWith('live-') ? INTERVAL : CLUSTER_INTERVAL}`);
          return [d.metadata.name, d];
        }),
    );
  return { blue: of('blue'), green: of('green') };
}

const unquote = (value: string) => [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1')).join('') || value;

/**
 * The DNS server's `resolve`: TXT and CNAME answers from what Route53 holds
 * (`records()`: every set of the zones), NXDOMAIN inside the test's domains.
 */
export const resolverFrom =
  (records: () => Promise<ResourceRecordSet[]>) =>
  async (name: string): Promise<{ txt?: string[]; cname?: string } | undefined> => {
    const listed = encodeName(name);
    const sets = (await records()).filter((r) => r.Name === listed);
    if (sets.length === 0) return name.endsWith('devinfra.local') || name.endsWith('devinfra.info') ? {} : undefined;
    const txt = sets.find((r) => r.Type === 'TXT');
    const cname = sets.find((r) => r.Type === 'CNAME');
    return {
      ...(txt ? { txt: (txt.ResourceRecords ?? []).map((r) => unquote(r.Value as string)) } : {}),
      ...(cname ? { cname: (cname.ResourceRecords?.[0]?.Value as string).replace(/\.$/, '') } : {}),
    };
  };
