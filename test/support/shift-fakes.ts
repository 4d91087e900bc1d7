/**
 * The weighted shift's unit world: the example platform, Route53 in memory
 * (test/support/memory-route53.ts, plus Route53's rules on a zone's state: a
 * CNAME alone at its name, simple and weighted sets never of one name and
 * type), both clusters' live ExternalDNS Deployments, a resolver reading the
 * memory zones, ELBv2 and CloudWatch answers, a fake clock, and the journal
 * in memory. Every zone state Route53 passes through is checked: each
 * production name resolves, no weighted pair is ever 0/0.
 *
 * A "kill" at the Nth Route53 change applies it, then the process is gone:
 * nothing it writes afterwards (journal) persists, and the error ends it.
 */
import { readPlatform } from '../../src/platform/read.js';
import type { Colour } from '../../src/platform/model.js';
import type { DeploymentState, KubePort } from '../../src/kube/client.js';
import type { ShiftJournal } from '../../src/cutover/shift-journal.js';
import type { Journal as SwitchJournal } from '../../src/cutover/switch-journal.js';
import { operateShift, type ShiftOperationPorts, type ShiftOutcome } from '../../src/shift/operation.js';
import { parseShiftInput, type RawShiftFlags } from '../../src/shift/options.js';
import type { SignalPort, TargetHealth } from '../../src/shift/signals.js';
import type { AnyEvent } from '../../src/shift/events.js';
import { failureError, phraseShift } from '../../src/shift/present.js';
import type { RecordSet } from '../../src/production/records.js';
import { memoryRoute53, type MemoryRoute53 } from './memory-route53.js';

const ROOT = new URL('../..', import.meta.url).pathname;
export const platform = readPlatform('examples/platform.yaml', ROOT);
export const ZONE = { local: 'Z0DEVINFRALOCAL01', fr: 'Z0DEVINFRAFR02', info: 'Z0DEVINFRAINFO03' };
export const LIVE = ['live-external-dns-private', 'live-external-dns-public'];
export const LB = { blue: 'k8s-blue-web-1.eu-west-3.elb.amazonaws.com', green: 'k8s-green-web-1.eu-west-3.elb.amazonaws.com' };
export const ELB_ZONE = 'Z3Q77PNBQS71R4';
export const OWNER = { blue: 'live-eks-blue.devinfra.local', green: 'live-eks-green.devinfra.local' };
export const OWNER_FR = { blue: 'live-eks-blue.devinfra.fr', green: 'live-eks-green.devinfra.fr' };
export const CLUSTER_OWNER = { blue: 'ingress-eks-blue.devinfra.local', green: 'ingress-eks-green.devinfra.local' };
export const CLUSTER_OWNER_FR = { blue: 'ingress-eks-blue.devinfra.fr', green: 'ingress-eks-green.devinfra.fr' };
const HOST = { blue: 'a1b2c3d4e5f60718293a4b5c6d7e8f90.gr7.eu-west-3.eks.amazonaws.com', green: '0f9e8d7c6b5a49382716f5e4d3c2b1a0.yl4.eu-west-3.eks.amazonaws.com' };
export const T0 = Date.parse('2026-11-30T21:00:00Z');

export const reg = (owner: string, resource = 'ingress/web/app') => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${resource}"`;
const alias = (dnsName: string) => ({ zoneId: ELB_ZONE, dnsName, evaluateTargetHealth: true });
const txt = (name: string, value: string): RecordSet => ({ name, type: 'TXT', ttl: 300, values: [value] });

/** The production names the shift moves in this world. */
export const SHIFTED = ['devinfra.local', 'hello.devinfra.local', 'www.devinfra.fr'];

/**
 * Blue is live. hello.devinfra.local (alias A) and the apex devinfra.local are blue's live
 * ExternalDNS', served by both colours; www.devinfra.fr is a CNAME (TTL 300) served by both;
 * blog.devinfra.local is served by blue only (an orphan); foreign.devinfra.local has another
 * owner; hand.devinfra.local is hand-made with no colour counterpart.
 */
export function seed(r53: MemoryRoute53): void {
  r53.put(ZONE.info, { name: 'eks.devinfra.info', type: 'TXT', ttl: 60, values: ['"eks-blue"'] });
  r53.put(ZONE.local, { name: 'api.devinfra.local', type: 'CNAME', ttl: 60, values: [HOST.blue] });
  for (const label of ['hello', 'blog', '']) {
    const name = label ? `${label}.devinfra.local` : 'devinfra.local';
    r53.put(ZONE.local, { name, type: 'A', alias: alias(`dualstack.${LB.blue}`) }, txt(label ? `a-${name}` : 'a-devinfra.local', reg(OWNER.blue)));
    for (const c of label === 'blog' ? (['blue'] as const) : (['blue', 'green'] as const)) {
      const own = label ? `${label}.eks-${c}.devinfra.local` : `eks-${c}.devinfra.local`;
      r53.put(ZONE.local, { name: own, type: 'A', alias: alias(`dualstack.${LB[c]}`) }, txt(`a-${own}`, reg(CLUSTER_OWNER[c], `ingress/web/${label || 'apex'}`)));
    }
  }
  r53.put(ZONE.local, { name: 'foreign.devinfra.local', type: 'CNAME', ttl: 300, values: ['elsewhere.example.com'] }, txt('cname-foreign.devinfra.local', reg('someone-else')));
  r53.put(ZONE.local, { name: 'hand.devinfra.local', type: 'A', ttl: 300, values: ['10.0.0.9'] });
  r53.put(ZONE.fr, { name: 'www.devinfra.fr', type: 'CNAME', ttl: 300, values: [LB.blue] }, txt('cname-www.devinfra.fr', reg(OWNER_FR.blue, 'ingress/web/www')));
  for (const c of ['blue', 'green'] as const) {
    r53.put(ZONE.fr, { name: `www.eks-${c}.devinfra.fr`, type: 'CNAME', ttl: 60, values: [LB[c]] }, txt(`cname-www.eks-${c}.devinfra.fr`, reg(CLUSTER_OWNER_FR[c], 'ingress/web/www')));
  }
}

/** Route53's rules on a zone's state, and what a resolver sees at the shifted names. */
function zoneProblems(sets: readonly RecordSet[]): string[] {
  const out: string[] = [];
  for (const s of sets) {
    const at = sets.filter((o) => o.name === s.name);
    if (s.type === 'CNAME' && at.some((o) => o.type !== 'CNAME')) out.push(`CNAME beside another type at ${s.name}`);
    if (at.some((o) => o.type === s.type && (o.setIdentifier === undefined) !== (s.setIdentifier === undefined))) out.push(`simple and weighted ${s.type} at ${s.name}`);
  }
  return out;
}

export interface World {
  r53: MemoryRoute53;
  clock: { now: number };
  replicas: Record<Colour, Record<string, number>>;
  journal: ShiftJournal | undefined;
  switchJournal: SwitchJournal | undefined;
  writes: ShiftJournal[];
  out: string[];
  /** Every Route53 change and every scale, in order. */
  calls: string[];
  /** Names that did not resolve, or were 0/0, after some change. */
  violations: string[];
  /** Each zone state after each change (the shifted names' sets). */
  states: string[];
  health: TargetHealth[];
  metrics: { requests: number; errors: number };
  /** The Route53 change (1-based) at which the process dies, once. */
  killAt: number | undefined;
  dead: boolean;
  changes: number;
  /** The platform file's text as the shift reads it (its hash is pinned). */
  platformText: string;
  /** The per-machine journal lock is held. */
  locked: boolean;
}

export function newWorld(): World {
  const r53 = memoryRoute53([
    { id: ZONE.local, name: 'devinfra.local' },
    { id: ZONE.fr, name: 'devinfra.fr' },
    { id: ZONE.info, name: 'devinfra.info' },
  ]);
  seed(r53);
  const w: World = {
    r53,
    clock: { now: T0 },
    replicas: { blue: { [LIVE[0] as string]: 1, [LIVE[1] as string]: 1 }, green: { [LIVE[0] as string]: 0, [LIVE[1] as string]: 0 } },
    journal: undefined,
    switchJournal: undefined,
    writes: [],
    out: [],
    calls: [],
    violations: [],
    states: [],
    health: [{ target: '10.0.2.5:80', state: 'healthy', reason: undefined }],
    metrics: { requests: 500, errors: 0 },
    killAt: undefined,
    dead: false,
    changes: 0,
    platformText: 'name: devinfra\nlive: blue\n',
    locked: false,
  };
  const change = r53.change.bind(r53);
  r53.change = async (zoneId, batch, comment, options) => {
    if (w.dead) throw new Error('the process is gone');
    const zone = r53.zones.get(zoneId);
    const before = zone ? new Map(zone.sets) : undefined;
    const result = await change(zoneId, batch, comment, options);
    const problems = zone ? zoneProblems([...zone.sets.values()]) : [];
    if (problems.length > 0 && zone && before) {
      zone.sets = before;
      throw Object.assign(new Error(`InvalidChangeBatch: ${problems.join('; ')}`), { name: 'InvalidChangeBatch' });
    }
    if (result !== 'conflict') {
      w.calls.push(`change ${zoneId} ${batch.map((c) => `${c.action} ${c.set.name} ${c.set.type}${c.set.setIdentifier ? `[${c.set.setIdentifier} ${c.set.weight}]` : ''}`).join('; ')}`);
      check(w, comment);
    }
    w.changes += 1;
    if (w.killAt === w.changes) {
      w.dead = true;
      throw new Error(`killed after Route53 change ${w.changes}`);
    }
    return result;
  };
  return w;
}

function check(w: World, comment: string): void {
  const all = [...w.r53.zones.values()].flatMap((z) => [...z.sets.values()]);
  for (const name of SHIFTED) {
    const at = all.filter((s) => s.name === name && ['A', 'AAAA', 'CNAME'].includes(s.type));
    if (at.length === 0) w.violations.push(`${name} does not resolve after "${comment}"`);
    const weighted = at.filter((s) => s.setIdentifier !== undefined);
    if (weighted.length > 0 && weighted.every((s) => s.weight === 0)) w.violations.push(`${name} is 0/0 after "${comment}"`);
  }
  w.states.push(SHIFTED.map((n) => all.filter((s) => s.name === n).map((s) => `${s.type}${s.setIdentifier ? `[${s.setIdentifier} ${s.weight}]` : ''}`).join(',')).join(' | '));
}

function kube(w: World, colour: Colour): KubePort {
  return {
    connection: { label: colour, clusterName: `eks-${colour}`, endpoint: `https://${HOST[colour]}`, caPem: '', tlsServerName: undefined },
    version: async () => 'v1.32',
    deployment: async (namespace, name): Promise<DeploymentState | undefined> => {
      const n = w.replicas[colour][name];
      if (n === undefined) return undefined;
      const instance = name === LIVE[0] ? 'livePrivate' : 'livePublic';
      const { externalDnsArgs } = await import('../../src/platform/external-dns.js');
      const args = [...externalDnsArgs(platform, colour, instance), '--interval=10s'];
      return { name, namespace, desired: n, generation: 1, observedGeneration: 1, replicas: n, updated: n, ready: n, available: n, selector: `app=${name}`, container: { index: 0, image: platform.externalDns.image, args } };
    },
    scale: async (_, name, n) => {
      if (w.dead) throw new Error('the process is gone');
      w.calls.push(`scale ${colour} ${name} ${n}`);
      w.replicas[colour][name] = n;
    },
    pods: async () => [],
    patchArgs: async () => undefined,
  };
}

function signals(w: World): SignalPort {
  const lbs = (['blue', 'green'] as const).map((c) => ({ arn: `arn:aws:elasticloadbalancing:eu-west-3:123456789012:loadbalancer/app/k8s-${c}-web/0123`, name: `k8s-${c}-web`, dnsName: LB[c], type: 'application' }));
  return {
    loadBalancers: async () => lbs,
    targetGroups: async (arn) => [`${arn}/tg`],
    targetHealth: async () => w.health,
    metrics: async (queries) => queries.map((q) => ({ status: 'Complete', points: [{ at: w.clock.now, value: q.metric === 'RequestCount' ? w.metrics.requests : q.metric === 'HTTPCode_Target_5XX_Count' ? w.metrics.errors : 0 }] })),
    metricExists: async () => true,
  };
}

function resolve(w: World, name: string, type: string): RecordSet | undefined {
  for (const z of w.r53.zones.values()) for (const s of z.sets.values()) if (s.name === name && s.type === type) return s;
  return undefined;
}

export function ports(w: World): ShiftOperationPorts {
  const now = () => new Date(w.clock.now);
  return {
    platform,
    platformFile: '/p/platform.yaml',
    platformText: () => w.platformText,
    journalPath: '/state/bascule/shift-devinfra.json',
    resolver: undefined,
    connect: async () => ({ blue: platform.clusters.blue.endpoint as string, green: platform.clusters.green.endpoint as string }),
    readJournal: () => (w.journal ? structuredClone(w.journal) : undefined),
    readSwitchJournal: () => w.switchJournal,
    writeJournal: (j) => {
      if (w.dead) return;
      w.journal = structuredClone(j);
      w.writes.push(w.journal);
    },
    lockJournal: () => {
      if (w.locked) throw Object.assign(new Error('another bascule is running an operation on this platform right now'), { kind: 'refused' });
      w.locked = true;
      return { release: () => void (w.locked = false) };
    },
    route53: async () => w.r53,
    actions: () => ({
      kube: { blue: kube(w, 'blue'), green: kube(w, 'green') },
      route53: w.r53,
      dns: {
        where: 'the test resolver',
        txt: async (name) => {
          const s = resolve(w, name, 'TXT');
          return s ? { kind: 'records', records: (s.values ?? []).map((v) => [v.replace(/^"|"$/g, '')]) } : { kind: 'none', reason: 'NXDOMAIN' };
        },
        cname: async (name) => {
          const s = resolve(w, name, 'CNAME');
          return s ? { kind: 'cname', target: s.values?.[0] as string } : { kind: 'none', reason: 'NXDOMAIN' };
        },
      },
      signals: signals(w),
      writeJournal: (j) => {
        if (w.dead) return;
        w.journal = structuredClone(j);
        w.writes.push(w.journal);
      },
      writeLive: (to) => {
        w.calls.push(`live: ${to}`);
        return { kind: 'written', path: '/p/platform.yaml', line: 14 };
      },
      now,
      sleep: async (ms) => void (w.clock.now += Math.max(1, ms)),
      emit: (e: AnyEvent) => void w.out.push(phraseShift(e)),
      progress: () => undefined,
    }),
    approve: async () => undefined,
    note: (line) => void w.out.push(`note: ${line}`),
    now,
    owner: { pid: 1, host: 'test' },
  };
}

export const FAST = { timeout: '5m', pollInterval: '2s', yes: true };

/** Runs `bascule switch` (the shift's room) against the world; a thrown error comes back as the outcome. */
export async function shift(w: World, flags: RawShiftFlags): Promise<ShiftOutcome | Error> {
  w.dead = false;
  try {
    const input = parseShiftInput({ ...FAST, ...flags });
    const outcome = await operateShift(input, ports(w));
    // A failed step ends the command with the error the presenter builds.
    return outcome.kind === 'failed' ? failureError(outcome, input) : outcome;
  } catch (error) {
    return error as Error;
  }
}

/** Every record set of every zone but the lock record, as text (for "exactly as before"). */
export function snapshot(w: World): string[] {
  return [...w.r53.zones.values()].flatMap((z) => [...z.sets.values()]).filter((s) => !s.name.startsWith('_bascule-lock')).map((s) => JSON.stringify(s)).sort();
}

export const setsAt = (w: World, name: string): RecordSet[] => [...w.r53.zones.values()].flatMap((z) => [...z.sets.values()]).filter((s) => s.name === name);
export const lockValue = (w: World): string | undefined => setsAt(w, '_bascule-lock.eks.devinfra.info')[0]?.values?.[0];
