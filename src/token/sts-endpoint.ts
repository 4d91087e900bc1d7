/**
 * The STS host an EKS token must name, per region. The token always names the
 * public regional STS endpoint of the region's partition: the EKS authenticator
 * rejects any other host, whatever endpoint the AssumeRole call itself used.
 */
import { usageError } from '../errors.js';

interface Partition {
  readonly name: string;
  readonly regionPattern: RegExp;
  readonly dnsSuffix: string;
}

// Most specific first: "us-gov-" and "us-iso-" regions would also match aws's pattern.
const PARTITIONS: readonly Partition[] = [
  { name: 'aws-cn', regionPattern: /^cn-[a-z]+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
  { name: 'aws-us-gov', regionPattern: /^us-gov-[a-z]+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { name: 'aws-iso', regionPattern: /^us-iso-[a-z]+-\d+$/, dnsSuffix: 'c2s.ic.gov' },
  { name: 'aws-iso-b', regionPattern: /^us-isob-[a-z]+-\d+$/, dnsSuffix: 'sc2s.sgov.gov' },
  { name: 'aws-iso-e', regionPattern: /^eu-isoe-[a-z]+-\d+$/, dnsSuffix: 'cloud.adc-e.uk' },
  { name: 'aws-iso-f', regionPattern: /^us-isof-[a-z]+-\d+$/, dnsSuffix: 'csp.hci.ic.gov' },
  { name: 'aws-eusc', regionPattern: /^eusc-[a-z]+-[a-z]+-\d+$/, dnsSuffix: 'amazonaws.eu' },
  { name: 'aws', regionPattern: /^[a-z]{2}(-[a-z]+)+-\d+$/, dnsSuffix: 'amazonaws.com' },
];

export function partitionOf(region: string): Partition {
  const partition = PARTITIONS.find((p) => p.regionPattern.test(region));
  if (!partition) {
    throw usageError(
      `"${region}" is not an AWS region name`,
      'pass a region such as eu-west-1 with --region, AWS_REGION or the profile',
    );
  }
  return partition;
}

/** `sts.<region>.<partition dns suffix>` */
export function stsHost(region: string): string {
  return `sts.${region}.${partitionOf(region).dnsSuffix}`;
}
