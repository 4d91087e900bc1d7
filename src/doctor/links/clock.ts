/**
 * The clock link: this machine's clock against STS's Date header, read when
 * the identity's answer came. A skew beyond 5 minutes breaks it; the links
 * after it still run (they do not need the clock).
 */
import type { Verified } from '../../authenticator/verify.js';
import { duration, line, type Link } from './link.js';

/** Above this, STS refuses signatures ("Signature not yet current") and tokens die early. */
const MAX_SKEW_MS = 5 * 60_000;

export function checkClock(verified: Verified): Link {
  if (!verified.stsDate) return line('clock', 'unknown', 'STS sent no Date header');
  const skew = verified.receivedAt.getTime() - verified.stsDate.getTime();
  const words = Math.abs(skew) < 2000 ? 'in step with STS (within the Date header\'s second)' : `${duration(skew)} ${skew > 0 ? 'ahead of' : 'behind'} STS`;
  if (Math.abs(skew) > MAX_SKEW_MS) return line('clock', 'fail', `this machine's clock is ${words}`, 'tokens are dated by this clock and EKS allows 15 minutes: sync it (timedatectl set-ntp true, or chrony/ntpd)');
  return line('clock', 'ok', `this machine's clock is ${words}`);
}
