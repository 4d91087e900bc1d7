import { describe, expect, it } from 'vitest';
import { evaluateSignals, missingSignals } from '../../src/shift/signals.js';
import { DEFAULT_THRESHOLDS, parseGradualFlags, parseStages, remainingStages, weightsAt } from '../../src/shift/weights.js';

describe('weighted shift: --weights and the other flags', () => {
  it.each([
    ['10,50,100', [10, 50, 100]],
    [' 5, 25 ,100', [5, 25, 100]],
    ['100', [100]],
    ['1,2,3,100', [1, 2, 3, 100]],
  ])('%s is %o', (text, stages) => {
    expect(parseStages(text)).toEqual(stages);
  });

  it.each([
    ['10,50', /the last stage must be 100/, /e\.g\. --weights 10,50,100/],
    ['10,50,90', /the last stage must be 100/, undefined],
    ['0,50,100', /a stage of 0 moves nothing/, undefined],
    ['50,10,100', /the stages must increase \(50 then 10\)/, undefined],
    ['10,10,100', /the stages must increase \(10 then 10\)/, undefined],
    ['10,150', /150 is above 100/, undefined],
    ['10,abc,100', /"abc" is not a whole percentage/, undefined],
    ['10.5,100', /"10\.5" is not a whole percentage/, undefined],
    ['', /"" is not a whole percentage/, undefined],
    ['-10,100', /"-10" is not a whole percentage/, undefined],
  ])('%j is refused', (text, message, hint) => {
    try {
      parseStages(text);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(message);
      expect((error as { kind: string }).kind).toBe('usage');
      if (hint) expect((error as { hint: string }).hint).toMatch(hint);
    }
  });

  it('defaults: flip at the last stage, no hold beyond the TTL, no pause, 1% 5XX, 20 requests, no unhealthy target', () => {
    expect(parseGradualFlags({ weights: '10,50,100' })).toEqual({
      stages: [10, 50, 100],
      flipAt: 100,
      holdMs: 0,
      pause: false,
      thresholds: DEFAULT_THRESHOLDS,
      signalPollMs: 15_000,
    });
    expect(DEFAULT_THRESHOLDS).toEqual({ max5xxPercent: 1, minRequests: 20, maxUnhealthyTargets: 0 });
  });

  it('flags: --hold, --flip-at, --pause, thresholds', () => {
    expect(parseGradualFlags({ weights: '10,50,100', hold: '10m', flipAt: '50', pause: true, max5xxRate: '2.5%', minRequests: '100', maxUnhealthy: '1', signalInterval: '5s' })).toEqual({
      stages: [10, 50, 100],
      flipAt: 50,
      holdMs: 600_000,
      pause: true,
      thresholds: { max5xxPercent: 2.5, minRequests: 100, maxUnhealthyTargets: 1 },
      signalPollMs: 5000,
    });
  });

  it.each([
    [{}, /--weights is required/],
    [{ weights: '10,50,100', flipAt: '30' }, /--flip-at 30: not one of the stages \(10, 50, 100\)/],
    [{ weights: '10,50,100', hold: 'long' }, /--hold "long" is not a duration/],
    [{ weights: '10,50,100', max5xxRate: '101' }, /--max-5xx-rate "101": expected a percentage from 0 to 100/],
    [{ weights: '10,50,100', max5xxRate: 'x' }, /--max-5xx-rate "x"/],
    [{ weights: '10,50,100', minRequests: '1.5' }, /--min-requests "1\.5": expected a whole number/],
    [{ weights: '10,50,100', maxUnhealthy: '-1' }, /--max-unhealthy "-1": expected a whole number/],
  ])('%o is refused', (flags, message) => {
    expect(() => parseGradualFlags(flags)).toThrow(message);
  });

  it('a stage at or below the share the new colour already has is refused; 0/0 is refused', () => {
    expect(remainingStages([10, 50, 100], { to: 0, from: 100 })).toEqual([10, 50, 100]);
    expect(remainingStages([60, 100], weightsAt(50))).toEqual([60, 100]);
    expect(() => remainingStages([10, 50, 100], weightsAt(50))).toThrow(/the stage 10 is not above the share the new colour already has \(50%\)/);
    expect(() => remainingStages([50, 100], weightsAt(50))).toThrow(/50%/);
    expect(() => remainingStages([100], weightsAt(100))).toThrow(/100%/);
    expect(() => remainingStages([10, 100], { to: 0, from: 0 })).toThrow(/weight 0 for both colours/);
    // weights other than percentages still give the share
    expect(() => remainingStages([10, 100], { to: 1, from: 3 })).toThrow(/25%/);
  });
});

describe('weighted shift: failure signals', () => {
  const t = DEFAULT_THRESHOLDS;
  const healthy = [{ loadBalancer: 'k8s-green-web', target: 'i-1:80', state: 'healthy' }];
  it('healthy targets and a low 5XX rate: ok', () => {
    const v = evaluateSignals({ targets: healthy, counts: [{ loadBalancer: 'k8s-green-web', requests: 1000, errors5xx: 5 }] }, t);
    expect(v).toMatchObject({ ok: true, failures: [] });
    expect(v.summary).toBe('1/1 targets healthy; k8s-green-web: 0.50% 5XX of 1000');
  });
  it('a 5XX rate over the threshold fails, naming the load balancer and the numbers', () => {
    const v = evaluateSignals({ targets: healthy, counts: [{ loadBalancer: 'k8s-green-web', requests: 200, errors5xx: 20 }] }, t);
    expect(v.ok).toBe(false);
    expect(v.failures).toEqual(['k8s-green-web answered 20 5XX of 200 requests (10.00%, more than 1%)']);
  });
  it('too few requests are not judged', () => {
    expect(evaluateSignals({ targets: healthy, counts: [{ loadBalancer: 'k8s-green-web', requests: 10, errors5xx: 10 }] }, t).ok).toBe(true);
  });
  it('an unhealthy target fails; unused and draining ones do not count; initial is not a failure', () => {
    const v = evaluateSignals({ targets: [...healthy, { loadBalancer: 'k8s-green-web', target: 'i-2:80', state: 'unhealthy', reason: 'Target.FailedHealthChecks' }, { loadBalancer: 'x', target: 'i-3:80', state: 'unused' }, { loadBalancer: 'x', target: 'i-4:80', state: 'initial' }], counts: [] }, t);
    expect(v.failures).toEqual(['1 unhealthy target (at most 0 allowed): k8s-green-web i-2:80 unhealthy (Target.FailedHealthChecks)']);
    expect(evaluateSignals({ targets: [{ loadBalancer: 'x', target: 'i-2:80', state: 'unhealthy' }], counts: [] }, { ...t, maxUnhealthyTargets: 1 }).ok).toBe(true);
  });
  it('no target registered at all fails', () => {
    expect(evaluateSignals({ targets: [], counts: [] }, t).failures).toEqual(["no target is registered behind the new colour's load balancers"]);
  });
  it('no target taking traffic at all fails', () => {
    expect(evaluateSignals({ targets: [{ loadBalancer: 'x', target: 'i-3:80', state: 'draining' }], counts: [] }, t).failures[0]).toMatch(/no target of the new colour takes traffic/);
  });
  it('a missing metric or target group is listed (the shift is refused before anything changes)', () => {
    expect(missingSignals([{ name: 'k8s-green-web', type: 'application', hasRequestMetric: false, targetGroups: 1 }, { name: 'k8s-green-tcp', type: 'network', hasRequestMetric: false, targetGroups: 0 }])).toEqual([
      'k8s-green-web: CloudWatch has no AWS/ApplicationELB RequestCount metric for it (no request ever reached it): its 5XX rate cannot be read',
      'k8s-green-tcp: no target group: its target health cannot be read',
    ]);
  });
});
