/**
 * Loading `platform.yaml` (pure: text in, `Platform` out): parse the YAML with
 * positions, validate with the schema (./schema.ts; its problems said in the
 * file's terms by ./schema-issues.ts), then the derived defaults and the
 * checks that span keys (./resolve.ts).
 *
 * Every problem names the key path, its line, and what is expected; all of
 * them are reported at once, in one `config` error (./problems.ts).
 */
import * as v from 'valibot';
import { LineCounter, parseDocument } from 'yaml';
import { BasculeError } from '../errors.js';
import type { Platform } from './model.js';
import { formatPath, Problems } from './problems.js';
import { resolvePlatform, type ResolveOptions } from './resolve.js';
import { expectationAt, issueMessage, listWhereMappingExpected } from './schema-issues.js';
import { PlatformSchema, type PlatformFile } from './schema.js';

/** The file as the user named it (for messages and generated headers), and the directory its relative paths are resolved against. */
export type LoadOptions = ResolveOptions;

/**
 * Checks a generator adds on top of the format's (e.g. the manifests need
 * IRSA roles that a kubeconfig does not): reported with the others, each
 * naming its key path and line.
 */
export type PlatformChecks = (platform: Platform, problems: Problems) => void;

/** Alias uses a platform file may expand: far above any real file, far below a billion laughs. */
export const MAX_ALIAS_COUNT = 100;

/** Parses and validates a platform file. Throws one `config` BasculeError listing every problem. */
export function loadPlatform(text: string, options: LoadOptions, checks?: PlatformChecks): Platform {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const problems = new Problems(options.source, doc, lines);
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, 5).map((e) => {
      const pos = e.pos ? lines.linePos(e.pos[0]) : undefined;
      return `  ${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
    });
    throw new BasculeError('config', `${options.source} is not valid YAML:\n${shown.join('\n')}`, {
      hint: 'fix the YAML syntax (indentation, quoting, duplicate keys) and retry',
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml refuses aliases that expand too far (a "billion laughs"): the file's fault, not bascule's.
    throw new BasculeError('config', `${options.source}: its YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} alias uses; a "billion laughs" file): ${(error as Error).message.split('\n')[0]}`, {
      hint: 'write the values out, or use fewer anchors and aliases',
    });
  }
  if (data === null || data === undefined) {
    throw new BasculeError('config', `${options.source} is empty`, { hint: '`bascule init` writes a commented starter' });
  }
  const parsed = v.safeParse(PlatformSchema, data, { abortEarly: false, abortPipeEarly: true });
  if (!parsed.success) {
    const reported = new Set<string>();
    for (const issue of parsed.issues) {
      const path: (string | number)[] = (issue.path ?? []).map((p) => p.key as string | number);
      const list = listWhereMappingExpected(data, path);
      if (list) {
        const key = formatPath(list);
        if (!reported.has(key)) problems.add(list, `${expectationAt(list) ?? 'expected a mapping'}, got a list`);
        reported.add(key);
        continue;
      }
      const { message, onKey } = issueMessage(issue, path);
      problems.add(path, message, onKey);
    }
    problems.throwIfAny();
  }
  const platform = resolvePlatform(parsed.output as PlatformFile, options, problems);
  if (problems.size === 0) checks?.(platform, problems);
  problems.throwIfAny();
  return platform;
}
