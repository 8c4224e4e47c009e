import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const here = fileURLToPath(new URL('..', import.meta.url));

// `pnpm demo` from the root README runs this package's start script: run it the same way.
it('runs the whole cutover story and exits 0 with both databases equal', async () => {
  const { stdout } = await run('pnpm', ['start'], { cwd: here, env: process.env, timeout: 90_000 }).catch((error: unknown) => {
    // The story printed so far (the validation summary above all) is what explains a failure.
    const { stdout: printed = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`pnpm start failed:\n${printed}\n${stderr}`, { cause: error });
  });
  for (const heading of ['Dual writes', 'Backfill', 'Validate', 'switchPrimary()', 'Metrics', 'Proof that nothing was lost']) {
    expect(stdout).toContain(heading);
  }
  expect(stdout).toContain('OK: the app moved to PostgreSQL');
  expect(stdout).not.toMatch(/postgres:\/\/[^:\s]+:(?!\*\*\*)[^@\s]+@/);
}, 120_000);
