/**
 * What a schema problem means, in the file's terms: valibot's issue at a key
 * path turned into "is missing; expected ...", "unknown key (did you mean
 * ...?)", "expected ..., got ...", reading the expectation from the schema
 * itself (the messages platform/schema.ts gives its checks).
 */
import type * as v from 'valibot';
import { describeValue, type KeyPath } from './problems.js';
import { PlatformSchema } from './schema.js';

type AnySchema = { type?: string; kind?: string; message?: unknown; wrapped?: unknown; pipe?: AnySchema[]; entries?: Record<string, unknown>; item?: unknown };

/** The schema under optional() and pipe(). */
function unwrap(schema: unknown): AnySchema {
  let cur = schema as AnySchema;
  for (let i = 0; i < 10; i++) {
    if (cur.pipe && cur.pipe[0] !== cur) cur = cur.pipe[0] as AnySchema;
    else if (cur.wrapped) cur = cur.wrapped as AnySchema;
    else break;
  }
  return cur;
}

/** The schema at a key path, if the path follows the schema's shape. */
function schemaAt(path: KeyPath): unknown {
  let schema: unknown = PlatformSchema;
  for (const key of path) {
    const s = unwrap(schema);
    if (typeof key === 'number' && s.item) schema = s.item;
    else if (typeof key === 'string' && s.entries && key in s.entries) schema = s.entries[key];
    else return undefined;
  }
  return schema;
}

/** Allowed keys at a path of the schema, for "unknown key" messages. */
function keysAt(path: KeyPath): string[] {
  const s = schemaAt(path);
  const entries = s === undefined ? undefined : unwrap(s).entries;
  return entries ? Object.keys(entries) : [];
}

/** "expected ..." of the schema at a path: its most specific check's message (the checks' own messages start so). */
export function expectationAt(path: KeyPath): string | undefined {
  let s = schemaAt(path) as AnySchema | undefined;
  for (let i = 0; s && i < 10; i++) {
    if (s.pipe) {
      const messages = s.pipe.map((item) => item.message).filter((m): m is string => typeof m === 'string' && m.startsWith('expected '));
      if (messages.length > 0) return messages.find((m) => m !== messages[0]) ?? messages[0];
      s = s.pipe[0] !== s ? s.pipe[0] : undefined;
    } else if (s.wrapped) s = s.wrapped as AnySchema;
    else return typeof s.message === 'string' && s.message.startsWith('expected ') ? s.message : undefined;
  }
  return undefined;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let cur = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * valibot takes a list for an object (arrays are objects) and reports its
 * items as unknown keys: report "expected a mapping, got a list" once instead.
 */
export function listWhereMappingExpected(data: unknown, path: KeyPath): KeyPath | undefined {
  for (let i = 0; i < path.length; i++) {
    const prefix = path.slice(0, i);
    const schema = schemaAt(prefix);
    if (schema !== undefined && unwrap(schema).entries && Array.isArray(valueAt(data, prefix))) return prefix;
  }
  return undefined;
}

function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const prev = d[i - 1] as number[];
        row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      }
    }
    return (d[a.length] as number[])[b.length] as number;
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = distance(word, c);
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function issueMessage(issue: v.BaseIssue<unknown>, path: KeyPath): { message: string; onKey: boolean } {
  if (issue.kind === 'schema' && issue.input === undefined && path.length > 0) {
    return { message: `is missing; ${expectationAt(path) ?? 'expected a value'}`, onKey: false };
  }
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const key = String(path[path.length - 1]);
    const allowed = keysAt(path.slice(0, -1));
    const guess = closest(key, allowed);
    return {
      message: `unknown key ${JSON.stringify(key)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; expected one of: ${allowed.join(', ')}`,
      onKey: true,
    };
  }
  const expected = issue.message.startsWith('expected ') ? issue.message : `expected ${issue.expected ?? 'a valid value'}`;
  return { message: `${expected}, got ${describeValue(issue.input)}`, onKey: false };
}
