/**
 * The EKS token's constants and shapes, shared by the signer (presign.ts) and
 * the cache, without loading the signer.
 */
export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** Lifetime of the presigned URL as STS sees it (what peers sign). */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** The authenticator accepts a token for 15 minutes after X-Amz-Date; peers announce 14. */
export const TOKEN_LIFETIME_MS = 14 * 60 * 1000;

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  /** When the credentials themselves stop working, if known. */
  readonly expiration?: Date | undefined;
}

export interface EksToken {
  readonly token: string;
  readonly signedAt: Date;
  /** signing time + 14 min, and never later than the credentials' own expiry. */
  readonly expiresAt: Date;
}

