import { createTestDatabase } from '@switchyard/testkit';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PostgresAdapter } from './postgres-adapter';
import { PreparedNames } from './_internal/prepared-names';
import { createPostgresAdapter } from './postgres-create';

const database = await createTestDatabase();
afterAll(() => database.drop());

// One connection, so what the adapter prepared can be read back from pg_prepared_statements.
let adapter: PostgresAdapter;
beforeEach(async () => {
  adapter = createPostgresAdapter(database.url, { max: 1 });
  await adapter.execute('DROP TABLE IF EXISTS kept; CREATE TABLE kept (id int PRIMARY KEY, note text)');
});
afterEach(() => adapter.close());

const INSERT = 'INSERT INTO kept (id, note) VALUES (?, ?) RETURNING *';
/** The names prepared on the connection, their process-wide numbers as N. */
const prepared = async () =>
  (await adapter.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).map((r) => r.name.replace(/\d+$/, 'N'));

describe('keepPrepared', () => {
  it('prepares a kept text once per connection and runs it by name; other texts stay unprepared', async () => {
    adapter.keepPrepared(INSERT);
    for (let id = 1; id <= 3; id++) expect(await adapter.execute(INSERT, [id, `n${id}`])).toMatchObject({ rows: [{ id, note: `n${id}` }] });
    await adapter.execute('UPDATE kept SET note = ? WHERE id = ?', ['x', 1]);
    expect(await prepared()).toEqual(['sy_prepared_N']);
  });

  it('runs the text unprepared when a table changed under its plan, then prepares it anew', async () => {
    const all = 'SELECT * FROM kept ORDER BY id';
    adapter.keepPrepared(all);
    await adapter.execute(INSERT, [1, 'a']);
    expect(await adapter.query(all)).toEqual([{ id: 1, note: 'a' }]);
    // The prepared plan's result type no longer holds: Postgres refuses to run it (0A000).
    await adapter.execute('ALTER TABLE kept ADD COLUMN extra int DEFAULT 7');
    expect(await adapter.query(all)).toEqual([{ id: 1, note: 'a', extra: 7 }]);
    adapter.keepPrepared(all);
    expect(await adapter.query(all)).toEqual([{ id: 1, note: 'a', extra: 7 }]);
    expect(await prepared()).toEqual(['sy_prepared_N', 'sy_prepared_N']);
  });

  it('a schema change through the adapter renames its kept texts: a transaction that alters a table reads it again by a new name', async () => {
    const row = 'SELECT * FROM kept WHERE id = ?';
    adapter.keepPrepared(row);
    await adapter.execute(INSERT, [1, 'a']);
    expect(await adapter.query(row, [1])).toEqual([{ id: 1, note: 'a' }]);
    const read = await adapter.transaction(async (tx) => {
      await tx.execute('ALTER TABLE kept ADD COLUMN extra int DEFAULT 7');
      // Kept again as a caller that reads rows keeps it: prepared anew, after the change.
      adapter.keepPrepared(row);
      return tx.query(row, [1]);
    });
    expect(read).toEqual([{ id: 1, note: 'a', extra: 7 }]);
  });

  it('a plan made stale by a change from elsewhere: a batch runs again with it unprepared, a transaction never runs by name', async () => {
    const all = 'SELECT * FROM kept WHERE id = ?';
    adapter.keepPrepared(all);
    adapter.keepPrepared(INSERT);
    await adapter.execute(INSERT, [1, 'a']);
    await adapter.batch([
      { sql: all, params: [1] },
      { sql: INSERT, params: [2, 'b'] },
    ]);
    const alter = async (sql: string) => {
      const other = createPostgresAdapter(database.url, { max: 1 });
      await other.execute(sql);
      await other.close();
    };
    await alter('ALTER TABLE kept ADD COLUMN extra int DEFAULT 7');
    // Both kept texts are stale now (a row type and a RETURNING * that changed): the batch tries again until neither is.
    const [read, inserted] = await adapter.batch([
      { sql: all, params: [1] },
      { sql: INSERT, params: [3, 'c'] },
    ]);
    expect(read!.rows).toEqual([{ id: 1, note: 'a', extra: 7 }]);
    expect(inserted!.rows).toEqual([{ id: 3, note: 'c', extra: 7 }]);
    expect(await adapter.query('SELECT id FROM kept ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    // Kept again and prepared anew; another change from elsewhere; a transaction reads by the text and commits.
    adapter.keepPrepared(all);
    expect(await adapter.query(all, [1])).toEqual([{ id: 1, note: 'a', extra: 7 }]);
    await alter('ALTER TABLE kept ADD COLUMN more int DEFAULT 8');
    const inTx = await adapter.transaction(async (tx) => {
      const row = await tx.query(all, [1]);
      await tx.execute(INSERT, [4, 'd']);
      return row;
    });
    expect(inTx).toEqual([{ id: 1, note: 'a', extra: 7, more: 8 }]);
    expect(await adapter.query('SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 4 }]);
  });

  it("keeps preparing when the app's own statement fails with a prepared-statement error", async () => {
    adapter.keepPrepared(INSERT);
    await expect(
      adapter.batch([
        { sql: 'EXECUTE not_there', params: [] },
        { sql: INSERT, params: [1, 'a'] },
      ]),
    ).rejects.toThrow(/not_there/);
    await expect(adapter.execute('EXECUTE not_there')).rejects.toThrow(/not_there/);
    await adapter.execute(INSERT, [2, 'b']);
    expect(await prepared()).toEqual(['sy_prepared_N']);
  });

  it('turns naming off when the server already has a statement of that name (a pooler shared the connection)', () => {
    const names = new PreparedNames();
    names.keep('SELECT 1');
    expect(names.nameOf('SELECT 1')).toMatch(/^sy_prepared_\d+$/);
    expect(names.failed('SELECT 1', { code: '23505', message: 'duplicate key' })).toBe(false);
    expect(names.failed('SELECT 1', { code: '42P05', message: 'prepared statement "sy_prepared_1" already exists' })).toBe(true);
    names.keep('SELECT 1');
    expect(names.nameOf('SELECT 1')).toBeUndefined();
  });

  it('stops preparing when the server has lost a prepared statement (a pooler moved the session)', async () => {
    adapter.keepPrepared(INSERT);
    await adapter.execute(INSERT, [1, 'a']);
    // Gone on the server, while pg still thinks this connection has it: as behind PgBouncer in transaction mode.
    await adapter.execute('DEALLOCATE ALL');
    expect((await adapter.execute(INSERT, [2, 'b'])).rowsAffected).toBe(1);
    adapter.keepPrepared(INSERT);
    await adapter.execute(INSERT, [3, 'c']);
    expect(await prepared()).toEqual([]);
    expect(await adapter.query('SELECT id FROM kept ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });
});
