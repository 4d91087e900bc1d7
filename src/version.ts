/** Filled in by the build (scripts/build.mjs); "dev" when run from source. */
declare const __BASCULE_VERSION__: string | undefined;
declare const __BASCULE_COMMIT__: string | undefined;

export const VERSION: string = typeof __BASCULE_VERSION__ === 'string' ? __BASCULE_VERSION__ : '0.0.0-dev';
export const COMMIT: string = typeof __BASCULE_COMMIT__ === 'string' ? __BASCULE_COMMIT__ : 'unknown';
/** The runtime: the single binary is Bun (whose process.version imitates Node's), the bundle Node. */
const runtime = (): string => (process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`);
export const versionLine = (): string => `bascule ${VERSION} (commit ${COMMIT}, ${runtime()})`;
