/**
 * The switch's operation (ports in, an outcome out, no printing) and its
 * presentation: a step failing on an error that is not bascule's own comes
 * back as a failed outcome, the journal consistent, and is presented as an
 * internal error that keeps the way out (resume / rollback).
 */
import { describe, expect, it } from 'vitest';
import { BasculeError } from '../../src/errors.js';
import { readPlatform } from '../../src/platform/read.js';
import type { SwitchPorts } from '../../src/switch/steps.js';
import type { Journal } from '../../src/cutover/switch-journal.js';
import type { KubePort } from '../../src/kube/client.js';
import { operate, type OperationPorts } from '../../src/switch/operation.js';
import type { Preview } from '../../src/switch/outcome.js';
import { parseSwitchInput } from '../../src/switch/options.js';
import { failureError, previewText } from '../../src/switch/present.js';
import { memoryRoute53 } from '../support/memory-route53.js';
import { golden } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const example = readPlatform('examples/platform.yaml', ROOT);

function fakes(versionOf: (colour: 'blue' | 'green') => Promise<string>) {
  const writes: Journal[] = [];
  const previews: Preview[] = [];
  const notes: string[] = [];
  let destroyed = 0;
  const r53 = memoryRoute53([{ id: example.clusterNameRecord.zoneId as string, name: 'devinfra.info' }]);
  const route53 = { ...r53, destroy: () => void destroyed++ };
  const lockSets = () => r53.sets(example.clusterNameRecord.zoneId as string).filter((s) => s.name.startsWith('_bascule-lock.'));
  const kube = (colour: 'blue' | 'green') => ({ connection: { clusterName: `eks-${colour}` }, version: () => versionOf(colour) }) as unknown as KubePort;
  const ports: OperationPorts = {
    platform: example,
    platformFile: '/p/platform.yaml',
    platformText: () => 'live: blue\n',
    journalPath: '/state/switch-devinfra.json',
    resolver: undefined,
    connect: async () => ({ blue: example.clusters.blue.endpoint as string, green: example.clusters.green.endpoint as string }),
    readJournal: () => undefined,
    writeJournal: (j) => void writes.push(structuredClone(j)),
    lockJournal: () => ({ release: () => undefined }),
    route53: async () => route53,
    steps: (): Omit<SwitchPorts, 'advance' | 'recovering'> => ({
      kube: { blue: kube('blue'), green: kube('green') },
      route53,
      dns: { where: 'the system resolver', txt: async () => ({ kind: 'none', reason: 'NXDOMAIN' }), cname: async () => ({ kind: 'none', reason: 'NXDOMAIN' }) },
      writeJournal: (j) => void writes.push(structuredClone(j)),
      writeLive: () => ({ kind: 'unchanged', path: '/p/platform.yaml' }) as ReturnType<SwitchPorts['writeLive']>,
      now: () => new Date(0),
      sleep: async () => undefined,
      owner: { pid: 1, host: 'test' },
      emit: () => undefined,
      progress: () => undefined,
    }),
    approve: async (preview) => void previews.push(preview),
    note: (line) => void notes.push(line),
    now: () => new Date(0),
    owner: { pid: 1, host: 'test' },
  };
  return { ports, writes, previews, notes, lockSets, destroyed: () => destroyed };
}

const input = parseSwitchInput({ to: 'green', apply: true, yes: true, config: 'platform.yaml' });

describe('the switch operation', () => {
  it('returns a failed outcome when a step meets a bug; presented as an internal error that keeps the way out', async () => {
    const f = fakes(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'gitVersion')");
    });
    const outcome = await operate(input, f.ports);
    expect(outcome).toMatchObject({ kind: 'failed', result: 'failed', operation: 'switch', step: 'preflight', ran: [], left: expect.arrayContaining(['preflight', 'dns']) });
    if (outcome.kind !== 'failed') throw new Error('unreachable');
    expect(outcome.cause).toBeInstanceOf(TypeError);
    // The preview was shown before anything ran; the journal says where it stopped; the lock record is gone.
    expect(f.previews.map((p) => p.kind)).toEqual(['switch']);
    expect(previewText(f.previews[0] as Preview)).toMatch(/^Switch devinfra from blue \(eks-blue\) to green \(eks-green\)/);
    expect(f.writes.at(-1)).toMatchObject({ state: 'failed', lock: null });
    expect(f.lockSets()).toEqual([]);
    expect(f.destroyed()).toBe(1);
    const error = failureError(outcome, input);
    expect(error).toBeInstanceOf(BasculeError);
    expect(error.kind).toBe('internal');
    expect(error.message).toBe("switch step 1/7 (Preflight) failed: TypeError: Cannot read properties of undefined (reading 'gitVersion')");
    expect(error.hint).toMatch(/^this is a bug in bascule; nothing was changed\. .*`bascule switch --resume --config platform\.yaml` re-runs it from the preflight/);
  });

  it("keeps a bascule error's own hint, then says how to resume or roll back", async () => {
    const f = fakes(async () => {
      throw new TypeError('boom');
    });
    const outcome = await operate(input, f.ports);
    if (outcome.kind !== 'failed') throw new Error(`expected a failed outcome, got ${outcome.kind}`);
    const cause = new BasculeError('check', 'Route53 change C1 PENDING, still after 5m', { hint: 'raise --timeout if the cluster is only slow' });
    const error = failureError({ ...outcome, step: 'dns', cause }, input);
    expect(error.kind).toBe('check');
    expect(error.message).toBe('switch step 3/7 (Repoint the API and TXT records (Route53)) failed: Route53 change C1 PENDING, still after 5m');
    expect(error.hint).toMatch(/^raise --timeout if the cluster is only slow\nthe journal \/state\/switch-devinfra\.json records what was done\. .*`bascule switch --resume --config platform\.yaml`; or undo what was done: `bascule switch --rollback --config platform\.yaml`\.$/);
  });
});

describe('the plan for scripts (--output json)', () => {
  it('keeps its shape: steps, the inventory judged for the switch (weighted and left-alone names told apart), refused orphans, missing zones (golden)', async () => {
    const f = fakes(async (c) => `v1.32 ${c}`);
    const r53 = memoryRoute53([
      { id: 'Z0DEVINFRALOCAL01', name: 'devinfra.local' },
      { id: 'Z0DEVINFRAFR02', name: 'devinfra.fr' },
      { id: 'Z0DEVINFRAINFO03', name: 'devinfra.info' },
    ]);
    const LB = { blue: 'k8s-blue-1.eu-west-3.elb.amazonaws.com', green: 'k8s-green-2.eu-west-3.elb.amazonaws.com' };
    const alias = (name: string, dnsName: string, type = 'A') => ({ name, type, alias: { zoneId: 'Z3Q77PNBQS71R4', dnsName, evaluateTargetHealth: true } });
    const reg = (owner: string) => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=service/web/x"`;
    const txt = (name: string, owner: string) => ({ name, type: 'TXT', ttl: 300, values: [reg(owner)] });
    const served = (label: string, c: 'blue' | 'green') => [alias(`${label}.eks-${c}.devinfra.local`, LB[c]), txt(`a-${label}.eks-${c}.devinfra.local`, `ingress-eks-${c}.devinfra.local`)];
    r53.put(
      'Z0DEVINFRALOCAL01',
      ...served('hello', 'blue'),
      ...served('hello', 'green'),
      alias('hello.devinfra.local', LB.blue),
      txt('a-hello.devinfra.local', 'live-eks-blue.devinfra.local'),
      ...served('blog', 'blue'),
      alias('blog.devinfra.local', LB.blue),
      txt('a-blog.devinfra.local', 'live-eks-blue.devinfra.local'),
      alias('mail.devinfra.local', LB.blue),
      txt('a-mail.devinfra.local', 'another-team'),
      { name: 'legacy.devinfra.local', type: 'CNAME', ttl: 300, values: ['old.example.com'] },
      ...served('shop', 'blue'),
      ...served('shop', 'green'),
      ...(['blue', 'green'] as const).map((c) => ({ name: 'shop.devinfra.local', type: 'CNAME', ttl: 60, values: [`shop.eks-${c}.devinfra.local`], setIdentifier: c, weight: c === 'blue' ? 30 : 70 })),
    );
    const plan = await operate(parseSwitchInput({ to: 'green', config: 'platform.yaml', output: 'json' }), { ...f.ports, route53: async () => r53 });
    if (plan.kind !== 'plan') throw new Error(`expected a plan, got ${plan.kind}`);
    const { planJson } = await import('../../src/switch/present.js');
    golden('test/golden/switch-plan.json', planJson(plan));
    expect(JSON.parse(planJson(plan))).toMatchObject({ refusedOrphans: ['blog.devinfra.local'], weighted: ['shop.devinfra.local'] });
    // Each zone listed once for the whole inventory.
    expect(r53.calls.filter((c) => c.startsWith('list '))).toEqual(['list Z0DEVINFRALOCAL01', 'list Z0DEVINFRAFR02']);
  });
});
