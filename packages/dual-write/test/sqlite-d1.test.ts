import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createD1Adapter, type D1Adapter } from '@switchyard/d1';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1, type TestD1 } from '@switchyard/testkit/d1';
import { createDualWriteAdapter } from './patient-dual-write';
import { expectSameRows } from './equality-helpers';

let d1: TestD1;
let d1Side: D1Adapter;

beforeAll(async () => {
  d1 = await createTestD1();
  d1Side = createD1Adapter(d1.binding);
});

afterAll(async () => {
  await d1.dispose();
});

describe('dual-write SQLite -> D1 (Miniflare)', () => {
  it('mirrors writes, batches and Kysely queries to D1 with the weaker capabilities', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(sqlite, d1Side, { mode: 'primary-sqlite', verifyWrites: true });
    // D1's limits; transactions while SQLite is primary (replayed on D1 as one batch).
    expect(adapter.capabilities).toMatchObject({
      transactions: true,
      maxBoundParameters: 100,
      maxStatementBytes: 100_000,
      exactInt64: false,
    });
    await adapter.execute(
      'CREATE TABLE d_tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done BOOLEAN, due TIMESTAMP, tags JSON, blob BLOB)',
    );
    // RETURNING * compares bytes, booleans, timestamps and JSON as each engine reads them back.
    await adapter.query('INSERT INTO d_tasks (id, title, done, due, tags, blob) VALUES (?, ?, ?, ?, ?, ?) RETURNING *', [
      1,
      'write tests',
      true,
      new Date('2025-01-01T00:00:00.000Z'),
      ['a', 'b'],
      new Uint8Array([1, 2, 3]),
    ]);
    await adapter.batch([
      { sql: 'INSERT INTO d_tasks (id, title, done) VALUES (?, ?, ?)', params: [2, 'ship', false] },
      { sql: 'UPDATE d_tasks SET done = ? WHERE id = ?', params: [true, 2] },
    ]);
    await (adapter.db as any).insertInto('d_tasks').values({ id: 3, title: 'from kysely', done: 0 }).execute();
    const back = await adapter.query('INSERT INTO d_tasks (id, title) VALUES (?, ?) RETURNING id, title', [4, 'returned']);
    expect(back).toEqual([{ id: 4, title: 'returned' }]);
    expect(await expectSameRows(sqlite, d1Side, 'd_tasks')).toBe(4);
    // D1's parameter limit holds for reads too, so the app keeps working once D1 is primary.
    const ids = Array.from({ length: 101 }, (_, i) => i);
    await expect(adapter.query(`SELECT id FROM d_tasks WHERE id IN (${ids.map(() => '?').join(', ')})`, ids)).rejects.toMatchObject({
      name: 'LimitExceededError',
      limit: 'parameters',
      max: 100,
    });
    expect(adapter.getMetrics()).toMatchObject({ totalWrites: 5, successfulDualWrites: 5, verificationFailures: 0, secondaryFailures: 0 });
    await sqlite.close();
  });

  it('replays a SQLite transaction on D1 as one atomic batch', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(sqlite, d1Side);
    await adapter.execute('CREATE TABLE d_moves (id INTEGER PRIMARY KEY, qty INTEGER)');
    await adapter.transaction(async (tx) => {
      await tx.execute('INSERT INTO d_moves (id, qty) VALUES (?, ?)', [1, 5]);
      await tx.execute('UPDATE d_moves SET qty = qty * 2 WHERE id = ?', [1]);
    });
    expect(await d1Side.query('SELECT qty FROM d_moves')).toEqual([{ qty: 10 }]);
    // Refused before anything is written: D1 would round this bigint.
    await expect(adapter.execute('INSERT INTO d_moves (id, qty) VALUES (?, ?)', [2, 2n ** 60n])).rejects.toMatchObject({
      name: 'ParameterError',
      dialect: 'd1',
    });
    // Inside a transaction too: the write is refused and the primary transaction rolls back.
    await expect(
      adapter.transaction(async (tx) => {
        await tx.execute('INSERT INTO d_moves (id, qty) VALUES (?, ?)', [3, 1]);
        await tx.execute('INSERT INTO d_moves (id, qty) VALUES (?, ?)', [4, 2n ** 60n]);
      }),
    ).rejects.toMatchObject({ name: 'ParameterError', dialect: 'd1' });
    expect(await sqlite.query('SELECT count(*) AS n FROM d_moves')).toEqual([{ n: 1 }]);
    expect(await expectSameRows(sqlite, d1Side, 'd_moves')).toBe(1);
    await sqlite.close();
  });

  it('journals writes while the D1 table is dropped and replays them in order', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(sqlite, d1Side, { continueOnSecondaryFailure: true });
    await adapter.execute('CREATE TABLE d_stock (id INTEGER PRIMARY KEY, n INTEGER)');
    await adapter.execute('INSERT INTO d_stock (id, n) VALUES (1, 0)');
    await d1Side.execute('DROP TABLE d_stock');
    for (let i = 0; i < 10; i++) await adapter.execute('UPDATE d_stock SET n = n * 2 + ? WHERE id = 1', [i]);
    await adapter.execute('INSERT INTO d_stock (id, n) VALUES (?, ?)', [2, 7]);
    expect(adapter.getMetrics()).toMatchObject({ secondaryFailures: 11, journalDepth: 11 });
    await d1Side.execute('CREATE TABLE d_stock (id INTEGER PRIMARY KEY, n INTEGER)');
    await d1Side.execute('INSERT INTO d_stock (id, n) VALUES (1, 0)');
    expect(await adapter.replayJournal()).toEqual({ applied: 11, remaining: 0 });
    expect(await expectSameRows(sqlite, d1Side, 'd_stock')).toBe(2);
    await sqlite.close();
  });
});
