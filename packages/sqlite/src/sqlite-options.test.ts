import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';

const folder = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('sqlite adapter: engine specifics', () => {
  it('switches file databases to WAL and leaves in-memory ones alone', async () => {
    const file = createSQLiteAdapter(join(folder, 'wal.db'));
    const memory = createSQLiteAdapter(':memory:');
    expect(file.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(memory.database.pragma('journal_mode', { simple: true })).toBe('memory');
    await file.close();
    await memory.close();
  });

  it("memory-maps a file it opens, keeps a given database's setting, and refuses a bad mmapSize", async () => {
    const opened = createSQLiteAdapter(join(folder, 'mmap.db'));
    expect(opened.database.pragma('mmap_size', { simple: true })).toBe(256 * 1024 * 1024);
    await opened.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    await opened.batch(Array.from({ length: 50 }, (_, i) => ({ sql: 'INSERT INTO t (v) VALUES (?)', params: [`v${i}`] })));
    expect(await opened.first('SELECT count(*) AS n FROM t')).toEqual({ n: 50 });
    await opened.close();

    const off = createSQLiteAdapter(join(folder, 'mmap.db'), { mmapSize: 0 });
    expect(off.database.pragma('mmap_size', { simple: true })).toBe(0);
    expect(await off.first('SELECT count(*) AS n FROM t')).toEqual({ n: 50 });
    await off.close();

    const given = new Database(join(folder, 'mmap.db'));
    const before = given.pragma('mmap_size', { simple: true });
    await createSQLiteAdapter(given).close();
    expect(given.pragma('mmap_size', { simple: true })).toBe(before);
    given.close();

    expect(() => createSQLiteAdapter(join(folder, 'never.db'), { mmapSize: -1 })).toThrow(/mmapSize must be a whole number of bytes/);
  });

  it('reads int64 beyond 2^53 as bigint, safe integers as number, and reports big rowids exactly', async () => {
    const adapter = createSQLiteAdapter(':memory:');
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v BIGINT)');
    const max = 2n ** 63n - 1n;
    await adapter.execute('INSERT INTO t (id, v) VALUES (?, ?)', [1, max]);
    await adapter.execute('INSERT INTO t (id, v) VALUES (?, ?)', [2, 2 ** 53 - 1]);
    expect(await adapter.query('SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 1, v: max },
      { id: 2, v: 2 ** 53 - 1 },
    ]);
    const result = await adapter.execute('INSERT INTO t (id, v) VALUES (?, ?)', [2n ** 62n, 0]);
    expect(result.lastInsertId).toBe(2n ** 62n);
    expect(await adapter.first('SELECT SUM(v) AS s FROM t WHERE id = ?', [2])).toEqual({ s: 2 ** 53 - 1 });
    await adapter.close();
  });

  it('leaves a database it was given open, unless told to close it', async () => {
    const given = new Database(':memory:');
    await createSQLiteAdapter(given).close();
    expect(given.open).toBe(true);
    await createSQLiteAdapter(given, { closeDatabase: true }).close();
    expect(given.open).toBe(false);
  });

  it('runs SQL functions registered on the better-sqlite3 handle', async () => {
    const adapter = createSQLiteAdapter(':memory:');
    adapter.database.function('double_it', { deterministic: true }, (x: unknown) => Number(x) * 2);
    expect(await adapter.first('SELECT double_it(?) AS v', [21])).toEqual({ v: 42 });
    await adapter.close();
  });

  it('carries its name into errors', async () => {
    const adapter = createSQLiteAdapter(':memory:', { name: 'local-cache' });
    expect(adapter.name).toBe('local-cache');
    await expect(adapter.query('SELECT * FROM missing')).rejects.toThrow(/^local-cache: /);
    await adapter.close();
  });

  it('gives a TransientError when another connection holds the write lock past busyTimeout', async () => {
    const path = join(folder, 'busy.db');
    const holder = createSQLiteAdapter(path);
    const waiter = createSQLiteAdapter(path, { busyTimeout: 20 });
    await holder.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tx = holder.transaction(async (t) => {
      await t.execute('INSERT INTO t (id) VALUES (1)');
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(waiter.execute('INSERT INTO t (id) VALUES (2)')).rejects.toMatchObject({ code: 'TRANSIENT', name: 'TransientError' });
    release();
    await tx;
    // WAL lets the second connection read what the first committed.
    expect(await waiter.query('SELECT id FROM t')).toEqual([{ id: 1 }]);
    await holder.close();
    await waiter.close();
  });
});
