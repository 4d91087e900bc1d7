/**
 * The EKS adapter of `--fetch`: DescribeCluster for each colour. Returns what
 * EKS said, unchecked; the caller checks it (pem.ts) and names what is wrong.
 * Who signs is the one AWS identity (src/aws/identity.ts), in the environment
 * the command was given; the endpoint comes from AWS_ENDPOINT_URL_EKS or the
 * profile. One deadline (--aws-timeout) bounds the credentials and every call.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { configuredEndpoint } from '../aws/config-files.js';
import { awsError } from '../aws/errors.js';
import { awsIdentity } from '../aws/identity.js';
import { ENDPOINT_BY_BASCULE, requestHandler } from '../aws/sdk.js';
import { BasculeError } from '../errors.js';

export interface DescribedCluster {
  readonly name: string;
  readonly arn: string | undefined;
  readonly status: string | undefined;
  readonly endpoint: string | undefined;
  readonly caData: string | undefined;
}

export interface DescribeOptions {
  readonly region: string;
  readonly profile: string | undefined;
  /** The command's environment (io.env): the credentials, the endpoint, the proxies. */
  readonly env: NodeJS.ProcessEnv;
  /** --aws-timeout: one bound over the credentials and every DescribeCluster call. */
  readonly timeoutMs: number;
}

export type DescribeClusters = (names: readonly string[], options: DescribeOptions) => Promise<DescribedCluster[]>;

function eksError(name: string, region: string, error: unknown): BasculeError {
  if ((error as { name?: string })?.name === 'ResourceNotFoundException') {
    return new BasculeError('aws', `EKS has no cluster named ${name} in ${region}`, { hint: 'check clusters.<colour>.name, aws.region and the account your credentials reach', cause: error });
  }
  return awsError({ service: 'EKS', operation: 'DescribeCluster', target: name }, error);
}

export const describeClusters: DescribeClusters = async (names, { region, profile, env, timeoutMs }) => {
  const who = awsIdentity({ env, region, timeoutMs }, profile);
  const source = await who.source();
  const { deadline } = source.context;
  const endpoint = configuredEndpoint('eks', env, source.context.files(), who.endpointProfile);
  const client = new EKSClient({ region, maxAttempts: 3, credentials: source.credentials, requestHandler: requestHandler(env, deadline), ...ENDPOINT_BY_BASCULE, ...(endpoint ? { endpoint } : {}) });
  try {
    return await Promise.all(
      names.map(async (name) => {
        try {
          const { cluster } = await deadline.run(`EKS DescribeCluster ${name}${endpoint ? ` at ${endpoint}` : ''}`, (abortSignal) => client.send(new DescribeClusterCommand({ name }), { abortSignal }));
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
