#!/usr/bin/env node
// Builds dist/bascule.js, the CLI as one esbuild bundle with a node shebang.
//
// kubectl starts bascule before every command, so what `node dist/bascule.js`
// parses on start-up is paid every time. Cold code lives in sibling chunks,
// required only when a command needs it (see CHUNKS); the hot path (CLI, TXT
// lookup, cache, signer) is the only thing in bascule.js.
//
//   node scripts/build.mjs            dist/bascule.js + dist/bascule-*.js chunks
//   node scripts/build.mjs --single   dist/sea/bascule.js, everything inline (for the single binary)
//   node scripts/build.mjs --analyze  print what each output holds
//
// `mainFields: module,main` lets the AWS SDK's ES builds tree-shake.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
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

const common = {
  bundle: true,
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

const single = process.argv.includes('--single');
const results = [];
if (single) {
  const outfile = `${root}/dist/sea/bascule.js`;
  results.push(await build({ ...common, entryPoints: [`${root}/src/main.ts`], outfile, plugins: [lazyChildProcess] }));
} else {
  rmSync(`${root}/dist`, { recursive: true, force: true, maxRetries: 2 });
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
if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  for (const r of results) console.log(await analyzeMetafile(r.metafile));
}
