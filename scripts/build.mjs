#!/usr/bin/env node
// Builds the Node bundle (for `npm i -g` and the `node` tarball): dist/bascule.js,
// the entry with a node shebang (src/node-entry.ts), which runs the CLI's hot
// path, dist/bascule-main.js, with V8's code cache for it; and the chunks
// dist/bascule-<name>.js, required on first use. The chunks are declared once,
// in scripts/chunks.mjs.
//
// kubectl starts bascule before every command, so what node compiles on
// start-up is paid every time: the hot path (flags, TXT lookup, cache) is the
// only thing in bascule-main.js, and its compiled code is cached.
//
//   node scripts/build.mjs            dist/bascule.js, dist/bascule-main.js, dist/bascule-<chunk>.js
//   node scripts/build.mjs --analyze  what each output holds, and the input bytes found in more than one output
//
// `mainFields: module,main` lets the AWS SDK's ES builds tree-shake.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { bundleFiles, CHUNKS, HOT_FILE } from './chunks.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

function gitCommit() {
  if (process.env.BASCULE_COMMIT) return process.env.BASCULE_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}


// commander requires node:child_process at load (5 ms here) for executable
// subcommands, which bascule does not use: load it on first use instead.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/commander/`) ? { path: 'lazy-child-process', namespace: 'bascule' } : undefined,
    );
    b.onLoad({ filter: /^lazy-child-process$/, namespace: 'bascule' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

/** A bundle file's name: the hot file or a chunk (current or of an older build). */
const BUNDLE_FILE = /^bascule(-[a-z0-9-]+)?\.js$/;

/** Source module (absolute .ts path) -> its chunk's name. */
const chunkOf = new Map(CHUNKS.flatMap((c) => c.modules.map((m) => [resolve(root, m), c.name])));
for (const m of chunkOf.keys()) if (!existsSync(m)) throw new Error(`scripts/chunks.mjs names ${m.slice(root.length)}, which does not exist`);

/** An import of a chunk's module, from outside that chunk, becomes require('./bascule-<name>.js'). */
const chunkExternals = (self) => ({
  name: 'chunk-externals',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      const name = chunkOf.get(target);
      return name && name !== self ? { path: `./bascule-${name}.js`, external: true } : undefined;
    });
  },
});

const common = {
  bundle: true,
  // The deprecated builtin (a runtime warning on stderr since Node 21) -> the
  // npm package the same dependencies (uri-js, via kubernetes-models) declare.
  alias: { punycode: 'punycode/' },
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  mainFields: ['module', 'main'],
  // import() becomes require(): no ESM loader start-up for chunks or builtins.
  supported: { 'dynamic-import': false },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  // What the version command prints; the same for the bundle and the binary.
  define: { __BASCULE_VERSION__: JSON.stringify(pkg.version), __BASCULE_COMMIT__: JSON.stringify(gitCommit()) },
  metafile: true,
  logLevel: 'warning',
};

/** The names a module exports (re-exports included), from esbuild's metafile. */
async function exportsOf(module) {
  const r = await build({ entryPoints: [resolve(root, module)], bundle: false, write: false, format: 'esm', metafile: true, logLevel: 'silent' });
  return Object.values(r.metafile.outputs)[0].exports;
}

/**
 * Writes the bundle into `outdir`: the hot file and one file per chunk.
 * `format: 'cjs'` is the Node bundle (dist/); `format: 'esm'` is what
 * scripts/build-binary.mjs hands to Bun, whose --splitting keeps each chunk a
 * lazily loaded module of the executable (import() of a sibling file).
 */
export async function buildBundle({ analyze = false, outdir = `${root}/dist`, format = 'cjs' } = {}) {
  mkdirSync(outdir, { recursive: true });
  // Old bundle files go (chunks renamed or merged); the binaries and releases in dist/ stay.
  for (const f of readdirSync(outdir)) if (BUNDLE_FILE.test(f)) rmSync(`${outdir}/${f}`);
  const variant =
    format === 'cjs'
      ? common
      : {
          ...common,
          format: 'esm',
          target: 'esnext',
          supported: {},
          // CommonJS dependencies (commander, yaml) require node's builtins; Bun gives ES modules a require.
          banner: { js: 'const require = import.meta.require;' },
        };
  const results = [];
  // The hot file: bascule.js for Bun (the executable's main module); for Node, bascule-main.js, which the
  // entry (bascule.js, src/node-entry.ts) runs with V8's code cache for it.
  const hotFile = `${outdir}/${format === 'cjs' ? HOT_FILE : 'bascule.js'}`;
  results.push(
    await build({
      ...variant,
      entryPoints: [`${root}/src/main.ts`],
      outfile: hotFile,
      plugins: [lazyChildProcess, chunkExternals(undefined)],
    }),
  );
  if (format === 'cjs') {
    const hotId = createHash('sha256').update(readFileSync(hotFile)).digest('hex').slice(0, 16);
    results.push(
      await build({
        ...variant,
        entryPoints: [`${root}/src/node-entry.ts`],
        outfile: `${outdir}/bascule.js`,
        banner: { js: '#!/usr/bin/env node' },
        define: { ...variant.define, __BASCULE_HOT_ID__: JSON.stringify(hotId) },
      }),
    );
    chmodSync(`${outdir}/bascule.js`, 0o755);
  }
  // A static import of a chunk from the hot file (an ES module hoists it) would load that chunk on every call.
  const hoisted = readFileSync(hotFile, 'utf8').match(/(?:^|[;}\n])import[^;()]*?from\s*"\.\/bascule-[a-z0-9-]+\.js"/);
  if (hoisted) throw new Error(`the hot file imports a chunk statically (${hoisted[0].trim()}): import() it where it is needed`);
  for (const chunk of CHUNKS) {
    const names = await Promise.all(chunk.modules.map(exportsOf));
    const seen = new Map();
    names.forEach((list, i) =>
      list.forEach((n) => {
        if (seen.has(n)) throw new Error(`chunk ${chunk.name}: ${chunk.modules[i]} and ${seen.get(n)} both export ${n}; rename one`);
        seen.set(n, chunk.modules[i]);
      }),
    );
    results.push(
      await build({
        ...variant,
        stdin: { contents: chunk.modules.map((m) => `export * from ${JSON.stringify(resolve(root, m))};`).join('\n'), resolveDir: root, loader: 'ts' },
        outfile: `${outdir}/bascule-${chunk.name}.js`,
        plugins: [lazyChildProcess, chunkExternals(chunk.name)],
      }),
    );
  }
  const written = readdirSync(outdir).filter((f) => BUNDLE_FILE.test(f)).sort();
  const expected = format === 'cjs' ? bundleFiles() : bundleFiles().filter((f) => f !== HOT_FILE);
  if (written.join() !== [...expected].sort().join()) throw new Error(`build wrote ${written.join(', ')}; scripts/chunks.mjs declares ${bundleFiles().join(', ')}`);
  if (analyze) await report(results);
  return results;
}

/** Per output: bytes, and the input bytes that also went into another output (duplicates). */
async function report(results) {
  const { analyzeMetafile } = await import('esbuild');
  const inputsByOutput = results.map((r) => Object.values(r.metafile.outputs)[0]);
  const count = new Map();
  for (const o of inputsByOutput) for (const [input, { bytesInOutput }] of Object.entries(o.inputs)) count.set(input, [...(count.get(input) ?? []), bytesInOutput]);
  let total = 0;
  let duplicate = 0;
  for (const o of inputsByOutput) total += o.bytes;
  for (const sizes of count.values()) if (sizes.length > 1) duplicate += sizes.slice(1).reduce((a, b) => a + b, 0);
  for (const r of results) console.log(await analyzeMetafile(r.metafile));
  console.log(`bundle: ${bundleFiles().join(', ')}: ${(total / 1e6).toFixed(2)} MB, of which ${(duplicate / 1e6).toFixed(2)} MB (${((100 * duplicate) / total).toFixed(0)}%) are inputs found in more than one file`);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildBundle({ analyze: process.argv.includes('--analyze') });
