import { describe, expect, it } from 'vitest';
import { evaluateSignals, mapWatches, missingSignals } from '../../src/shift/signals.js';
import { checkStages, DEFAULT_THRESHOLDS, parseGradualFlags, parseStages, shareOf, weightsAt } from '../../src/shift/weights.js';

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

  it('a stage at or below the share the new colour already has is refused; 0/0 has no share; a lone 100 at 100 is the settle left', () => {
    expect(() => checkStages([10, 50, 100], 0)).not.toThrow();
    expect(() => checkStages([60, 100], shareOf(weightsAt(50)) as number)).not.toThrow();
    expect(() => checkStages([10, 50, 100], 50)).toThrow(/the stage 10 is not above the share the new colour already has \(50%\)/);
    expect(() => checkStages([50, 100], 50)).toThrow(/50%/);
    expect(() => checkStages([100], 100)).not.toThrow();
    expect(shareOf({ to: 0, from: 0 })).toBeUndefined();
    // weights other than percentages still give the share
    expect(shareOf({ to: 1, from: 3 })).toBe(25);
  });
});

describe('weighted shift: failure signals', () => {
  const t = DEFAULT_THRESHOLDS;
  const healthy = [{ loadBalancer: 'k8s-green-web', target: 'i-1:80', state: 'healthy' }];
  it('healthy targets and a low 5XX rate: ok', () => {
    const v = evaluateSignals({ targets: healthy, counts: [{ loadBalancer: 'k8s-green-web', requests: 1000, errors5xx: 5 }] }, t, true);
    expect(v).toMatchObject({ ok: true, failures: [] });
    expect(v.summary).toBe('1/1 targets healthy; k8s-green-web: 0.50% 5XX of 1000');
  });
  it('a 5XX rate over the threshold fails, naming the load balancer and the numbers', () => {
    const v = evaluateSignals({ targets: healthy, counts: [{ loadBalancer: 'k8s-green-web', requests: 200, errors5xx: 20 }] }, t, true);
    expect(v.ok).toBe(false);
    expect(v.failures).toEqual(['k8s-green-web answered 20 5XX of 200 requests (10.00%, more than 1%)']);
  });
  it('too few requests are not judged', () => {
    expect(evaluateSignals({ targets: healthy, counts: [{ loadBalancer: 'k8s-green-web', requests: 10, errors5xx: 10 }] }, t, true).ok).toBe(true);
  });
  it('an unhealthy target fails; unused and draining ones do not count; initial is not a failure', () => {
    const v = evaluateSignals({ targets: [...healthy, { loadBalancer: 'k8s-green-web', target: 'i-2:80', state: 'unhealthy', reason: 'Target.FailedHealthChecks' }, { loadBalancer: 'x', target: 'i-3:80', state: 'unused' }, { loadBalancer: 'x', target: 'i-4:80', state: 'initial' }], counts: [] }, t, true);
    expect(v.failures).toEqual(['1 unhealthy target (at most 0 allowed): k8s-green-web i-2:80 unhealthy (Target.FailedHealthChecks)']);
    expect(evaluateSignals({ targets: [{ loadBalancer: 'x', target: 'i-2:80', state: 'unhealthy' }], counts: [] }, { ...t, maxUnhealthyTargets: 1 }, true).ok).toBe(true);
  });
  it('no target registered at all fails', () => {
    expect(evaluateSignals({ targets: [], counts: [] }, t, true).failures).toEqual(["no target is registered behind the new colour's load balancers"]);
  });
  it('no target taking traffic at all fails', () => {
    expect(evaluateSignals({ targets: [{ loadBalancer: 'x', target: 'i-3:80', state: 'draining' }], counts: [] }, t, true).failures[0]).toMatch(/no target of the new colour takes traffic/);
  });
  it('nothing watched (every name allowed unwatched): the hold only waits', () => {
    expect(evaluateSignals({ targets: [], counts: [] }, t, false)).toMatchObject({ ok: true, failures: [] });
  });
  it('each shifted name maps to the load balancers its new colour targets; a plain address or a foreign load balancer is unwatched', () => {
    const lbs = [{ arn: 'arn:aws:elasticloadbalancing:eu-west-3:1:loadbalancer/app/k8s-green-web/1', name: 'k8s-green-web', dnsName: 'k8s-green-web-1.eu-west-3.elb.amazonaws.com', type: 'application' }];
    expect(mapWatches([
      { name: 'www.devinfra.fr', targets: ['dualstack.k8s-green-web-1.eu-west-3.elb.amazonaws.com'] },
      { name: 'ip.devinfra.fr', targets: ['10.0.0.1'] },
      { name: 'far.devinfra.fr', targets: ['k8s-green-web-1.eu-west-3.elb.amazonaws.com', 'other.us-east-1.elb.amazonaws.com'] },
    ], lbs)).toEqual([
      { name: 'www.devinfra.fr', loadBalancers: ['k8s-green-web'], unwatched: undefined },
      { name: 'ip.devinfra.fr', loadBalancers: [], unwatched: '10.0.0.1 is no load balancer of the region (a plain address, or a load balancer elsewhere): no signal can watch it' },
      { name: 'far.devinfra.fr', loadBalancers: [], unwatched: 'other.us-east-1.elb.amazonaws.com is no load balancer of the region (a plain address, or a load balancer elsewhere): no signal can watch it' },
    ]);
  });
  it('a missing metric or target group is listed (the shift is refused before anything changes)', () => {
    expect(missingSignals([{ name: 'k8s-green-web', type: 'application', hasRequestMetric: false, targetGroups: 1 }, { name: 'k8s-green-tcp', type: 'network', hasRequestMetric: false, targetGroups: 0 }])).toEqual([
      'k8s-green-web: CloudWatch has no AWS/ApplicationELB RequestCount metric for it (no request ever reached it): its 5XX rate cannot be read',
      'k8s-green-tcp: no target group: its target health cannot be read',
    ]);
  });
});
