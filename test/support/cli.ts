/**
 * The generator tests' way to run the CLI in-process: in a working directory,
 * at a fixed instant (see runInProcess in run.ts).
 */
import { runInProcess, type Result } from './run.js';

export type CliResult = Result;

export const runCli = (argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> =>
  runInProcess(argv, {
    cwd: options.cwd,
    env: options.env ?? { HOME: options.cwd, PATH: process.env.PATH },
    now: () => new Date('2026-01-02T03:04:05Z'),
  });
