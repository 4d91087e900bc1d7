/**
 * YAML out and in, for every file bascule writes or rewrites (kubeconfigs,
 * manifests). Output is deterministic (same object, same bytes) and safe for
 * both YAML 1.1 readers (kubectl, client-go, go-yaml v2) and YAML 1.2 readers:
 * any string that either would read as something else (on, yes, y, 0600,
 * 1:20, 0o17, 1e3, null...) is double-quoted.
 */
import { Document, parse, Scalar, visit, type SchemaOptions, type Tags } from 'yaml';

const readsAs = (text: string, version: '1.1' | '1.2'): unknown => {
  try {
    return parse(text, { version, prettyErrors: false, logLevel: 'silent' });
  } catch {
    return Symbol('unparsable');
  }
};

/** Would this string, written plain, read back as itself in YAML 1.1 and 1.2? */
export function isPlainSafe(text: string): boolean {
  if (text === '' || text.includes('\n')) return false;
  return readsAs(text, '1.1') === text && readsAs(text, '1.2') === text;
}

/**
 * A comment line's text, safe whatever it holds: a line break (or any other
 * control character) would end the comment and let the rest be read as YAML,
 * so every one is written as an escape (\n, \u2028...). Every header line
 * built from outside data (paths, names) goes through here.
 */
export function commentSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Double-quotes, in place, every string under `node` that a YAML 1.1 or 1.2 reader would read as something else. */
export function quoteUnsafeStrings(node: Parameters<typeof visit>[0]): void {
  visit(node, {
    Scalar(_key, scalar: Scalar) {
      if (typeof scalar.value === 'string' && !scalar.value.includes('\n') && !isPlainSafe(scalar.value)) scalar.type = Scalar.QUOTE_DOUBLE;
    },
  });
}

/** How bascule writes YAML text: no folding, sequences as kubectl writes them, no directives. */
export const TO_STRING_OPTIONS = { lineWidth: 0, minContentWidth: 0, indentSeq: false, directives: false } as const;

export interface EmitOptions {
  /** Comment lines written before the document (without the leading "#"). */
  readonly header?: readonly string[];
}

export function emitYaml(value: unknown, options: EmitOptions = {}): string {
  const doc = new Document(value, { version: '1.1' });
  quoteUnsafeStrings(doc);
  if (options.header && options.header.length > 0) doc.commentBefore = options.header.map((line) => (line === '' ? '' : ` ${commentSafe(line)}`)).join('\n');
  return doc.toString(TO_STRING_OPTIONS);
}

/**
 * Several documents in one stream (`---` before each), the header comment
 * first: a multi-document manifest file.
 */
export function emitYamlDocuments(values: readonly unknown[], options: EmitOptions = {}): string {
  const header = options.header && options.header.length > 0 ? `${options.header.map((line) => (line === '' ? '#' : `# ${commentSafe(line)}`)).join('\n')}\n` : '';
  return header + values.map((value) => `---\n${emitYaml(value)}`).join('');
}

/**
 * Reads YAML the way kubectl does (YAML 1.1 scalars: yes/on are booleans,
 * 017 is octal) without the 1.1 types go-yaml leaves as strings (1:20
 * sexagesimal, timestamps), so an unrelated value read here is written back
 * as kubectl would read it.
 */
export const KUBECTL_YAML_OPTIONS: SchemaOptions & { version: '1.1' } = {
  version: '1.1',
  customTags: (tags: Tags): Tags =>
    tags.filter((t) => {
      if (typeof t === 'string') return t !== 'timestamp' && t !== 'intTime' && t !== 'floatTime';
      return t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp';
    }),
};

