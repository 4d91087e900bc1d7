/**
 * The step runner against fake ports (clusters, Route53, DNS in memory; a
 * fake clock): the order of every call, the journal written before and after
 * each step, nothing changed before preflight passes, a failure at each step
 * leaving the journal consistent, and the rollback's inverse steps.
 */
import { describe, expect, it } from 'vitest';
import { readPlatform } from '../../src/platform/read.js';
import type { Colour } from '../../src/platform/model.js';
import { runSteps, StepFailure, type SwitchPorts } from '../../src/switch/steps.js';
import { dnsWaitMs } from '../../src/cutover/actions/follows.js';
import type { Change, RecordSet } from '../../src/production/records.js';
import type { Route53Port } from '../../src/aws/route53.js';
import { beginRollback, newJournal, type Journal, type RecordValue } from '../../src/cutover/switch-journal.js';
import type { DeploymentState, KubePort } from '../../src/kube/client.js';
import { DEFAULT_WAITS } from '../../src/switch/options.js';
import { golden } from '../support/text.js';
import { switchStepIds } from '../../src/switch/plan.js';
import { buildSpec } from '../../src/cutover/spec.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const platform = readPlatform('examples/platform.yaml', ROOT);
const spec = buildSpec(platform, { blue: platform.clusters.blue.endpoint as string, green: platform.clusters.green.endpoint as string }, {
  from: 'blue',
  to: 'green',
  resolver: undefined,
  waits: { ...DEFAULT_WAITS, dnsWaitMs: 60_000 },
  journal: '/state/switch-devinfra.json',
  allowOrphans: ['blog.devinfra.local'],
});
const strict = { ...spec, allowOrphans: [] };
const BLUE_HOST = spec.clusters.blue.endpointHost;
const GREEN_HOST = spec.clusters.green.endpointHost;
const LIVE = ['live-external-dns-private', 'live-external-dns-public'];
const LB = { blue: 'k8s-blue.elb.eu-west-3.amazonaws.com', green: 'k8s-green.elb.eu-west-3.amazonaws.com' };
const OWNER = { blue: 'live-eks-blue.devinfra.local', green: 'live-eks-green.devinfra.local' };
const reg = (owner: string) => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=ingress/web/x"`;

type Fault = { at: string; error?: Error };

/**
 * Two clusters, Route53 and a resolver in memory, recording every call; the
 * live ExternalDNS played in the private zone: on every read of the zone, a
 * colour's running live instance points the names it owns (or migrates from
 * --migrate-from-txt-owner) at its load balancer, as upsert-only does.
 */
function fakes(options: { txt?: string[]; api?: string[] | null; faults?: Fault[]; podsLinger?: boolean; resolverLags?: boolean; greenCannotWrite?: boolean; blogOnBlueOnly?: boolean } = {}) {
  const calls: string[] = [];
  const writes: Journal[] = [];
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const replicas: Record<Colour, Record<string, number>> = { blue: { [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 }, green: { [LIVE[0] as string]: 0, [LIVE[1] as string]: 0 } };
  const args: Record<Colour, Record<string, string[]>> = {
    blue: Object.fromEntries(spec.live.map((l) => [l.deployment, [...l.args.blue, '--interval=10s']])),
    green: Object.fromEntries(spec.live.map((l) => [l.deployment, [...l.args.green, '--interval=10s']])),
  };
  const records = new Map<string, RecordValue>([[`${spec.txtRecord.name} TXT`, { values: options.txt ?? ['"eks-blue"'], ttl: 60 }]]);
  if (options.api !== null) records.set(`${spec.apiRecord.name} CNAME`, { values: options.api ?? [BLUE_HOST], ttl: 60 });
  // Production (private zone): hello and world served by both colours, blog by blue only (unless told).
  const production = new Map<string, { target: string; owner: string }>([
    ['hello.devinfra.local', { target: LB.blue, owner: OWNER.blue }],
    ['world.devinfra.local', { target: LB.blue, owner: OWNER.blue }],
    ...(options.blogOnBlueOnly === false ? [] : ([['blog.devinfra.local', { target: LB.blue, owner: OWNER.blue }]] as const)),
  ]);
  const served = { blue: ['hello', 'world', 'blog'], green: ['hello', 'world'] };
  const externalDns = () => {
    for (const colour of ['blue', 'green'] as const) {
      if ((replicas[colour][LIVE[0] as string] ?? 0) === 0) continue;
      if (colour === 'green' && options.greenCannotWrite) continue;
      const migrate = args[colour][LIVE[0] as string]?.find((a) => a.startsWith('--migrate-from-txt-owner='))?.split('=')[1];
      for (const label of served[colour]) {
        const r = production.get(`${label}.devinfra.local`);
        if (r && (r.owner === OWNER[colour] || r.owner === migrate)) production.set(`${label}.devinfra.local`, { target: LB[colour], owner: OWNER[colour] });
      }
    }
  };
  const recordSet = (name: string, type: string, values: string[], alias = false): RecordSet =>
    alias ? { name, type, alias: { zoneId: 'Z3Q77PNBQS71R4', dnsName: values[0] as string, evaluateTargetHealth: true } } : { name, type, ttl: 300, values };
  const zoneSets = (zoneId: string) => {
    if (zoneId !== 'Z0DEVINFRALOCAL01') return [];
    externalDns();
    const sets = [...records].filter(([k]) => k.endsWith('.devinfra.local CNAME')).map(([k, v]) => recordSet(k.split(' ')[0] as string, 'CNAME', [...v.values]));
    for (const [name, r] of production) sets.push(recordSet(name, 'A', [r.target], true), recordSet(`a-${name}`, 'TXT', [reg(r.owner)]));
    for (const colour of ['blue', 'green'] as const) {
      for (const label of served[colour]) {
        const name = `${label}.eks-${colour}.devinfra.local`;
        sets.push(recordSet(name, 'A', [LB[colour]], true), recordSet(`a-${name}`, 'TXT', [reg(`ingress-eks-${colour}.devinfra.local`)]));
      }
    }
    return sets;
  };
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
      return {
        name,
        namespace,
        desired: n,
        generation: 2,
        observedGeneration: 2,
        replicas: n,
        updated: n,
        ready: n,
        available: n,
        selector: `app=${name}`,
        container: { index: 0, image: platform.externalDns.image, args: args[colour][name] ?? [] },
      };
    },
    scale: async (_, name, n) => {
      fault(`${colour} scale ${name} ${n}`);
      replicas[colour][name] = n;
    },
    pods: async (_, selector) => (options.podsLinger ? [`${selector}-pod`] : []),
    patchArgs: async (_, name, _index, from, to) => {
      const migrate = to.find((a) => a.startsWith('--migrate-from-txt-owner='));
      fault(`${colour} args ${name} ${migrate ?? 'no migration'}`);
      expect(from).toEqual(args[colour][name]);
      args[colour][name] = [...to];
    },
  });
  const simple = (name: string, type: string): RecordSet[] => {
    const r = records.get(`${name} ${type}`);
    return r ? [{ name, type, ttl: r.ttl, values: [...r.values] }] : [];
  };
  const route53: Route53Port = {
    zone: async (id) => ({ id, name: id === spec.apiRecord.zoneId ? 'devinfra.local' : id === 'Z0DEVINFRAFR02' ? 'devinfra.fr' : 'devinfra.info', private: false, vpcs: [] }),
    list: async (zoneId) => zoneSets(zoneId),
    at: async (_, name, type) => (type ? simple(name, type) : [...simple(name, 'CNAME'), ...simple(name, 'TXT')]),
    change: async (zoneId, changes: readonly Change[]) => {
      fault(`route53 change ${zoneId} ${changes.map((c) => `${c.action} ${c.set.name} ${c.set.type} ${(c.set.values ?? []).join(' ')}`).join('; ')}`);
      for (const c of changes) {
        if (c.action === 'DELETE') records.delete(`${c.set.name} ${c.set.type}`);
        else records.set(`${c.set.name} ${c.set.type}`, { values: [...(c.set.values ?? [])], ttl: c.set.ttl ?? 0 });
      }
      return 'C1';
    },
    changeStatus: async () => 'INSYNC',
    requests: () => 0,
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
    emit: () => undefined,
    progress: () => undefined,
    advance: async (j) => j,
    recovering: false,
  };
  return { ports, calls, writes, records, replicas, args, production, elapsed: () => clock - Date.parse('2026-03-01T10:00:00Z') };
}

const journal0 = () =>
  newJournal({ platform: 'devinfra', platformFile: '/p/platform.yaml', from: 'blue', to: 'green', steps: switchStepIds(spec), now: new Date(0), owner: { pid: 1, host: 'test' }, pins: { platformHash: 'h', facts: {} } });
const mutations = (calls: string[]) => calls.filter((c) => / scale | args |route53 change|platform live/.test(c));
const progress = (writes: Journal[]) => writes.map((j) => (j.rollback ?? j.steps).map((s) => s.status[0]).join(''));

describe('a switch against fakes', () => {
  it('runs the steps in order, each journalled before and after; green takes production over, then runs without the hand-over flag', async () => {
    const f = fakes();
    const { journal } = await runSteps(spec, f.ports, journal0(), switchStepIds(spec));
    expect(journal.state).toBe('completed');
    expect(progress(f.writes)).toEqual([
      'rpppppp', 'dpppppp', 'drppppp', 'ddppppp', 'ddrpppp', 'dddpppp', 'dddrppp', 'ddddppp', 'ddddrpp', 'dddddpp', 'dddddrp', 'ddddddp', 'ddddddr', 'ddddddd',
    ]);
    expect(mutations(f.calls)).toEqual([
      `blue scale ${LIVE[0]} 0`,
      `blue scale ${LIVE[1]} 0`,
      `route53 change Z0DEVINFRALOCAL01 UPSERT api.devinfra.local CNAME ${GREEN_HOST}`,
      `route53 change Z0DEVINFRAINFO03 UPSERT eks.devinfra.info TXT "eks-green"`,
      `green args ${LIVE[0]} --migrate-from-txt-owner=live-eks-blue.devinfra.local`,
      `green args ${LIVE[1]} --migrate-from-txt-owner=live-eks-blue.devinfra.fr`,
      `green scale ${LIVE[0]} 1`,
      `green scale ${LIVE[1]} 1`,
      `green args ${LIVE[0]} no migration`,
      `green args ${LIVE[1]} no migration`,
      'platform live: green',
    ]);
    expect(journal.before).toEqual({
      api: { values: [BLUE_HOST], ttl: 60 },
      txt: { values: ['"eks-blue"'], ttl: 60 },
      replicas: { [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 },
      moves: ['hello.devinfra.local', 'world.devinfra.local'],
      orphans: ['blog.devinfra.local'],
    });
    // Production moved and green's owner id holds it; the orphan stays on blue, still blue's.
    expect(Object.fromEntries(f.production)).toEqual({
      'hello.devinfra.local': { target: LB.green, owner: OWNER.green },
      'world.devinfra.local': { target: LB.green, owner: OWNER.green },
      'blog.devinfra.local': { target: LB.blue, owner: OWNER.blue },
    });
    expect(f.args.green[LIVE[0] as string]).toEqual([...(spec.live[0]?.args.green ?? []), '--interval=10s']);
    // The journal's format, field by field: a field renamed or moved fails here (a journal of the previous version must stay readable).
    golden('test/golden/switch-journal.json', `${JSON.stringify(journal, null, 2)}\n`);
  });

  it('refuses orphans not named by --allow-orphan, naming each, before anything changes', async () => {
    const f = fakes();
    const error = (await runSteps(strict, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e)) as StepFailure;
    expect(error.step).toBe('preflight');
    expect(error.message).toMatch(/1 production name is served by blue only: blog\.devinfra\.local\..*--allow-orphan blog\.devinfra\.local/s);
    expect(mutations(f.calls)).toEqual([]);
  });

  it("stops at the post-check naming every name still on blue when green's live ExternalDNS cannot write (bounded by 3 intervals)", async () => {
    const f = fakes({ greenCannotWrite: true });
    const error = (await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e)) as StepFailure;
    expect(error.step).toBe('postcheck');
    expect(error.message).toMatch(/^2 production names not on green after 30s \(3 ExternalDNS intervals of 10s\): hello\.devinfra\.local -> k8s-blue\S+ \(still on blue\); world\.devinfra\.local -> k8s-blue\S+ \(still on blue\), still after 30s/);
    expect(f.elapsed()).toBeLessThan(40_000);
    expect(mutations(f.calls)).not.toContain('platform live: green');
  });

  it.each([
    ['a left-over hand-over flag on blue', (f: ReturnType<typeof fakes>) => f.args.blue[LIVE[0] as string]?.push('--migrate-from-txt-owner=x'), /blue: kube-system\/live-external-dns-private still runs --migrate-from-txt-owner=x/],
    ['a sync policy on green', (f: ReturnType<typeof fakes>) => ((f.args.green[LIVE[1] as string] as string[])[(f.args.green[LIVE[1] as string] as string[]).indexOf('--policy=upsert-only')] = '--policy=sync'), /green: kube-system\/live-external-dns-public runs --policy=sync, not --policy=upsert-only/],
    ['a shared owner id', (f: ReturnType<typeof fakes>) => (f.args.green[LIVE[0] as string] = (f.args.green[LIVE[0] as string] as string[]).map((a) => a.replace(OWNER.green, OWNER.blue))), /runs --txt-owner-id=live-eks-blue\.devinfra\.local, not --txt-owner-id=live-eks-green\.devinfra\.local/],
  ])('preflight refuses live Deployments unlike the generated ones: %s', async (_, change, message) => {
    const f = fakes();
    change(f);
    const error = (await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e)) as StepFailure;
    expect(error.step).toBe('preflight');
    expect(error.message).toMatch(message);
    expect(mutations(f.calls)).toEqual([]);
  });

  it('a TypeError in a step is not a preflight problem: it surfaces as itself, the journal consistent', async () => {
    const f = fakes();
    (f.ports.route53 as { list: Route53Port['list'] }).list = async () => {
      throw new TypeError('cannot read properties of undefined');
    };
    const error = (await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e)) as StepFailure;
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((f.writes[f.writes.length - 1] as Journal).steps[0]?.status).toBe('failed');
  });

  it.each([
    ['the TXT record names green already', { txt: ['"eks-green"'] }, /holds "eks-green" \(green\), not "eks-blue": green may be live already/],
    ['the TXT record holds a registry value', { txt: [reg('x'), '"eks-blue"'] }, /holds an ExternalDNS registry value/],
    ['the API record points elsewhere', { api: ['elsewhere.example.com'] }, /api\.devinfra\.local points at elsewhere\.example\.com, not blue's endpoint/],
    ['green unreachable', { faults: [{ at: 'green version', error: new Error('connection refused') }] }, /connection refused/],
  ])('preflight fails (%s): nothing is changed', async (_, options, message) => {
    const f = fakes(options);
    const error = await runSteps(spec, f.ports, journal0(), switchStepIds(spec)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).step).toBe('preflight');
    expect((error as StepFailure).message).toMatch(message);
    expect(mutations(f.calls)).toEqual([]);
    expect(progress(f.writes)).toEqual(['rpppppp', 'fpppppp']);
  });

  it.each([
    ['stop-source', `blue scale ${LIVE[0]} 0`],
    ['dns', `route53 change Z0DEVINFRALOCAL01 UPSERT api.devinfra.local CNAME ${GREEN_HOST}`],
    ['start-target', `green scale ${LIVE[1]} 1`],
    ['postcheck', 'green version'],
    ['end-handover', `green args ${LIVE[0]} no migration`],
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
    const later = { 'stop-source': /route53|green|platform/, dns: /green|platform/, 'start-target': /platform|no migration/, postcheck: /platform|no migration/, 'end-handover': /platform/, 'record-live': /$^/ }[step] as RegExp;
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
    // The wait was the larger of the old and new TTLs plus 30 s (--dns-wait 1m given here).
    expect(dnsWaitMs({ ...spec, waits: { ...spec.waits, dnsWaitSet: false, dnsWaitMs: 35_000 } }, { api: { values: [], ttl: 300 }, txt: null })).toBe(330_000);
  });
});

describe('a rollback against fakes', () => {
  it('undoes a complete switch the same way backwards: target off, records back, source on taking production back, the flag off, the file back', async () => {
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
      `route53 change Z0DEVINFRAINFO03 UPSERT eks.devinfra.info TXT "eks-blue"`,
      `blue args ${LIVE[0]} --migrate-from-txt-owner=live-eks-green.devinfra.local`,
      `blue args ${LIVE[1]} --migrate-from-txt-owner=live-eks-green.devinfra.fr`,
      `blue scale ${LIVE[0]} 1`,
      `blue scale ${LIVE[1]} 1`,
      `blue args ${LIVE[0]} no migration`,
      `blue args ${LIVE[1]} no migration`,
      'platform live: blue',
    ]);
    expect([...f.production.values()].every((r) => r.target === LB.blue && r.owner === OWNER.blue)).toBe(true);
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
