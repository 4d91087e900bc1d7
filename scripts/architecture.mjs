#!/usr/bin/env node
// The house, from the imports of src/ (docs/architecture.md says what each
// room owns). Rooms are src/'s folders; the files at src/'s top are the ground
// floor, with program.ts, cli.ts, main.ts, node-entry.ts and commands.ts the entrance above
// every room. It reports, and `--check` fails on, what the architecture forbids:
//   - an import from one command room to another, but the doctor's reads of the
//     token's and kubeconfig's rules (through token/rules.ts, kubeconfig/rules.ts);
//   - an import from a foundation (every room that is not a command, and the
//     ground floor) up to a command room;
//   - an import cycle between files;
//   - a file of src/ over 450 lines; a room over 22% of src/'s lines.
// Imports are read as text (static, dynamic and type-only, relative ones
// only): an import built at run time, or a room reached through a package
// name, is not seen. test/unit/architecture.test.ts runs it in `npm test`.
//   node scripts/architecture.mjs [--check] [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
export const COMMANDS = ['token', 'kubeconfig', 'manifests', 'switch', 'shift', 'status', 'drain', 'doctor', 'verify', 'fleet'];
export const ENTRANCE = ['program.ts', 'cli.ts', 'main.ts', 'node-entry.ts', 'commands.ts'];
/** The imports between command rooms the architecture allows: the doctor reads two rooms' rules, through the face each owns. */
export const ALLOWED = ['doctor -> token/rules.ts', 'doctor -> kubeconfig/rules.ts'];
export const LIMITS = { fileLines: 450, roomShare: 0.22 };

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The house as a graph: every file of `dir` (a path relative to it, with "/"),
 * its line count and the files of `dir` it imports (relative imports only,
 * static, dynamic or type-only; ".js" read as the ".ts" it is built from).
 */
export function readHouse(dir = SRC) {
  const all = tsFiles(dir).map((f) => relative(dir, f).split('\\').join('/'));
  const known = new Set(all);
  const files = new Map();
  for (const file of all) {
    const text = readFileSync(join(dir, file), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const imports = new Set();
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file), m[1].replace(/\.js$/, '.ts')));
      if (known.has(target)) imports.add(target);
    }
    files.set(file, { lines, imports: [...imports] });
  }
  return { files };
}

/** A file's room: its folder under src/, else the entrance or the ground floor. */
export const roomOf = (file) => (file.includes('/') ? file.split('/')[0] : ENTRANCE.includes(file) ? '(entrance)' : '(ground)');
const isCommand = (room) => COMMANDS.includes(room);

function cycles(files) {
  const out = [];
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const g of files.get(f)?.imports ?? []) {
      if (state.get(g) === 1) out.push([...stack.slice(stack.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files.keys()) if (!state.has(f)) visit(f);
  return out;
}

/** The figures of a house (readHouse's shape): pure, so a test can hand it a house of its own. */
export function inspectHouse({ files }) {
  const between = [];
  const upward = [];
  for (const [file, { imports }] of files) {
    const from = roomOf(file);
    for (const target of imports) {
      const to = roomOf(target);
      if (from === to) continue;
      const arrow = `${from} -> ${target}`;
      if (isCommand(from) && isCommand(to)) between.push({ arrow, file, allowed: ALLOWED.includes(arrow) });
      else if (!isCommand(from) && from !== '(entrance)' && isCommand(to)) upward.push({ arrow, file });
    }
  }
  const total = [...files.values()].reduce((sum, f) => sum + f.lines, 0);
  const rooms = new Map();
  for (const [file, { lines }] of files) rooms.set(roomOf(file), (rooms.get(roomOf(file)) ?? 0) + lines);
  const roomShares = [...rooms].map(([room, lines]) => ({ room, lines, share: total ? lines / total : 0 })).sort((a, b) => b.lines - a.lines);
  return {
    files: files.size,
    lines: total,
    betweenCommands: between,
    forbiddenBetweenCommands: between.filter((b) => !b.allowed),
    upward,
    cycles: cycles(files),
    bigFiles: [...files].filter(([, f]) => f.lines > LIMITS.fileLines).map(([file, f]) => ({ file, lines: f.lines })),
    bigRooms: roomShares.filter((r) => r.share > LIMITS.roomShare),
    rooms: roomShares,
  };
}

export const inspect = (dir = SRC) => inspectHouse(readHouse(dir));

/** What the architecture forbids, one line each (empty: the house holds). */
export function badLines(h) {
  return [
    ...h.forbiddenBetweenCommands.map((b) => `BAD ${b.arrow}  (${b.file}): a command room imports another`),
    ...h.upward.map((u) => `BAD ${u.arrow}  (${u.file}): a foundation imports a command room`),
    ...h.cycles.map((c) => `BAD ${c.join(' -> ')}: an import cycle`),
    ...h.bigFiles.map((f) => `BAD ${f.file} ${f.lines}: over ${LIMITS.fileLines} lines`),
    ...h.bigRooms.map((r) => `BAD ${r.room} ${(r.share * 100).toFixed(1)}%: over ${LIMITS.roomShare * 100}% of src/`),
  ];
}

function print(h) {
  console.log(`src/: ${h.files} files, ${h.lines} lines`);
  for (const r of h.rooms) console.log(`  ${r.room.padEnd(14)} ${String(r.lines).padStart(6)}  ${(r.share * 100).toFixed(1)}%`);
  console.log(`arrows between command rooms: ${h.betweenCommands.length} (${h.forbiddenBetweenCommands.length} not allowed)`);
  for (const b of h.betweenCommands) console.log(`  ${b.allowed ? 'ok ' : 'BAD'} ${b.arrow}  (${b.file})`);
  console.log(`arrows from a foundation up to a command: ${h.upward.length}`);
  for (const u of h.upward) console.log(`  BAD ${u.arrow}  (${u.file})`);
  console.log(`import cycles: ${h.cycles.length}`);
  for (const c of h.cycles) console.log(`  BAD ${c.join(' -> ')}`);
  console.log(`files over ${LIMITS.fileLines} lines: ${h.bigFiles.length}`);
  for (const f of h.bigFiles) console.log(`  BAD ${f.file} ${f.lines}`);
  console.log(`rooms over ${LIMITS.roomShare * 100}% of src/: ${h.bigRooms.length}`);
  for (const r of h.bigRooms) console.log(`  BAD ${r.room} ${(r.share * 100).toFixed(1)}%`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const h = inspect();
  if (process.argv.includes('--json')) console.log(JSON.stringify(h, null, 2));
  else print(h);
  if (process.argv.includes('--check') && badLines(h).length > 0) process.exit(1);
}
