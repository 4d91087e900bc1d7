/** The Route53 budget: a token bucket per account, on a fake clock. */
import { describe, expect, it } from 'vitest';
import { RateLimiter, route53Rate } from '../../src/aws/rate.js';

function clock() {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps, at: () => t };
}

describe('the Route53 budget', () => {
  it('lets one second of burst through, then spaces requests at the rate', async () => {
    const c = clock();
    const limiter = new RateLimiter(5, c.now, c.sleep);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      await limiter.take();
      times.push(c.at());
    }
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // Then one every 200 ms: 15 requests take 2 s.
    expect(times.slice(5)).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000]);
  });

  it('serves concurrent callers in order, never more than the rate', async () => {
    const c = clock();
    const limiter = new RateLimiter(2, c.now, c.sleep);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => limiter.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(c.at()).toBe(2000);
  });

  it('0 means no limit; the rate comes from BASCULE_ROUTE53_RATE', async () => {
    const c = clock();
    const limiter = new RateLimiter(0, c.now, c.sleep);
    for (let i = 0; i < 100; i++) await limiter.take();
    expect(c.sleeps).toEqual([]);
    expect(route53Rate({})).toBe(5);
    expect(route53Rate({ BASCULE_ROUTE53_RATE: '20' })).toBe(20);
    expect(route53Rate({ BASCULE_ROUTE53_RATE: '0' })).toBe(0);
    expect(route53Rate({ BASCULE_ROUTE53_RATE: 'fast' })).toBe(5);
  });
});
