/**
 * Small helpers the generator tests share: editing the example platform file
 * for a bad-input case, golden files, and temporary directories removed after
 * the file's tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { makeTempDir, removeTempDir } from './temp.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
export const readRepoFile = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Replaces exactly one occurrence (the test is wrong otherwise). */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`test setup: ${JSON.stringify(from)} must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The 1-based line of the first occurrence of `needle`. */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`test setup: ${JSON.stringify(needle)} not in the text`);
  return text.slice(0, at).split('\n').length;
}

/**
 * Compares with a golden file (path relative to the repository). With
 * UPDATE_GOLDEN=1 it rewrites the file instead and compares nothing (a file
 * compared with what was just written to it proves nothing; the review is
 * the diff). Under CI, UPDATE_GOLDEN fails the run (global-setup.mjs).
 */
export function golden(file: string, actual: string): void {
  if (UPDATE_GOLDEN) {
    writeFileSync(join(ROOT, file), actual);
    return;
  }
  let expected: string | undefined;
  try {
    expected = readRepoFile(file);
  } catch {
    expected = undefined; // a missing golden file fails below, with the hint
  }
  expect(actual, `${file} is out of date: run UPDATE_GOLDEN=1 npx vitest run, review, commit`).toBe(expected);
}

/** `tempDir()` makes a directory removed after the calling test file's tests. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeTempDir(d);
  });
  return () => {
    const d = makeTempDir(prefix);
    dirs.push(d);
    return d;
  };
}

/** A bad platform file, and what the error must say about it. */
export interface PlatformCase {
  name: string;
  /** The platform file's text. */
  text: () => string;
  /** The key path reported, and the text whose line it should give (omit for file-level errors). */
  path?: string;
  lineAt?: string;
  /** Other substrings of stderr. */
  says: string[];
  code?: number;
  args?: string[];
}

/** The shape every platform-file error has: its exit code, nothing on stdout, `error:`, the key path and line, what it says. */
export function expectPlatformError(result: { code: number; stdout: string; stderr: string }, text: string, c: PlatformCase): void {
  expect(result.code, result.stderr).toBe(c.code ?? 2);
  expect(result.stdout).toBe('');
  expect(result.stderr.startsWith('error: ')).toBe(true);
  if (c.path) expect(result.stderr).toContain(`${c.path} (line ${lineOf(text, c.lineAt as string)}): `);
  for (const s of c.says) expect(result.stderr).toContain(s);
}
