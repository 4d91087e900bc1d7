/**
 * `bascule kubeconfig --fleet PATH --merge`, the built binary, beside the
 * real kubectl: every platform's contexts (each prefixed by its platform
 * name) written in one merge under kubectl's lock, what was there kept,
 * current-context untouched; refused, writing nothing, while kubectl's lock
 * is held, when two platforms would write one entry, when a platform file
 * does not load or lacks the access level asked for.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bascule, cleanEnv, kubectl, ROOT } from '../support/kube.mjs';
import { fleetPlatformText, type FleetPlatform } from '../support/fleet-platforms.js';
import { makeTempDir } from '../support/temp.mjs';

const PROD = 'apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster: {server: "https://prod.example"}\ncontexts:\n- name: prod\n  context: {cluster: prod, user: prod}\nusers:\n- name: prod\n  user: {token: x}\n';

/** A fleet directory: fleet.yaml over platforms/*.yaml, each with the example's CAs. */
function fleetDir(platforms: FleetPlatform[], extra: Record<string, string> = {}) {
  const dir = makeTempDir('kc-fleet-');
  mkdirSync(join(dir, 'platforms'));
  for (const colour of ['blue', 'green']) copyFileSync(join(ROOT, 'examples', 'ca', `eks-${colour}.crt`), join(dir, 'platforms', `${colour}.crt`));
  for (const p of platforms) writeFileSync(join(dir, 'platforms', `${p.name}${p.account ? `-${p.account}` : ''}.yaml`), fleetPlatformText({ ca: { blue: { file: 'blue.crt' }, green: { file: 'green.crt' } }, ...p }));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'fleet.yaml'), 'platforms:\n  - platforms/*.yaml\n');
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, PROD);
  return { dir, kubeconfig, env: cleanEnv({ HOME: dir, KUBECONFIG: kubeconfig }) as Record<string, string> };
}

const merge = (f: ReturnType<typeof fleetDir>, ...args: string[]) => bascule(['kubeconfig', '--fleet', 'fleet.yaml', '--merge', ...args], { env: f.env, cwd: f.dir });

describe('kubeconfig --fleet --merge', () => {
  it("every platform's contexts, prefixed by its name, in one merge kubectl reads; the rest kept, current-context untouched", async () => {
    const f = fleetDir([{ name: 'web' }, { name: 'shop' }, { name: 'pay', account: '222222222222' }]);
    const r = await merge(f);
    expect(r.code, r.stderr).toBe(0);
    const contexts = (await kubectl(['config', 'get-contexts', '-o', 'name'], { env: f.env })).stdout.trim().split('\n').sort();
    const of = (p: string) => [`${p}-admin`, `${p}-blue-admin`, `${p}-green-admin`];
    expect(contexts).toEqual([...of('pay'), 'prod', ...of('shop'), ...of('web')].sort());
    expect((await kubectl(['config', 'current-context'], { env: f.env })).stdout.trim()).toBe('prod');
    // One write: one backup, no lock left behind.
    expect(readdirSync(f.dir).filter((n) => n.startsWith('kubeconfig')).sort()).toEqual(['kubeconfig', 'kubeconfig.bak']);
    expect(readFileSync(`${f.kubeconfig}.bak`, 'utf8')).toBe(PROD);
    expect(r.stderr).toMatch(/^updated .*kubeconfig: contexts web-admin, shop-admin|contexts .*pay-admin/m);
    // The merge again changes nothing.
    const again = await merge(f);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/is up to date \(9 contexts\)/);
  });

  it("kubectl's lock held: it waits for it as kubectl does, then refuses, writing nothing", async () => {
    const f = fleetDir([{ name: 'web' }, { name: 'shop' }]);
    writeFileSync(`${f.kubeconfig}.lock`, '');
    const r = await merge(f);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${f.kubeconfig} is locked: ${f.kubeconfig}.lock exists (kubectl or bascule is writing it); nothing was written`);
    expect(readFileSync(f.kubeconfig, 'utf8')).toBe(PROD);
  });

  it.each([
    ['two platforms writing one entry (one name in two accounts)', [{ name: 'prod' }, { name: 'prod', account: '222222222222' }], {}, [], /the fleet's kubeconfig entries clash: platforms\/prod-222222222222\.yaml and platforms\/prod\.yaml both write the cluster prod|platforms\/prod\.yaml and platforms\/prod-222222222222\.yaml both write the cluster prod/],
    ['a platform file that does not load', [{ name: 'web' }], { 'platforms/broken.yaml': 'name: broken\n' }, [], /1 platform file of fleet\.yaml does not load: platforms\/broken\.yaml is not a valid platform description/],
    ['an access level one platform lacks', [{ name: 'web' }], {}, ['--access', 'readonly'], /--access "readonly": no such access level in platforms\/web\.yaml/],
    ['--set-context', [{ name: 'web' }], {}, ['--set-context'], /--set-context does not apply to --fleet/],
  ])('refused, writing nothing: %s', async (_, platforms, extra, args, message) => {
    const f = fleetDir(platforms as FleetPlatform[], extra as Record<string, string>);
    const r = await merge(f, ...(args as string[]));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message as RegExp);
    expect(readFileSync(f.kubeconfig, 'utf8')).toBe(PROD);
    expect(existsSync(`${f.kubeconfig}.bak`)).toBe(false);
  });
});
