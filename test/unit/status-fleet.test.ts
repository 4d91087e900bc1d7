/**
 * `bascule status --fleet` without the network: the pool (never more than
 * --parallel at once), each platform within its bound (one that never
 * answers is a row saying so; the others go on), a file that does not load,
 * the shared Route53 listings (one listing per zone, lookups answered from
 * it), and the presentation: the table, and the JSON under a golden
 * (test/golden/status-fleet.json: a field renamed fails here).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import { sharedListings } from '../../src/aws/route53-cache.js';
import { BasculeError } from '../../src/errors.js';
import type { FleetEntry } from '../../src/platform/fleet-file.js';
import type { Member } from '../../src/platform/fleet-members.js';
import type { Platform } from '../../src/platform/model.js';
import { evaluateStatus, type StatusReport } from '../../src/status/evaluate.js';
import { fleetRows, pool } from '../../src/status/fleet.js';
import { fleetStatusJson, fleetStatusTable, type FleetRow, type FleetStatus } from '../../src/status/fleet-present.js';
import { memoryRoute53 } from '../support/memory-route53.js';
import { BLUE_LIVE, context, inventory, journal, LB, lock, LIVE_OWNER, observation, prod, replacing, weighted, Z } from '../support/status-fixtures.js';
import { golden, tempDirs } from '../support/text.js';

const entry = (file: string): FleetEntry => ({ file, path: `/f/${file}`, profile: undefined, role: undefined, from: 'the directory' });
const platformNamed = (name: string, account = '111111111111') => ({ name, aws: { accountId: account, region: 'eu-west-3' } }) as unknown as Platform;
const member = (name: string, account?: string): Member => ({ entry: entry(`${name}.yaml`), platform: platformNamed(name, account) });

describe('the fleet runner', () => {
  it('runs at most --parallel platforms at once, the results in the fleet order', async () => {
    let running = 0;
    let most = 0;
    const out = await pool([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running += 1;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await Promise.resolve();
      running -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it('one platform that never answers is reported as such, within its bound; one that fails, one that does not load; the others go on', async () => {
    const members: Member[] = [member('web'), member('stuck'), { entry: entry('broken.yaml'), error: new BasculeError('config', 'broken.yaml is not a valid platform description (1 problem):\n  aws (line 1): is missing') }, member('denied')];
    const report = evaluateStatus(observation(), context);
    const rows = await fleetRows(members, {
      parallel: 2,
      boundMs: 50,
      report: (p) => (p.name === 'stuck' ? new Promise<StatusReport>(() => undefined) : p.name === 'denied' ? Promise.reject(new Error('AccessDenied: not allowed\nmore')) : Promise.resolve(report)),
    });
    expect(rows.map((r) => [r.platform, r.error])).toEqual([
      ['web', null],
      ['stuck', "no answer within 50ms (the platform's bound: twice --timeout)"],
      [null, 'does not load: broken.yaml is not a valid platform description (1 problem):'],
      ['denied', 'AccessDenied: not allowed'],
    ]);
    expect(rows[0]?.report?.ok).toBe(true);
  });
});

describe('Route53 read once per run', () => {
  it('each zone listed once however many platforms read it; a lookup at a name answered from the listing', async () => {
    const r53 = memoryRoute53([{ id: Z.local, name: 'devinfra.local' }, { id: Z.info, name: 'devinfra.info' }]);
    r53.put(Z.local, ...BLUE_LIVE);
    r53.put(Z.info, { name: '_bascule-lock.eks.devinfra.info', type: 'TXT', ttl: 60, values: ['"x"'] });
    const shared = sharedListings(r53);
    await Promise.all([shared.list(Z.local), shared.list(Z.local), shared.list(Z.local)]);
    expect(await shared.at(Z.info, '_bascule-lock.eks.devinfra.info.', 'TXT')).toEqual([{ name: '_bascule-lock.eks.devinfra.info', type: 'TXT', ttl: 60, values: ['"x"'] }]);
    expect(await shared.at(Z.info, 'nothing.devinfra.info')).toEqual([]);
    expect(await shared.at(Z.local, 'hello.devinfra.local', 'A')).toHaveLength(1);
    expect(r53.calls).toEqual([`list ${Z.local}`, `list ${Z.info}`]);
    expect(shared.zonesListed()).toBe(2);
    await expect(shared.change(Z.local, [], 'no')).rejects.toThrow(/does not write/);
  });
});

/** Four platforms as status sees them, and one that did not answer. */
function fixedFleet(): FleetStatus {
  const row = (platform: string, account: string, report: StatusReport | null, error: string | null = null): FleetRow => ({ file: `platforms/${platform}.yaml`, from: 'platforms[0] (line 2)', platform, account, report, error });
  const healthy = evaluateStatus(observation(), context);
  const split = evaluateStatus(
    observation((o) => (o.production = { state: 'read', value: inventory(replacing(BLUE_LIVE, ['hello', 'world'], [...weighted('hello', { blue: 90, green: 10 }), ...weighted('world', { blue: 90, green: 10 })])) })),
    context,
  );
  const switching = evaluateStatus(
    observation((o) => {
      const value = lock({ kind: 'switch', step: 'dns' });
      o.operations = [journal({ kind: 'switch', unfinished: true, lock: value })];
      o.lock = { state: 'read', value: { name: '_bascule-lock.eks.devinfra.info', zoneId: Z.info, values: [value] } };
      o.production = { state: 'read', value: inventory(replacing(BLUE_LIVE, ['hello'], prod('hello', LB.green, LIVE_OWNER.blue))) };
    }),
    context,
  );
  return {
    source: 'fleet.yaml',
    rows: [row('web', '111111111111', healthy), row('shop', '111111111111', split), row('prod', '222222222222', switching), row('api', '222222222222', null, 'no answer within 2m (the platform\'s bound: twice --timeout)')],
    ok: false,
    route53: { requests: 12, zonesListed: 6 },
  };
}

describe('the table and the JSON', () => {
  it('one row per platform: account, live colour, production served, operations and locks, failing checks; then each failure', () => {
    expect(fleetStatusTable(fixedFleet())).toBe(
      [
        'fleet fleet.yaml: 4 platforms, 1 agree, 3 do not; Route53: 12 requests, 6 zones listed',
        '',
        '  PLATFORM  ACCOUNT       LIVE  PRODUCTION                                                 OPERATIONS                                                                                       CHECKS',
        '  web       111111111111  blue  3 names: 3 blue, 1 orphan                                  -                                                                                                ok',
        '  shop      111111111111  blue  3 names: 1 blue, split 2 (blue 90% / green 10%), 1 orphan  -                                                                                                FAIL production-split',
        '  prod      222222222222  blue  3 names: 2 blue, 1 green, 1 orphan                         switch blue -> green stopped at step dns (failed); lock held here (switch blue -> green at dns)  FAIL production-colour, switch',
        "  api       222222222222  ?     -                                                          -                                                                                                ERROR: no answer within 2m (the platform's bound: twice --timeout)",
        '',
        'Not agreeing',
        '  shop (111111111111, platforms/shop.yaml): production-split: production is split while blue is live: hello.devinfra.local blue 90% / green 10%; world.devinfra.local blue 90% / green 10%',
        '  prod (222222222222, platforms/prod.yaml): production-colour: production names blue serves send their traffic to green while blue is live: hello.devinfra.local (A) -> k8s-green-2.eu-west-3.elb.amazonaws.com',
        '  prod (222222222222, platforms/prod.yaml): switch: switch blue -> green stopped at step dns (failed) (journal /state/bascule/switch-devinfra.json)',
        "  api (222222222222, platforms/api.yaml): no answer within 2m (the platform's bound: twice --timeout)",
        '',
      ].join('\n'),
    );
  });

  it('the JSON: every platform, its production counts, split names and orphans, operations, lock and failing checks (golden)', () => {
    const json = fleetStatusJson(fixedFleet());
    golden('test/golden/status-fleet.json', json);
    const parsed = JSON.parse(json);
    expect(parsed.platforms.map((p: { platform: string; ok: boolean }) => [p.platform, p.ok])).toEqual([['web', true], ['shop', false], ['prod', false], ['api', false]]);
  });
});

describe('status --fleet: what the command line may ask', () => {
  const tempDir = tempDirs('status-fleet-');
  async function status(args: string[], files: Record<string, string> = {}) {
    const dir = tempDir();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    let stdout = '';
    let stderr = '';
    const io = { env: { HOME: dir }, cwd: dir, stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s), now: () => new Date(), stdinIsTTY: () => false, prompt: async () => '' };
    const code = await run(['status', ...args], io as never);
    return { code, stdout, stderr };
  }
  it.each([
    [['--fleet', 'fleet.yaml', '--config', 'platform.yaml'], 'error: --config and --fleet (or --all) are exclusive'],
    [['--all', '--fleet', 'fleet.yaml'], 'error: --all and --fleet are exclusive'],
    [['--fleet', 'fleet.yaml', '--parallel', '0'], 'error: --parallel "0" is not a number of platforms from 1 to 64'],
    [['--all'], 'error: no fleet: no fleet.yaml in '],
    [['--fleet', 'nowhere.yaml'], 'error: cannot read the fleet nowhere.yaml: '],
  ])('%j', async (args, message) => {
    const r = await status(args);
    expect(r.code).toBe(message.startsWith('error: no fleet') || message.startsWith('error: cannot read') ? 1 : 2);
    expect(r.stderr.startsWith(message), r.stderr).toBe(true);
    expect(r.stdout).toBe('');
  });

  it('a fleet whose every file fails to load: one row each, exit 3, before any network call', async () => {
    const r = await status(['--fleet', 'fleet.yaml', '-o', 'json'], { 'fleet.yaml': 'platforms: [a.yaml, b.yaml]\n', 'a.yaml': 'name: a\n', 'b.yaml': 'not: [valid\n' });
    expect(r.code).toBe(3);
    const json = JSON.parse(r.stdout);
    expect(json.platforms.map((p: { file: string; error: string }) => [p.file, p.error.split(':')[0]])).toEqual([['a.yaml', 'does not load'], ['b.yaml', 'does not load']]);
    expect(json.route53).toEqual({ requests: 0, zonesListed: 0 });
    expect(r.stderr).toMatch(/^error: status --fleet: 2 of 2 platforms do not agree \(a\.yaml, b\.yaml\)/);
  });
});
