import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import type { DatabaseAdapter } from '@switchyard/core';
import { dropOwnTables, twoTestDatabases } from './two-databases';
import { cleanupAfterEach, syncOrOutbox } from './open-side';

/**
 * Items of Postgres arrays that JavaScript values shorten. Timestamps (`timestamptz[]`,
 * `timestamp[]`) with microseconds: a row image carried them (the adapter reads a
 * PreciseDate), but the array was written with millisecond ISO text, to Postgres and as
 * JSON text to SQLite, and neither `verifyWrites` nor validation saw the difference.
 * Integers past 2^53 (`bigint[]`): written to SQLite as JSON strings, and read from
 * SQLite's JSON text as doubles (9007199254740993 became ...992 on Postgres). Now the
 * secondary holds every digit, and one off is flagged.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

const PG_TABLE = 'CREATE TABLE stamps (id bigserial PRIMARY KEY, ats timestamptz[] NOT NULL, tss timestamp[])';

async function writes(app: DatabaseAdapter): Promise<void> {
  await app.execute(`INSERT INTO stamps (ats, tss) VALUES ('{"2024-01-01 10:00:00.123456+00",NULL}', '{"0044-03-15 12:00:00.000001 BC"}')`);
  await app.execute("INSERT INTO stamps (ats) VALUES (ARRAY[clock_timestamp(), '2024-06-01 00:00:00.000001+00'])");
  await app.execute("UPDATE stamps SET ats = ats || '2025-01-01 00:00:00.999999+00'::timestamptz WHERE id = ?", [1]);
}

describe('timestamps inside Postgres arrays', () => {
  it.each(['sync', 'outbox'] as const)('Postgres -> Postgres (%s): every microsecond arrives, and one off is found', async (mode) => {
    const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
    const secondary = createPostgresAdapter(dbs.database.url, { name: 'b' });
    for (const side of [primary, secondary]) {
      await dropOwnTables(side);
      await side.execute('DROP TABLE IF EXISTS stamps');
      await side.execute(PG_TABLE);
    }
    const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);
    await writes(app);
    await drained();
    const text = 'SELECT id, ats::text, tss::text FROM stamps ORDER BY id';
    expect(await secondary.query(text)).toEqual(await primary.query(text));
    expect(app.getMetrics()).toMatchObject({ journalDepth: 0, verificationFailures: 0 });
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['stamps'] })).ok).toBe(true);
    await secondary.execute("UPDATE stamps SET ats[1] = ats[1] + interval '1 microsecond' WHERE id = 1");
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['stamps'] })).ok).toBe(false);
    await primary.close();
    await secondary.close();
  });

  it.each(['sync', 'outbox'] as const)(
    'Postgres -> SQLite (%s): the JSON text keeps every microsecond, and one off is found',
    async (mode) => {
      const primary = createPostgresAdapter(dbs.other.url, { name: 'a' });
      const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
      await dropOwnTables(primary);
      await primary.execute('DROP TABLE IF EXISTS stamps');
      await primary.execute(PG_TABLE);
      await secondary.execute('CREATE TABLE stamps (id INTEGER PRIMARY KEY, ats TEXT NOT NULL, tss TEXT)');
      const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);
      await app.execute(`INSERT INTO stamps (ats) VALUES ('{"2024-01-01 10:00:00.123456+00",NULL}')`);
      await app.execute("UPDATE stamps SET ats = ats || '2025-01-01 00:00:00.999999+00'::timestamptz WHERE id = ?", [1]);
      await drained();
      expect(await secondary.first('SELECT ats FROM stamps')).toEqual({
        ats: '["2024-01-01T10:00:00.123456Z",null,"2025-01-01T00:00:00.999999Z"]',
      });
      expect(app.getMetrics()).toMatchObject({ journalDepth: 0, verificationFailures: 0 });
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['stamps'] })).ok).toBe(true);
      await secondary.execute(`UPDATE stamps SET ats = '["2024-01-01T10:00:00.123457Z",null,"2025-01-01T00:00:00.999999Z"]'`);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['stamps'] })).ok).toBe(false);
      await primary.close();
      await secondary.close();
    },
  );

  it.each(['sync', 'outbox'] as const)(
    'bigint[] past 2^53, SQLite -> Postgres and Postgres -> SQLite (%s): every digit arrives',
    async (mode) => {
      const pg = createPostgresAdapter(dbs.other.url, { name: 'pg' });
      await dropOwnTables(pg);
      await pg.execute('DROP TABLE IF EXISTS bigs');
      await pg.execute('CREATE TABLE bigs (id bigint PRIMARY KEY, ns bigint[])');
      for (const pgIsPrimary of [false, true]) {
        const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
        await sqlite.execute('CREATE TABLE bigs (id INTEGER PRIMARY KEY, ns TEXT)');
        const [primary, secondary] = pgIsPrimary ? [pg, sqlite] : [sqlite, pg];
        const { adapter: app, drained } = syncOrOutbox(primary, secondary, mode, cleanup);
        const id = pgIsPrimary ? 2 : 1;
        const list = pgIsPrimary ? "'{9007199254740993,NULL,-9223372036854775808}'" : "'[9007199254740993,null,-9223372036854775808]'";
        await app.execute(`INSERT INTO bigs (id, ns) VALUES (${id}, ${list})`);
        await drained();
        expect(app.getMetrics()).toMatchObject({ journalDepth: 0, verificationFailures: 0 });
        expect(await pg.first('SELECT ns::text FROM bigs WHERE id = ?', [id])).toEqual({
          ns: '{9007199254740993,NULL,-9223372036854775808}',
        });
        expect(await sqlite.first('SELECT ns FROM bigs WHERE id = ?', [id])).toEqual({
          ns: '[9007199254740993,null,-9223372036854775808]',
        });
        await sqlite.close();
      }
      await pg.close();
    },
  );
});
