/** The executable: the real process as `run()`'s io. */
import { run } from './cli.js';
import { formatError } from './errors.js';
import { processIo } from './io.js';
import { nodeFs } from './runtime.js';

/**
 * The last resort: whatever escapes `run()` (a throw in an event handler, a
 * rejected promise nobody awaited) is printed as `formatError` prints it, one
 * `error:` line and its hint, never a stack or the bundle's source (what
 * Node and Bun print by themselves), and the process ends with its exit code
 * (70 for a bug).
 */
function lastResort(error: unknown): void {
  const { text, exitCode } = formatError(error);
  try {
    nodeFs().writeSync(2, text);
  } catch {
    // stderr is gone: the exit code still says it
  }
  process.exit(exitCode);
}
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);

run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
}, lastResort);
