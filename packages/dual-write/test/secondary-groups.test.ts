import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

/** The real adapter, counting the calls that reach it. */
function counted(adapter: DatabaseAdapter): { adapter: DatabaseAdapter; calls: { execute: number; batch: number } } {
  const calls = { execute: 0, batch: 0 };
  const wrapped = new Proxy(adapter, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'execute' || property === 'batch') calls[property]++;
      return value.bind(target);
    },
  });
  return { adapter: wrapped, calls };
}

describe('concurrent writes share statements on the secondary', () => {
  it('16 writers: inserts, updates of their own and of shared rows, deletes; both sides equal, fewer statements than writes', async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const postgres = createPostgresAdapter(db.url, { name: 'postgres', max: 4 });
    await primary.execute('CREATE TABLE acct (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, n INTEGER NOT NULL)');
    await postgres.execute('CREATE TABLE acct (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, n BIGINT NOT NULL)');
    const { adapter: secondary, calls } = counted(postgres);
    const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: false });
    for (let hot = 1; hot <= 3; hot++) await dual.execute('INSERT INTO acct (id, owner, n) VALUES (?, ?, ?)', [hot, 'shared', 0]);
    const before = calls.execute + calls.batch;
    let writes = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 1; i <= 20; i++) {
          const id = 1000 * (w + 1) + i;
          await dual.execute('INSERT INTO acct (id, owner, n) VALUES (?, ?, ?)', [id, `w${w}`, i]);
          // Relative updates of shared rows: each side must see them in the primary's order.
          await dual.execute('UPDATE acct SET n = n + 1 WHERE id = ?', [1 + (i % 3)]);
          if (i % 4 === 0) await dual.execute('DELETE FROM acct WHERE id = ?', [id - 1]);
          writes += i % 4 === 0 ? 3 : 2;
        }
      }),
    );
    const report = await validateDatabases(primary, postgres, { validateAllRows: true, tables: ['acct'] });
    expect(report.ok).toBe(true);
    const hot = await postgres.query<{ n: unknown }>('SELECT n FROM acct WHERE id <= 3');
    expect(hot.reduce((sum, row) => sum + Number(row.n), 0)).toBe(16 * 20);
    expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, replicatedByStatement: 0, successfulDualWrites: writes + 3 });
    // Writes that met in the secondary's queue went as one statement or one batch.
    expect(calls.execute + calls.batch - before).toBeLessThan(writes);
    await dual.close();
  });
});
