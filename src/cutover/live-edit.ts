/**
 * Records the live colour in the platform file: `live: blue` becomes
 * `live: green` and nothing else changes, byte for byte. The YAML document
 * (the `yaml` package, which keeps comments and positions) locates the value;
 * only its characters are replaced, in the quoting style it had; the result
 * must parse back to the same document but for `live`. When the file cannot
 * be edited that safely, the caller prints the edit for a human instead.
 */
import { dirname, resolve } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, Scalar } from 'yaml';
import { BasculeError } from '../errors.js';
import { readExisting, writeAtomic } from '../files.js';
import { loadPlatform } from '../platform/load.js';
import type { Colour } from '../platform/model.js';

export type LiveEdit =
  | { readonly kind: 'edited'; readonly text: string; readonly line: number; readonly was: string }
  | { readonly kind: 'unchanged'; readonly line: number }
  | { readonly kind: 'cannot'; readonly reason: string; readonly line: number | undefined };

const sameExceptLive = (a: unknown, b: unknown): boolean => {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  const strip = (o: object) => JSON.stringify({ ...(o as Record<string, unknown>), live: null });
  return strip(a) === strip(b);
};

/** The new text of the platform file with `live: <to>` (pure). */
export function editLive(text: string, to: Colour): LiveEdit {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false, prettyErrors: false });
  if (doc.errors.length > 0) return { kind: 'cannot', reason: 'the file does not parse as YAML any more', line: undefined };
  if (!isMap(doc.contents)) return { kind: 'cannot', reason: 'the file is not a mapping', line: undefined };
  const pair = doc.contents.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'live');
  if (!pair) return { kind: 'cannot', reason: 'it has no top-level live: key', line: undefined };
  const node = pair.value;
  const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
  const keyLine = keyRange ? lines.linePos(keyRange[0]).line : undefined;
  if (!isScalar(node) || !node.range) return { kind: 'cannot', reason: 'its live: value is not a plain value', line: keyLine };
  const line = lines.linePos(node.range[0]).line;
  if (node.anchor) return { kind: 'cannot', reason: 'its live: value carries an anchor other keys may refer to', line };
  if (node.value === to) return { kind: 'unchanged', line };
  const [start, end] = node.range;
  let replacement: string;
  if (node.type === Scalar.PLAIN) replacement = to;
  else if (node.type === Scalar.QUOTE_DOUBLE) replacement = `"${to}"`;
  else if (node.type === Scalar.QUOTE_SINGLE) replacement = `'${to}'`;
  else return { kind: 'cannot', reason: 'its live: value is a block scalar', line };
  const old = text.slice(start, end);
  const edited = text.slice(0, start) + replacement + text.slice(end);
  // The edit must change exactly `live` and keep the file's meaning otherwise.
  const before = doc.toJS();
  const afterDoc = parseDocument(edited, { prettyErrors: false });
  const after = afterDoc.errors.length === 0 ? afterDoc.toJS() : undefined;
  if (!after || after.live !== to || !sameExceptLive(before, after)) {
    return { kind: 'cannot', reason: 'editing the value in place would change more than live:', line };
  }
  return { kind: 'edited', text: edited, line, was: old };
}

export type LiveWrite =
  | { readonly kind: 'written'; readonly path: string; readonly line: number }
  | { readonly kind: 'unchanged'; readonly path: string }
  | { readonly kind: 'manual'; readonly instruction: string };

/**
 * Writes `live: <to>` into the platform file, atomically, keeping its mode;
 * or says what to edit by hand. Never throws for a file it cannot edit:
 * the switch itself is done by then.
 */
export function writeLive(file: string, to: Colour, from: Colour): LiveWrite {
  const manual = (why: string, line?: number) => ({
    kind: 'manual' as const,
    instruction: `edit ${file}${line ? ` line ${line}` : ''}: replace "live: ${from}" by "live: ${to}" (bascule did not: ${why})`,
  });
  let existing;
  try {
    existing = readExisting(file);
  } catch (error) {
    return manual(error instanceof BasculeError ? error.message : String(error));
  }
  if (!existing) return manual('the file is gone');
  const edit = editLive(existing.text, to);
  if (edit.kind === 'unchanged') return { kind: 'unchanged', path: existing.path };
  if (edit.kind === 'cannot') return manual(edit.reason, edit.line);
  try {
    loadPlatform(edit.text, { source: file, baseDir: dirname(resolve(existing.path)) });
  } catch (error) {
    return manual(`the edited file would not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, edit.line);
  }
  try {
    writeAtomic(existing.path, edit.text, { newMode: 0o644, backup: false });
  } catch (error) {
    return manual(error instanceof BasculeError ? error.message : String(error), edit.line);
  }
  return { kind: 'written', path: existing.path, line: edit.line };
}
