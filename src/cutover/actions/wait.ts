/** Bounded polling: every wait of the cut-over ends, with its last word. */
import { BasculeError } from '../../errors.js';
import { formatMs } from '../options.js';
import type { ActionPorts } from './ports.js';

/** Polls `probe` until it says done; fails with its last word after `timeoutMs`. */
export async function waitUntil(
  ports: Pick<ActionPorts, 'now' | 'sleep' | 'progress'>,
  options: { timeoutMs: number; pollMs: number; step?: string; hint?: string },
  probe: () => Promise<{ done: boolean; state: string }>,
): Promise<void> {
  const deadline = ports.now().getTime() + options.timeoutMs;
  for (;;) {
    const { done, state } = await probe();
    if (done) return;
    if (ports.now().getTime() >= deadline) {
      throw new BasculeError('check', `${state}, still after ${formatMs(options.timeoutMs)}`, { hint: options.hint ?? 'raise --timeout if the cluster is only slow' });
    }
    ports.progress({ step: options.step ?? 'wait', state: 'waiting', detail: state });
    await ports.sleep(Math.min(options.pollMs, Math.max(0, deadline - ports.now().getTime())));
  }
}

/** A failure bascule explains becomes one problem of a list; anything else (a bug) surfaces as it is. */
export function problemOf(error: unknown): string {
  if (error instanceof BasculeError) return error.message;
  throw error;
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
