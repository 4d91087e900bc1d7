/**
 * One flag bounds the AWS work of every command that calls AWS:
 * --aws-timeout, read by the vocabulary's duration rule. A bad value is a
 * usage error naming it, whatever the command; an endpoint that never
 * answers fails at that bound with an error naming what did not answer and
 * the flag that allows more time. The doctor's --timeout, its older spelling,
 * still bounds its AWS links when --aws-timeout is not given.
 */
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanEnv, KEYS, runInProcess } from '../support/run.js';
import { makeTempDir } from '../support/temp.mjs';

let blackHole: net.Server;
const held: net.Socket[] = [];
let endpoint = '';
let dir = '';
let platformFile = '';

beforeAll(async () => {
  // Accepts connections and never answers.
  blackHole = net.createServer((socket) => void held.push(socket));
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`;
  dir = makeTempDir('aws-timeout-');
  platformFile = join(dir, 'platform.yaml');
  writeFileSync(
    platformFile,
    stringify({
      name: 'devinfra',
      aws: { accountId: '123456789012', region: 'eu-west-3' },
      api: { record: 'api.devinfra.local' },
      clusterNameRecord: { name: 'eks.devinfra.info' },
      live: 'blue',
      domains: { private: { name: 'devinfra.local' }, public: { name: 'devinfra.fr' } },
      clusters: { blue: { name: 'eks-blue' }, green: { name: 'eks-green' } },
      access: [{ name: 'admin', roleArn: 'arn:aws:iam::123456789012:role/k8s-admin', groups: ['system:masters'] }],
    }),
  );
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => blackHole?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () =>
  cleanEnv({ AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_REGION: 'eu-west-3', AWS_ENDPOINT_URL_EKS: endpoint, AWS_ENDPOINT_URL_STS: endpoint });
const run = (argv: string[]) => runInProcess(argv, { env: env(), cwd: dir });

describe('--aws-timeout: one name, one rule', () => {
  it.each([
    ['token', ['token', '-i', 'eks-green']],
    ['kubeconfig', ['kubeconfig', '--config', 'platform.yaml', '--fetch']],
    ['status', ['status', '--config', 'platform.yaml']],
    ['switch', ['switch', '--config', 'platform.yaml', '--to', 'green']],
    ['drain', ['drain', '--config', 'platform.yaml', '--colour', 'blue']],
    ['doctor', ['doctor', '-i', 'eks-green', '--no-dns', '--region', 'eu-west-3']],
  ])('%s: a value that is not a duration is a usage error naming the flag', async (_, argv) => {
    const r = await run([...argv, '--aws-timeout', '10d']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --aws-timeout "10d" is not a duration\nhint: write a duration such as 500ms/);
  });

  it.each([['kubeconfig', ['kubeconfig', '--config', 'platform.yaml', '--fetch']], ['doctor', ['doctor', '-i', 'eks-green', '--no-dns', '--region', 'eu-west-3']]])(
    '%s: out of range, the bounds named',
    async (_, argv) => {
      const r = await run([...argv, '--aws-timeout', '20m']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error: --aws-timeout 20m is out of range (100ms to 10m)');
    },
  );
});

describe('--aws-timeout bounds the AWS work of each command', () => {
  it('kubeconfig --fetch: DescribeCluster that never answers fails at the bound, naming it and the flag', async () => {
    const r = await run(['kubeconfig', '--config', 'platform.yaml', '--fetch', '--aws-timeout', '700ms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: EKS DescribeCluster eks-(blue|green) at ${endpoint.replace(/\./g, '\\.')} did not answer within 700ms\\nhint: .*or allow more time with --aws-timeout\\n$`));
  });

  it('doctor: the identity link fails at --aws-timeout', async () => {
    const r = await run(['doctor', '-i', 'eks-green', '--no-dns', '--region', 'eu-west-3', '--aws-timeout', '700ms']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ identity /m);
  });

  it('doctor: --timeout, the older spelling, bounds it when --aws-timeout is not given', async () => {
    const r = await run(['doctor', '-i', 'eks-green', '--no-dns', '--region', 'eu-west-3', '--timeout', '1s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ identity /m);
  });
});
