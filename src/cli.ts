/**
 * The one entry: `run(argv, io) -> exit code`. The plain token calls kubectl
 * makes are parsed from the flag table directly (-v/--verbose included);
 * everything else (help, errors, the other commands) goes to the commander
 * program, loaded then. Errors are printed once, here, by `formatError`, in
 * colour only on a terminal without NO_COLOR.
 */
import { formatError } from './errors.js';
import { withVerbose, type Io } from './io.js';
import { paint, paintErrorText } from './terminal/colour.js';
import { tokenCommand } from './token/command.js';
import { fastParseTokenArgv } from './token/flags.js';

export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const fast = fastParseTokenArgv(argv);
    if (fast) {
      await tokenCommand(fast, fast.flags.verbose ? withVerbose(io) : io);
      return 0;
    }
    const { runProgram } = await import('./program.js');
    return await runProgram(argv, io, {
      token: tokenCommand,
      cacheClear: async (cio) => {
        const removed = (await import('./token/cache-clear.js')).clearTokenCache(cio);
        cio.stderr(`removed ${removed} cached token${removed === 1 ? '' : 's'}\n`);
      },
      cacheList: async (flags, cio) => (await import('./token/cache-list.js')).cacheListCommand(flags, cio),
    });
  } catch (error) {
    const { text, exitCode } = formatError(error);
    io.stderr(paintErrorText(text, paint(io)));
    return exitCode;
  }
}
