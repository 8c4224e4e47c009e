import { describe, expect, it } from 'vitest';
import { ConstraintError, nativeHandle } from '@switchyard/core';
import { createSQLiteAdapter } from './sqlite-create';

const setup = async () => {
  const adapter = createSQLiteAdapter(':memory:');
  await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, at TIMESTAMP)');
  return { adapter, run: nativeHandle(adapter, 'better-sqlite3')!.transactionSync! };
};

describe('sqlite native transactionSync', () => {
  it('runs statements as execute() does, and commits them together', async () => {
    const { adapter, run } = await setup();
    const at = new Date('2026-01-02T03:04:05.678Z');
    const [viaSync, viaExecute] = await run((execute) => [
      execute('INSERT INTO t (id, n, at) VALUES (?, ?, ?) RETURNING *', [1, 9007199254740993n, at]),
      execute('INSERT INTO t (id, n) VALUES (?2, ?1)', [5, 2]),
    ]);
    expect(viaSync).toEqual({ rowsAffected: 1, rows: [{ id: 1, n: 9007199254740993n, at: at.toISOString() }] });
    expect(viaExecute).toEqual({ rowsAffected: 1, lastInsertId: 2 });
    expect(await adapter.execute('INSERT INTO t (id, n) VALUES (?2, ?1)', [5, 3])).toEqual({ rowsAffected: 1, lastInsertId: 3 });
    expect(await adapter.query('SELECT id, n FROM t ORDER BY id')).toEqual([
      { id: 1, n: 9007199254740993n },
      { id: 2, n: 5 },
      { id: 3, n: 5 },
    ]);
    expect(adapter.database.inTransaction).toBe(false);
    await adapter.close();
  });

  it('returns rows as arrays in column order through executeRaw, encoded and exact as execute() does', async () => {
    const { adapter, run } = await setup();
    const at = new Date('2026-01-02T03:04:05.678Z');
    const [raw, plain, keyed] = await run((execute, executeRaw) => [
      executeRaw('INSERT INTO t (id, n, at) VALUES (?, ?, ?) RETURNING *', [1, 9007199254740993n, at]),
      executeRaw('INSERT INTO t (id, n) VALUES (?2, ?1)', [5, 2]),
      executeRaw('UPDATE t SET n = n + 1 RETURNING id, n', []),
    ]);
    expect(raw).toEqual({ rowsAffected: 1, rows: [[1, 9007199254740993n, at.toISOString()]] });
    expect(plain).toEqual({ rowsAffected: 1, rows: [] });
    expect(keyed).toEqual({
      rowsAffected: 2,
      rows: [
        [1, 9007199254740994n],
        [2, 6],
      ],
    });
    // The statement is back in object mode for everything else that runs it.
    expect(await adapter.query('INSERT INTO t (id, n, at) VALUES (?, ?, ?) RETURNING *', [3, 1, null])).toEqual([
      { id: 3, n: 1, at: null },
    ]);
    await expect(run((_, executeRaw) => executeRaw('INSERT INTO t (id) VALUES (1) RETURNING *'))).rejects.toBeInstanceOf(ConstraintError);
    expect(await adapter.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 3 }]);
    await adapter.close();
  });

  it('rolls back everything when a statement or the function throws, with the typed error', async () => {
    const { adapter, run } = await setup();
    await expect(
      run((execute) => {
        execute('INSERT INTO t (id) VALUES (1)');
        execute('INSERT INTO t (id) VALUES (1)');
      }),
    ).rejects.toBeInstanceOf(ConstraintError);
    const own = new Error('stop');
    await expect(
      run((execute) => {
        execute('INSERT INTO t (id) VALUES (2)');
        throw own;
      }),
    ).rejects.toBe(own);
    expect(await adapter.query('SELECT id FROM t')).toEqual([]);
    expect(adapter.database.inTransaction).toBe(false);
    await adapter.close();
  });

  it('waits for an open transaction instead of landing inside it, and nests as a savepoint', async () => {
    const { adapter, run } = await setup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const tx = adapter.transaction(async (t) => {
      await t.execute('INSERT INTO t (id) VALUES (1)');
      await held;
      order.push('transaction');
      throw new Error('rolled back');
    });
    const sync = run((execute) => {
      order.push('sync');
      return execute('INSERT INTO t (id) VALUES (2)');
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    release();
    await expect(tx).rejects.toThrow('rolled back');
    await sync;
    expect(order).toEqual(['transaction', 'sync']);
    await adapter.transaction(async (t) => {
      await t.execute('INSERT INTO t (id) VALUES (3)');
      await expect(
        nativeHandle(t, 'better-sqlite3')!.transactionSync!((execute) => {
          execute('INSERT INTO t (id) VALUES (4)');
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      await nativeHandle(t, 'better-sqlite3')!.transactionSync!((execute) => execute('INSERT INTO t (id) VALUES (5)'));
    });
    expect(await adapter.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 2 }, { id: 3 }, { id: 5 }]);
    await adapter.close();
  });
});
