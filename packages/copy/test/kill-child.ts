import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A seeded linear congruential generator: `pick(n)` is in [0, n), the same sequence for the same seed. */
export function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
}

/**
 * Runs copy-child.ts (default worker id, reconcile on, batches of `batchSize`) and kills it
 * with SIGKILL after `afterBatches` progress lines plus `jitterMs`, so the kill lands anywhere
 * in a batch: while reading, writing, committing or reconciling. `frontier.id` follows the
 * rows copied so far. Resolves with what the child printed and whether it was killed.
 */
export function copyAndKill(
  sourceSpec: string,
  targetSpec: string,
  afterBatches: number,
  jitterMs: number,
  frontier: { id: number },
  batchSize = 250,
): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@switchyard/source', join(here, 'copy-child.ts'), sourceSpec, targetSpec, String(batchSize)],
      {
        cwd: join(here, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, COPY_CHILD_WORKER: 'default' },
      },
    );
    let out = '';
    let stderr = '';
    let batches = 0;
    let armed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const progress = [...d.toString().matchAll(/^progress (\d+)$/gm)];
      batches += progress.length;
      if (progress.length > 0) frontier.id = Number(progress[progress.length - 1]![1]);
      if (batches >= afterBatches && !armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), jitterMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, out });
      else if (code === 0) resolve({ killed: false, out });
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}
