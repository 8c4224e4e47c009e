import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from '../src/index';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach } from './open-side';

/**
 * A bulk write (a data migration's `UPDATE` of every row) takes the secondary time in
 * proportion to its rows: it is allowed `secondaryTimeoutMs` for each 5,000 values it
 * carries, so it is not taken for a hung secondary, journaled and failed to the app while
 * its rows land anyway. 50,000 rows of three columns are 150,000 values: half a second
 * and more on PostgreSQL, past the 300 ms a single write may wait here. The reads of the
 * rows a foreign key action changed are allowed `secondaryTimeoutMs` for each 1,000 rows they look up.
 * A large value (a document or a file of tens of MB) is allowed `secondaryTimeoutMs` for each MB.
 * A statement replayed as text (a table without a key) counts the rows it changed on the primary.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();
const ROWS = 50_000;

/** SQLite and Postgres, each with `table` (`columns`) holding `rows` rows `(i, i, 'row ' || i)`, or none. */
async function filledPair(table: string, columns: string, rows: number): Promise<{ primary: DatabaseAdapter; secondary: DatabaseAdapter }> {
  const primary = createSQLiteAdapter(':memory:', { name: 'sqlite' });
  const secondary = createPostgresAdapter(dbs.database.url, { name: 'postgres' });
  cleanup(() => Promise.all([primary.close(), secondary.close()]));
  await secondary.execute(`DROP TABLE IF EXISTS ${table}`);
  for (const side of [primary, secondary]) await side.execute(`CREATE TABLE ${table} (${columns})`);
  if (rows === 0) return { primary, secondary };
  await primary.execute(
    `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows}) INSERT INTO ${table} SELECT i, i, 'row ' || i FROM s`,
  );
  await secondary.execute(`INSERT INTO ${table} SELECT i, i, 'row ' || i FROM generate_series(1, ${rows}) i`);
  return { primary, secondary };
}

const bulkPair = () => filledPair('bulk', 'id bigint PRIMARY KEY, n bigint NOT NULL, note text', ROWS);

describe('bulk writes through a synchronous dual write', () => {
  it.each([false, true])(
    'SQLite -> Postgres (verifyWrites %s): an UPDATE and a DELETE of many rows land without a timeout',
    async (verifyWrites) => {
      const { primary, secondary } = await bulkPair();
      const app = createDualWriteAdapter(primary, secondary, { secondaryTimeoutMs: 300, verifyWrites });
      cleanup(() => app.close());

      // Single-row writes beside the bulk one still get their own 300 ms, and are not held behind it.
      const [updated, ...small] = await Promise.all([
        app.execute('UPDATE bulk SET n = n + 1, note = note || ?', ['!']),
        ...Array.from({ length: 10 }, (_, i) => app.execute('INSERT INTO bulk (id, n, note) VALUES (?, ?, ?)', [ROWS + 1 + i, i, 'new'])),
      ]);
      expect(updated!.rowsAffected).toBeGreaterThanOrEqual(ROWS);
      expect(small.every((r) => r.rowsAffected === 1)).toBe(true);
      expect((await app.execute('DELETE FROM bulk WHERE id % 2 = 0')).rowsAffected).toBe(ROWS / 2 + 5);

      const metrics = app.getMetrics();
      expect(metrics).toMatchObject({ secondaryFailures: 0, secondaryTimeouts: 0, journalDepth: 0, verificationFailures: 0 });
      expect(app.getMetrics().secondaryCircuit).toBe('closed');
      const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['bulk'] });
      expect(report.ok).toBe(true);
      expect(
        Number((await secondary.first<{ n: unknown }>(`SELECT count(*) AS n FROM bulk WHERE id <= ${ROWS} AND note LIKE '%!'`))!.n),
      ).toBe(ROWS / 2);
    },
  );

  it('SQLite -> Postgres: a DELETE of many parents brings the rows its CASCADE and SET NULL actions changed without a timeout', async () => {
    const { primary, secondary } = await bulkPair();
    for (const side of [primary, secondary]) {
      await side.execute('DROP TABLE IF EXISTS cascaded');
      await side.execute('DROP TABLE IF EXISTS nulled');
      await side.execute('CREATE TABLE cascaded (id bigint PRIMARY KEY, bulk_id bigint REFERENCES bulk (id) ON DELETE CASCADE)');
      await side.execute('CREATE TABLE nulled (id bigint PRIMARY KEY, bulk_id bigint REFERENCES bulk (id) ON DELETE SET NULL)');
      for (const t of ['cascaded', 'nulled']) {
        await side.execute(`CREATE INDEX ${t}_bulk ON ${t} (bulk_id)`);
        await side.execute(`INSERT INTO ${t} (id, bulk_id) SELECT id, id FROM bulk`);
      }
    }
    const app = createDualWriteAdapter(primary, secondary, { secondaryTimeoutMs: 300 });
    cleanup(() => app.close());

    expect((await app.execute('DELETE FROM bulk WHERE id % 2 = 0')).rowsAffected).toBe(ROWS / 2);

    expect(app.getMetrics()).toMatchObject({ secondaryFailures: 0, secondaryTimeouts: 0, journalDepth: 0, secondaryCircuit: 'closed' });
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['bulk', 'cascaded', 'nulled'] });
    expect(report.ok).toBe(true);
    expect(Number((await secondary.first<{ n: unknown }>('SELECT count(*) AS n FROM nulled WHERE bulk_id IS NULL'))!.n)).toBe(ROWS / 2);
  });

  it.each([false, true])('SQLite -> Postgres (verifyWrites %s): a row holding 60 MB lands without a timeout', async (verifyWrites) => {
    // bytea has no affinity on SQLite, which keeps the bytes as a BLOB.
    const { primary, secondary } = await filledPair('doc', 'id bigint PRIMARY KEY, body text, data bytea', 0);
    const app = createDualWriteAdapter(primary, secondary, { secondaryTimeoutMs: 300, verifyWrites });
    cleanup(() => app.close());

    const body = 'x'.repeat(30_000_000);
    const data = new Uint8Array(30_000_000).fill(7);
    expect((await app.execute('INSERT INTO doc (id, body, data) VALUES (1, ?, ?)', [body, data])).rowsAffected).toBe(1);

    expect(app.getMetrics()).toMatchObject({ secondaryFailures: 0, secondaryTimeouts: 0, journalDepth: 0, secondaryCircuit: 'closed' });
    const stored = await secondary.first<{ b: number; d: number }>('SELECT length(body) AS b, length(data) AS d FROM doc WHERE id = 1');
    expect(stored).toEqual({ b: 30_000_000, d: 30_000_000 });
  });

  it('SQLite -> Postgres: statements replayed on a table without a key count the rows they change, alone and in a transaction', async () => {
    const { primary, secondary } = await filledPair('logs', 'seq bigint NOT NULL, n bigint, note text', 2 * ROWS);
    const app = createDualWriteAdapter(primary, secondary, { secondaryTimeoutMs: 100 });
    cleanup(() => app.close());

    expect((await app.execute('UPDATE logs SET n = n + 1, note = note || ?', ['!'])).rowsAffected).toBe(2 * ROWS);
    await app.transaction(async (tx) => {
      await tx.execute('UPDATE logs SET n = n * 2');
      await tx.execute('DELETE FROM logs WHERE seq % 4 = 0');
    });

    expect(app.getMetrics()).toMatchObject({ secondaryFailures: 0, secondaryTimeouts: 0, journalDepth: 0, secondaryCircuit: 'closed' });
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['logs'], keyColumns: { logs: ['seq'] } });
    expect(report.ok).toBe(true);
  });
});
