// @ts-check
/**
 * What the kubeconfig end-to-end tests share: run the built bascule and the
 * real kubectl asynchronously (loopback servers in this process must keep
 * answering), a clean environment for them, and a TCP proxy that plays the
 * stable API name (repointed like the switch repoints the CNAME).
 */
import { BASCULE as BUILT, requireBuilt, spawnAsync } from './run.js';
import net from 'node:net';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The artefact under test (test/support/run.ts decides which). */
export const BASCULE = BUILT;
/** kubectl as the machine has it: BASCULE_TEST_KUBECTL, else found on PATH (a missing one fails loudly). */
export const KUBECTL = process.env.BASCULE_TEST_KUBECTL ?? findOnPath('kubectl');

/** @param {string} name */
export function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not on PATH (${process.env.PATH ?? ''}): the end-to-end tests need it (CI installs it; see .ci/run)`);
}

/**
 * The environment of spawned tools: PATH and the given variables only, so the
 * machine's AWS, kube and CA settings (NODE_EXTRA_CA_CERTS) never leak in.
 * @param {Record<string, string | undefined>} vars
 */
export function cleanEnv(vars) {
  /** @type {Record<string, string>} */
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * @param {string} file @param {string[]} args
 * @param {{ env: Record<string, string>, cwd?: string, timeoutMs?: number }} options
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export const run = (file, args, options) => spawnAsync(file, args, { env: options.env, cwd: options.cwd ?? ROOT, timeoutMs: options.timeoutMs ?? 30_000 });

/** @param {string[]} args @param {{ env: Record<string, string>, cwd?: string }} options */
export const bascule = (args, options) => run(requireBuilt(), args, options);
/** @param {string[]} args @param {{ env: Record<string, string>, cwd?: string }} options */
export const kubectl = (args, options) => run(KUBECTL, args, { ...options, timeoutMs: 45_000 });

/**
 * A TCP proxy on loopback to `target` (a port), repointable: the stable API name.
 * @param {number} target
 */
export async function startTcpProxy(target) {
  let current = target;
  /** @type {Set<net.Socket>} */
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(current, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {net.AddressInfo} */ (server.address()).port;
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    /** @param {number} next */
    pointAt(next) {
      current = next;
      for (const s of sockets) s.destroy(); // no connection outlives a switch
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}
