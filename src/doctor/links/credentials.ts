/**
 * The credentials link: the chain bascule's token walks (botocore's order),
 * the source it takes, then its credentials, not expired. What it found is
 * the chain's context, its plan (the cache key reads it) and the source's
 * credentials. Never a secret in the report: the source is named, not shown.
 */
import { isoSecond as iso } from '../../text.js';
import type { CredentialContext, DoctorPorts } from '../ports.js';
import type { PluginInput } from '../plugin.js';
import { describePlan, type AwsCredentials, type CredentialPlan } from '../token-rules.js';
import { broken, duration, errHint, errText, holds, line, type Checked } from './link.js';

export interface Signer {
  readonly ctx: CredentialContext;
  readonly plan: CredentialPlan;
  readonly source: { readonly credentials: AwsCredentials; readonly origin: string };
}

export async function checkCredentials(
  plugin: PluginInput,
  at: { readonly env: NodeJS.ProcessEnv; readonly region: string; readonly timeoutMs: number },
  ports: Pick<DoctorPorts, 'credentials' | 'now'>,
): Promise<Checked<Signer>> {
  const ctx: CredentialContext = { env: at.env, profileFlag: plugin.profile, region: at.region, timeoutMs: at.timeoutMs };
  let plan: CredentialPlan;
  let source: { credentials: AwsCredentials; origin: string };
  try {
    // The chain bascule's token walks (botocore's order): the source it takes, then its credentials.
    plan = ports.credentials.plan(ctx);
    source = await ports.credentials.source(ctx, plan);
  } catch (error) {
    return broken(line('credentials', 'fail', errText(error), errHint(error) ?? 'export AWS credentials, set AWS_PROFILE, or run "aws sso login"'));
  }
  const credentials = source.credentials;
  const provider = `${describeSource(plan)}${plan.kind === 'env' && credentials.sessionToken ? ' with AWS_SESSION_TOKEN' : ''}`;
  const now = ports.now();
  if (credentials.expiration && credentials.expiration.getTime() <= now.getTime()) {
    return broken(line('credentials', 'fail', `${provider}: expired at ${iso(credentials.expiration)}`, 'refresh them (aws sso login, new keys or session token, the credential_process) and retry'));
  }
  const expiry = credentials.expiration
    ? `expire at ${iso(credentials.expiration)} (in ${duration(credentials.expiration.getTime() - now.getTime())})`
    : credentials.sessionToken
      ? 'temporary, expiry unknown'
      : 'long-term keys, no expiry';
  return holds(line('credentials', 'ok', `${provider}; ${expiry}`), { ctx, plan, source });
}

/** The chain's source as src/aws names it, and for a role profile what assumes it; never a secret. */
function describeSource(plan: CredentialPlan): string {
  const what = describePlan(plan);
  return plan.kind === 'assume-role' ? `${what}, assumed with ${describeSource(plan.source)}` : what;
}
