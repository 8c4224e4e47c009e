import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely } from 'kysely';
import { InvalidArgumentError, type DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { createDualWriteAdapter } from '../../test/patient-dual-write';
import { appSchema, createTables, expectSameRows, seedCounters } from '../../test/mirror/mirror-test-kit';
import { drainOutbox } from './outbox-drain';
import { outboxMirror } from './outbox-mirror';

interface Schema {
  accounts: { id: number; name: string; balance: number; active: boolean; updated_at: Date | null };
}

// createDualWriteAdapter with secondaryWrites: 'async': every kind of write returns after
// the primary, reaches the secondary through the outbox, and the two sides end up equal.
describe("createDualWriteAdapter(..., { secondaryWrites: 'async', mirror })", () => {
  let database: TestDatabase;
  let primary: DatabaseAdapter;
  let secondary: DatabaseAdapter;

  beforeAll(async () => {
    database = await createTestDatabase();
    primary = createSQLiteAdapter(':memory:');
    secondary = createPostgresAdapter(database.url);
    await createTables([primary, secondary], appSchema);
    await seedCounters([primary, secondary]);
  });
  afterAll(async () => {
    await primary.close();
    await secondary.close();
    await database.drop();
  });

  it('returns after the primary write and mirrors execute, batch, transaction and builder writes', async () => {
    const mirror = outboxMirror(primary);
    const adapter = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    const insert = 'INSERT INTO accounts (id, name, balance, active) VALUES (?, ?, ?, ?)';
    expect(await adapter.execute(insert, [1, 'a', 10, true])).toMatchObject({ rowsAffected: 1 });
    const results = await adapter.batch([
      { sql: insert, params: [2, 'b', 20, false] },
      { sql: 'UPDATE counters SET n = n + 1 WHERE id = ?', params: [1] },
    ]);
    expect(results.map((r) => r.rowsAffected)).toEqual([1, 1]);
    await adapter.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = balance + 1 WHERE id = ?', [1]);
      await tx.execute('UPDATE counters SET n = n + 10 WHERE id = ?', [2]);
    });
    await (adapter.db as unknown as Kysely<Schema>)
      .insertInto('accounts')
      .values({ id: 3, name: 'c', balance: 30, active: true, updated_at: new Date('2026-01-01T00:00:00Z') })
      .execute();

    // Nothing has reached the secondary yet: the writes wait in the outbox.
    expect(await secondary.query('SELECT * FROM accounts')).toEqual([]);
    const metrics = adapter.getMetrics();
    expect(metrics.totalWrites).toBe(4);
    expect((await mirror.sampleMetrics()).depth).toBe(4);
    expect(adapter.getMetrics().mirror).toMatchObject({ kind: 'outbox', depth: 4, enqueued: 4 });

    // Applied as the entries hold them: a stale entry's rows would be re-read from the primary instead.
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 4, stale: 0, repaired: 0 });
    await expectSameRows(primary, secondary, ['accounts', 'counters']);
    expect(adapter.getMetrics().mirror).toMatchObject({ depth: 0, applied: 4 });
  });

  it('carries the rows the primary produced: generated ids and defaults arrive equal', async () => {
    await primary.execute(
      "CREATE TABLE gen_notes (id INTEGER PRIMARY KEY, body TEXT, at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), r REAL DEFAULT (random() / 9e18))",
    );
    await secondary.execute(
      'CREATE TABLE gen_notes (id BIGINT PRIMARY KEY, body TEXT, at TIMESTAMPTZ DEFAULT now(), r DOUBLE PRECISION DEFAULT random())',
    );
    const mirror = outboxMirror(primary);
    const adapter = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    for (const body of ['a', 'b', 'c']) await adapter.execute('INSERT INTO gen_notes (body) VALUES (?)', [body]);
    await adapter.execute('DELETE FROM gen_notes WHERE id = ?', [3]);
    // SQLite hands out 3 again; the secondary must get the primary's id, not its own.
    const { lastInsertId } = await adapter.execute('INSERT INTO gen_notes (body) VALUES (?)', ['d']);
    expect(lastInsertId).toBe(3);
    await adapter.transaction(async (tx) => {
      await tx.execute('UPDATE gen_notes SET r = random() / 9e18 WHERE id <= ?', [2]);
    });
    expect(adapter.getMetrics()).toMatchObject({ replicatedByRow: 6, replicatedByStatement: 0 });
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 6, stale: 0, repaired: 0 });
    await expectSameRows(primary, secondary, ['gen_notes']);
  });

  it('refuses async mode without a mirror, and a mirror in sync mode, saying what to pass', () => {
    expect(() => createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async' })).toThrow(InvalidArgumentError);
    expect(() => createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async' })).toThrow(/mirror/);
    expect(() => createDualWriteAdapter(primary, secondary, { mirror: outboxMirror(primary) })).toThrow(/secondaryWrites: 'async'/);
  });

  it('refuses switchPrimary() while writes are mirrored asynchronously', async () => {
    const adapter = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror: outboxMirror(primary) });
    await expect(adapter.switchPrimary()).rejects.toThrow(/drain/);
  });
});
