/**
 * What the hot path takes from the runtime, loaded on first use. In the
 * single binary, importing node:path and node:os costs ~1 ms each on every
 * kubectl call (docs/speed.md), for a join and a home directory, and node:fs
 * ~5 ms; so a cached token loads none of them. POSIX paths only: the
 * targets are Linux and macOS.
 */

/** A builtin module, loaded now (process.getBuiltinModule: Node >= 20.16 and Bun; else require). */
export function builtin<T>(id: string): T {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return (typeof get === 'function' ? get(id) : require(id)) as T;
}

/**
 * node:fs, loaded on first use: in the binary, Bun's node:fs costs ~5 ms to
 * load (a static import loads it at start, used or not), and a cached token
 * reads and writes through libc (src/libc.ts) instead. Node has it loaded
 * already.
 */
export const nodeFs = (): typeof import('node:fs') => builtin<typeof import('node:fs')>('node:fs');

/** path.join for absolute or relative POSIX paths: the parts joined by one slash. A loop: no array callback on the cached path. */
export function joinPath(...parts: readonly string[]): string {
  let joined = '';
  for (let i = 0; i < parts.length; i++) if (parts[i] !== '') joined = joined === '' ? (parts[i] as string) : `${joined}/${parts[i]}`;
  return joined.includes('//') ? joined.replace(/\/{2,}/g, '/') : joined;
}

/** $HOME, else the user database's home directory (as os.homedir()). */
export function homeDirectory(env: NodeJS.ProcessEnv): string {
  return env.HOME || builtin<typeof import('node:os')>('node:os').homedir();
}

export function hostName(): string {
  return builtin<typeof import('node:os')>('node:os').hostname();
}
