import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { validateDatabases } from '@switchyard/validation';
import { PostgresArray, type DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter } from './patient-dual-write';
import { dropOwnTables, twoTestDatabases } from './two-databases';
import { cleanupAfterEach, syncOrOutbox } from './open-side';

/**
 * Write shapes Postgres apps send: an upsert on a named constraint, a bulk `UPDATE … FROM
 * (VALUES …)`, array and jsonb functions, `DELETE … USING`, and the archiving move, as an
 * `INSERT … SELECT` and a `DELETE` in one transaction or as one statement (`WITH moved AS
 * (DELETE … RETURNING *) INSERT INTO archive …`): every row is captured, the primary's
 * `archived_at` default included.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

async function createTables(side: DatabaseAdapter, archivedAt: string): Promise<void> {
  await dropOwnTables(side);
  for (const t of ['t', 'archive', 'u']) await side.execute(`DROP TABLE IF EXISTS ${t}`);
  await side.execute('CREATE TABLE u (id bigint PRIMARY KEY, gone boolean NOT NULL DEFAULT false)');
  await side.execute(
    "CREATE TABLE t (id bigserial PRIMARY KEY, uid bigint, s text CONSTRAINT t_s_key UNIQUE, tags text[] NOT NULL DEFAULT '{}', doc jsonb NOT NULL DEFAULT '{}')",
  );
  await side.execute(
    `CREATE TABLE archive (id bigint PRIMARY KEY, uid bigint, s text, archived_at timestamptz NOT NULL DEFAULT ${archivedAt})`,
  );
  await side.execute('INSERT INTO u (id, gone) VALUES (1, false), (2, true)');
}

const MOVE = 'INSERT INTO archive (id, uid, s) SELECT id, uid, s FROM t WHERE uid IN (SELECT id FROM u WHERE gone)';
const MOVED = 'DELETE FROM t WHERE uid IN (SELECT id FROM u WHERE gone)';
const MOVE_IN_ONE = `WITH moved AS (${MOVED} RETURNING *) INSERT INTO archive (id, uid, s) SELECT id, uid, s FROM moved`;

describe('Postgres write shapes', () => {
  it.each(['sync', 'outbox'] as const)('Postgres -> Postgres (%s): captured as rows, the sides equal', async (mode) => {
    const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
    const secondary = createPostgresAdapter(dbs.database.url, { name: 'b' });
    await createTables(primary, 'clock_timestamp()');
    // A default only the secondary has: a row that took it was not the primary's.
    await createTables(secondary, "'1999-01-01Z'");
    const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);

    await app.execute("INSERT INTO t (uid, s) VALUES (1, 'a'), (1, 'b'), (2, 'c'), (2, 'd')");
    await app.execute(
      `INSERT INTO t (uid, s) VALUES (1, 'a') ON CONFLICT ON CONSTRAINT t_s_key DO UPDATE SET doc = t.doc || '{"again": true}'`,
    );
    await app.execute("UPDATE t SET s = v.s FROM (VALUES (1, 'A'), (2, 'B')) AS v(id, s) WHERE t.id = v.id");
    await app.execute("UPDATE t SET tags = array_append(tags, ?), doc = jsonb_set(doc, '{n}', to_jsonb(?::int)) WHERE uid = ?", [
      'x',
      5,
      1,
    ]);
    await app.transaction(async (tx) => {
      await tx.execute(MOVE);
      await tx.execute(MOVED);
    });
    await app.execute('DELETE FROM t USING u WHERE t.uid = u.id AND u.id = ? AND t.s = ?', [1, 'A']);
    await drained();

    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, verificationFailures: 0 });
    expect(await secondary.query('SELECT id, s FROM archive ORDER BY id')).toEqual([
      { id: 3, s: 'c' },
      { id: 4, s: 'd' },
    ]);
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['t', 'archive', 'u'] });
    expect(report.ok).toBe(true);
  });

  it("the move in one statement is captured: the archive holds the primary's archived_at", async () => {
    const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
    const secondary = createPostgresAdapter(dbs.database.url, { name: 'b' });
    await createTables(primary, 'clock_timestamp()');
    // A default only the secondary has: a row that took it was not the primary's.
    await createTables(secondary, "'1999-01-01Z'");
    const app = createDualWriteAdapter(primary, secondary);
    cleanup(() => app.close());
    await app.execute("INSERT INTO t (uid, s) VALUES (2, 'c')");
    expect(await app.execute(MOVE_IN_ONE)).toMatchObject({ rowsAffected: 1 });
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['archive', 't'] });
    expect(report.ok).toBe(true);
  });

  it("Drizzle's inserts, ids left to the sequence with DEFAULT, from 16 writers at once", async () => {
    const primary = createPostgresAdapter(dbs.other.url, { name: 'a', max: 16 });
    const secondary = createPostgresAdapter(dbs.database.url, { name: 'b', max: 16 });
    await createTables(primary, 'clock_timestamp()');
    await createTables(secondary, "'1999-01-01Z'");
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => app.close());
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 10; i++) {
          const [row] = await app.query<{ id: unknown }>('insert into "t" ("id", "uid", "s") values (default, ?, ?) returning "id"', [
            w,
            `w${w}-${i}`,
          ]);
          await app.execute('update "t" set "tags" = array_append("tags", ?) where "id" = ?', ['seen', row!.id]);
        }
      }),
    );
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0, verificationFailures: 0 });
    expect(await secondary.first('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM t')).toEqual({ n: 160, ids: 160 });
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['t'] });
    expect(report.ok).toBe(true);
  });

  it('updates by a bound array of keys (`id = ANY(?)`) from 8 writers at once: each row counted once per write, on both sides', async () => {
    const primary = createPostgresAdapter(dbs.other.url, { name: 'a', max: 8 });
    const secondary = createPostgresAdapter(dbs.database.url, { name: 'b', max: 8 });
    await createTables(primary, 'clock_timestamp()');
    await createTables(secondary, "'1999-01-01Z'");
    for (const side of [primary, secondary]) await side.execute('INSERT INTO t (id, uid) SELECT g, 0 FROM generate_series(1, 12) AS g');
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => app.close());
    // Overlapping sets: each row's relative updates must reach the secondary in the primary's order.
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 10; i++) {
          const ids = PostgresArray.from([1 + ((w + i) % 12), 1 + ((w + i + 5) % 12), 12]);
          await app.execute('UPDATE t SET uid = uid + 1 WHERE id = ANY(?::bigint[])', [ids]);
        }
      }),
    );
    expect(app.getMetadata().replicatedByStatement).toEqual([]);
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, secondaryFailures: 0, verificationFailures: 0 });
    // Rows named twice in one array are updated once.
    let writes = 0;
    for (let w = 0; w < 8; w++) for (let i = 0; i < 10; i++) writes += new Set([(w + i) % 12, (w + i + 5) % 12, 11]).size;
    for (const side of [primary, secondary]) expect(await side.first('SELECT sum(uid)::int AS n FROM t')).toEqual({ n: writes });
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['t'] });
    expect(report.ok).toBe(true);
  });
});
