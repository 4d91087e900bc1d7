/**
 * The one entry: `run(argv, io) -> exit code`. The plain token calls kubectl
 * makes are parsed from the flag table directly; everything else (help,
 * errors, the other commands) goes to the commander program, loaded then.
 * Errors are printed once, here, by `formatError`.
 */
import { formatError } from './errors.js';
import type { Io } from './io.js';
import { fastParseTokenArgv } from './token/flags.js';

export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const fast = fastParseTokenArgv(argv);
    if (fast) {
      const { tokenCommand } = await import('./token/command.js');
      await tokenCommand(fast, io);
      return 0;
    }
    const { runProgram } = await import('./program.js');
    return await runProgram(argv, io, {
      token: async (parsed) => (await import('./token/command.js')).tokenCommand(parsed, io),
      cacheClear: async () => {
        const removed = (await import('./token/cache.js')).clearTokenCache(io);
        io.stderr(`removed ${removed} cached token${removed === 1 ? '' : 's'}\n`);
      },
    });
  } catch (error) {
    const { text, exitCode } = formatError(error);
    io.stderr(text);
    return exitCode;
  }
}
