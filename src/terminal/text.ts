/** Text for people: shortened at word boundaries, never mid-word. */

/**
 * `text` when it fits in `max` characters; else the longest run of whole words
 * that fits with an ellipsis after it. A first word longer than `max` (a long
 * name, a URL) is kept whole: cutting it would make it wrong, not shorter.
 */
export function truncateWords(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const words = flat.split(' ');
  let out = words[0] as string;
  for (const word of words.slice(1)) {
    if (out.length + 1 + word.length + 1 > max) break;
    out += ` ${word}`;
  }
  return `${out.replace(/[\s,;:(]+$/, '')}…`;
}

/** 850ms, 12s, 1m05s, 1h02m. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** An instant to the second, as reports print it: 2026-01-02T03:04:05Z. */
export const isoSecond = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
