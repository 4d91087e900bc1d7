/**
 * The problems of one platform file, each located by key path and, when the
 * YAML has it, by line; all reported at once in one `config` error.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { BasculeError } from '../errors.js';

export type KeyPath = readonly (string | number)[];

export function formatPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out === '' ? '(top level)' : out;
}

const MAX_SHOWN = 25;

/** Problems found in one file, each located by key path (and line, when the YAML has it). */
export class Problems {
  private readonly list: { path: KeyPath; line: number | undefined; message: string }[] = [];

  constructor(
    private readonly source: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  /** `onKey`: point at the key itself (unknown keys) rather than its value. */
  add(path: KeyPath, message: string, onKey = false): void {
    this.list.push({ path, line: this.lineOf(path, onKey), message });
  }

  get size(): number {
    return this.list.length;
  }

  lineOf(path: KeyPath, onKey = false): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    // The deepest node that exists on the path (a missing key points at its parent).
    let node: unknown = this.doc.contents;
    let offset: number | undefined = rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key);
        if (!pair) break;
        const at = onKey && key === path[path.length - 1] ? rangeStart(pair.key) : (rangeStart(pair.value) ?? rangeStart(pair.key));
        if (at !== undefined) offset = at;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) break;
        const at = rangeStart(item);
        if (at !== undefined) offset = at;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, MAX_SHOWN).map(({ path, line, message }) => `  ${formatPath(path)}${line === undefined ? '' : ` (line ${line})`}: ${message}`);
    if (this.list.length > MAX_SHOWN) shown.push(`  ... and ${this.list.length - MAX_SHOWN} more`);
    const count = this.list.length === 1 ? '1 problem' : `${this.list.length} problems`;
    throw new BasculeError('config', `${this.source} is not a valid platform description (${count}):\n${shown.join('\n')}`, {
      hint: 'the format is in `bascule schema` (a JSON Schema editors can use); `bascule init` writes a commented starter',
    });
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}

/** A value as a message may show it: short, and never a long blob (a key, a certificate). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  if (typeof value === 'string') {
    if (value.length > 80) return `a ${value.length}-character string`;
    return JSON.stringify(value);
  }
  return String(value);
}
