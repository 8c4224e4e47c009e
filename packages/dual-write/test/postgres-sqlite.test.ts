import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { SecondaryWriteError, tableJournal } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { expectSameRows } from './equality-helpers';

let database: TestDatabase;
let pgSide: PostgresAdapter;

beforeAll(async () => {
  database = await createTestDatabase();
  pgSide = createPostgresAdapter(database.url, { max: 4 });
});

afterAll(async () => {
  await pgSide.close();
  await database.drop();
});

describe('dual-write Postgres -> SQLite', () => {
  it('replays a committed Postgres transaction on SQLite, and nothing of a rolled-back one', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(pgSide, sqlite, { mode: 'primary-postgres', verifyWrites: true });
    expect(adapter.getMetadata()).toMatchObject({ primary: 'postgres', secondary: 'sqlite' });
    expect(adapter.dialect).toBe('postgres');
    // DDL valid on both: SQLite takes the Postgres type names with the same logical types.
    await adapter.execute(
      'CREATE TABLE t_accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC NOT NULL, opened TIMESTAMPTZ, vip BOOLEAN)',
    );
    await adapter.batch([
      {
        sql: 'INSERT INTO t_accounts (id, owner, balance, opened, vip) VALUES (?, ?, ?, ?, ?)',
        params: [1, 'ann', '100.25', new Date(1000), true],
      },
      {
        sql: 'INSERT INTO t_accounts (id, owner, balance, opened, vip) VALUES (?, ?, ?, ?, ?)',
        params: [2, 'bob', '50', new Date(2000), false],
      },
    ]);
    await adapter.transaction(async (tx) => {
      await tx.execute('UPDATE t_accounts SET balance = balance - ? WHERE id = ?', ['10.25', 1]);
      await tx.execute('UPDATE t_accounts SET balance = balance + ? WHERE id = ?', ['10.25', 2]);
      await (tx.db as any).insertInto('t_accounts').values({ id: 3, owner: 'cy', balance: '0', vip: true }).execute();
      // Not on SQLite before the commit.
      expect(await sqlite.query('SELECT id FROM t_accounts WHERE id = 3')).toEqual([]);
    });
    await expect(
      adapter.transaction(async (tx) => {
        await tx.execute('DELETE FROM t_accounts');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await expectSameRows(pgSide, sqlite, 't_accounts')).toBe(3);
    expect(await sqlite.query('SELECT balance FROM t_accounts ORDER BY id')).toEqual([{ balance: 90 }, { balance: 60.25 }, { balance: 0 }]);
    expect(adapter.getMetrics()).toMatchObject({ totalWrites: 3, successfulDualWrites: 3, verificationFailures: 0 });
    await sqlite.close();
  });

  it('refuses before writing anywhere a value SQLite cannot store', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(pgSide, sqlite);
    await adapter.execute('CREATE TABLE t_reals (id BIGINT PRIMARY KEY, v DOUBLE PRECISION)');
    await expect(adapter.execute('INSERT INTO t_reals (id, v) VALUES (?, ?)', [1, Number.NaN])).rejects.toMatchObject({
      name: 'ParameterError',
      dialect: 'sqlite',
    });
    expect(await pgSide.query('SELECT * FROM t_reals')).toEqual([]);
    await sqlite.close();
  });

  it('journals writes while the SQLite table is gone and replays them once it is back', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(pgSide, sqlite);
    await adapter.execute('CREATE TABLE t_notes (id BIGINT PRIMARY KEY, body JSONB)');
    await adapter.execute('INSERT INTO t_notes (id, body) VALUES (?, ?)', [1, { v: 1 }]);
    await sqlite.execute('ALTER TABLE t_notes RENAME TO t_notes_away');
    const failed = await adapter.execute('INSERT INTO t_notes (id, body) VALUES (?, ?)', [2, { v: 2 }]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SecondaryWriteError);
    expect((failed as Error).message).toMatch(/succeeded on postgres \(primary\) but failed on sqlite \(secondary\)/);
    await expect(adapter.execute('UPDATE t_notes SET body = ? WHERE id = ?', [{ v: 'x' }, 1])).rejects.toBeInstanceOf(SecondaryWriteError);
    expect(await pgSide.query('SELECT count(*)::int AS n FROM t_notes')).toEqual([{ n: 2 }]);
    await sqlite.execute('ALTER TABLE t_notes_away RENAME TO t_notes');
    expect(await adapter.replayJournal()).toEqual({ applied: 2, remaining: 0 });
    expect(await expectSameRows(pgSide, sqlite, 't_notes')).toBe(2);
    await sqlite.close();
  });

  it('keeps a durable journal in a Postgres table across adapter instances', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const options = { journal: tableJournal(pgSide, { table: 'sy_dw_journal' }), continueOnSecondaryFailure: true };
    const first = createDualWriteAdapter(pgSide, sqlite, options);
    await first.execute('CREATE TABLE t_events (id BIGINT PRIMARY KEY, at TIMESTAMPTZ, n BIGINT)');
    await sqlite.execute('DROP TABLE t_events');
    await first.execute('INSERT INTO t_events (id, at, n) VALUES (?, ?, ?)', [1, new Date(86_400_000), 2n ** 40n]);
    await first.transaction(async (tx) => {
      await tx.execute('UPDATE t_events SET n = n + 1 WHERE id = ?', [1]);
    });
    const second = createDualWriteAdapter(pgSide, sqlite, { ...options, journal: tableJournal(pgSide, { table: 'sy_dw_journal' }) });
    expect(await second.journalEntries()).toMatchObject([
      { id: 1, attempts: 1, rows: [{ table: 't_events', key: { id: 1 } }] },
      { id: 2, attempts: 1, rows: [{ table: 't_events', key: { id: 1 } }] },
    ]);
    await sqlite.execute('CREATE TABLE t_events (id BIGINT PRIMARY KEY, at TIMESTAMPTZ, n BIGINT)');
    expect(await second.replayJournal()).toEqual({ applied: 2, remaining: 0 });
    expect(await expectSameRows(pgSide, sqlite, 't_events')).toBe(1);
    expect(await pgSide.query('SELECT count(*)::int AS n FROM sy_dw_journal')).toEqual([{ n: 0 }]);
    await sqlite.close();
  });
});
