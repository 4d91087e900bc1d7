/**
 * A fleet: the platform files bascule reads together (`status --fleet`,
 * `kubeconfig --fleet`, `fleet check`). Either a fleet file:
 *
 *   # fleet.yaml
 *   platforms:
 *     - platforms/prod-*.yaml                  # a path or a glob (* and ? within one segment), relative to this file
 *     - path: ../payments/platform.yaml
 *       profile: payments-admin                # the AWS profile for Route53 and the source credentials (as --profile)
 *       role: arn:aws:iam::210987654321:role/k8s-admin   # the role to reach the clusters (as --role)
 *
 * or a directory whose `*.yaml` files are the platforms (a directory holding
 * a fleet.yaml is read as that file). One valibot schema, values checked by
 * the vocabulary's rules (src/vocabulary.ts); every problem names its key
 * path and line, all reported at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as v from 'valibot';
import { LineCounter, parseDocument } from 'yaml';
import { BasculeError } from '../errors.js';
import { formatPath, Problems, type KeyPath } from './problems.js';
import { errnoCode, systemProblem } from '../system-error.js';
import { escapeControl, profileProblem, roleArnProblem } from '../vocabulary.js';

export const FLEET_FILE_NAME = 'fleet.yaml';

/** One platform file of the fleet, with the identity its entry names. */
export interface FleetEntry {
  /** The file as messages show it: relative to the working directory. */
  readonly file: string;
  readonly path: string;
  readonly profile: string | undefined;
  readonly role: string | undefined;
  /** Where the fleet names it: `platforms[2] (line 7)`, or `the directory`. */
  readonly from: string;
}

export interface Fleet {
  /** The fleet file or directory, as given. */
  readonly source: string;
  readonly entries: readonly FleetEntry[];
}

const ruled = (problem: (value: string) => string | undefined, expects: string) =>
  v.pipe(
    v.string(`expected ${expects}`),
    v.rawCheck<string>(({ dataset, addIssue }) => {
      const why = dataset.typed ? problem(dataset.value) : undefined;
      if (why) addIssue({ message: `expected ${expects}: ${JSON.stringify(escapeControl(dataset.value as string))} ${why}` });
    }),
  );

const PathSchema = v.pipe(v.string('expected a path or glob of platform files'), v.minLength(1, 'expected a path or glob of platform files'));

const EntryMappingSchema = v.strictObject(
  {
    path: PathSchema,
    profile: v.optional(ruled(profileProblem, 'an AWS profile name')),
    role: v.optional(ruled(roleArnProblem, 'an IAM role ARN')),
  },
  'expected a mapping with path (and profile, role)',
);

export const FleetSchema = v.strictObject(
  {
    $schema: v.optional(v.string('expected a string')),
    // Each entry is a path or a mapping: checked one by one (entryIssues), so a mapping's problem is named, not a union's.
    platforms: v.pipe(v.array(v.unknown(), 'expected a list of platform files'), v.minLength(1, 'expected at least one platform file')),
  },
  'expected a mapping with platforms (the list of platform files)',
);

type Entry = string | v.InferOutput<typeof EntryMappingSchema>;
type Issue = { readonly path: KeyPath; readonly message: string };

/** An entry checked: a path (or glob), or a mapping with path, profile and role. */
function checkEntry(raw: unknown, at: KeyPath): { entry?: Entry; issues: Issue[] } {
  if (typeof raw !== 'string' && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    return { issues: [{ path: at, message: 'expected a path (or glob) of platform files, or a mapping with path, profile and role' }] };
  }
  const parsed = typeof raw === 'string' ? v.safeParse(PathSchema, raw) : v.safeParse(EntryMappingSchema, raw, { abortEarly: false, abortPipeEarly: true });
  if (parsed.success) return { entry: parsed.output, issues: [] };
  return {
    issues: parsed.issues.map((issue) => {
      const path: KeyPath = [...at, ...(issue.path ?? []).map((p) => p.key as string | number)];
      const unknown = issue.type === 'strict_object' && issue.expected === 'never';
      return { path, message: unknown ? `unknown key ${JSON.stringify(String(path[path.length - 1]))}; expected path, profile or role` : issue.message };
    }),
  };
}

type FleetData = { readonly platforms: readonly Entry[] };

const WILD = /[*?]/;

/** `*` and `?` within one path segment, as a regular expression. */
const segmentPattern = (segment: string) => new RegExp(`^${segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Every file a path or glob names (relative to `base`), sorted; `**` is refused by the caller. */
export function expandGlob(pattern: string, base: string): string[] {
  const absolute = resolve(base, pattern);
  if (!WILD.test(pattern)) return [absolute];
  const root = isAbsolute(pattern) ? '/' : base;
  const segments = (isAbsolute(pattern) ? pattern.slice(1) : pattern).split('/').filter((s) => s !== '' && s !== '.');
  let paths = [root];
  for (const segment of segments) {
    if (!WILD.test(segment)) {
      paths = paths.map((p) => join(p, segment));
      continue;
    }
    const re = segmentPattern(segment);
    paths = paths.flatMap((p) => entries(p).filter((name) => re.test(name) && !name.startsWith('.')).map((name) => join(p, name)));
  }
  return paths.filter(isFile).sort();
}

const display = (path: string, cwd: string) => relative(cwd, path) || basename(path);

/** The fleet file's text, parsed and validated; every problem at once. */
function parseFleet(text: string, source: string): { data: FleetData; problems: Problems } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0] as (typeof doc.errors)[number];
    const pos = first.pos ? lines.linePos(first.pos[0]) : undefined;
    throw new BasculeError('config', `${source} is not valid YAML: ${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${first.message.split('\n')[0]}`, { hint: 'fix the YAML syntax and retry' });
  }
  const problems = new Problems(source, doc, lines);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new BasculeError('config', `${source}: its YAML aliases expand too far: ${(error as Error).message.split('\n')[0]}`, { hint: 'write the list out' });
  }
  const parsed = v.safeParse(FleetSchema, data ?? null, { abortEarly: false, abortPipeEarly: true });
  const issues: Issue[] = parsed.success
    ? []
    : parsed.issues.map((issue) => {
        const path: KeyPath = (issue.path ?? []).map((p) => p.key as string | number);
        const unknown = issue.type === 'strict_object' && issue.expected === 'never';
        return { path, message: unknown ? `unknown key ${JSON.stringify(String(path[path.length - 1]))}; expected platforms` : issue.message };
      });
  const platforms: Entry[] = [];
  if (parsed.success) {
    parsed.output.platforms.forEach((raw, i) => {
      const checked = checkEntry(raw, ['platforms', i]);
      issues.push(...checked.issues);
      if (checked.entry !== undefined) platforms.push(checked.entry);
    });
  }
  if (issues.length > 0) {
    const list = issues.map(({ path, message }) => {
      const line = problems.lineOf(path);
      return `  ${formatPath(path)}${line === undefined ? '' : ` (line ${line})`}: ${message}`;
    });
    throw fleetProblems(source, [...new Set(list)]);
  }
  return { data: { platforms }, problems };
}

const fleetProblems = (source: string, lines: readonly string[]) =>
  new BasculeError('config', `${source} is not a valid fleet (${lines.length === 1 ? '1 problem' : `${lines.length} problems`}):\n${lines.join('\n')}`, {
    hint: 'a fleet file is `platforms:`, a list of platform files (paths or globs relative to it), each a path or a mapping with path, profile and role (docs/fleet.md)',
  });

/** The fleet file's entries, globs expanded, relative to its directory. */
function fileEntries(file: string, source: string, cwd: string): FleetEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BasculeError('io', `cannot read the fleet file ${source}: ${systemProblem(error)}`, { hint: 'name an existing fleet file or directory with --fleet PATH (or BASCULE_FLEET)' });
  }
  const { data, problems } = parseFleet(text, source);
  const base = dirname(file);
  const found: FleetEntry[] = [];
  const issues: string[] = [];
  const seen = new Map<string, string>();
  data.platforms.forEach((raw, i) => {
    const entry = typeof raw === 'string' ? { path: raw } : raw;
    const line = problems.lineOf(['platforms', i]);
    const from = `platforms[${i}]${line === undefined ? '' : ` (line ${line})`}`;
    if (entry.path.includes('**')) return void issues.push(`  ${from}: ${JSON.stringify(entry.path)}: ** is not supported (a glob matches within one directory: dir/*.yaml)`);
    const paths = expandGlob(entry.path, base);
    const matched = WILD.test(entry.path) ? paths : paths.filter(isFile);
    if (matched.length === 0) return void issues.push(`  ${from}: ${JSON.stringify(entry.path)} ${WILD.test(entry.path) ? 'matches no file' : 'is not a file'} (relative to ${display(base, cwd) || '.'})`);
    for (const path of matched) {
      const earlier = seen.get(path);
      if (earlier) {
        issues.push(`  ${from}: ${display(path, cwd)} is already in the fleet (${earlier})`);
        continue;
      }
      seen.set(path, from);
      found.push({ file: display(path, cwd), path, profile: 'profile' in entry ? entry.profile : undefined, role: 'role' in entry ? entry.role : undefined, from });
    }
  });
  if (issues.length > 0) throw fleetProblems(source, issues);
  return found;
}

/** Reads a fleet: a fleet file, or a directory of platform files (or holding a fleet.yaml). */
export function readFleet(source: string, cwd: string): Fleet {
  const path = resolve(cwd, source);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new BasculeError('io', `cannot read the fleet ${source}: ${systemProblem(error)}`, {
      hint: errnoCode(error) === 'ENOENT' ? 'name a fleet file or a directory of platform files with --fleet PATH (or BASCULE_FLEET); docs/fleet.md shows one' : 'check its permissions',
    });
  }
  if (!isDirectory) return { source, entries: fileEntries(path, source, cwd) };
  if (isFile(join(path, FLEET_FILE_NAME))) return { source: join(source, FLEET_FILE_NAME), entries: fileEntries(join(path, FLEET_FILE_NAME), join(source, FLEET_FILE_NAME), cwd) };
  const files = entries(path).filter((name) => /\.ya?ml$/.test(name) && !name.startsWith('.') && isFile(join(path, name)));
  if (files.length === 0) throw new BasculeError('config', `the fleet directory ${source} holds no platform file (*.yaml)`, { hint: 'put the platform files there, or name a fleet file' });
  return { source, entries: files.map((name) => ({ file: display(join(path, name), cwd), path: join(path, name), profile: undefined, role: undefined, from: 'the directory' })) };
}
