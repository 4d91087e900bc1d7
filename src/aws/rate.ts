/**
 * Route53 allows about 5 requests per second per account, for every caller
 * together (Route53's quotas: "five requests per second per AWS account").
 * Every Route53 call of a bascule run goes through one token bucket per
 * account, so a run over many platforms of one account spaces its calls
 * instead of being throttled; throttling that still happens (other tools
 * share the budget) is retried by the SDK's adaptive mode with backoff.
 *
 * The rate: BASCULE_ROUTE53_RATE (requests per second, 0 for no limit), else 5.
 */

export const DEFAULT_ROUTE53_RATE = 5;

/** A token bucket: `rate` tokens a second, at most `rate` (one second of burst) held. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = Math.max(1, rate);
    this.last = now();
  }

  /** Resolves when a request may go; callers are served in order. */
  take(): Promise<void> {
    if (!(this.rate > 0)) return Promise.resolve();
    const turn = this.queue.then(async () => {
      for (;;) {
        const t = this.now();
        this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((t - this.last) * this.rate) / 1000);
        this.last = t;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.rate));
      }
    });
    this.queue = turn;
    return turn;
  }
}

/** The rate a run uses: BASCULE_ROUTE53_RATE, else the default. */
export function route53Rate(env: NodeJS.ProcessEnv): number {
  const text = env.BASCULE_ROUTE53_RATE?.trim();
  if (!text) return DEFAULT_ROUTE53_RATE;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_ROUTE53_RATE;
}

const limiters = new Map<string, RateLimiter>();

/** The one limiter of an account in this process (every Route53 client of the run shares it). */
export function accountLimiter(account: string, rate: number): RateLimiter {
  const key = `${account}\n${rate}`;
  let found = limiters.get(key);
  if (!found) {
    found = new RateLimiter(rate);
    limiters.set(key, found);
  }
  return found;
}
