/**
 * The EKS token: a presigned STS GetCallerIdentity URL, pure function of its
 * inputs (credentials, region, cluster name and the signing instant).
 *
 * token = "k8s-aws-v1." + base64url(no padding) of
 *   https://sts.<region>.<suffix>/?Action=GetCallerIdentity&Version=2011-06-15
 *   &X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=...&X-Amz-Expires=60
 *   [&X-Amz-Security-Token=...]&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=...
 * signed with the header x-k8s-aws-id: <cluster name>.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { stsHost } from '../vocabulary.js';
import { CLUSTER_ID_HEADER, PRESIGN_EXPIRES_SECONDS, TOKEN_LIFETIME_MS, TOKEN_PREFIX, type AwsCredentials, type EksToken } from './eks-token.js';

export interface PresignInput {
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly clusterName: string;
  readonly now: Date;
}

class Sha256 extends Hash {
  constructor(secret?: unknown) {
    super('sha256', secret as never);
  }
}

/** RFC 3986 escaping, as SigV4 canonicalises query strings. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function presignToken(input: PresignInput): Promise<EksToken> {
  const { credentials, region, clusterName, now } = input;
  const hostname = stsHost(region);
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    region,
    service: 'sts',
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: clusterName },
    },
    { signingDate: now, expiresIn: PRESIGN_EXPIRES_SECONDS },
  );
  const params = signed.query ?? {};
  const query = Object.keys(params)
    .sort()
    .map((key) => `${escapeUri(key)}=${escapeUri(String(params[key]))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  const token = TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');

  const signedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
  let expiresAt = new Date(signedAt.getTime() + TOKEN_LIFETIME_MS);
  if (credentials.expiration && credentials.expiration < expiresAt) expiresAt = new Date(credentials.expiration.getTime());
  return { token, signedAt, expiresAt };
}
