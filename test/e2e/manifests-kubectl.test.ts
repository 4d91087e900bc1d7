/**
 * The generated manifests read by the real kubectl: `kubectl kustomize`
 * (offline) parses every file of each colour, and `kubectl apply
 * --dry-run=client` (against a stand-in that serves only discovery: kubectl
 * maps each kind to a resource before it prints) takes every object, with
 * -k and with -f on each file. The built bascule writes them.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { GENERATED_KINDS } from '../../src/manifests/validate.js';
import { startDiscoveryServer } from '../support/discovery.mjs';
import { bascule, cleanEnv, kubectl, ROOT } from '../support/kube.mjs';
import { makeTempDir } from '../support/temp.mjs';

let dir: string;
let api: Awaited<ReturnType<typeof startDiscoveryServer>>;
let env: Record<string, string>;

beforeAll(async () => {
  dir = makeTempDir('manifests-kubectl-');
  api = await startDiscoveryServer(GENERATED_KINDS);
  env = cleanEnv({ HOME: dir, KUBECONFIG: api.kubeconfig(dir) });
  const made = await bascule(['manifests', '--config', 'examples/platform.yaml', '--out', join(dir, 'out')], { env: cleanEnv({ HOME: dir }), cwd: ROOT });
  expect(made.code, made.stderr).toBe(0);
});
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** The objects of a colour, from its kustomization's files, as kubectl -o name prints them. */
function expectedNames(colour: string): string[] {
  const base = join(dir, 'out', colour);
  const kustomization = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return kustomization.resources
    .flatMap((file) => parseAllDocuments(readFileSync(join(base, file), 'utf8')).map((d) => d.toJS() as Obj))
    .map((o) => {
      const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
      return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
    })
    .sort();
}

const printed = (stdout: string) => stdout.trim().split('\n').sort();

describe.each(['blue', 'green'])('%s', (colour) => {
  it('kubectl kustomize (offline) reads every file and object', async () => {
    const result = await kubectl(['kustomize', join(dir, 'out', colour)], { env });
    expect(result.code, result.stderr).toBe(0);
    const objects = parseAllDocuments(result.stdout).map((d) => d.toJS() as Obj);
    expect(objects.length).toBe(expectedNames(colour).length);
    expect(objects.length).toBeGreaterThan(40);
  });

  it('kubectl apply --dry-run=client -k takes every object', async () => {
    const result = await kubectl(['apply', '--dry-run=client', '--validate=false', '-k', join(dir, 'out', colour), '-o', 'name'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(printed(result.stdout)).toEqual(expectedNames(colour));
  });

  it('kubectl apply --dry-run=client -f, file by file in the kustomization order, takes every object', async () => {
    const base = join(dir, 'out', colour);
    const kustomization = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const args = kustomization.resources.flatMap((file) => ['-f', join(base, file)]);
    const result = await kubectl(['apply', '--dry-run=client', '--validate=false', ...args, '-o', 'name'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(printed(result.stdout)).toEqual(expectedNames(colour));
  });
});
