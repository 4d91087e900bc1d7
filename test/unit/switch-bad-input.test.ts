/**
 * Bad input to `bascule switch` and `bascule status`, as a table, in-process:
 * each must stop before any network call with a non-zero exit and a message
 * naming what is wrong and what to do; nothing is written.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import type { Io } from '../../src/io.js';
import { readPlatform } from '../../src/platform/read.js';
import { newJournal, SWITCH_STEPS, stepDone, stepFailed, stepStarted, type Journal } from '../../src/cutover/switch-journal.js';
import { DEFAULT_WAITS } from '../../src/switch/options.js';
import { buildSpec, platformHash, specFacts } from '../../src/cutover/spec.js';
import { replaceOnce } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLE = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');

let dir: string;
const journalFile = () => join(dir, '.local', 'state', 'bascule', 'switch-devinfra.json');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bascule-switch-bad-'));
  cpSync(join(ROOT, 'examples/ca'), join(dir, 'ca'), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** The whole CLI in-process, with a terminal or not, and an answer to the prompt. No network: every fetch fails loudly. */
async function cli(argv: string[], options: { tty?: boolean; answer?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const prompts: string[] = [];
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { HOME: dir, PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40), AWS_ENDPOINT_URL_ROUTE_53: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1' },
    now: () => new Date('2026-03-01T10:00:00Z'),
    cwd: dir,
    stdinIsTTY: () => options.tty ?? false,
    prompt: async (q) => {
      prompts.push(q);
      if (options.answer === undefined) throw new Error('unexpected prompt');
      return options.answer;
    },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, prompts };
}

/** The pins a switch of the example makes (the journal then belongs to the platform file as written). */
function pins() {
  const p = readPlatform('platform.yaml', dir);
  const spec = buildSpec(p, { blue: p.clusters.blue.endpoint as string, green: p.clusters.green.endpoint as string }, { from: 'blue', to: 'green', resolver: undefined, waits: DEFAULT_WAITS, journal: 'j' });
  return { platformHash: platformHash(readFileSync(join(dir, 'platform.yaml'), 'utf8')), facts: specFacts(spec) };
}

function journal(script: (j: Journal) => Journal, platform = 'devinfra'): void {
  const owner = { pid: 999_999_999, host: 'elsewhere' };
  const j = script(newJournal({ platform, platformFile: join(dir, 'platform.yaml'), from: 'blue', to: 'green', steps: SWITCH_STEPS, now: new Date(), owner, pins: pins() }));
  mkdirSync(join(dir, '.local', 'state', 'bascule'), { recursive: true });
  writeFileSync(journalFile(), JSON.stringify(j));
}
const t = new Date();
const o = { pid: 999_999_999, host: 'elsewhere' };
const stoppedAtDns = (j: Journal) => {
  let x = stepDone(stepStarted(j, 'preflight', t, o), 'preflight', t, { before: BLUE_BEFORE });
  x = stepDone(stepStarted(x, 'stop-source', t, o), 'stop-source', t);
  return stepFailed(stepStarted(x, 'dns', t, o), 'dns', t, 'Route53 said no');
};
const BLUE_BEFORE = { api: null, txt: { values: ['"eks-blue"'], ttl: 60 }, replicas: { 'live-external-dns-private': 1, 'live-external-dns-public': 1 } };
const preflightFailed = (j: Journal) => stepFailed(stepStarted(j, 'preflight', t, o), 'preflight', t, 'green unreachable');

interface Case {
  name: string;
  argv: string[];
  /** The platform file's text (default: the example). */
  text?: string;
  setup?: () => void;
  tty?: boolean;
  answer?: string;
  code: number;
  says: string[];
}

const sw = (...args: string[]) => ['switch', '--config', 'platform.yaml', ...args];

const cases: Case[] = [
  { name: 'no verb', argv: sw(), code: 2, says: ['error: say what to do: --to COLOUR, --resume or --rollback'] },
  { name: 'unknown colour', argv: sw('--to', 'red'), code: 2, says: ['error: --to "red" is not a colour', 'hint: the colours are blue and green'] },
  {
    name: 'switching to the live colour',
    argv: sw('--to', 'blue', '--apply', '--yes'),
    code: 2,
    says: ['error: blue is already the live colour (platform.yaml says live: blue); there is nothing to switch to', 'use --to green'],
  },
  { name: 'two verbs', argv: sw('--to', 'green', '--rollback'), code: 2, says: ['error: --to and --rollback are exclusive; give one'] },
  {
    name: 'unreadable platform file',
    argv: ['switch', '--config', 'nowhere.yaml', '--to', 'green'],
    code: 1,
    says: ['error: cannot read the platform file nowhere.yaml: it does not exist', 'bascule init'],
  },
  {
    name: 'invalid platform file',
    argv: sw('--to', 'green'),
    text: replaceOnce(EXAMPLE, 'live: blue\n', 'live: purple\n'),
    code: 2,
    says: [`live (line ${EXAMPLE.split('\n').indexOf('live: blue') + 1}): expected blue or green`],
  },
  {
    name: 'missing zone id of the API record',
    argv: sw('--to', 'green'),
    text: replaceOnce(EXAMPLE, '  zoneId: Z0DEVINFRALOCAL01\n  ttl: 60\n', '  ttl: 60\n'),
    code: 2,
    says: ['error: platform.yaml: the switch reads and repoints Route53 records, but api.zoneId (the Route53 hosted zone of api.devinfra.local) is not set', 'nothing was changed'],
  },
  {
    name: 'missing zone ids of both records',
    argv: sw('--to', 'green'),
    text: replaceOnce(replaceOnce(EXAMPLE, '  zoneId: Z0DEVINFRALOCAL01\n  ttl: 60\n', '  ttl: 60\n'), '  zoneId: Z0DEVINFRAINFO03\n', ''),
    code: 2,
    says: ['api.zoneId (the Route53 hosted zone of api.devinfra.local) and clusterNameRecord.zoneId (the Route53 hosted zone of eks.devinfra.info) are not set'],
  },
  {
    name: 'no endpoint and no --fetch',
    argv: sw('--to', 'green'),
    text: replaceOnce(EXAMPLE, '    endpoint: https://0F9E8D7C6B5A49382716F5E4D3C2B1A0.yl4.eu-west-3.eks.amazonaws.com\n', ''),
    code: 2,
    says: ['clusters.green.endpoint is not set; expected the cluster\'s API endpoint (or pass --fetch to read it from EKS)'],
  },
  { name: 'unknown access level', argv: sw('--to', 'green', '--access', 'root'), code: 2, says: ['error: --access "root": no such access level in platform.yaml', 'the access levels are: admin, readwrite, readonly'] },
  { name: '--access and --role', argv: sw('--to', 'green', '--access', 'admin', '--role', 'arn:aws:iam::123456789012:role/x'), code: 2, says: ['--access and --role are exclusive'] },
  { name: 'a role that is no ARN', argv: sw('--to', 'green', '--role', 'admin'), code: 2, says: ['error: --role "admin" is not an IAM role ARN'] },
  { name: 'a bad duration', argv: sw('--to', 'green', '--timeout', 'forever'), code: 2, says: ['error: --timeout "forever" is not a duration'] },
  { name: 'a poll interval too short', argv: sw('--to', 'green', '--poll-interval', '1ms'), code: 2, says: ['error: --poll-interval 1ms is out of range (10ms to 1m)'] },
  { name: '--journal - (a journal is no stream)', argv: sw('--to', 'green', '--journal', '-'), code: 2, says: ['error: --journal - is refused: the journal is a file the switch rewrites after each step', 'name a file'] },
  { name: 'a resolver that is no IP address', argv: sw('--to', 'green', '--dns-server', 'dns.example.com'), code: 2, says: ['"dns.example.com" is not an IP address'] },
  {
    name: '--apply without a terminal and without --yes',
    argv: sw('--to', 'green', '--apply'),
    code: 2,
    says: ['error: refusing to change production without a confirmation: standard input is not a terminal', 'add --yes'],
  },
  {
    name: '--apply at a terminal, not confirmed',
    argv: sw('--to', 'green', '--apply'),
    tty: true,
    answer: 'yes',
    code: 1,
    says: ['error: not confirmed (expected "green"): nothing was changed'],
  },
  { name: '--resume without a journal', argv: sw('--resume', '--yes'), code: 2, says: [`error: there is no switch to resume: no journal at ${'JOURNAL'}`] },
  { name: '--rollback without a journal', argv: sw('--rollback', '--yes'), code: 2, says: ['error: there is no switch to roll back: no journal at'] },
  {
    name: 'a second switch while one is unfinished',
    argv: sw('--to', 'green', '--apply', '--yes'),
    setup: () => journal(stoppedAtDns),
    code: 1,
    says: [
      'error: a switch is unfinished: switch blue -> green stopped at step dns (failed) (journal JOURNAL); refusing to start another',
      'hint: resume it: bascule switch --resume --config platform.yaml',
      'or undo it: bascule switch --rollback --config platform.yaml',
    ],
  },
  {
    name: 'an unfinished switch refuses even the plan',
    argv: sw('--to', 'green'),
    setup: () => journal(stoppedAtDns),
    code: 1,
    says: ['a switch is unfinished', 'refusing to plan another'],
  },
  {
    name: 'a journal that is not JSON',
    argv: sw('--to', 'green'),
    setup: () => {
      mkdirSync(join(dir, '.local', 'state', 'bascule'), { recursive: true });
      writeFileSync(journalFile(), '{ half a journ');
    },
    code: 1,
    says: ['error: the switch journal JOURNAL is unusable: it is not JSON', 'if no switch is under way, move the file aside'],
  },
  {
    name: "another platform's journal",
    argv: ['switch', '--config', 'platform.yaml', '--resume', '--yes', '--journal', '.local/state/bascule/switch-devinfra.json'],
    setup: () => journal((j) => j, 'otherplatform'),
    code: 2,
    says: ['is for platform otherplatform, not devinfra'],
  },
  {
    name: '--resume of a complete switch',
    argv: sw('--resume', '--yes'),
    setup: () =>
      journal((j) => {
        let x = j;
        for (const id of SWITCH_STEPS) x = stepDone(stepStarted(x, id, t, o), id, t, id === 'preflight' ? { before: BLUE_BEFORE } : {});
        return x;
      }),
    code: 2,
    says: ['error: the switch blue -> green is complete; there is nothing to resume', 'hint: to undo it: bascule switch --rollback'],
  },
  { name: 'status: an unknown output format', argv: ['status', '--config', 'platform.yaml', '--output', 'yaml'], code: 2, says: ['error: --output "yaml" is not supported'] },
  { name: 'status: unreadable platform file', argv: ['status', '--config', 'nowhere.yaml'], code: 1, says: ['cannot read the platform file nowhere.yaml'] },
];

describe('bad input stops before anything is changed', () => {
  it.each(cases)('$name', async (c) => {
    rmSync(join(dir, '.local'), { recursive: true, force: true });
    writeFileSync(join(dir, 'platform.yaml'), c.text ?? EXAMPLE);
    c.setup?.();
    const journalBefore = existsSync(journalFile()) ? readFileSync(journalFile(), 'utf8') : undefined;
    const r = await cli(c.argv, { tty: c.tty, answer: c.answer });
    expect(r.code, r.stderr).toBe(c.code);
    for (const s of c.says) expect(r.stderr).toContain(s.replace('JOURNAL', journalFile()));
    expect(r.stderr).not.toMatch(/unexpected failure/);
    // Nothing written: the platform file and the journal are as they were.
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toBe(c.text ?? EXAMPLE);
    expect(existsSync(journalFile()) ? readFileSync(journalFile(), 'utf8') : undefined).toBe(journalBefore);
  });

  it('a switch stopped by its preflight changed nothing: a new switch replaces it (the plan prints)', async () => {
    rmSync(join(dir, '.local'), { recursive: true, force: true });
    writeFileSync(join(dir, 'platform.yaml'), EXAMPLE);
    journal(preflightFailed);
    const r = await cli(sw('--to', 'green'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1/7  Preflight');
  });

  it('a rollback of a switch that changed nothing only closes the journal', async () => {
    rmSync(join(dir, '.local'), { recursive: true, force: true });
    writeFileSync(join(dir, 'platform.yaml'), EXAMPLE);
    journal(preflightFailed);
    const r = await cli(sw('--rollback'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changed nothing (it stopped at its preflight): nothing to undo');
    expect(JSON.parse(readFileSync(journalFile(), 'utf8')).state).toBe('rolled-back');
  });

  it('at a terminal, the plan is shown, then the question; typing the colour goes on', async () => {
    rmSync(join(dir, '.local'), { recursive: true, force: true });
    // Endpoints where nothing listens: confirmed, the switch starts, and its preflight fails.
    const nowhere = EXAMPLE.replace(/endpoint: https:\/\/\w+\.(gr7|yl4)\.eu-west-3\.eks\.amazonaws\.com/g, (_, at) =>
      `endpoint: https://127.0.0.${at === 'gr7' ? 1 : 2}:1\n    tlsServerName: kubernetes.default.svc`,
    );
    writeFileSync(join(dir, 'platform.yaml'), nowhere);
    const r = await cli(sw('--to', 'green', '--apply', '--request-timeout', '500ms', '--dns-timeout', '200ms', '--dns-server', '127.0.0.1:1'), { tty: true, answer: 'green' });
    expect(r.prompts, r.stderr).toEqual(['\nThis switches production to green. Type "green" to go on: ']);
    expect(r.stdout).toContain('7/7  Record the live colour');
    // Confirmed, it takes the lock record first: Route53 cannot be reached, nothing was changed or journalled.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: Route53 ListResourceRecordSets in zone Z0DEVINFRAINFO03 failed: cannot reach the endpoint http://127.0.0.1:1');
    expect(existsSync(journalFile())).toBe(false);
    expect(existsSync(`${journalFile()}.lock`)).toBe(false);
  }, 30_000);
});
