/** Reading a `bascule token` answer back: the presigned STS URL inside the token, and who signed it. */

/** The presigned GetCallerIdentity URL a `k8s-aws-v1.` token carries. */
export const decodeToken = (token: string) => new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));

/** The access key id that signed the token of the ExecCredential printed on `stdout`. */
export const signerOf = (stdout: string) => decodeToken(JSON.parse(stdout).status.token).searchParams.get('X-Amz-Credential')?.split('/')[0];
