#!/usr/bin/env node
// Builds dist/bascule.js, the CLI as one esbuild bundle with a node shebang.
//
// kubectl starts bascule before every command, so what `node dist/bascule.js`
// parses on start-up is paid every time. Cold code lives in sibling chunks,
// required only when a command needs it (see CHUNKS); the hot path (CLI, TXT
// lookup, cache, signer) is the only thing in bascule.js.
//
//   node scripts/build.mjs            dist/bascule.js + dist/bascule-*.js chunks
//   node scripts/build.mjs --sea      also dist/sea/bascule.js: the same hot bundle for the single
//                                     binary, its chunks read from the binary's SEA assets
//   node scripts/build.mjs --analyze  print what each output holds
//
// `mainFields: module,main` lets the AWS SDK's ES builds tree-shake.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Source module -> chunk name. Imports of these from the main bundle become require('./bascule-<name>.js'). */
export const CHUNKS = {
  'src/program.ts': 'cli', // commander: help, errors and every command but the plain token call
  'src/token/presign.ts': 'signer', // SigV4: only when no cached token will do
  'src/token/aws-sdk.ts': 'aws-sdk', // the credential chain and STS client
  'src/platform/commands.ts': 'platform', // the platform file, init, schema, kubeconfig (yaml, valibot, EKS client)
  'src/manifests/commands.ts': 'manifests', // bascule manifests: the builders and kubernetes-models' validators
  'src/switch/commands.ts': 'switch', // status and the blue/green switch (Route53 and Kubernetes API clients)
  'src/drain/commands.ts': 'drain', // bascule drain: ELBv2 and CloudWatch clients
  'src/switch/gradual/command.ts': 'shift', // bascule switch --weights: the weighted shift (Route53, ELBv2, CloudWatch)
};

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

/** Imports of a chunk module become require('./bascule-<name>.js'): a sibling file, or an SEA asset. */
const chunkExternals = {
  name: 'chunk-externals',
  setup(b) {
    const byPath = new Map(Object.entries(CHUNKS).map(([src, name]) => [resolve(root, src), name]));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      const name = byPath.get(target);
      return name ? { path: `./bascule-${name}.js`, external: true } : undefined;
    });
  },
};

/**
 * In the single binary, `require` only knows node's builtins: the chunks are
 * SEA assets, evaluated on first use as CommonJS modules. Only the hot bundle
 * is the binary's main script (and gets V8's code cache).
 */
const SEA_CHUNK_LOADER = `const require = ((builtin) => {
  const loaded = new Map();
  const load = (id) => {
    if (!id.startsWith('./bascule-')) return builtin(id);
    if (loaded.has(id)) return loaded.get(id).exports;
    const module = { exports: {} };
    loaded.set(id, module);
    const source = builtin('node:sea').getAsset(id.slice(2), 'utf8');
    const fn = builtin('node:vm').runInThisContext('(function (exports, require, module, __filename, __dirname) {' + source + '\\n})', { filename: id.slice(2) });
    fn.call(module.exports, module.exports, load, module, id.slice(2), '.');
    return module.exports;
  };
  return load;
})(__basculeBuiltin);`;

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
  define: {
    __BASCULE_VERSION__: JSON.stringify(pkg.version),
    __BASCULE_COMMIT__: JSON.stringify(gitCommit()),
  },
  metafile: true,
  logLevel: 'warning',
};

const results = [];
{
  // Old chunks go; the binaries and releases in dist/ stay.
  if (existsSync(`${root}/dist`)) for (const f of readdirSync(`${root}/dist`)) if (/^bascule(-[a-z0-9-]+)?\.js$/.test(f)) rmSync(`${root}/dist/${f}`);
  results.push(
    await build({
      ...common,
      entryPoints: [`${root}/src/main.ts`],
      outfile: `${root}/dist/bascule.js`,
      banner: { js: '#!/usr/bin/env node' },
      plugins: [lazyChildProcess, chunkExternals],
    }),
  );
  chmodSync(`${root}/dist/bascule.js`, 0o755);
  for (const [src, name] of Object.entries(CHUNKS)) {
    results.push(
      await build({ ...common, entryPoints: [`${root}/${src}`], outfile: `${root}/dist/bascule-${name}.js`, plugins: [lazyChildProcess, chunkExternals] }),
    );
  }
}
if (process.argv.includes('--sea')) {
  // The main script runs in a function whose parameters include require: the
  // loader shadows it in an inner block, so the bundle's requires go through it.
  results.push(
    await build({
      ...common,
      entryPoints: [`${root}/src/main.ts`],
      outfile: `${root}/dist/sea/bascule.js`,
      banner: { js: `const __basculeBuiltin = require;\n{${SEA_CHUNK_LOADER}` },
      footer: { js: '}' },
      plugins: [lazyChildProcess, chunkExternals],
    }),
  );
}
if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  for (const r of results) console.log(await analyzeMetafile(r.metafile));
}
