/**
 * The step runner against fake ports (clusters, Route53, DNS in memory; a
 * fake clock): the order of every call, the journal written before and after
 * each step, nothing changed before preflight passes, a failure at each step
 * leaving the journal consistent, and the rollback's inverse steps.
 */
import { describe, expect, it } from 'vitest';
import { readPlatform } from '../../src/platform/read.js';
import type { Colour } from '../../src/platform/model.js';
import { runSteps, StepFailure, type SwitchPorts } from '../../src/switch/execute.js';
import { beginRollback, newJournal, type Journal, type RecordValue } from '../../src/switch/journal.js';
import type { DeploymentState, KubePort } from '../../src/switch/kube.js';
import { DEFAULT_WAITS } from '../../src/switch/options.js';
import { switchStepIds } from '../../src/switch/plan.js';
import type { RecordChange, Route53Port } from '../../src/switch/route53.js';
import { buildSpec } from '../../src/switch/spec.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const platform = readPlatform('examples/platform.yaml', ROOT);
const spec = buildSpec(platform, { blue: platform.clusters.blue.endpoint as string, green: platform.clusters.green.endpoint as string }, {
  from: 'blue',
  to: 'green',
  resolver: undefined,
  waits: { ...DEFAULT_WAITS, dnsWaitMs: 60_000 },
  journal: '/state/switch-devinfra.json',
});
const BLUE_HOST = spec.clusters.blue.endpointHost;
const GREEN_HOST = spec.clusters.green.endpointHost;
const REGISTRY = '"heritage=external-dns,external-dns/owner=ingress.devinfra.info"';
const LIVE = ['live-external-dns-private', 'live-external-dns-public'];

type Fault = { at: string; error?: Error };

/** Two clusters, Route53 and a resolver in memory, recording every call. */
function fakes(options: { txt?: string[]; api?: string[] | null; faults?: Fault[]; podsLinger?: boolean; resolverLags?: boolean } = {}) {
  const calls: string[] = [];
  const writes: Journal[] = [];
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const replicas: Record<Colour, Record<string, number>> = { blue: { [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 }, green: { [LIVE[0] as string]: 0, [LIVE[1] as string]: 0 } };
  const records = new Map<string, RecordValue>([[`${spec.txtRecord.name} TXT`, { values: options.txt ?? [REGISTRY, '"eks-blue"'], ttl: 60 }]]);
  if (options.api !== null) records.set(`${spec.apiRecord.name} CNAME`, { values: options.api ?? [BLUE_HOST], ttl: 60 });
  const fault = (at: string) => {
    calls.push(at);
    const f = options.faults?.find((x) => x.at === at);
    if (f) throw f.error ?? new Error(`${at} failed`);
  };
  const kube = (colour: Colour): KubePort => ({
    connection: { label: colour, clusterName: `eks-${colour}`, endpoint: `https://${colour}`, caPem: '', tlsServerName: undefined },
    version: async () => (fault(`${colour} version`), 'v1.32'),
    deployment: async (namespace, name): Promise<DeploymentState> => {
      const n = replicas[colour][name] as number;
      return { name, namespace, desired: n, generation: 2, observedGeneration: 2, replicas: n, updated: n, ready: n, available: n, selector: `app=${name}` };
    },
    scale: async (_, name, n) => {
      fault(`${colour} scale ${name} ${n}`);
      replicas[colour][name] = n;
    },
    pods: async (_, selector) => (options.podsLinger ? [`${selector}-pod`] : []),
  });
  const route53: Route53Port = {
    zone: async (id) => ({ id, name: id === spec.apiRecord.zoneId ? 'devinfra.local' : 'devinfra.info', private: false }),
    record: async (_, name, type) => records.get(`${name} ${type}`),
    change: async (zoneId, changes: readonly RecordChange[]) => {
      fault(`route53 change ${zoneId} ${changes.map((c) => `${c.action} ${c.name} ${c.type} ${c.values.join(' ')}`).join('; ')}`);
      for (const c of changes) {
        if (c.action === 'DELETE') records.delete(`${c.name} ${c.type}`);
        else records.set(`${c.name} ${c.type}`, { values: c.values, ttl: c.ttl });
      }
      return 'C1';
    },
    changeStatus: async () => 'INSYNC',
    destroy: () => undefined,
  };
  const unquote = (v: string) => v.replace(/^"|"$/g, '');
  const ports: SwitchPorts = {
    kube: { blue: kube('blue'), green: kube('green') },
    route53,
    dns: {
      where: 'the system resolver',
      txt: async (name) => {
        const r = options.resolverLags ? { values: ['"eks-blue"'] } : records.get(`${name} TXT`);
        return r ? { kind: 'records', records: r.values.map((v) => [unquote(v)]) } : { kind: 'none', reason: 'NXDOMAIN' };
      },
      cname: async (name) => {
        const r = records.get(`${name} CNAME`);
        return r ? { kind: 'cname', target: r.values[0] as string } : { kind: 'none', reason: 'NXDOMAIN' };
      },
    },
    writeJournal: (j) => void writes.push(structuredClone(j)),
    writeLive: (to) => (fault(`platform live: ${to}`), { kind: 'written', path: '/p/platform.yaml', line: 34 }),
    now: () => new Date(clock),
    sleep: async (ms) => void (clock += ms),
    owner: { pid: 1, host: 'test' },
    out: () => undefined,
  };
  return { ports, calls, writes, records, replicas, elapsed: () => clock - Date.parse('2026-03-01T10:00:00Z') };
}

const journal0 = () => newJournal({ platform: 'devinfra', platformFile: '/p/platform.yaml', from: 'blue', to: 'green', steps: switchStepIds(spec), now: new Date(0), owner: { pid: 1, host: 'test' } });
const mutations = (calls: string[]) => calls.filter((c) => / scale |route53 change|platform live/.test(c));
const progress = (writes: Journal[]) => writes.map((j) => (j.rollback ?? j.steps).map((s) => s.status[0]).join(''));

describe('a switch against fakes', () => {
  it('runs the steps in order, each journalled before and after; the TXT keeps ExternalDNS registry values', async () => {
    const f = fakes();
    const { journal } = await runSteps(spec, f.ports, journal0(), switchStepIds(spec));
    expect(journal.state).toBe('completed');
    expect(progress(f.writes)).toEqual(['rppppp', 'dppppp', 'drpppp', 'ddpppp', 'ddrppp', 'dddppp', 'dddrpp', 'ddddpp', 'ddddrp', 'dddddp', 'dddddr', 'dddddd']);
    expect(mutations(f.calls)).toEqual([
      `blue scale ${LIVE[0]} 0`,
      `blue scale ${LIVE[1]} 0`,
      `route53 change Z0DEVINFRALOCAL01 UPSERT api.devinfra.local CNAME ${GREEN_HOST}`,
      `route53 change Z0DEVINFRAINFO03 UPSERT eks.devinfra.info TXT ${REGISTRY} "eks-green"`,
      `green scale ${LIVE[0]} 1`,
      `green scale ${LIVE[1]} 1`,
      'platform live: green',
    ]);
    expect(journal.before).toEqual({ api: { values: [BLUE_HOST], ttl: 60 }, txt: { values: [REGISTRY, '"eks-blue"'], ttl: 60 }, replicas: { [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 } });
  });

  it.each([
    ['the TXT record names green already', { txt: ['"eks-green"'] }, /holds "eks-green" \(green\), not "eks-blue": green may be live already/],
    ['green unreachable', { faults: [{ at: 'green version', error: new Error('connection refused') }] }, /connection refused/],
  ])('preflight fails (%s): nothing is changed', async (_, options, message) => {
    const f = fakes(options);
    const error = await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).step).toBe('preflight');
    expect((error as StepFailure).message).toMatch(message);
    expect(mutations(f.calls)).toEqual([]);
    expect(progress(f.writes)).toEqual(['rppppp', 'fppppp']);
  });

  it.each([
    ['stop-source', `blue scale ${LIVE[0]} 0`],
    ['dns', `route53 change Z0DEVINFRALOCAL01 UPSERT api.devinfra.local CNAME ${GREEN_HOST}`],
    ['start-target', `green scale ${LIVE[1]} 1`],
    ['postcheck', 'green version'],
    ['record-live', 'platform live: green'],
  ])('a failure at %s stops there: the journal says so, no later step ran', async (step, at) => {
    const f = fakes(step === 'postcheck' ? {} : { faults: [{ at, error: new Error('boom') }] });
    // postcheck: the preflight's version call must pass; only the post-check's fails.
    if (step === 'postcheck') {
      let seen = 0;
      const version = f.ports.kube.green.version;
      (f.ports.kube.green as { version: () => Promise<string> }).version = async () => (++seen > 1 ? Promise.reject(new Error('boom')) : version());
    }
    const error = (await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e)) as StepFailure;
    expect(error.step).toBe(step);
    const last = f.writes[f.writes.length - 1] as Journal;
    expect(last.state).toBe('failed');
    const ids = switchStepIds(spec);
    const at2 = ids.indexOf(step as never);
    expect(last.steps.map((s) => s.status)).toEqual(ids.map((_, i) => (i < at2 ? 'done' : i === at2 ? 'failed' : 'pending')));
    expect(last.steps[at2]?.error).toBe('boom');
    // Nothing of a later step happened.
    const later = { 'stop-source': /route53|green scale|platform/, dns: /green scale|platform/, 'start-target': /platform/, postcheck: /platform/, 'record-live': /$^/ }[step] as RegExp;
    expect(mutations(f.calls).filter((c) => c !== at && later.test(c))).toEqual([]);
  });

  it('waits are bounded: pods that never go away fail the step after --timeout (on the fake clock)', async () => {
    const f = fakes({ podsLinger: true });
    const error = (await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e)) as StepFailure;
    expect(error.step).toBe('stop-source');
    expect(error.message).toMatch(/blue: kube-system\/live-external-dns-private has 1 pod left \(app=live-external-dns-private-pod\).*, still after 5m/);
    expect(f.elapsed()).toBeGreaterThanOrEqual(300_000);
    expect(f.elapsed()).toBeLessThan(310_000);
  });

  it('a resolver that keeps the old answer fails the post-check after the DNS wait', async () => {
    const f = fakes({ resolverLags: true });
    // The preflight sees blue (as the resolver says); only the post-check waits for green.
    const error = (await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e)) as StepFailure;
    expect(error.step).toBe('postcheck');
    expect(error.message).toMatch(/^DNS does not follow: TXT eks\.devinfra\.info resolves to eks-blue via the system resolver, not eks-green, still after 1m/);
  });
});

describe('a rollback against fakes', () => {
  it('undoes a complete switch: target off, records back, source on, the file back', async () => {
    const f = fakes();
    const { journal } = await runSteps(spec, f.ports, journal0(), switchStepIds(spec));
    f.calls.length = 0;
    const begun = beginRollback(journal, new Date(), { pid: 1, host: 'test' });
    if ('refused' in begun) throw new Error(begun.refused);
    const done = await runSteps(spec, f.ports, begun.journal, begun.steps);
    expect(done.journal.state).toBe('rolled-back');
    expect(mutations(f.calls)).toEqual([
      `green scale ${LIVE[0]} 0`,
      `green scale ${LIVE[1]} 0`,
      `route53 change Z0DEVINFRALOCAL01 UPSERT api.devinfra.local CNAME ${BLUE_HOST}`,
      `route53 change Z0DEVINFRAINFO03 UPSERT eks.devinfra.info TXT ${REGISTRY} "eks-blue"`,
      `blue scale ${LIVE[0]} 1`,
      `blue scale ${LIVE[1]} 1`,
      'platform live: blue',
    ]);
    expect(f.replicas).toEqual({ blue: { [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 }, green: { [LIVE[0] as string]: 0, [LIVE[1] as string]: 0 } });
  });

  it('an API record the switch created is deleted, not left pointing at green', async () => {
    const f = fakes({ api: null });
    const { journal, notes } = await runSteps(spec, f.ports, journal0(), switchStepIds(spec));
    expect(notes).toContain('api.devinfra.local has no CNAME in zone Z0DEVINFRALOCAL01: the switch creates it (a rollback deletes it)');
    expect(journal.before?.api).toBeNull();
    f.calls.length = 0;
    const begun = beginRollback(journal, new Date(), { pid: 1, host: 'test' });
    if ('refused' in begun) throw new Error(begun.refused);
    await runSteps(spec, f.ports, begun.journal, begun.steps);
    expect(mutations(f.calls)).toContain(`route53 change Z0DEVINFRALOCAL01 DELETE api.devinfra.local CNAME ${GREEN_HOST}`);
    expect(f.records.has('api.devinfra.local CNAME')).toBe(false);
  });
});
