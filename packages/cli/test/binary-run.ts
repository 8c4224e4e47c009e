import { execFile } from 'node:child_process';
import { BINARY } from './binary-build';

/** What a run of the binary printed and returned. */
export interface BinaryRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `switchyard` binary as a child process, as a user's shell would. */
export function switchyard(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<BinaryRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BINARY, ...args],
      { env: { ...process.env, ...options.env }, cwd: options.cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
