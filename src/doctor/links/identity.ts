/**
 * The identity link: a token as the plugin makes it, checked and sent to STS
 * as EKS does (src/authenticator), and the identity EKS maps from the answer.
 * What it found is the token (the API reads with it) and the verdict (STS's
 * clock, the canonical ARN).
 */
import { PARTITIONS } from '../../authenticator/rules.js';
import { verifyToken, type Verified } from '../../authenticator/verify.js';
import type { DoctorPorts } from '../ports.js';
import type { AwsCredentials } from '../token-rules.js';
import { broken, errHint, errText, holds, line, type Checked } from './link.js';
import type { Where } from './region.js';

export interface Identified {
  readonly token: string;
  readonly verified: Verified;
}

export async function checkIdentity(
  at: Where & { readonly clusterName: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
  credentials: AwsCredentials,
  ports: Pick<DoctorPorts, 'presign' | 'now' | 'sendPresigned'>,
): Promise<Checked<Identified>> {
  const { clusterName, region, partition } = at;
  let token: string;
  try {
    token = (await ports.presign({ credentials, region, clusterName, now: ports.now() })).token;
  } catch (error) {
    return broken(line('identity', 'fail', `cannot sign a token: ${errText(error)}`, errHint(error)));
  }
  const result = await verifyToken(
    { token, clusterName, partition: PARTITIONS.includes(partition) ? partition : 'aws', stsEndpoint: at.env.AWS_ENDPOINT_URL_STS || undefined, timeoutMs: at.timeoutMs },
    { now: ports.now, send: ports.sendPresigned },
  );
  if (!result.ok) return broken(line('identity', 'fail', `a token for ${clusterName}: ${result.class}: ${result.reason}`, result.hint));
  const id = result.identity;
  const detail = `${id.arn}${id.canonicalArn !== id.arn ? ` -> ${id.canonicalArn}` : ''} (account ${id.account}, user id ${id.userId}${id.sessionName ? `, session ${id.sessionName}` : ''})`;
  return holds(line('identity', 'ok', detail), { token, verified: result });
}
