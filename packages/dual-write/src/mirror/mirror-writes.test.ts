import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { appSchema, createTables, expectSameRows, seedCounters } from '../../test/mirror/mirror-test-kit';
import { recordInTransaction, writeThroughMirror } from './mirror-writes';
import { drainOutbox } from './outbox-drain';
import { outboxMirror } from './outbox-mirror';

// The async write path on each kind of primary: results as if the write ran alone, the
// entry committed with it (or with the transaction), nothing for a rolled-back one.
describe.each(['sqlite', 'postgres'] as const)('writes through an outbox on a %s primary', (kind) => {
  let database: TestDatabase;
  let primary: DatabaseAdapter;
  let secondary: DatabaseAdapter;

  beforeAll(async () => {
    database = await createTestDatabase();
    const pg = createPostgresAdapter(database.url);
    const sqlite = createSQLiteAdapter(':memory:');
    [primary, secondary] = kind === 'sqlite' ? [sqlite, pg] : [pg, sqlite];
    await createTables([primary, secondary], appSchema);
    await seedCounters([primary, secondary]);
  });
  afterAll(async () => {
    await primary.close();
    await secondary.close();
    await database.drop();
  });

  it('returns the write’s own results and mirrors execute, batch and transaction writes', async () => {
    const mirror = outboxMirror(primary);
    const insert = 'INSERT INTO accounts (id, name, balance, active) VALUES (?, ?, ?, ?) RETURNING id, name';
    const [one] = await writeThroughMirror(mirror, primary, 'execute', [{ sql: insert, params: [1, 'a', 5, true] }]);
    expect(one).toMatchObject({ rowsAffected: 1, rows: [{ id: 1, name: 'a' }] });
    const two = await writeThroughMirror(mirror, primary, 'batch', [
      { sql: insert, params: [2, 'b', 6, false] },
      { sql: 'UPDATE counters SET n = n + 1 WHERE id = ?', params: [1] },
    ]);
    expect(two.map((r) => r.rowsAffected)).toEqual([1, 1]);

    const op = await primary.transaction(async (tx) => {
      const recorded = [{ sql: 'UPDATE accounts SET balance = balance * 2 WHERE id <= ?', params: [2] }];
      for (const s of recorded) await tx.execute(s.sql, s.params);
      return recordInTransaction(mirror, tx, recorded);
    });
    await mirror.commit(op!);
    // A rolled-back transaction leaves neither its writes nor an entry.
    await expect(
      primary.transaction(async (tx) => {
        const recorded = [{ sql: 'DELETE FROM accounts WHERE id = ?', params: [1] }];
        for (const s of recorded) await tx.execute(s.sql, s.params);
        await recordInTransaction(mirror, tx, recorded);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');

    expect((await mirror.sampleMetrics()).depth).toBe(3);
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 3, stale: 0, repaired: 0 });
    await expectSameRows(primary, secondary, ['accounts', 'counters']);
  });
});
