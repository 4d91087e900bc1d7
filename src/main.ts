/** The executable: the real process as `run()`'s io. */
import { run } from './cli.js';
import { processIo } from './io.js';

run(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
