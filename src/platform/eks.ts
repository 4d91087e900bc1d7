/**
 * The EKS adapter of `--fetch`: DescribeCluster for each colour. Returns what
 * EKS said, unchecked; the caller checks it (pem.ts) and names what is wrong.
 * The SDK reads the standard credential chain and AWS_ENDPOINT_URL_EKS.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { BasculeError, redact } from '../errors.js';

export interface DescribedCluster {
  readonly name: string;
  readonly arn: string | undefined;
  readonly status: string | undefined;
  readonly endpoint: string | undefined;
  readonly caData: string | undefined;
}

export type DescribeClusters = (names: readonly string[], options: { region: string; profile: string | undefined }) => Promise<DescribedCluster[]>;

function eksError(name: string, region: string, error: unknown): BasculeError {
  const kind = (error as { name?: string }).name ?? 'Error';
  const code = (error as { code?: string }).code;
  const message = redact(String((error as { message?: string }).message ?? error)).split('\n')[0];
  switch (kind) {
    case 'ResourceNotFoundException':
      return new BasculeError('aws', `EKS has no cluster named ${name} in ${region}`, { hint: 'check clusters.<colour>.name, aws.region and the account your credentials reach' });
    case 'AccessDeniedException':
    case 'UnauthorizedException':
      return new BasculeError('aws', `EKS DescribeCluster ${name} was denied: ${message}`, { hint: 'the identity running --fetch needs eks:DescribeCluster on both clusters' });
    case 'CredentialsProviderError':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new BasculeError('credentials', `EKS DescribeCluster ${name}: no usable AWS credentials (${kind})`, { hint: 'export credentials, set AWS_PROFILE or pass --profile, then retry' });
    default:
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || kind === 'TimeoutError') {
        return new BasculeError('aws', `EKS DescribeCluster ${name} failed: cannot reach EKS (${code ?? kind})`, { hint: 'check the network and any AWS_ENDPOINT_URL_EKS override' });
      }
      return new BasculeError('aws', `EKS DescribeCluster ${name} failed: ${kind}: ${message}`);
  }
}

export const describeClusters: DescribeClusters = async (names, { region, profile }) => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new EKSClient({ region, maxAttempts: 3, ...(profile ? { profile } : {}) });
  try {
    return await Promise.all(
      names.map(async (name) => {
        try {
          const { cluster } = await client.send(new DescribeClusterCommand({ name }));
          return { name, arn: cluster?.arn, status: cluster?.status, endpoint: cluster?.endpoint, caData: cluster?.certificateAuthority?.data };
        } catch (error) {
          throw eksError(name, region, error);
        }
      }),
    );
  } finally {
    client.destroy();
  }
};
