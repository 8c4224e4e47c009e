import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { controlTable } from '@switchyard/dual-write';
import { runCli } from './cli-run';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-fleet-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function status(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const stream = { write: (s: string) => ((out += s), true), isTTY: false };
  const code = await runCli(['status', ...args], { stdout: stream, stderr: stream, env: {} } as never);
  return { code, out };
}

it('status lists the control record and every instance, and exits 1 while a live one is behind', async () => {
  const path = join(dir, 'app.db');
  const db = createSQLiteAdapter(path);
  const store = controlTable(db);
  await store.compareAndSet(null, {
    epoch: 4,
    mode: 'primary-postgres',
    state: 'active',
    updatedAt: '2026-01-01T00:00:00.000Z',
    by: 'web-1',
  });
  await store.heartbeat({ instanceId: 'web-1', epoch: 4, mode: 'primary-postgres', paused: false, lastSeen: new Date() });
  await store.heartbeat({ instanceId: 'web-2', epoch: 3, mode: 'primary-sqlite', paused: false, lastSeen: new Date() });
  await store.heartbeat({ instanceId: 'old', epoch: 1, mode: 'primary-sqlite', paused: false, lastSeen: new Date(0) });
  const behind = await status([`sqlite:${path}`]);
  expect(behind.code).toBe(1);
  expect(behind.out).toContain('control: epoch 4, primary-postgres, active');
  expect(behind.out).toContain('instances: 2 live, 1 not on epoch 4');
  expect(behind.out).toMatch(/web-2 {2}epoch 3 {2}primary-sqlite {2}BEHIND/);
  expect(behind.out).toMatch(/old {2}epoch 1 .* gone/);

  await store.heartbeat({ instanceId: 'web-2', epoch: 4, mode: 'primary-postgres', paused: false, lastSeen: new Date() });
  const current = await status([`sqlite:${path}`, '--json']);
  expect(current.code).toBe(0);
  expect(JSON.parse(current.out)).toMatchObject({ copy: [], fleet: { record: { epoch: 4 }, allOnCurrentEpoch: true } });
  await db.close();
});
