// @ts-check
/**
 * moto_server on a free loopback port, as STS (AssumeRole), EKS and Route53.
 * Its state at /moto-api/data.json tells which keys it issued (the stand-in
 * API server checks signatures with them) and how many AssumeRole calls ran.
 *
 * Missing moto_server is a failure, never a silent pass: the tests that need
 * it say so.
 */
import { spawn, spawnSync } from 'node:child_process';

export function motoAvailable() {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

/**
 * @returns {Promise<{ endpoint: string, port: number, stop: () => Promise<void>,
 *   state: () => Promise<any>, assumedRoles: () => Promise<any[]>,
 *   lookupSecret: (accessKeyId: string) => Promise<{ secretAccessKey: string, sessionToken?: string, arn: string } | undefined>,
 *   reset: () => Promise<void> }>}
 */
export async function startMoto() {
  if (!motoAvailable()) throw new Error('moto_server is not installed (pip install "moto[server]"); the end-to-end tests need it');
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start within 30 s: ${seen}`)), 30_000);
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      seen += chunk.toString();
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${seen}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  /** @returns {Promise<any>} */
  const state = async () => (await fetch(`${endpoint}/moto-api/data.json`)).json();
  const assumedRoles = async () => (await state()).sts?.AssumedRole ?? [];
  return {
    endpoint,
    port: /** @type {number} */ (port),
    state,
    assumedRoles,
    /** The STS side of the stand-in API server: keys moto issued. */
    async lookupSecret(accessKeyId) {
      const role = (await assumedRoles()).find((/** @type {any} */ r) => r.access_key_id === accessKeyId);
      return role ? { secretAccessKey: role.secret_access_key, sessionToken: role.session_token, arn: role.arn } : undefined;
    },
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    },
  };
}
