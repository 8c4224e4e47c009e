import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { CHECKPOINT_TABLE, copyTables } from '../src/index';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, countRows, seedSqliteItems } from './fixtures';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-copy-crash-'));
const ROWS = 30_000;

/** Starts the child copy and kills it with SIGKILL once it reports `killAt` rows; resolves with the last count it printed. */
function copyAndKill(sourcePath: string, targetSpec: string, killAt: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@switchyard/source', join(here, 'copy-child.ts'), sourcePath, targetSpec, '500'],
      {
        cwd: join(here, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let last = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (line === 'finished') reject(new Error('the child finished before it was killed'));
        const m = /^progress (\d+)$/.exec(line);
        if (m) last = Number(m[1]);
      }
      if (last >= killAt) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

function sourceFile(name: string): string {
  const path = join(dir, name);
  const source = createSQLiteAdapter(path);
  source.database.exec(ITEMS_SQLITE);
  seedSqliteItems(source, ROWS);
  void source.close();
  return path;
}

async function expectExactlyOnce(source: DatabaseAdapter, target: DatabaseAdapter): Promise<void> {
  expect(await countRows(target, 'items')).toBe(ROWS);
  const distinct = await target.first<{ n: unknown }>('SELECT count(DISTINCT id) AS n FROM items');
  expect(Number(distinct!.n)).toBe(ROWS);
  expect(await assertTablesEqual(source, target, 'items')).toBe(ROWS);
}

describe('a copy killed with SIGKILL resumes with every row exactly once', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite file -> SQLite file', async () => {
    const sourcePath = sourceFile('a.db');
    const targetPath = join(dir, 'a-target.db');
    const init = createSQLiteAdapter(targetPath);
    await init.execute(ITEMS_SQLITE);
    await init.close();

    const printed = await copyAndKill(sourcePath, `sqlite:${targetPath}`, 5000);
    const source = createSQLiteAdapter(sourcePath);
    const target = createSQLiteAdapter(targetPath);
    const before = await countRows(target, 'items');
    // The checkpoint commits with its batch: what the target holds is what was recorded.
    expect(before).toBeGreaterThanOrEqual(printed);
    expect(before).toBeLessThan(ROWS);
    const [range] = await target.query<{ status: string; worker: string; rows_copied: number }>(`SELECT * FROM ${CHECKPOINT_TABLE}`);
    expect(range).toMatchObject({ status: 'running', worker: 'child', rows_copied: before });

    const result = await copyTables(source, target, { batchSize: 500 });
    expect(result.tables[0]).toMatchObject({ status: 'done', rowsCopied: ROWS - before, rowsSkipped: 0 });
    await expectExactlyOnce(source, target);
    await source.close();
    await target.close();
  });

  it("SQLite file -> Postgres, the dead worker's claim taken over once its heartbeat is stale", async () => {
    const sourcePath = sourceFile('b.db');
    const database = await createTestDatabase();
    const target = createPostgresAdapter(database.url);
    const source = createSQLiteAdapter(sourcePath);
    try {
      await target.execute(ITEMS_POSTGRES);
      await copyAndKill(sourcePath, `postgres:${database.url}`, 5000);
      const before = await countRows(target, 'items');
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(ROWS);
      // A live claim is left alone: this worker waits for it (stopped here after a second)...
      const early = await copyTables(source, target, { claimTimeoutMs: 60_000, batchSize: 500, signal: AbortSignal.timeout(1000) });
      expect(early.aborted).toBe(true);
      expect(early.tables[0]!.status).toBe('aborted');
      expect(await countRows(target, 'items')).toBe(before);
    } catch (error) {
      await target.close();
      await database.drop();
      throw error;
    }
    try {
      // ...a stale one is taken over.
      const result = await copyTables(source, target, { claimTimeoutMs: 200, batchSize: 500 });
      expect(result.tables[0]).toMatchObject({ status: 'done' });
      await expectExactlyOnce(source, target);
      const next = await target.first<{ id: number }>("INSERT INTO items (name) VALUES ('after') RETURNING id");
      expect(Number(next!.id)).toBe(ROWS + 1);
    } finally {
      await source.close();
      await target.close();
      await database.drop();
    }
  });
});
