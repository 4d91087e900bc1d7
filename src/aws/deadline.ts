/**
 * One deadline over a command's AWS work: every call (credential_process, SSO,
 * STS, Route53, EKS) runs inside the time left, and on expiry the error names
 * what did not answer. Connect and read timeouts of each HTTP request sit
 * inside it (see `httpTimeouts`).
 */
import { BasculeError } from '../errors.js';
import { formatMs } from '../vocabulary.js';

export class Deadline {
  readonly budgetMs: number;
  readonly #end: number;
  readonly #now: () => number;
  /** Which flag changes the budget, for the hint ('' when none does). */
  readonly #knob: string;

  constructor(budgetMs: number, options: { now?: () => number; knob?: string } = {}) {
    this.budgetMs = budgetMs;
    this.#now = options.now ?? Date.now;
    this.#end = this.#now() + budgetMs;
    this.#knob = options.knob ?? '--aws-timeout';
  }

  remainingMs(): number {
    return Math.max(0, this.#end - this.#now());
  }

  /**
   * "<what> did not answer within ...". `advice` is what to check first
   * (default: the network, for AWS calls; a local program says its own).
   */
  expired(what: string, advice = 'check the network (and HTTPS_PROXY / NO_PROXY)'): BasculeError {
    return new BasculeError('aws', `${what} did not answer within ${formatMs(this.budgetMs)}`, {
      hint: `${advice}${this.#knob ? `, or allow more time with ${this.#knob}` : ''}`,
    });
  }

  /**
   * Runs `work` with an AbortSignal that fires when the time is up; rejects
   * with "<what> did not answer within ..." then, whatever `work` does
   * (`advice`: see `expired`).
   */
  async run<T>(what: string, work: (signal: AbortSignal) => Promise<T>, advice?: string): Promise<T> {
    const left = this.remainingMs();
    if (left <= 0) throw this.expired(what, advice);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(this.expired(what, advice));
      }, left);
    });
    try {
      return await Promise.race([work(controller.signal), expiry]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Connect and socket-idle timeouts for one HTTP request, never past the deadline. */
  httpTimeouts(): { connectionTimeout: number; requestTimeout: number } {
    const left = Math.max(1, this.remainingMs());
    return { connectionTimeout: Math.min(left, 5000), requestTimeout: left };
  }
}
