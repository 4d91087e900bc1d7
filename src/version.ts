/** Filled in by the build (scripts/build.mjs); "dev" when run from source. */
declare const __BASCULE_VERSION__: string | undefined;
declare const __BASCULE_COMMIT__: string | undefined;

export const VERSION: string = typeof __BASCULE_VERSION__ === 'string' ? __BASCULE_VERSION__ : '0.0.0-dev';
export const COMMIT: string = typeof __BASCULE_COMMIT__ === 'string' ? __BASCULE_COMMIT__ : 'unknown';
/**
 * The runtime: the single binary is Bun, the bundle Node. Bun's
 * process.version imitates Node's (v26...), so it is never read for Bun.
 */
export const runtime = (): { runtime: 'bun' | 'node'; runtimeVersion: string } =>
  process.versions.bun ? { runtime: 'bun', runtimeVersion: process.versions.bun } : { runtime: 'node', runtimeVersion: process.versions.node };
export const versionLine = (): string => {
  const r = runtime();
  return `bascule ${VERSION} (commit ${COMMIT}, ${r.runtime} ${r.runtime === 'node' ? 'v' : ''}${r.runtimeVersion})`;
};
/** `bascule version -o json` (test/golden/version.bun.json, version.node.json). */
export const versionJson = () => ({ version: VERSION, commit: COMMIT, ...runtime() });
