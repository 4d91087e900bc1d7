/**
 * The EKS adapter of `--fetch`: DescribeCluster for each colour. Returns what
 * EKS said, unchecked; the caller checks it (pem.ts) and names what is wrong.
 * Credentials come from bascule's chain (src/aws/), the endpoint from AWS_ENDPOINT_URL_EKS or the profile.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { configuredEndpoint, readAwsFiles, selectedProfile } from '../aws/config-files.js';
import { noCredentialsError, planCredentials } from '../aws/credentials.js';
import { Deadline } from '../aws/deadline.js';
import { awsError } from '../aws/errors.js';
import { requestHandler } from '../aws/sdk.js';
import { BasculeError } from '../errors.js';

export interface DescribedCluster {
  readonly name: string;
  readonly arn: string | undefined;
  readonly status: string | undefined;
  readonly endpoint: string | undefined;
  readonly caData: string | undefined;
}

export type DescribeClusters = (names: readonly string[], options: { region: string; profile: string | undefined }) => Promise<DescribedCluster[]>;

function eksError(name: string, region: string, error: unknown): BasculeError {
  if ((error as { name?: string })?.name === 'ResourceNotFoundException') {
    return new BasculeError('aws', `EKS has no cluster named ${name} in ${region}`, { hint: 'check clusters.<colour>.name, aws.region and the account your credentials reach' });
  }
  return awsError({ service: 'EKS', operation: 'DescribeCluster', target: name }, error);
}

/** Bound on the credentials and every DescribeCluster call of one --fetch. */
const FETCH_TIMEOUT_MS = 30_000;

export const describeClusters: DescribeClusters = async (names, { region, profile }) => {
  const env = process.env;
  const files = readAwsFiles(env);
  const planInput = { env, profileFlag: profile, files: () => files };
  const plan = planCredentials(planInput);
  if (!plan) throw noCredentialsError(planInput);
  const { resolveWithin } = await import('../aws/credential-sources.js');
  const source = await resolveWithin(plan, false, { env, files: () => files, region, interactive: () => false, prompt: async () => '' }, () => new Deadline(FETCH_TIMEOUT_MS, { knob: '' }));
  const { deadline } = source.context;
  const endpoint = configuredEndpoint('eks', env, files, selectedProfile(profile, env).name);
  const client = new EKSClient({ region, maxAttempts: 3, credentials: source.credentials, requestHandler: requestHandler(env, deadline), ...(endpoint ? { endpoint } : {}) });
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
