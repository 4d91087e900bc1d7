#!/usr/bin/env node
// `npm start`: build, then run bascule's main job on the bundled example.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, ['dist/bascule.js', '--help'], { cwd: root, stdio: 'inherit' });
