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

it('pnpm start serves the API with reads rolled out to the secondary; a switch made on one process holds across a restart', async () => {
  const first = await start({ SECONDARY_READ_PERCENT: '100', ADMIN_TOKEN: 'let-me-in' });
  try {
    const created = await fetch(`${first.base}/notes`, { method: 'POST', body: JSON.stringify({ title: 'hello', content: 'world' }) });
    expect(created.status).toBe(201);
    expect((await body(fetch(`${first.base}/notes`))).map((n: { title: string }) => n.title)).toEqual(['hello']);
    const health = await body(fetch(`${first.base}/health/database`));
    expect(health).toMatchObject({ ok: true, mode: 'primary-sqlite', epoch: 1, sides: { secondary: { dialect: 'postgres', ok: true } } });
    expect(health.metadata).toMatchObject({ mode: 'primary-sqlite', readSecondaryPercent: 100 });
    expect(health.metrics.reads.secondary).toBe(1);
    const switched = await body(
      fetch(`${first.base}/admin/switch-primary`, { method: 'POST', headers: { authorization: 'Bearer let-me-in' } }),
    );
    expect(switched).toMatchObject({ mode: 'primary-postgres', control: { epoch: 2 } });
  } finally {
    await first.stop();
  }

  // The control record keeps PostgreSQL primary across a restart, whatever PRIMARY says.
  const second = await start({});
  try {
    const health = await body(fetch(`${second.base}/health/database`));
    expect(health.metadata.mode).toBe('primary-postgres');
    expect(await body(fetch(`${second.base}/notes`))).toHaveLength(1);
  } finally {
    await second.stop();
  }
});

it('several processes on one pair switch together from one admin route, and back', async () => {
  const fleet = await Promise.all([start({ ADMIN_TOKEN: 't' }), start({ ADMIN_TOKEN: 't' }), start({ ADMIN_TOKEN: 't' })]);
  try {
    const modes = async () => Promise.all(fleet.map(async (p) => (await body(fetch(`${p.base}/health/database`))).mode));
    const first = await modes();
    const next = first[0] === 'primary-postgres' ? 'primary-sqlite' : 'primary-postgres';
    for (const target of [next, first[0]]) {
      const switched = await body(
        fetch(`${fleet[1]!.base}/admin/switch-primary`, { method: 'POST', headers: { authorization: 'Bearer t' } }),
      );
      expect(switched.mode).toBe(target);
      await new Promise((r) => setTimeout(r, 1200)); // the refresh bound, 1 s
      expect(await modes()).toEqual([target, target, target]);
      const health = await body(fetch(`${fleet[2]!.base}/health/database`));
      expect(health.fleet).toMatchObject({ epoch: switched.control.epoch, allOnCurrentEpoch: true });
    }
  } finally {
    await Promise.all(fleet.map((p) => p.stop()));
  }
});
