/**
 * Colour on standard error, only when a person reads it: stderr is a
 * terminal, NO_COLOR is unset or empty (no-color.org), and TERM is not
 * "dumb". Everything else (pipes, files, CI logs, kubectl's captured stderr
 * when it is not a terminal) gets plain text.
 */
import type { Io } from '../io.js';

export interface Paint {
  readonly enabled: boolean;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
}

export function colourEnabled(io: Pick<Io, 'env' | 'stderrIsTTY'>): boolean {
  if (io.env.NO_COLOR) return false; // "present and not an empty string"
  if (io.env.TERM === 'dumb') return false;
  return io.stderrIsTTY?.() === true;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function paint(io: Pick<Io, 'env' | 'stderrIsTTY'>): Paint {
  const enabled = colourEnabled(io);
  return enabled
    ? { enabled, red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), bold: sgr(1, 22), dim: sgr(2, 22) }
    : { enabled, red: plain, green: plain, yellow: plain, bold: plain, dim: plain };
}

/** `error:` in bold red, `warning:` in yellow, `hint:` in bold, at the start of lines; the rest untouched. */
export function paintErrorText(text: string, p: Paint): string {
  if (!p.enabled) return text;
  const styles: Record<string, (t: string) => string> = { error: (t) => p.bold(p.red(t)), warning: p.yellow, hint: p.bold };
  return text.replace(/^(error|warning|hint):/gm, (_, word: string) => (styles[word] as (t: string) => string)(`${word}:`));
}
