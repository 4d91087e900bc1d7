/**
 * Which hosts the EKS authenticator takes as STS endpoints of a partition:
 * aws-iam-authenticator pkg/token/token.go, verifyHost ->
 * verifySTSHostnameFormat and getStsRegion (v0.7, since the move to
 * aws-sdk-go-v2's endpoint resolver), with pkg/endpoints/partitions.go's
 * domains. It checks a format, not a list of regions:
 *
 * 1. the host (as url.Parse leaves it: port included, case kept) is split on
 *    "."; fewer than three labels, or no host, is refused;
 * 2. its "region" is the second label ("global" for sts.amazonaws.com); a
 *    region "global" is accepted at once in partition aws and refused in
 *    the others: so any host whose second label is "global" passes in aws;
 * 3. the region must look like one (ASCII letters, digits, inner "-");
 * 4. the host must be one of the four the SDK's STS resolver builds for that
 *    region (FIPS or not, dual-stack or not), in the partition the SDK files
 *    the region under (aws when none matches, so an unknown region, even
 *    "EU-WEST-1", gets aws's names);
 * 5. the labels after the region must be the verifier partition's domain or
 *    dual-stack domain: aws and aws-us-gov share theirs, so each accepts the
 *    other's hosts.
 *
 * The authenticator also accepts the names built from its own region (the
 * cluster's) when step 4 fails; `verify` does not know the cluster's region,
 * and for the three partitions bascule knows that fallback adds no name (the
 * SDK files each of their regions under its own partition).
 */
/** The partitions the authenticator knows (its --partition) that bascule signs for. */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type PartitionId = (typeof PARTITIONS)[number];

interface SdkPartition {
  readonly id: string;
  readonly regionRegex: RegExp;
  /** Regions listed by name that the pattern does not match. */
  readonly named: readonly string[];
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
}

/** The AWS SDKs' partitions.json (aws-sdk-go-v2 internal/endpoints/awsrulesfn), what STS endpoints need of it. */
const SDK_PARTITIONS: readonly SdkPartition[] = [
  { id: 'aws', regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, named: ['aws-global'], dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
  { id: 'aws-cn', regionRegex: /^cn-\w+-\d+$/, named: ['aws-cn-global'], dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn' },
  { id: 'aws-eusc', regionRegex: /^eusc-(de)-\w+-\d+$/, named: [], dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu' },
  { id: 'aws-iso', regionRegex: /^us-iso-\w+-\d+$/, named: ['aws-iso-global'], dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov' },
  { id: 'aws-iso-b', regionRegex: /^us-isob-\w+-\d+$/, named: ['aws-iso-b-global'], dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud' },
  { id: 'aws-iso-e', regionRegex: /^eu-isoe-\w+-\d+$/, named: ['aws-iso-e-global'], dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk' },
  { id: 'aws-iso-f', regionRegex: /^us-isof-\w+-\d+$/, named: ['aws-iso-f-global'], dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov' },
  { id: 'aws-us-gov', regionRegex: /^us-gov-\w+-\d+$/, named: ['aws-us-gov-global'], dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
];

/** pkg/endpoints GetSTSPartitionDomain and GetSTSDualStackPartitionDomain. */
const PARTITION_DOMAINS: Readonly<Record<PartitionId, readonly [string, string]>> = {
  aws: ['amazonaws.com', 'api.aws'],
  'aws-cn': ['amazonaws.com.cn', 'api.amazonwebservices.com.cn'],
  'aws-us-gov': ['amazonaws.com', 'api.aws'],
};

/** awsrulesfn getPartition: a region listed by name, else the first pattern it matches, else aws. */
function sdkPartitionOf(region: string): SdkPartition {
  return (
    SDK_PARTITIONS.find((p) => p.named.includes(region)) ?? SDK_PARTITIONS.find((p) => p.regionRegex.test(region)) ?? (SDK_PARTITIONS[0] as SdkPartition)
  );
}

/** The hosts sts.NewDefaultEndpointResolverV2 gives for a region, FIPS and dual-stack each on and off (every partition supports both). */
export function resolvedStsHosts(region: string): string[] {
  const p = sdkPartitionOf(region);
  return [
    `sts-fips.${region}.${p.dualStackDnsSuffix}`,
    p.id === 'aws-us-gov' ? `sts.${region}.amazonaws.com` : `sts-fips.${region}.${p.dnsSuffix}`,
    `sts.${region}.${p.dualStackDnsSuffix}`,
    region === 'aws-global' ? 'sts.amazonaws.com' : `sts.${region}.${p.dnsSuffix}`,
  ];
}

/** Undefined when the authenticator takes `host` as an STS endpoint of `partition`; else why not (a predicate of the host). */
export function stsHostProblem(partition: PartitionId, host: string): string | undefined {
  if (host === '') return 'is empty';
  const labels = host.split('.');
  if (labels.length < 3) return 'has fewer than three labels';
  const region = host === 'sts.amazonaws.com' ? 'global' : (labels[1] as string);
  if (region === 'global') return partition === 'aws' ? undefined : 'is the global endpoint, which only partition aws has';
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(region)) return 'has no region as its second label';
  if (!resolvedStsHosts(region).includes(host)) return 'is not a name the AWS SDK gives an STS endpoint';
  const domain = labels.slice(2).join('.');
  if (!PARTITION_DOMAINS[partition].includes(domain)) return 'belongs to another partition';
  return undefined;
}

export const isStsHostOf = (partition: PartitionId, host: string): boolean => stsHostProblem(partition, host) === undefined;
