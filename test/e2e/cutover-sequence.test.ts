/**
 * One production model across both cut-overs, in sequence on one world (the
 * issue's test): a plain switch, a weighted shift, a plain switch back, a
 * weighted shift paused half-way then rolled back; after each step
 * `bascule status` says what Route53 holds (the live colour, how production is
 * served), and Route53 holds what the step meant. On ac30b44 the plain switch
 * after the weighted shift said "Switched" with production elsewhere.
 *
 * Production is the world's: hello and world served by both colours through
 * Services (alias records: a stage holds at least 60 s), blog by blue only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE, OWNER, startCutoverWorld, type CutoverWorld } from '../support/cutover-world.js';

let world: CutoverWorld;
beforeAll(async () => {
  world = await startCutoverWorld();
  await world.reset();
  // Each colour's ALB has had test traffic: its RequestCount metric exists (the shift refuses a signal it cannot read).
  await world.putTraffic('green', { requests: 5 });
  await world.putTraffic('blue', { requests: 5 });
}, 240_000);
afterAll(async () => {
  if (world) await world.stop().catch(() => undefined);
});

const FAST = ['--poll-interval', '50ms', '--timeout', '20s', '--dns-wait', '5s', '--request-timeout', '15s', '--dns-timeout', '10s'];
const sw = (...args: string[]) => world.run(['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, ...args], { timeoutMs: 240_000 });
/** The weighted shift: its signals looked at every 200 ms. */
const shift = (...args: string[]) => sw('--signal-interval', '200ms', ...args);

/** Each name: where its traffic goes and who owns it, as Route53 holds it. */
async function production() {
  const p = await world.production();
  return Object.fromEntries(Object.entries(p).map(([name, v]) => [name, { form: v.form, owner: v.owner, traffic: v.traffic }]));
}
const on = (colour: 'blue' | 'green') => ({ form: 'simple', owner: OWNER[colour], traffic: { [colour]: 100 } });
const running = (colour: 'blue' | 'green') => LIVE.every((d) => (world.stores[colour].get(d)?.replicas ?? 0) > 0);

/** status agrees with Route53: the live colour everywhere, exit 0. */
async function statusSays(colour: 'blue' | 'green') {
  const s = await world.status();
  expect(s.json?.live, s.stdout + s.stderr).toBe(colour);
  expect(s.code, s.stdout).toBe(0);
  expect((await world.state()).txt).toEqual([`"eks-${colour}"`]);
  expect(running(colour) && !running(colour === 'blue' ? 'green' : 'blue')).toBe(true);
  return s;
}

describe('a plain switch, a weighted shift, a plain switch back, a weighted rollback', () => {
  it('each step moves production as one model, and status agrees with Route53 after each', async () => {
    await statusSays('blue');

    // 1. The plain switch: green's live ExternalDNS take hello and world over; blog stays blue's (allowed).
    const first = await sw('--to', 'green', '--apply', '--yes', '--allow-orphan', 'blog.devinfra.local');
    expect(first.code, first.stderr).toBe(0);
    expect(await production()).toEqual({ 'blog.devinfra.local': on('blue'), 'hello.devinfra.local': on('green'), 'world.devinfra.local': on('green') });
    await statusSays('green');

    // 2. A weighted shift back to blue, one stage: converted, moved, settled on blue, green fenced.
    const shifted = await shift('--to', 'blue', '--weights', '100', '--apply', '--yes');
    expect(shifted.code, shifted.stderr + shifted.stdout).toBe(0);
    expect(await production()).toEqual({ 'blog.devinfra.local': on('blue'), 'hello.devinfra.local': on('blue'), 'world.devinfra.local': on('blue') });
    await statusSays('blue');

    // 3. The plain switch back to green, over what the shift settled: proven, not merely said.
    const back = await sw('--to', 'green', '--apply', '--yes', '--allow-orphan', 'blog.devinfra.local');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/Route53: hello\.devinfra\.local, world\.devinfra\.local target green's load balancers, owned by green's live ExternalDNS/);
    expect(await production()).toEqual({ 'blog.devinfra.local': on('blue'), 'hello.devinfra.local': on('green'), 'world.devinfra.local': on('green') });
    await statusSays('green');

    // 4. A weighted shift to blue paused at 50%: status shows the split and the unfinished shift, and fails.
    const paused = await shift('--to', 'blue', '--weights', '50,100', '--pause', '--apply', '--yes');
    expect(paused.code, paused.stderr + paused.stdout).toBe(0);
    const split = await production();
    expect(split['hello.devinfra.local']).toMatchObject({ form: 'weighted', traffic: { blue: 50, green: 50 } });
    const during = await world.status();
    expect(during.code).toBe(3);
    expect(during.stdout).toMatch(/weighted shift green -> blue paused/);

    // ... then `switch --rollback`, which finds the shift without --journal: production exactly as after step 3.
    const rollback = await sw('--rollback', '--yes');
    expect(rollback.code, rollback.stderr + rollback.stdout).toBe(0);
    expect(await production()).toEqual({ 'blog.devinfra.local': on('blue'), 'hello.devinfra.local': on('green'), 'world.devinfra.local': on('green') });
    await statusSays('green');
  }, 900_000);
});
