/**
 * Progress of long waits (pods, Route53 INSYNC, DNS following a switch): the
 * waits report plain data through a port, `progress({ step, state, detail })`,
 * and this reporter turns it into lines on standard error (stdout keeps the
 * command's result, a table or one JSON document):
 *
 *   - on a terminal: `step: state, detail (12s)`, coloured; a new step or a
 *     new state at once, the same state again at most every TERMINAL_EVERY_MS
 *     (a heartbeat with the elapsed time, so a 5-minute wait is never silent);
 *   - without a terminal (CI logs, pipes): the same lines without colour, the
 *     same state again at most every PLAIN_EVERY_MS;
 *   - with --output json: one JSON object a line for every change of step,
 *     state or detail: {"time","step","state","detail"?,"elapsedMs"}.
 *
 * Elapsed time counts from the step's first event. The clock is io.now, so
 * tests drive time; no timer is started (the waits report on each poll).
 */
import type { Io } from '../io.js';
import { paint } from './colour.js';
import { formatElapsed } from '../text.js';

export interface ProgressEvent {
  readonly step: string;
  readonly state: string;
  readonly detail?: string;
}

export type Progress = (event: ProgressEvent) => void;

export const TERMINAL_EVERY_MS = 5_000;
export const PLAIN_EVERY_MS = 30_000;

const FAILED = /^(fail|failed|error|timeout|timed-out|refused)$/i;
const DONE = /^(ok|done|ready|insync|in-sync|passed|succeeded|complete|completed)$/i;

export function createProgress(io: Pick<Io, 'stderr' | 'now' | 'env' | 'stderrIsTTY'>, options: { json: boolean }): Progress {
  let step: string | undefined;
  let state: string | undefined;
  let detail: string | undefined;
  let stepStart = 0;
  let lastPrinted = -Infinity;

  if (options.json) {
    return (event) => {
      const now = io.now().getTime();
      if (event.step !== step) stepStart = now;
      if (event.step === step && event.state === state && event.detail === detail) return;
      ({ step, state, detail } = event);
      const line = { time: new Date(now).toISOString(), step: event.step, state: event.state, ...(event.detail !== undefined ? { detail: event.detail } : {}), elapsedMs: now - stepStart };
      io.stderr(`${JSON.stringify(line)}\n`);
    };
  }

  const p = paint(io);
  const every = p.enabled || io.stderrIsTTY?.() === true ? TERMINAL_EVERY_MS : PLAIN_EVERY_MS;
  const styleState = (s: string) => (FAILED.test(s) ? p.red(s) : DONE.test(s) ? p.green(s) : s);
  return (event) => {
    const now = io.now().getTime();
    const newStep = event.step !== step;
    if (newStep) stepStart = now;
    const changed = newStep || event.state !== state;
    if (!changed && now - lastPrinted < every) return;
    ({ step, state, detail } = event);
    lastPrinted = now;
    const elapsed = p.dim(`(${formatElapsed(now - stepStart)})`);
    io.stderr(`${p.bold(event.step)}: ${styleState(event.state)}${event.detail ? `, ${event.detail}` : ''} ${elapsed}\n`);
  };
}
