import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';


/** A response's JSON body; the assertions check its shape. */
const body = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-node-server-'));
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `pnpm start` as the README says, and resolves with its base URL and a stop function. */
async function start(env: Record<string, string>): Promise<{ base: string; stop: () => Promise<void> }> {
  const child = spawn('pnpm', ['start'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, SQLITE_PATH: join(dir, 'notes.db'), DATABASE_URL: database.url, PORT: '0', ...env },
    detached: true,
  });
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /notes API on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    base,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}

it('pnpm start serves the API with reads rolled out to the secondary and a primary chosen by PRIMARY', async () => {
  const first = await start({ SECONDARY_READ_PERCENT: '100', ADMIN_TOKEN: 'let-me-in' });
  try {
    const created = await fetch(`${first.base}/notes`, { method: 'POST', body: JSON.stringify({ title: 'hello', content: 'world' }) });
    expect(created.status).toBe(201);
    expect((await body(fetch(`${first.base}/notes`))).map((n: { title: string }) => n.title)).toEqual(['hello']);
    const health = await body(fetch(`${first.base}/health/database`));
    expect(health.metadata).toMatchObject({ mode: 'primary-sqlite', readSecondaryPercent: 100 });
    expect(health.metrics.reads.secondary).toBe(1);
  } finally {
    await first.stop();
  }

  // After the cutover, a restart keeps PostgreSQL primary.
  const second = await start({ PRIMARY: 'postgres' });
  try {
    const health = await body(fetch(`${second.base}/health/database`));
    expect(health.metadata.mode).toBe('primary-postgres');
    expect((await body(fetch(`${second.base}/notes`)))).toHaveLength(1);
  } finally {
    await second.stop();
  }
});
