/**
 * Runs the whole CLI in-process (`run(argv, io)`), capturing what it prints.
 * The generator commands load their chunk module from source here.
 */
import { run } from '../../src/cli.js';
import type { Io } from '../../src/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: options.env ?? { HOME: options.cwd, PATH: process.env.PATH },
    now: () => new Date('2026-01-02T03:04:05Z'),
    cwd: options.cwd,
    stdinIsTTY: () => false,
    prompt: async () => {
      throw new Error('no prompt in tests');
    },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
