// The Node bundle's pieces, declared once. scripts/build.mjs builds them,
// scripts/release.mjs packs them, the tests load each of them; all read this
// list (never a pattern of file names).
//
// dist/bascule.js is the hot path: the plain `bascule token` call (flags, TXT
// lookup, cache). Everything else is a chunk, dist/bascule-<name>.js,
// required on first use: an `import()` of one of a chunk's modules, anywhere
// in src/, becomes require('./bascule-<name>.js'). A chunk with several
// modules re-exports all of them (their export names must not clash; the
// build checks).
//
// Import a chunk's modules with import() from everywhere, other chunks
// included: a static import of a chunk from another chunk makes Bun's
// splitting cut it in two (a facade and a shared piece: one more module to
// load, which test/e2e/binary-chunks.test.ts reports as unknown).
//
// To add a lazily loaded command: import() its module from src/program.ts and
// add the module to a chunk below (usually `commands`: a chunk of its own only
// pays when it is large and shares little with the others; measure with
// `node scripts/build.mjs --analyze`). `probe` is a command that loads the
// chunk (with `probeEnv` added to its environment): test/e2e/binary-chunks.test.ts
// runs each probe against the binary and the bundle and checks that it loaded its chunk.
export const CHUNKS = [
  {
    name: 'cli',
    modules: ['src/program.ts', 'src/token/cache-list.ts', 'src/token/cache-clear.ts'],
    why: 'commander, and all but the plain token call: help, usage errors, the other commands, cache list and clear',
    probe: ['--help'],
  },
  {
    name: 'signer',
    modules: ['src/aws/presign.ts', 'src/aws/credential-sources.ts', 'src/aws/sts.ts'],
    why: 'a new token: the credentials (files, credential_process, SSO and the other SDK providers), the role (STS), SigV4 presigning: only when no cached token will do',
    probe: ['token', '-i', 'eks-green', '--no-cache'],
  },
  {
    name: 'aws-sdk',
    modules: ['src/aws/sdk.ts', 'src/platform/eks.ts', 'src/aws/route53.ts', 'src/aws/elb.ts', 'src/aws/cloudwatch.ts', 'src/drain/aws.ts', 'src/shift/aws.ts'],
    why: 'the AWS SDK (credential providers, STS, EKS, Route53, ELBv2, CloudWatch): one copy of smithy for every client',
    // AssumeRole loads the SDK; STS is a closed loopback port, so the call fails at once and nothing leaves the machine.
    probe: ['token', '-i', 'eks-green', '--no-cache', '--role', 'arn:aws:iam::123456789012:role/probe'],
    probeEnv: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' },
  },
  {
    name: 'commands',
    modules: ['src/commands.ts', 'src/manifests/commands.ts', 'src/status/command.ts', 'src/switch/command.ts', 'src/cutover/dispatch.ts', 'src/drain/commands.ts', 'src/shift/command.ts', 'src/fleet/command.ts'],
    why: 'init, schema, kubeconfig, manifests, status and the switch: yaml, valibot and the platform model once',
    probe: ['schema'],
  },
];

/** The Node bundle's hot file, which its entry (bascule.js, src/node-entry.ts) runs with V8's code cache. */
export const HOT_FILE = 'bascule-main.js';

/** The bundle's files, the entry and the hot file first: what the build writes and the release packs. */
export const bundleFiles = () => ['bascule.js', HOT_FILE, ...CHUNKS.map((c) => `bascule-${c.name}.js`)];
