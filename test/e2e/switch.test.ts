/**
 * `bascule switch` and `bascule status`, run as the built artefact against
 * the loopback world (switch-world.ts): moto as Route53 and STS, a resolver
 * following Route53, and a stand-in EKS API server per colour with the live
 * ExternalDNS Deployments. The tokens are checked by each stand-in as EKS
 * checks them, for its own cluster; the identity is the admin access level's
 * role, assumed through moto.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireBuilt, runBuilt, type Result } from '../support/run.js';
import { ADMIN_ROLE, API_NAME, LIVE, running, startSwitchWorld, stopped, TXT_NAME, type SwitchWorld } from '../support/switch-world.js';

// The switch's own steps, without production records (switch-production.test.ts has those): no stand-in ExternalDNS.
let world: SwitchWorld;
beforeAll(async () => {
  world = await startSwitchWorld({ externalDns: false });
}, 240_000);
afterAll(() => world?.stop());
beforeEach(() => world.reset(), 60_000);

const FAST = ['--poll-interval', '50ms', '--timeout', '10s', '--dns-wait', '5s', '--request-timeout', '15s', '--dns-timeout', '10s'];
const bascule = (args: string[], options: { input?: string } = {}): Promise<Result> =>
  runBuilt(args, { env: world.env, timeoutMs: 60_000, ...options });
const sw = (...args: string[]) => bascule(['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, ...args]);
const status = (...args: string[]) => bascule(['status', '--config', world.platformFile, '--access', 'admin', '--request-timeout', '15s', '--dns-timeout', '10s', ...args]);

const onBlue = { api: ['127.0.0.1'], txt: ['"eks-blue"'] };
const onGreen = { api: ['127.0.0.2'], txt: ['"eks-green"'] };
const blueLive = { ...onBlue, blue: { [LIVE[0]]: running, [LIVE[1]]: running }, green: { [LIVE[0]]: stopped, [LIVE[1]]: stopped }, live: 'blue' };
const greenLive = { ...onGreen, blue: { [LIVE[0]]: stopped, [LIVE[1]]: stopped }, green: { [LIVE[0]]: running, [LIVE[1]]: running }, live: 'green' };

/** Route53 values compare as sets. */
async function expectState(want: typeof blueLive) {
  const got = await world.state();
  expect({ ...got, txt: [...(got.txt ?? [])].sort() }).toMatchObject({ ...want, txt: [...want.txt].sort() });
}

function expectNoSecrets(r: Result) {
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toMatch(/k8s-aws-v1\./);
    expect(text).not.toContain(world.env.AWS_SECRET_ACCESS_KEY as string);
  }
}

describe('the plan, without --apply', () => {
  it('prints each step, what it changes and how it is checked, and changes nothing', async () => {
    const r = await sw('--to', 'green');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Switch devinfra from blue (eks-blue) to green (eks-green)');
    for (const title of ['1/7  Preflight (changes nothing)', "2/7  Stop blue's live ExternalDNS", '3/7  Repoint the API and TXT records (Route53)', "4/7  Start green's live ExternalDNS, taking production over", '5/7  Post-check', '6/7  End the hand-over', '7/7  Record the live colour']) {
      expect(r.stdout).toContain(title);
    }
    expect(r.stdout).toContain(`UPSERT ${API_NAME} CNAME 127.0.0.2, TTL 5`);
    expect(r.stdout).toContain(`UPSERT ${TXT_NAME} TXT "eks-green", TTL 5`);
    expect(r.stdout).toContain(`Journal: ${world.journalFile}`);
    expect(r.stdout).toContain('nothing was changed');
    await expectState(blueLive);
    expect(existsSync(world.journalFile)).toBe(false);
    expect(world.stores.blue.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('--apply without a terminal and without --yes refuses before touching anything', async () => {
    const r = await sw('--to', 'green', '--apply');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to change production without a confirmation: standard input is not a terminal/);
    expect(r.stderr).toMatch(/add --yes/);
    await expectState(blueLive);
    expect(existsSync(world.journalFile)).toBe(false);
    expect(world.api.green.identities).toHaveLength(0);
  });
});

describe('a full switch blue -> green, then a rollback', () => {
  it('switches, checks each step, journals it, records live: green keeping the file, then rolls back', async () => {
    const before = readFileSync(world.platformFile, 'utf8');
    const r = await sw('--to', 'green', '--apply', '--yes');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectNoSecrets(r);
    expect(r.stdout).toMatch(/\[1\/7\] Preflight[\s\S]*ok[\s\S]*\[2\/7\][\s\S]*\[7\/7\] Record the live colour[\s\S]*ok/);
    expect(r.stdout).toContain('Switched devinfra to green (eks-green)');
    expect(r.stdout).toMatch(/Left to you:[\s\S]*old ingresses[\s\S]*then delete them/);
    await expectState(greenLive);

    // Only the value of live: changed in the platform file; comments and layout are kept.
    const after = readFileSync(world.platformFile, 'utf8');
    expect(after).toBe(before.replace('live: blue   # written by bascule switch', 'live: green   # written by bascule switch'));

    const journal = world.journal();
    expect(journal).toMatchObject({ state: 'completed', from: 'blue', to: 'green', platform: 'devinfra', rollback: null });
    expect(journal.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(
      ['preflight', 'stop-source', 'dns', 'start-target', 'postcheck', 'end-handover', 'record-live'].map((id) => `${id}:done`),
    );
    expect(journal.before).toMatchObject({ api: { values: ['127.0.0.1'], ttl: 5 }, replicas: { [LIVE[0]]: 1, [LIVE[1]]: 1 } });
    expect(statSync(world.journalFile).mode & 0o777).toBe(0o600);
    expect(statSync(`${world.dir}/state/bascule`).mode & 0o777).toBe(0o700);

    // Every call to the clusters came as the admin role, with a token each stand-in accepted for itself.
    for (const colour of ['blue', 'green'] as const) {
      expect(world.api[colour].identities.length).toBeGreaterThan(0);
      expect(new Set(world.api[colour].identities.map((i: { arn: string }) => i.arn.replace(/\/[^/]+$/, '')))).toEqual(new Set([ADMIN_ROLE.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')]));
      expect(world.api[colour].rejections).toEqual([]);
    }

    // The resolver follows: bascule token for the stable name signs for green.
    const token = await bascule(['token', '-i', TXT_NAME, '--dns-server', world.dns.address, '--no-cache', '--token-only', '--region', 'eu-west-3']);
    expect(token.code).toBe(0);
    const url = new URL(Buffer.from(token.stdout.trim().slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.hostname).toBe('sts.eu-west-3.amazonaws.com');

    const st = await status();
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/green is live/);

    const rb = await sw('--rollback', '--yes');
    expect(rb.stderr).toBe('');
    expect(rb.code).toBe(0);
    expect(rb.stdout).toContain('Rolled back: blue (eks-blue) is live again');
    await expectState(blueLive);
    expect(readFileSync(world.platformFile, 'utf8')).toBe(before);
    expect(world.journal()).toMatchObject({ state: 'rolled-back' });
    expect(world.journal().rollback.map((s: { id: string }) => s.id)).toEqual(['rollback-preflight', 'stop-target', 'restore-dns', 'start-source', 'rollback-postcheck', 'rollback-end-handover', 'restore-live']);

    // A rolled-back switch can be started again.
    const again = await sw('--to', 'green', '--apply', '--yes');
    expect(again.code).toBe(0);
    await expectState(greenLive);
  }, 240_000);
});

/** Waits until a condition on the world holds (the stand-ins' controllers run on timers). */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`test: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const stepsOf = (journal: { steps: { id: string; status: string }[] }) => Object.fromEntries(journal.steps.map((s) => [s.id, s.status]));

interface FaultCase {
  name: string;
  /** The step that fails, and its number as printed. */
  step: string;
  index: string;
  setup?: () => Promise<void>;
  inject: () => void | Promise<void>;
  args?: string[];
  code: number;
  says: (string | RegExp)[];
  /** What must hold after the failure (nothing else changed). */
  after: () => Promise<void>;
  fix: () => void | Promise<void>;
}

/** The API record's zone's change batches (the lock record lives in the TXT record's zone). */
const apiBatch = () => new RegExp(`/hostedzone/${world.zones.api}/rrset/?$`);
const nothingChanged = () => expectState(blueLive);
const blueStopped = () => expectState({ ...blueLive, blue: { [LIVE[0]]: stopped, [LIVE[1]]: stopped } });
const recordsMoved = () => expectState({ ...blueLive, ...onGreen, blue: { [LIVE[0]]: stopped, [LIVE[1]]: stopped } });

const faults: FaultCase[] = [
  {
    name: "preflight: green's live ExternalDNS already runs",
    step: 'preflight',
    index: '1/7',
    inject: async () => {
      world.stores.green.scale(LIVE[1], 1);
      await until('green public ready', () => world.stores.green.get(LIVE[1])?.ready === 1);
    },
    code: 3,
    says: ['switch step 1/7 (Preflight) failed: preflight found a problem', `green: kube-system/${LIVE[1]} runs 1 replica(s)`, 'two live ExternalDNS would both write the shared zones', 'nothing was changed'],
    after: () => expectState({ ...blueLive, green: { [LIVE[0]]: stopped, [LIVE[1]]: running } }),
    fix: async () => {
      world.stores.green.scale(LIVE[1], 0);
      await until('green public gone', () => world.stores.green.get(LIVE[1])?.pods === 0);
    },
  },
  {
    name: 'preflight: green unreachable (its API resets every connection)',
    step: 'preflight',
    index: '1/7',
    inject: () => world.stores.green.fail({ path: /./, mode: 'reset' }),
    code: 3,
    says: [/GET \/version on green \(eks-green\) \(https:\/\/127\.0\.0\.2:\d+\) failed: the connection was reset/, 'nothing was changed'],
    after: nothingChanged,
    fix: () => world.stores.green.clearFaults(),
  },
  {
    name: 'preflight: a hosted zone of the config does not exist',
    step: 'preflight',
    index: '1/7',
    inject: () => writeFileSync(world.platformFile, world.platformText({ apiZone: 'Z0NOSUCHZONE0000' })),
    code: 3,
    says: ['the Route53 hosted zone Z0NOSUCHZONE0000 (api.zoneId) does not exist', 'nothing was changed'],
    after: () => expectState({ ...blueLive }),
    fix: () => writeFileSync(world.platformFile, world.platformText()),
  },
  {
    name: "stop: blue's API answers 500 to the scale",
    step: 'stop-source',
    index: '2/7',
    inject: () => world.stores.blue.fail({ method: 'PATCH', path: /\/scale$/, status: 500, message: 'etcdserver: request timed out', times: 1 }),
    code: 1,
    says: [
      /switch step 2\/7 \(Stop blue's live ExternalDNS\) failed: PATCH \/apis\/apps\/v1\/namespaces\/kube-system\/deployments\/live-external-dns-private\/scale on blue \(eks-blue\) \(https:\/\/127\.0\.0\.1:\d+\): the API server answered 500: etcdserver: request timed out/,
    ],
    after: nothingChanged,
    fix: () => undefined,
  },
  {
    name: 'Route53 refuses the change batch',
    step: 'dns',
    index: '3/7',
    inject: () => world.proxy.fail({ method: 'POST', path: apiBatch(), code: 'InvalidChangeBatch', message: 'Tried to create resource record set but it already exists', times: 1 }),
    code: 1,
    says: [/switch step 3\/7 \(Repoint the API and TXT records \(Route53\)\) failed: Route53 ChangeResourceRecordSets in zone Z\w+ \(UPSERT api\.devinfra\.local CNAME\) was refused: InvalidChangeBatch/],
    after: blueStopped,
    fix: () => undefined,
  },
  {
    name: "start: green's API refuses (resets) the scale",
    step: 'start-target',
    index: '4/7',
    inject: () => world.stores.green.fail({ method: 'PATCH', path: /\/scale$/, mode: 'reset' }),
    code: 1,
    says: [/switch step 4\/7 \(Start green's live ExternalDNS, taking production over\) failed: PATCH .* on green \(eks-green\) .*: the connection was reset/],
    after: recordsMoved,
    fix: () => world.stores.green.clearFaults(),
  },
  {
    name: "start: green's pods never become ready",
    step: 'start-target',
    index: '4/7',
    inject: () => world.stores.green.setNeverReady(true),
    args: ['--timeout', '1s'],
    code: 3,
    says: [/switch step 4\/7 \(Start green's live ExternalDNS, taking production over\) failed: green: kube-system\/live-external-dns-private has 0\/1 ready .*, still after 1s/, 'raise --timeout'],
    after: async () => {
      const got = await world.state();
      expect(got).toMatchObject({ ...onGreen, txt: got.txt, blue: { [LIVE[0]]: stopped }, green: { [LIVE[0]]: { replicas: 1, ready: 0 } }, live: 'blue' });
    },
    fix: () => world.stores.green.setNeverReady(false),
  },
  {
    name: 'post-check: the TXT answer does not follow',
    step: 'postcheck',
    index: '5/7',
    inject: () => world.dns.setTxt(TXT_NAME, ['eks-blue']),
    args: ['--dns-wait', '1s'],
    code: 3,
    says: [/switch step 5\/7 \(Post-check\) failed: DNS does not follow: TXT eks\.devinfra\.info resolves to eks-blue via DNS server 127\.0\.0\.1:\d+, not eks-green, still after 1s/, 'raise --dns-wait'],
    after: () => expectState({ ...greenLive, live: 'blue' }),
    fix: () => world.dns.remove(TXT_NAME),
  },
];

describe('a fault at each step stops the switch there, journalled; --resume completes it', () => {
  it.each(faults)('$name', async (c) => {
    await c.setup?.();
    await c.inject();
    const r = await sw('--to', 'green', '--apply', '--yes', ...(c.args ?? []));
    expect(r.code, r.stderr).toBe(c.code);
    expectNoSecrets(r);
    for (const s of c.says) expect(r.stderr).toMatch(s instanceof RegExp ? s : new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    expect(r.stdout).toContain(`[${c.index}]`);
    expect(r.stdout).toMatch(/FAILED/);
    // The hint says how to go on.
    expect(r.stderr).toContain(`bascule switch --resume --config ${world.platformFile} --access admin`);
    if (c.step !== 'preflight') expect(r.stderr).toContain(`bascule switch --rollback --config ${world.platformFile} --access admin`);
    await c.after();

    // The journal: the steps before are done, this one failed, none after it started.
    const journal = world.journal();
    expect(journal.state).toBe('failed');
    const steps = stepsOf(journal);
    const order = ['preflight', 'stop-source', 'dns', 'start-target', 'postcheck', 'end-handover', 'record-live'];
    const at = order.indexOf(c.step);
    for (const [i, id] of order.entries()) expect(steps[id]).toBe(i < at ? 'done' : i === at ? 'failed' : 'pending');
    expect(journal.steps[at].error).toBeTruthy();

    await c.fix();
    const resumed = await sw('--resume', '--yes');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`at step ${c.index}`);
    expect(resumed.stdout).toContain('Switched devinfra to green');
    await expectState(greenLive);
    expect(world.journal().state).toBe('completed');
  }, 180_000);
});

describe('rollback and refusals while a switch is unfinished', () => {
  it('a switch stopped at step 4 is refused a second start, then rolled back to blue', async () => {
    world.stores.green.fail({ method: 'PATCH', path: /\/scale$/, status: 503, message: 'the server is currently unable to handle the request' });
    const r = await sw('--to', 'green', '--apply', '--yes');
    expect(r.code).toBe(1);
    await recordsMoved();

    const second = await sw('--to', 'green', '--apply', '--yes');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`a switch is unfinished: switch blue -> green stopped at step start-target (failed) (journal ${world.journalFile}); refusing to start another`);
    expect(second.stderr).toContain(`resume it: bascule switch --resume --config ${world.platformFile} --access admin`);
    expect(second.stderr).toContain(`or undo it: bascule switch --rollback --config ${world.platformFile} --access admin`);
    await recordsMoved();

    // The rollback plan is printed before anything is undone; without a terminal, --yes is required.
    const unconfirmed = await sw('--rollback');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toMatch(/Rolling back[\s\S]*Stop green's live ExternalDNS[\s\S]*Restore the API and TXT records[\s\S]*UPSERT api\.devinfra\.local CNAME 127\.0\.0\.1, TTL 5 \(as before the switch\)/);
    await recordsMoved();

    world.stores.green.clearFaults();
    const rb = await sw('--rollback', '--yes');
    expect(rb.stderr).toBe('');
    expect(rb.code).toBe(0);
    await expectState(blueLive);
    const journal = world.journal();
    expect(journal.state).toBe('rolled-back');
    expect(journal.rollback.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(
      ['rollback-preflight', 'stop-target', 'restore-dns', 'start-source', 'rollback-postcheck', 'rollback-end-handover'].map((id) => `${id}:done`),
    );

    const nothing = await sw('--resume', '--yes');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('the switch blue -> green was rolled back; there is nothing to resume');
  });

  it('a rollback that fails is journalled and continued by --rollback', async () => {
    world.proxy.fail({ method: 'POST', path: apiBatch(), code: 'InvalidChangeBatch', times: 1 });
    expect((await sw('--to', 'green', '--apply', '--yes')).code).toBe(1);
    await blueStopped();
    world.stores.blue.fail({ method: 'PATCH', path: /\/scale$/, status: 500, times: 1 });
    const rb = await sw('--rollback', '--yes');
    expect(rb.code).toBe(1);
    expect(rb.stderr).toMatch(/rollback step 3\/5 \(Start blue's live ExternalDNS again, taking production back\) failed: PATCH .* the API server answered 500/);
    expect(rb.stderr).toContain(`continue the rollback: \`bascule switch --rollback --config ${world.platformFile} --access admin\``);
    expect(world.journal()).toMatchObject({ state: 'rollback-failed' });
    const again = await sw('--rollback', '--yes');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('continuing at step 3/5');
    await expectState(blueLive);
  });

  it('a switch killed mid-step is resumed from that step', async () => {
    world.stores.green.setNeverReady(true);
    const child = spawn(requireBuilt(), ['switch', '--config', world.platformFile, '--access', 'admin', ...FAST, '--timeout', '30s', '--to', 'green', '--apply', '--yes'], {
      env: world.env,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await until('the switch waits at step 4', () => existsSync(world.journalFile) && stepsOf(world.journal())['start-target'] === 'running', 20_000);
    child.kill('SIGKILL');
    await exited;
    expect(world.journal().state).toBe('running');

    const refused = await sw('--to', 'green', '--apply', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a switch is unfinished: switch blue -> green under way at step start-target (cut short)');

    world.stores.green.setNeverReady(false);
    const resumed = await sw('--resume', '--yes');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('at step 4/7');
    await expectState(greenLive);
  });

  it('a platform file whose live: cannot be edited safely: the switch completes and prints the edit to make', async () => {
    writeFileSync(world.platformFile, world.platformText().replace('live: blue   #', 'live: &live blue   #'));
    const r = await sw('--to', 'green', '--apply', '--yes');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`edit ${world.platformFile} line 20: replace "live: blue" by "live: green" (bascule did not: its live: value carries an anchor other keys may refer to)`);
    expect(r.stdout).toMatch(/Left to you:[\s\S]*edit .* replace "live: blue" by "live: green"/);
    const got = await world.state();
    expect({ ...got, txt: [...(got.txt ?? [])].sort() }).toMatchObject({ ...greenLive, txt: [...greenLive.txt].sort(), live: undefined });
    expect(readFileSync(world.platformFile, 'utf8')).toContain('live: &live blue   #');
  });
});

describe('bascule status', () => {
  it('blue live, everything agrees: a table, JSON, exit 0', async () => {
    const r = await status();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^devinfra \(.*platform\.yaml\): blue is live; the file says live: blue/);
    expect(r.stdout).toMatch(/TXT\s+eks\.devinfra\.info\s+"eks-blue"\s+blue/);
    expect(r.stdout).toMatch(/CNAME\s+api\.devinfra\.local\s+127\.0\.0\.1\s+blue/);
    expect(r.stdout).toMatch(/kube-system\/live-external-dns-private\s+1\/1 ready\s+stopped \(0\)/);
    expect(r.stdout).not.toContain('FAIL');
    const j = await status('--output', 'json');
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({ platform: 'devinfra', live: 'blue', liveInFile: 'blue', ok: true, txt: { clusterName: 'eks-blue', colour: 'blue' }, api: { target: '127.0.0.1', colour: 'blue' } });
    expect(report.clusters.green.externalDns).toEqual(LIVE.map((name) => ({ name, desired: 0, ready: 0 })));
    expectNoSecrets(j);
  });

  it('the TXT record and the API record disagree: FAIL, exit 3', async () => {
    world.dns.setTxt(TXT_NAME, ['eks-green']);
    const r = await status();
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/the live colour is unclear/);
    expect(r.stdout).toContain('FAIL  the TXT record says green but the API record says blue');
    expect(r.stderr).toContain('error: status: 1 check failed (dns-agree)');
    const j = await status('-o', 'json');
    expect(j.code).toBe(3);
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({ ok: false, live: null });
    expect(report.checks.find((c: { name: string }) => c.name === 'dns-agree')).toMatchObject({ ok: false });
  });

  it('live ExternalDNS in both colours, and a cluster unreachable: each a FAIL', async () => {
    world.stores.green.scale(LIVE[0], 1);
    await until('green private ready', () => world.stores.green.get(LIVE[0])?.ready === 1);
    let r = await status();
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("FAIL  the old colour's live ExternalDNS run again (green: live-external-dns-private) while blue is live");
    world.stores.green.fail({ path: /./, mode: 'reset' });
    r = await status('-o', 'json');
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.checks.find((c: { name: string }) => c.name === 'api-green')).toMatchObject({ ok: false, message: expect.stringContaining('the connection was reset') });
    expect(report.clusters.green.api.error).toMatch(/the connection was reset/);
  });

  it('an unfinished switch shows in the status', async () => {
    world.proxy.fail({ method: 'POST', path: apiBatch(), code: 'InvalidChangeBatch', times: 1 });
    expect((await sw('--to', 'green', '--apply', '--yes')).code).toBe(1);
    const r = await status();
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`FAIL  switch blue -> green stopped at step dns (failed) (journal ${world.journalFile})`);
    expect(r.stdout).toContain(`        resume it: bascule switch --resume --config ${world.platformFile} --access admin\n        or undo it: bascule switch --rollback --config ${world.platformFile} --access admin\n`);
    // While it is unfinished, where the live ExternalDNS run is said, not failed: the switch stopped them.
    expect(r.stdout).toContain('ok    a cut-over is unfinished: the live ExternalDNS are blue: stopped; green: stopped');
    expect(r.stderr).toContain('error: status: 1 check failed (switch)');
  });
});
