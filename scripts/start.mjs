#!/usr/bin/env node
// `npm start`: build, then bascule's main job on the example platform
// (examples/platform.yaml, the article's e-TF1 setup): its kubeconfigs and
// its manifests, in ./out.
//
//   out/kubeconfig.yaml            every access level (same as kubeconfig.example.yaml)
//   out/kubeconfig-<access>.yaml   one per access level, what each team gets
//   out/manifests/{blue,green}/    rights, the four ExternalDNS, the add-ons (same as test/golden/manifests)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
const config = 'examples/platform.yaml';

run(['scripts/build.mjs']);
run(['dist/bascule.js', 'kubeconfig', '--config', config, '--out', 'out/kubeconfig.yaml']);
for (const { name } of parse(readFileSync(new URL(`../${config}`, import.meta.url), 'utf8')).access) {
  run(['dist/bascule.js', 'kubeconfig', '--config', config, '--access', name, '--out', `out/kubeconfig-${name}.yaml`]);
}
run(['dist/bascule.js', 'manifests', '--config', config, '--out', 'out/manifests']);
console.log('\nTry: KUBECONFIG=out/kubeconfig.yaml kubectl config get-contexts');
console.log('     kubectl kustomize out/manifests/green | less');
