/**
 * One duration formatter (src/text.ts), three forms, against the three
 * formatters it replaced, written out here as they were: the same text for
 * every duration from 0 to 30 hours (every millisecond below two seconds,
 * then a spread of values), and negatives where a form takes them.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, formatElapsed } from '../../src/text.js';
import { formatMs } from '../../src/vocabulary.js';

/** The bound's form (vocabulary.ts's formatMs, as it was). */
function exactBefore(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const total = Math.round(ms / 1000);
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
}

/** The elapsed form (text.ts's formatElapsed, as it was). */
function clockBefore(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The doctor's form (doctor.ts's duration, as it was). */
function secondsBefore(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const samples = (): number[] => {
  const out: number[] = [];
  for (let ms = 0; ms < 2000; ms++) out.push(ms);
  for (let ms = 2000; ms < 30 * 3_600_000; ms = Math.ceil(ms * 1.013) + 7) out.push(ms);
  out.push(59_949, 59_950, 59_999, 60_000, 60_499, 60_500, 3_599_499, 3_599_500, 3_600_000, 5_400_000, 90_061_000, 1.5, 999.5);
  return out;
};

describe('the one duration formatter', () => {
  it('exact: the same text as before for every sample (and formatMs is it)', () => {
    for (const ms of samples()) {
      expect(formatDuration(ms, 'exact'), String(ms)).toBe(exactBefore(ms));
      expect(formatMs(ms)).toBe(exactBefore(ms));
    }
  });

  it('clock: the same text as before for every sample, negatives included (and formatElapsed is it)', () => {
    for (const ms of [...samples(), -1, -999, -5000]) {
      expect(formatDuration(ms, 'clock'), String(ms)).toBe(clockBefore(ms));
      expect(formatElapsed(ms)).toBe(clockBefore(ms));
    }
  });

  it('seconds: the same text as before for every sample, either sign', () => {
    for (const ms of samples()) {
      expect(formatDuration(ms, 'seconds'), String(ms)).toBe(secondsBefore(ms));
      expect(formatDuration(-ms, 'seconds'), String(-ms)).toBe(secondsBefore(-ms));
    }
  });

  it.each([
    [1500, 'exact', '1.5s'],
    [90_000, 'exact', '1m30s'],
    [3_600_000, 'exact', '1h'],
    [65_000, 'clock', '1m05s'],
    [3_720_000, 'clock', '1h02m'],
    [1_200_000, 'seconds', '20m00s'],
    [-180_000, 'seconds', '3m00s'],
    [400, 'seconds', '0s'],
  ] as const)('%d ms, %s: %s', (ms, form, text) => {
    expect(formatDuration(ms, form)).toBe(text);
  });
});
