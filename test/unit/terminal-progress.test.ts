/**
 * The progress reporter (a fake clock drives it), colour decisions, and text
 * shortened at word boundaries (the status table).
 */
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/io.js';
import { colourEnabled, paint, paintErrorText } from '../../src/terminal/colour.js';
import { createProgress, PLAIN_EVERY_MS, TERMINAL_EVERY_MS, type ProgressEvent } from '../../src/terminal/progress.js';
import { formatElapsed, truncateWords } from '../../src/text.js';
import type { StatusReport } from '../../src/status/evaluate.js';
import { formatStatusTable } from '../../src/status/present.js';

function world(options: { tty: boolean; env?: NodeJS.ProcessEnv }) {
  let t = Date.parse('2026-01-02T03:04:05Z');
  let stderr = '';
  const io: Pick<Io, 'stderr' | 'now' | 'env' | 'stderrIsTTY'> = {
    stderr: (text) => void (stderr += text),
    now: () => new Date(t),
    env: options.env ?? {},
    stderrIsTTY: () => options.tty,
  };
  return {
    io,
    at: (ms: number) => void (t = Date.parse('2026-01-02T03:04:05Z') + ms),
    take: () => {
      const out = stderr;
      stderr = '';
      return out;
    },
  };
}

const waiting = (ready: number): ProgressEvent => ({ step: 'wait-pods', state: 'waiting', detail: `${ready}/2 ready` });

describe('createProgress', () => {
  it('without a terminal: plain lines; a new step or state at once; the same state again every 30 s', () => {
    const w = world({ tty: false });
    const progress = createProgress(w.io, { json: false });
    progress({ step: 'stop-blue', state: 'scaling', detail: 'external-dns-live-private 1 -> 0' });
    expect(w.take()).toBe('stop-blue: scaling, external-dns-live-private 1 -> 0 (0ms)\n');
    w.at(1500);
    progress({ step: 'stop-blue', state: 'done' });
    expect(w.take()).toBe('stop-blue: done (1s)\n');
    w.at(2000);
    progress(waiting(0));
    expect(w.take()).toBe('wait-pods: waiting, 0/2 ready (0ms)\n');
    for (let ms = 4000; ms < 2000 + PLAIN_EVERY_MS; ms += 2000) {
      w.at(ms);
      progress(waiting(ms > 20_000 ? 1 : 0));
    }
    expect(w.take()).toBe(''); // rate-limited, even when the detail moves
    w.at(2000 + PLAIN_EVERY_MS);
    progress(waiting(1));
    expect(w.take()).toBe('wait-pods: waiting, 1/2 ready (30s)\n');
    w.at(2000 + PLAIN_EVERY_MS + 100_000);
    progress({ step: 'wait-pods', state: 'ready', detail: '2/2 ready' });
    expect(w.take()).toBe('wait-pods: ready, 2/2 ready (2m10s)\n');
  });

  it('on a terminal: a heartbeat every 5 s with the elapsed time, in colour', () => {
    const w = world({ tty: true });
    const progress = createProgress(w.io, { json: false });
    const seen: string[] = [];
    for (let ms = 0; ms <= 20_000; ms += 1000) {
      w.at(ms);
      progress(waiting(0));
      seen.push(w.take());
    }
    const printed = seen.filter(Boolean);
    expect(printed).toHaveLength(1 + 20_000 / TERMINAL_EVERY_MS);
    expect(printed[0]).toBe('\u001b[1mwait-pods\u001b[22m: waiting, 0/2 ready \u001b[2m(0ms)\u001b[22m\n');
    expect(printed[4]).toContain('(20s)');
    w.at(21_000);
    progress({ step: 'wait-pods', state: 'timeout' });
    expect(w.take()).toContain('\u001b[31mtimeout\u001b[39m');
  });

  it('on a terminal with NO_COLOR: the terminal rhythm, no colour', () => {
    const w = world({ tty: true, env: { NO_COLOR: '1' } });
    const progress = createProgress(w.io, { json: false });
    progress(waiting(0));
    w.at(TERMINAL_EVERY_MS);
    progress(waiting(0));
    expect(w.take()).toBe('wait-pods: waiting, 0/2 ready (0ms)\nwait-pods: waiting, 0/2 ready (5s)\n');
  });

  it('--output json: one object a line for each change, elapsed per step', () => {
    const w = world({ tty: true });
    const progress = createProgress(w.io, { json: true });
    progress({ step: 'route53', state: 'PENDING', detail: 'C123' });
    w.at(1000);
    progress({ step: 'route53', state: 'PENDING', detail: 'C123' }); // no change: nothing
    w.at(3000);
    progress({ step: 'route53', state: 'INSYNC', detail: 'C123' });
    w.at(4000);
    progress({ step: 'dns', state: 'waiting' });
    expect(w.take().trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { time: '2026-01-02T03:04:05.000Z', step: 'route53', state: 'PENDING', detail: 'C123', elapsedMs: 0 },
      { time: '2026-01-02T03:04:08.000Z', step: 'route53', state: 'INSYNC', detail: 'C123', elapsedMs: 3000 },
      { time: '2026-01-02T03:04:09.000Z', step: 'dns', state: 'waiting', elapsedMs: 0 },
    ]);
  });

  it('formats elapsed time', () => {
    expect([850, 12_000, 65_000, 3_720_000].map(formatElapsed)).toEqual(['850ms', '12s', '1m05s', '1h02m']);
  });
});

describe('colour', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
  ] as const)('terminal %s, env %j -> %s', (tty, env, expected) => {
    expect(colourEnabled({ env, stderrIsTTY: () => tty })).toBe(expected);
  });

  it('is off when the io cannot tell', () => {
    expect(colourEnabled({ env: {} })).toBe(false);
  });

  it('colours only the prefixes of error text', () => {
    const on = paint({ env: {}, stderrIsTTY: () => true });
    expect(paintErrorText('error: x\nhint: y\n', on)).toBe('\u001b[1m\u001b[31merror:\u001b[39m\u001b[22m x\n\u001b[1mhint:\u001b[22m y\n');
    expect(paintErrorText('error: x\n', paint({ env: {}, stderrIsTTY: () => false }))).toBe('error: x\n');
  });
});

describe('no message cut mid-word', () => {
  it.each([
    ['short text', 20, 'short text'],
    ['TXT lookup of eks.devinfra.info via DNS server 10.0.0.2 failed: no such name (NXDOMAIN)', 60, 'TXT lookup of eks.devinfra.info via DNS server 10.0.0.2…'],
    ['a   b\n c', 10, 'a b c'],
    ['averyveryverylongword and more', 10, 'averyveryverylongword…'],
    ['one two three', 8, 'one two…'],
    ['cut (after a paren', 12, 'cut (after…'],
    ['one, two three', 6, 'one…'],
  ])('%j in %i', (text, max, expected) => {
    const out = truncateWords(text, max);
    expect(out).toBe(expected);
    if (out.length > max) expect(out.split(' ')).toHaveLength(1); // only a single long word may overflow
  });

  it('the status table shortens long DNS errors at a word boundary, with an ellipsis', () => {
    const error = 'TXT lookup of eks.devinfra.info via DNS server 127.0.0.1:53535 failed: no such name (NXDOMAIN) and some more words here';
    const cluster = { name: 'eks-blue', endpoint: 'https://x', api: { version: 'v1.32' }, externalDns: [] };
    const report: StatusReport = {
      platform: 'p',
      file: 'platform.yaml',
      liveInFile: 'blue',
      resolver: 'DNS server 127.0.0.1:53535',
      txt: { name: 'eks.devinfra.info', error },
      api: { name: 'api.devinfra.info', error: `${error} twice` },
      namespace: 'external-dns',
      clusters: { blue: cluster, green: { ...cluster, name: 'eks-green' } },
      production: { state: 'skipped', reason: 'not read' },
      operations: [],
      lock: { state: 'skipped', reason: 'not read' },
      txtColour: null,
      apiColour: null,
      live: null,
      against: 'blue',
      domains: [],
      held: null,
      underway: false,
      checks: [],
      ok: false,
    };
    const table = formatStatusTable(report);
    const txtLine = table.split('\n').find((l) => l.trimStart().startsWith('TXT')) as string;
    expect(txtLine).toContain('(TXT lookup of eks.devinfra.info via DNS server 127.0.0.1:53535 failed: no such…)');
    expect(table).not.toMatch(/\(NXDOMAIN\)? *\?$/m);
    for (const cell of table.match(/\([^()]*(\([^()]*\))?[^()]*…\)/g) ?? []) expect(cell).toMatch(/\w…\)$/);
  });
});
