import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedError } from '@switchyard/core';
import { createD1Adapter, type D1Adapter } from '@switchyard/d1';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { createTestD1, type TestD1 } from '@switchyard/testkit/d1';
import { type DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { expectSameRows } from './equality-helpers';

let d1: TestD1;
let d1Side: D1Adapter;
let database: TestDatabase;
let pgSide: PostgresAdapter;

beforeAll(async () => {
  [d1, database] = await Promise.all([createTestD1(), createTestDatabase()]);
  d1Side = createD1Adapter(d1.binding);
  pgSide = createPostgresAdapter(database.url, { max: 4 });
});

afterAll(async () => {
  await pgSide.close();
  await Promise.all([d1.dispose(), database.drop()]);
});

describe('dual-write D1 -> Postgres', () => {
  it('writes raw SQL and builder queries to both, batch atomically on each side', async () => {
    const adapter = createDualWriteAdapter(d1Side, pgSide, { mode: 'primary-d1', verifyWrites: true });
    await d1Side.execute('CREATE TABLE p_users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, admin BOOLEAN, created TIMESTAMP, prefs JSON)');
    await pgSide.execute(
      'CREATE TABLE p_users (id BIGINT PRIMARY KEY, email TEXT UNIQUE, admin BOOLEAN, created TIMESTAMPTZ, prefs JSONB)',
    );
    const created = new Date('2024-02-29T12:00:00.000Z');
    await adapter.execute('INSERT INTO p_users (id, email, admin, created, prefs) VALUES (?, ?, ?, ?, ?)', [
      1,
      'a@x.io',
      true,
      created,
      { theme: 'dark' },
    ]);
    const db = adapter.db as any;
    const row = await db
      .insertInto('p_users')
      .values({ id: 2, email: 'b@x.io', admin: false, created, prefs: JSON.stringify({ theme: 'light' }) })
      .returning(['id', 'admin', 'created'])
      .executeTakeFirst();
    expect(row).toEqual({ id: 2, admin: 0, created: created.toISOString() });
    // The second statement fails on D1 (unique email): neither side keeps the first.
    await expect(
      adapter.batch([
        { sql: 'INSERT INTO p_users (id, email) VALUES (?, ?)', params: [3, 'c@x.io'] },
        { sql: 'INSERT INTO p_users (id, email) VALUES (?, ?)', params: [4, 'a@x.io'] },
      ]),
    ).rejects.toMatchObject({ code: 'CONSTRAINT_VIOLATION' });
    expect(await pgSide.query('SELECT id FROM p_users ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await expectSameRows(d1Side, pgSide, 'p_users')).toBe(2);
    expect(adapter.getMetrics()).toMatchObject({ totalWrites: 2, successfulDualWrites: 2, verificationFailures: 0 });
  });

  it('has no transaction() while D1 is primary, and gains it after switching to Postgres', async () => {
    const adapter = createDualWriteAdapter(d1Side, pgSide);
    expect(adapter.capabilities.transactions).toBe(false);
    await expect(adapter.transaction(async () => 1)).rejects.toBeInstanceOf(UnsupportedError);
    await expect(adapter.transaction(async () => 1)).rejects.toThrow(/batch\(/);
    await adapter.switchPrimary();
    expect(adapter.capabilities).toMatchObject({ transactions: true, maxBoundParameters: 100 });
    await d1Side.execute('CREATE TABLE p_ledger (id INTEGER PRIMARY KEY, amount INTEGER)');
    await pgSide.execute('CREATE TABLE p_ledger (id BIGINT PRIMARY KEY, amount BIGINT)');
    await adapter.transaction(async (tx) => {
      await tx.execute('INSERT INTO p_ledger (id, amount) VALUES (?, ?)', [1, 100]);
      await tx.execute('INSERT INTO p_ledger (id, amount) VALUES (?, ?)', [2, -100]);
    });
    // The builder was made while D1 (SQLite dialect) was primary; each side still gets its own SQL.
    const db = adapter.db as any;
    await db.transaction().execute(async (trx: any) => {
      await trx.insertInto('p_ledger').values({ id: 3, amount: 7 }).execute();
      await trx.updateTable('p_ledger').set({ amount: 8 }).where('id', '=', 3).execute();
    });
    await db.insertInto('p_ledger').values({ id: 4, amount: 9 }).execute();
    expect(await db.selectFrom('p_ledger').select(db.fn.countAll().as('n')).executeTakeFirst()).toEqual({ n: 4 });
    expect(await expectSameRows(pgSide, d1Side, 'p_ledger')).toBe(4);
    expect(adapter.getMetrics()).toMatchObject({ secondaryFailures: 0 });
  });

  it('shadow reads find rows that differ on the secondary', async () => {
    const events: DualWriteEvent[] = [];
    const adapter = createDualWriteAdapter(d1Side, pgSide, { shadowReads: { sampleRate: 1 }, onEvent: (e) => events.push(e) });
    await d1Side.execute('CREATE TABLE p_flags (id INTEGER PRIMARY KEY, on_ BOOLEAN, at TIMESTAMP)');
    await pgSide.execute('CREATE TABLE p_flags (id BIGINT PRIMARY KEY, on_ BOOLEAN, at TIMESTAMPTZ)');
    await adapter.execute('INSERT INTO p_flags (id, on_, at) VALUES (?, ?, ?), (?, ?, ?)', [1, true, new Date(5), 2, false, new Date(6)]);
    await adapter.query('SELECT * FROM p_flags');
    expect(adapter.getMetrics()).toMatchObject({ shadowReads: 1, shadowReadMismatches: 0 });
    await pgSide.execute('UPDATE p_flags SET on_ = NOT on_ WHERE id = 2');
    const rows = await adapter.query('SELECT * FROM p_flags ORDER BY id');
    expect(rows.map((r) => r.on_)).toEqual([1, 0]);
    expect(adapter.getMetrics()).toMatchObject({ shadowReads: 2, shadowReadMismatches: 1, reads: { primary: 2, secondary: 0 } });
    expect(events.filter((e) => e.type === 'shadow-mismatch')).toHaveLength(1);
  });
});
