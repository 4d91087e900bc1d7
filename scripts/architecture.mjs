#!/usr/bin/env node
// The house, from the imports of src/ (docs/architecture.md says what each
// room owns). Rooms are src/'s folders; the files at src/'s top are the ground
// floor, with program.ts, cli.ts, main.ts and commands.ts the entrance above every room.
// It reports, and `--check` fails on, what the architecture forbids:
//   - an import from one command room to another, but the doctor's reads of the
//     token's and kubeconfig's rules (through token/rules.ts, kubeconfig/rules.ts);
//   - an import from a foundation (aws, dns, kube, platform, production, cutover,
//     terminal, the ground floor) up to a command room;
//   - an import cycle between files;
//   - a file of src/ over 450 lines; a room over 22% of src/'s lines.
//   node scripts/architecture.mjs [--check] [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
export const COMMANDS = ['token', 'kubeconfig', 'manifests', 'switch', 'shift', 'status', 'drain', 'doctor', 'verify', 'fleet'];
export const ENTRANCE = ['program.ts', 'cli.ts', 'main.ts', 'commands.ts'];
/** The imports between command rooms the architecture allows: the doctor reads two rooms' rules. */
export const ALLOWED = ['doctor -> token/rules.ts', 'doctor -> kubeconfig/rules.ts'];
export const LIMITS = { fileLines: 450, roomShare: 0.22 };

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const roomOf = (file) => {
  const rel = relative(src, file);
  return rel.includes('/') ? rel.split('/')[0] : ENTRANCE.includes(rel) ? '(entrance)' : '(ground)';
};
const isCommand = (room) => COMMANDS.includes(room);

/** Every file's relative imports (static and dynamic), resolved to files of src/. */
export function readHouse() {
  const all = files(src);
  const known = new Set(all);
  const imports = new Map();
  const lines = new Map();
  for (const file of all) {
    const text = readFileSync(file, 'utf8');
    lines.set(file, text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
    const found = new Set();
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = normalize(join(dirname(file), m[1].replace(/\.js$/, '.ts')));
      if (known.has(target)) found.add(target);
    }
    imports.set(file, [...found]);
  }
  return { all, imports, lines };
}

function cycles(imports) {
  const out = [];
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const g of imports.get(f) ?? []) {
      if (state.get(g) === 1) out.push([...stack.slice(stack.indexOf(g)), g].map((x) => relative(src, x)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of imports.keys()) if (!state.has(f)) visit(f);
  return out;
}

export function inspect() {
  const { all, imports, lines } = readHouse();
  const between = [];
  const upward = [];
  for (const [file, targets] of imports) {
    const from = roomOf(file);
    for (const t of targets) {
      const to = roomOf(t);
      if (from === to) continue;
      const arrow = `${from} -> ${relative(src, t)}`;
      if (isCommand(from) && isCommand(to)) between.push({ arrow, file: relative(src, file), allowed: ALLOWED.includes(arrow) });
      else if (!isCommand(from) && from !== '(entrance)' && isCommand(to)) upward.push({ arrow, file: relative(src, file) });
    }
  }
  const total = [...lines.values()].reduce((a, b) => a + b, 0);
  const rooms = new Map();
  for (const f of all) rooms.set(roomOf(f), (rooms.get(roomOf(f)) ?? 0) + lines.get(f));
  const roomShares = [...rooms].map(([room, n]) => ({ room, lines: n, share: n / total })).sort((a, b) => b.lines - a.lines);
  const bigFiles = all.filter((f) => lines.get(f) > LIMITS.fileLines).map((f) => ({ file: relative(src, f), lines: lines.get(f) }));
  return {
    files: all.length,
    lines: total,
    betweenCommands: between,
    forbiddenBetweenCommands: between.filter((b) => !b.allowed),
    upward,
    cycles: cycles(imports),
    bigFiles,
    bigRooms: roomShares.filter((r) => r.share > LIMITS.roomShare),
    rooms: roomShares,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const h = inspect();
  if (process.argv.includes('--json')) console.log(JSON.stringify(h, null, 2));
  else {
    console.log(`src/: ${h.files} files, ${h.lines} lines`);
    for (const r of h.rooms) console.log(`  ${r.room.padEnd(12)} ${String(r.lines).padStart(6)}  ${(r.share * 100).toFixed(1)}%`);
    console.log(`arrows between command rooms: ${h.betweenCommands.length} (${h.forbiddenBetweenCommands.length} not allowed)`);
    for (const b of h.betweenCommands) console.log(`  ${b.allowed ? 'ok ' : 'BAD'} ${b.arrow}  (${b.file})`);
    console.log(`arrows from a foundation up to a command: ${h.upward.length}`);
    for (const u of h.upward) console.log(`  BAD ${u.arrow}  (${u.file})`);
    console.log(`import cycles: ${h.cycles.length}`);
    for (const c of h.cycles) console.log(`  BAD ${c.join(' -> ')}`);
    console.log(`files over ${LIMITS.fileLines} lines: ${h.bigFiles.length}`);
    for (const f of h.bigFiles) console.log(`  BAD ${f.file} ${f.lines}`);
    console.log(`rooms over ${LIMITS.roomShare * 100}% of src/: ${h.bigRooms.length}`);
  }
  const bad = h.forbiddenBetweenCommands.length + h.upward.length + h.cycles.length + h.bigFiles.length + h.bigRooms.length;
  if (process.argv.includes('--check') && bad > 0) process.exit(1);
}
