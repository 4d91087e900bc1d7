/**
 * Merging generated entries into the kubeconfig files kubectl reads (pure:
 * texts in, texts out, no file system). The rules are kubectl's, as client-go
 * applies them in `clientcmd` (loader.go, config.go ModifyConfig):
 *
 * - The files, in kubectl's loading precedence: `--merge FILE` alone (an
 *   explicit file, like `kubectl --kubeconfig FILE`), else every path of
 *   $KUBECONFIG (empty ones skipped, duplicates once), else ~/.kube/config.
 * - Reading, the first file that defines a name wins; so an entry that exists
 *   is replaced in the file it comes from (its LocationOfOrigin).
 * - A new entry goes to the default file: the explicit file; the only path of
 *   $KUBECONFIG; else the first of its paths that exists, else its last one.
 * - current-context is never changed unless asked (`--set-context`); then it
 *   is written where kubectl's `config use-context` writes it (the explicit
 *   file, else the default file), which makes it the effective one.
 *
 * Within a file, an entry bascule replaces keeps its place, a new one is
 * appended, a later duplicate of a replaced name is dropped, and everything
 * else (other entries, preferences, extensions, unknown keys, comments) is
 * kept as it was: the file is edited as a YAML document, not re-emitted from
 * an object. A file with nothing to change is not written.
 */
import { isDeepStrictEqual } from 'node:util';
import { Document, isAlias, isMap, isSeq, LineCounter, parseDocument, visit, YAMLSeq, type Node } from 'yaml';
import { BasculeError } from '../errors.js';
import { KUBECTL_YAML_OPTIONS, quoteUnsafeStrings, TO_STRING_OPTIONS } from '../platform/yaml-out.js';
import type { Kubeconfig } from './build.js';

export type KubeconfigObject = Record<string, unknown>;

export const LISTS = ['clusters', 'contexts', 'users'] as const;
export type ListKey = (typeof LISTS)[number];

/** Aliases a kubeconfig may expand: far above any real file, far below a billion laughs. */
export const MAX_ALIAS_COUNT = 100;

const refusal = (file: string, what: string) =>
  new BasculeError('config', `${file} is not a kubeconfig bascule can merge into: ${what}`, {
    hint: 'nothing was written; fix or move the file, or write to another one with --out',
  });

/**
 * Checks that a parsed file is a kubeconfig bascule may rewrite. `null` (an
 * empty file) is an empty kubeconfig. Anything else that is not a Config
 * mapping with lists of named entries is refused, so nothing is lost.
 */
export function asKubeconfig(value: unknown, file: string): KubeconfigObject {
  const refuse = (what: string) => refusal(file, what);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw refuse(`expected a mapping at the top level, got ${Array.isArray(value) ? 'a list' : typeof value}`);
  const obj = value as KubeconfigObject;
  if (obj.kind !== undefined && obj.kind !== 'Config') throw refuse(`kind is ${JSON.stringify(obj.kind)}, expected Config`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'v1') throw refuse(`apiVersion is ${JSON.stringify(obj.apiVersion)}, expected v1`);
  for (const key of LISTS) {
    const list = obj[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw refuse(`${key} is not a list`);
    list.forEach((entry, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw refuse(`${key}[${i}] is not a mapping`);
      if (typeof (entry as KubeconfigObject).name !== 'string') throw refuse(`${key}[${i}] has no name`);
    });
  }
  const current = obj['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') throw refuse('current-context is not a string');
  return obj;
}

/** One file of the loading precedence: its path and text, or `undefined` when it does not exist. */
export interface KubeconfigSource {
  readonly path: string;
  readonly text: string | undefined;
}

export interface MergeRequest {
  /** kubectl's loading precedence (see the module comment). */
  readonly files: readonly KubeconfigSource[];
  /** `--merge FILE`: one explicit file, as `kubectl --kubeconfig FILE`. */
  readonly explicit: boolean;
  readonly generated: Pick<Kubeconfig, ListKey>;
  /** `--set-context`: the context to make current; undefined leaves current-context alone. */
  readonly setContext?: string | undefined;
}

export interface FileWrite {
  readonly path: string;
  readonly text: string;
  /** The file does not exist yet. */
  readonly created: boolean;
  /** The generated entries written there, by list. */
  readonly entries: Readonly<Record<ListKey, string[]>>;
}

export interface MergePlan {
  /** Files to write, in precedence order; files with nothing to change are absent. */
  readonly writes: FileWrite[];
  /** The effective current-context before and after (kubectl's: the first file that sets it). */
  readonly currentContext: { readonly before: string | undefined; readonly after: string | undefined };
}

/** Where kubectl writes what is new (client-go PathOptions.GetDefaultFilename). */
export function defaultFile(files: readonly KubeconfigSource[], explicit: boolean): string {
  const first = files[0];
  if (!first) throw new Error('defaultFile: no file');
  if (explicit || files.length === 1) return first.path;
  return (files.find((f) => f.text !== undefined) ?? (files[files.length - 1] as KubeconfigSource)).path;
}

/** The paths of $KUBECONFIG as kubectl takes them: split on the delimiter, empty ones skipped, duplicates once. */
export function kubeconfigPaths(value: string | undefined, delimiter: string): string[] {
  const out: string[] = [];
  for (const path of (value ?? '').split(delimiter)) if (path !== '' && !out.includes(path)) out.push(path);
  return out;
}

interface Parsed {
  readonly source: KubeconfigSource;
  doc: Document | undefined;
  value: KubeconfigObject;
  changed: boolean;
  entries: Record<ListKey, string[]>;
}

/** The first alias with no anchor of its name before it (yaml's own order), in one pass; undefined: none. */
function unresolvedAlias(doc: Document): string | undefined {
  const anchors = new Set<string>();
  let missing: string | undefined;
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) {
        if (anchors.has(node.source)) return undefined;
        missing = node.source;
        return visit.BREAK;
      }
      if (node.anchor) anchors.add(node.anchor);
      return undefined;
    },
  });
  return missing;
}

/** Parses one file as kubectl reads it (YAML 1.1); any problem is a configuration error naming the file. */
export function parseKubeconfig(path: string, text: string): { doc: Document; value: KubeconfigObject } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...KUBECTL_YAML_OPTIONS, lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const line = error.pos ? ` (line ${lines.linePos(error.pos[0]).line})` : '';
    throw refusal(path, `it does not parse as YAML${line}: ${error.message.split('\n')[0]}`);
  }
  const missing = unresolvedAlias(doc);
  if (missing !== undefined) throw refusal(path, `its YAML alias *${missing} names no anchor before it`);
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // Every alias resolves (checked above): yaml's ReferenceError is then the expansion bound.
    if (error instanceof ReferenceError) throw refusal(path, `its YAML aliases expand too far (more than ${MAX_ALIAS_COUNT}; a "billion laughs" file)`);
    throw refusal(path, (error as Error).message.split('\n')[0] as string);
  }
  return { doc, value: asKubeconfig(js, path) };
}

/** The document of a new file, kubectl's key order; current-context is added only when set. */
function newDocument(): Document {
  return new Document({ apiVersion: 'v1', clusters: [], contexts: [], kind: 'Config', preferences: {}, users: [] }, { version: '1.1' });
}

const nameOf = (item: unknown): unknown => (isMap(item) ? item.get('name') : undefined);

function listOf(doc: Document, key: ListKey): YAMLSeq {
  const list = doc.get(key, true);
  if (isSeq(list)) return list;
  const seq = doc.createNode([]) as YAMLSeq;
  doc.set(key, seq);
  return seq;
}

function ensureHeader(doc: Document): void {
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!doc.has('apiVersion')) doc.set('apiVersion', 'v1');
  if (!doc.has('kind')) doc.set('kind', 'Config');
}

/** Puts `entry` in the file's list: in place of the first entry of that name (later ones dropped), else at the end. */
function put(file: Parsed, key: ListKey, entry: { name: string }): void {
  if (!file.doc) file.doc = newDocument();
  const doc = file.doc;
  const existing = file.value[key];
  const index = Array.isArray(existing) ? existing.findIndex((e) => (e as { name: string }).name === entry.name) : -1;
  const duplicates = Array.isArray(existing) ? existing.filter((e) => (e as { name: string }).name === entry.name).length : 0;
  if (index >= 0 && duplicates === 1 && isDeepStrictEqual(toPlain((existing as unknown[])[index]), toPlain(entry))) return; // already so
  ensureHeader(doc);
  const seq = listOf(doc, key);
  const node = doc.createNode(entry) as Node;
  quoteUnsafeStrings(node);
  const at = seq.items.findIndex((item) => nameOf(item) === entry.name);
  if (at >= 0) {
    seq.items[at] = node;
    seq.items = seq.items.filter((item, i) => i === at || nameOf(item) !== entry.name);
  } else {
    seq.items.push(node);
  }
  file.changed = true;
  file.entries[key].push(entry.name);
}

/** A value as plain JSON data, so entries read from YAML compare equal to generated ones. */
const toPlain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

/** The effective current-context: the first file that sets a non-empty one. */
function effectiveContext(files: readonly Parsed[]): string | undefined {
  for (const file of files) {
    const current = file.value['current-context'];
    if (typeof current === 'string' && current !== '') return current;
  }
  return undefined;
}

export function planMerge(request: MergeRequest): MergePlan {
  if (request.files.length === 0) throw new Error('planMerge: no file');
  const files: Parsed[] = request.files.map((source) => {
    const parsed = source.text === undefined ? { doc: undefined, value: {} } : parseKubeconfig(source.path, source.text);
    return { source, ...parsed, changed: false, entries: { clusters: [], contexts: [], users: [] } };
  });
  const byPath = (path: string) => files.find((f) => f.source.path === path) as Parsed;
  const fallback = byPath(defaultFile(request.files, request.explicit));
  const before = effectiveContext(files);

  for (const key of LISTS) {
    for (const entry of request.generated[key]) {
      const origin = files.find((f) => Array.isArray(f.value[key]) && (f.value[key] as { name: string }[]).some((e) => e.name === entry.name));
      put(origin ?? fallback, key, entry);
    }
  }

  let after = before;
  if (request.setContext !== undefined && request.setContext !== before) {
    const target = fallback; // the explicit file, or kubectl's default file: the first existing one, so it wins
    if (!target.doc) target.doc = newDocument();
    ensureHeader(target.doc);
    target.doc.set('current-context', request.setContext);
    target.changed = true;
    after = request.setContext;
  }

  const writes = files
    .filter((f) => f.changed && f.doc)
    .map((f) => ({ path: f.source.path, text: (f.doc as Document).toString(TO_STRING_OPTIONS), created: f.source.text === undefined, entries: f.entries }));
  return { writes, currentContext: { before, after } };
}
