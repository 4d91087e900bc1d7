/**
 * The platform description: the example and the starter load; the resolved
 * model (what the manifest and switch generators read) is a golden file; the
 * committed JSON Schema matches `bascule schema`; `bascule init`.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlatform } from '../../src/platform/load.js';
import { ADDONS } from '../../src/platform/schema.js';
import { STARTER } from '../../src/platform/starter.js';
import { runCli } from '../support/cli.js';
import { golden, tempDirs, readRepoFile } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const read = readRepoFile;


const tempDir = tempDirs('bascule-platform-');

describe('examples/platform.yaml', () => {
  const platform = loadPlatform(read('examples/platform.yaml'), { source: 'examples/platform.yaml', baseDir: join(ROOT, 'examples') });

  it('mirrors the article: domains, clusters, TXT record, roles and groups', () => {
    expect(platform.domains.private.name).toBe('devinfra.local');
    expect(platform.domains.public.name).toBe('devinfra.fr');
    expect(platform.clusters.blue.name).toBe('eks-blue');
    expect(platform.clusters.green.name).toBe('eks-green');
    expect(platform.clusterNameRecord.name).toBe('eks.devinfra.info');
    expect(platform.access.map((a) => [a.name, a.roleArn.split('/')[1], a.groups])).toEqual([
      ['admin', 'etf1-crossaccount-k8sadmin', ['system:masters']],
      ['readwrite', 'etf1-crossaccount-k8sreadwrite', ['readwrite', 'readonly', 'debugmode']],
      ['readonly', 'etf1-crossaccount-k8sreadonly', ['readonly', 'debugmode']],
    ]);
    // The four ExternalDNS of the article, per cluster, with its owner ids.
    expect(platform.clusters.blue.domains.private.name).toBe('eks-blue.devinfra.local');
    expect(platform.clusters.blue.domains.public.name).toBe('eks-blue.devinfra.fr');
    expect(platform.clusters.blue.externalDns.livePrivate.ownerId).toBe('live-eks-blue.devinfra.local');
    expect(platform.clusters.green.externalDns.livePublic.ownerId).toBe('live-eks-green.devinfra.fr');
    expect(platform.clusters.blue.externalDns.public.ownerId).toBe('ingress-eks-blue.devinfra.fr');
    expect(platform.externalDns.image).toMatch(/^registry\.k8s\.io\/external-dns\/external-dns:v0\.22\./);
    expect(Object.keys(platform.addons)).toEqual([...ADDONS]);
    // The access entry of system:masters gets the admin policy (access entries refuse system: groups).
    expect(platform.access[0]?.accessPolicies).toEqual(['AmazonEKSClusterAdminPolicy']);
    expect(platform.access[1]?.accessPolicies).toEqual([]);
  });

  it('resolves to the golden model the generators read', () => {
    const model = JSON.stringify(platform, (key, value) => (key === 'file' && typeof value === 'string' ? value.replace(ROOT, '<repo>/') : value), 2);
    golden('test/golden/platform.example.resolved.json', `${model}\n`);
  });
});

describe('the starter (bascule init)', () => {
  it('is a valid platform file', () => {
    const platform = loadPlatform(STARTER, { source: 'platform.yaml', baseDir: '/nowhere' });
    expect(platform.name).toBe('myplatform');
    expect(platform.clusters.blue.endpoint).toBeUndefined();
    expect(platform.access.map((a) => a.name)).toEqual(['admin', 'readwrite', 'readonly']);
  });

  it('writes platform.yaml, refuses to overwrite it, and --force keeps a backup', async () => {
    const dir = tempDir();
    const first = await runCli(['init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('wrote platform.yaml');
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toBe(STARTER);
    expect(statSync(join(dir, 'platform.yaml')).mode & 0o777).toBe(0o644);

    writeFileSync(join(dir, 'platform.yaml'), 'mine\n');
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error: platform.yaml already exists');
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toBe('mine\n');

    const forced = await runCli(['init', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'platform.yaml'), 'utf8')).toBe(STARTER);
    expect(readFileSync(join(dir, 'platform.yaml.bak'), 'utf8')).toBe('mine\n');
  });

  it('--out - prints it; --out FILE writes there', async () => {
    const dir = tempDir();
    const printed = await runCli(['init', '--out', '-'], { cwd: dir });
    expect(printed.stdout).toBe(STARTER);
    expect(existsSync(join(dir, 'platform.yaml'))).toBe(false);
    const other = await runCli(['init', '--out', 'conf/prod.yaml'], { cwd: dir });
    expect(other.code).toBe(0);
    expect(readFileSync(join(dir, 'conf/prod.yaml'), 'utf8')).toBe(STARTER);
  });
});

describe('the JSON Schema', () => {
  it('schema/platform.schema.json is what `bascule schema` prints', async () => {
    const result = await runCli(['schema'], { cwd: ROOT });
    expect(result.code).toBe(0);
    golden('schema/platform.schema.json', result.stdout);
  });

  it('closes every object (unknown keys are errors) and describes every property', () => {
    const schema = JSON.parse(read('schema/platform.schema.json'));
    const objects: string[] = [];
    const undescribed: string[] = [];
    const walk = (node: Record<string, any>, at: string) => {
      if (node.type === 'object' && node.propertyNames) {
        // A map (access[].tags): any key the rule allows, each value described.
        expect(node.additionalProperties?.description, `${at}'s values must be described`).toBeTruthy();
      } else if (node.type === 'object') {
        objects.push(at);
        expect(node.additionalProperties, `${at} must be closed`).toBe(false);
        for (const [key, child] of Object.entries(node.properties ?? {})) {
          if (!(child as { description?: string }).description && (child as { type?: string }).type !== 'object') undescribed.push(`${at}.${key}`);
          walk(child as Record<string, any>, `${at}.${key}`);
        }
      }
      if (node.items) walk(node.items, `${at}[]`);
    };
    walk(schema, '$');
    expect(objects.length).toBeGreaterThan(20);
    expect(undescribed).toEqual([]);
    expect(schema.required).toEqual(['name', 'aws', 'api', 'clusterNameRecord', 'live', 'domains', 'clusters', 'access']);
    expect(schema.properties.live.enum).toEqual(['blue', 'green']);
    expect(schema.properties.externalDns.properties.image.default).toMatch(/external-dns:v0\.22\./);
  });
});
