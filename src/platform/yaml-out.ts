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

export interface EmitOptions {
  /** Comment lines written before the document (without the leading "#"). */
  readonly header?: readonly string[];
}

export function emitYaml(value: unknown, options: EmitOptions = {}): string {
  const doc = new Document(value, { version: '1.1' });
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string' && !node.value.includes('\n') && !isPlainSafe(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  if (options.header && options.header.length > 0) doc.commentBefore = options.header.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: false, directives: false });
}

/**
 * Several documents in one stream (`---` before each), the header comment
 * first: a multi-document manifest file.
 */
export function emitYamlDocuments(values: readonly unknown[], options: EmitOptions = {}): string {
  const header = options.header && options.header.length > 0 ? `${options.header.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n')}\n` : '';
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

