/**
 * The drain use case: read production and the colour's own records (each
 * zone listed once), find the colour's load balancers and the production
 * names that still name it, then look at the load balancers' metrics until
 * every one is drained or the watch ends. Every side effect goes through the
 * ports; the clock and the sleep are ports too, so the watch runs under a
 * fake clock in tests.
 */
import type { Colour } from '../platform/model.js';
import type { ProductionLayout } from '../production/inventory.js';
import { normName } from '../production/names.js';
import { observeProduction } from '../production/observe.js';
import type { RecordSet } from '../production/records.js';
import { decide, overall, queryRange, type DrainWindow, type MetricAnswer, type Overall, type Verdict } from './decide.js';
import { longestTtl, productionView, sending, type ProductionView } from './production.js';
import { colourTargets, drainMetric, type ColourTargets, type LoadBalancer, type MetricSpec, type Served } from './targets.js';

export interface DrainPorts {
  /** Every record set of the zone, names in normal form (src/aws/route53.ts's list). */
  records(zoneId: string): Promise<readonly RecordSet[]>;
  /** Every load balancer of the region (paginated by the adapter). */
  loadBalancers(): Promise<readonly LoadBalancer[]>;
  /** One answer per query, in order. Datapoint times in ms. */
  metrics(queries: readonly MetricSpec[], range: { start: number; end: number; periodMs: number }): Promise<readonly MetricAnswer[]>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A look is done (progress). */
  looked?(look: Look): void;
}

export interface DrainInput {
  readonly colour: Colour;
  /** Where production lives (productionLayout): no kinds when production is not read. */
  readonly layout: ProductionLayout;
  /** Why production, or part of it, is not read. */
  readonly notRead: readonly string[];
  /** The colour's domains, each with the zone that holds it. */
  readonly domains: readonly { readonly name: string; readonly zoneId: string }[];
  /** Names under those domains that carry no traffic (the colour's API record). */
  readonly exclude: readonly string[];
  readonly quietMs: number;
  readonly lagMs: number;
  /** 0: one look. */
  readonly watchMs: number;
  readonly pollMs: number;
}

export const PERIOD_MS = 60_000;

export interface LoadBalancerVerdict extends Served {
  readonly metric: MetricSpec;
  readonly verdict: Verdict;
}

export interface Look {
  readonly at: number;
  readonly number: number;
  readonly overall: Overall;
  readonly loadBalancers: readonly LoadBalancerVerdict[];
}

export interface DrainReport {
  readonly targets: ColourTargets;
  /** The production names that name the colour. */
  readonly production: ProductionView;
  readonly window: DrainWindow;
  /** The production name whose TTL the window counts; undefined: the colour's own records'. */
  readonly ttlFrom: string | undefined;
  readonly started: number;
  readonly last: Look;
  /** The unmapped names make the result unknown at best; a production name sending traffic, receiving. */
  readonly overall: Overall;
}

/** Production and the colour's own records, each zone listed once, and the region's load balancers. */
export async function observeColour(ports: Pick<DrainPorts, 'records' | 'loadBalancers'>, input: Pick<DrainInput, 'colour' | 'layout' | 'notRead' | 'domains' | 'exclude'>): Promise<{ targets: ColourTargets; production: ProductionView }> {
  const zones = [...new Set(input.domains.map((d) => d.zoneId))];
  const [observed, loadBalancers] = await Promise.all([observeProduction({ list: async (zoneId) => [...(await ports.records(zoneId))] }, input.layout, zones), ports.loadBalancers()]);
  const records = zones.flatMap((z) => observed.indexes.get(z)?.records ?? []);
  const domains = input.domains.map((d) => d.name);
  const targets = colourTargets({ records, domains, exclude: input.exclude, loadBalancers });
  const production = productionView(observed, { colour: input.colour, domains: domains.map(normName), targets: targets.targets, notRead: input.notRead });
  return { targets, production };
}

/** The colour's load balancers from its own records only (the weighted shift's signals use this). */
export async function findTargets(ports: Pick<DrainPorts, 'records' | 'loadBalancers'>, input: Pick<DrainInput, 'domains' | 'exclude'>): Promise<ColourTargets> {
  const zones = [...new Set(input.domains.map((d) => d.zoneId))];
  const [lists, loadBalancers] = await Promise.all([Promise.all(zones.map((z) => ports.records(z))), ports.loadBalancers()]);
  return colourTargets({ records: lists.flat(), domains: input.domains.map((d) => d.name), exclude: input.exclude, loadBalancers });
}

async function look(ports: DrainPorts, targets: ColourTargets, window: DrainWindow, number: number): Promise<Look> {
  const at = ports.now();
  const specs = targets.served.map((s) => drainMetric(s.lb));
  const range = queryRange(at, window);
  const answers = specs.length === 0 ? [] : await ports.metrics(specs, { ...range, periodMs: window.periodMs });
  const loadBalancers = targets.served.map((s, i) => ({
    ...s,
    metric: specs[i] as MetricSpec,
    verdict: decide(answers[i] ?? { status: 'missing', points: [] }, at, window),
  }));
  return { at, number, overall: overall(loadBalancers.map((l) => l.verdict)), loadBalancers };
}

export async function drain(ports: DrainPorts, input: DrainInput): Promise<DrainReport> {
  const started = ports.now();
  const { targets, production } = await observeColour(ports, input);
  const fromProduction = longestTtl(production);
  const ttlFrom = fromProduction.seconds > targets.ttlSeconds ? fromProduction.name : undefined;
  const ttlSeconds = Math.max(targets.ttlSeconds, fromProduction.seconds);
  const window: DrainWindow = { ttlMs: ttlSeconds * 1000, quietMs: input.quietMs, lagMs: input.lagMs, periodMs: PERIOD_MS };
  // Production is read once: a name that still sends traffic to the colour is not waited out.
  const productionSends = sending(production).length > 0;
  const deadline = started + input.watchMs;
  let n = 1;
  let last = await look(ports, targets, window, n);
  ports.looked?.(last);
  // Unmapped names are not waited out (they stay unknown), nor production names, nor traffic
  // that cannot be quiet long enough before the watch ends.
  const mayDrainBy = (l: Look, by: number) =>
    l.loadBalancers.every((b) => b.verdict.state !== 'receiving' || b.verdict.drainedAtEarliest <= by);
  while (!productionSends && last.overall !== 'drained' && ports.now() + input.pollMs <= deadline && mayDrainBy(last, deadline)) {
    await ports.sleep(input.pollMs);
    n += 1;
    last = await look(ports, targets, window, n);
    ports.looked?.(last);
  }
  const unmapped = targets.unmapped.length > 0 ? 'unknown' : 'drained';
  const result: Overall = last.overall === 'receiving' || productionSends ? 'receiving' : last.overall === 'unknown' || unmapped === 'unknown' ? 'unknown' : 'drained';
  return { targets, production, window, ttlFrom, started, last, overall: result };
}
