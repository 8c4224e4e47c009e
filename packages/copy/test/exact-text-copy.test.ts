import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables } from '../src/index';

let source: SQLiteAdapter;
let database: TestDatabase;
let pg: PostgresAdapter;

beforeAll(async () => {
  source = createSQLiteAdapter(':memory:');
  await source.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  await source.execute("INSERT INTO notes VALUES (1, 'fine'), (2, 'a\uFFFDb is a real U+FFFD'), (3, CAST(X'61FF62' AS TEXT))");
  database = await createTestDatabase();
  pg = createPostgresAdapter(database.url, { max: 2 });
  await pg.execute('CREATE TABLE notes (id bigint PRIMARY KEY, body text)');
});
afterAll(async () => {
  await source?.close();
  await pg?.close();
  await database?.drop();
});

describe('text that is not well-formed UTF-8 is refused by copies, never replaced', () => {
  it('SQLite -> Postgres: an error names the table, the key and the column, and the page is not written', async () => {
    const error = await copyTables(source, pg, { tables: ['notes'], checkpoint: false, retries: 0 }).catch((e: unknown) => e as Error);
    expect(String((error as Error).message) + String((error as Error).cause ?? '')).toMatch(
      /Table "notes", key \{"id":3\}, column "body": the text is not well-formed UTF-8 \(bytes 61ff62\)/,
    );
    expect(await pg.query('SELECT id FROM notes WHERE id = 3')).toEqual([]);
  });

  it('SQLite -> SQLite: refused the same way', async () => {
    const target = createSQLiteAdapter(':memory:');
    await target.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    const error = await copyTables(source, target, { tables: ['notes'], checkpoint: false, retries: 0 }).catch((e: unknown) => e as Error);
    expect(String((error as Error).message) + String((error as Error).cause ?? '')).toContain('column "body"');
    await target.close();
  });

  it('SQLite -> Postgres COPY fast path (reconcile: false): refused with table, key and column, the page not written', async () => {
    await source.execute('CREATE TABLE fast (id INTEGER PRIMARY KEY, title TEXT, body TEXT)');
    await source.execute(
      "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 40) INSERT INTO fast SELECT v, 'row ' || v, 'plain' FROM n",
    );
    await source.execute("UPDATE fast SET body = CAST(X'61FC62' AS TEXT) WHERE id = 17");
    await pg.execute('CREATE TABLE fast (id bigint PRIMARY KEY, title text, body text)');
    const error = await copyTables(source, pg, { tables: ['fast'], reconcile: false, checkpoint: false, retries: 0 }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message) + String((error as Error).cause ?? '')).toMatch(
      /Table "fast", key \{"id":17\}, column "body": the text is not well-formed UTF-8 \(bytes 61fc62\)/,
    );
    expect(await pg.query('SELECT count(*)::int AS n FROM fast')).toEqual([{ n: 0 }]);
  });

  it('SQLite -> Postgres COPY fast path: a genuine U+FFFD is copied as it is', async () => {
    await source.execute('CREATE TABLE fast_ok (id INTEGER PRIMARY KEY, body TEXT)');
    await source.execute("INSERT INTO fast_ok VALUES (1, 'a\uFFFDb'), (2, 'plain')");
    await pg.execute('CREATE TABLE fast_ok (id bigint PRIMARY KEY, body text)');
    const result = await copyTables(source, pg, { tables: ['fast_ok'], reconcile: false, checkpoint: false, retries: 0 });
    expect(result.tables[0]).toMatchObject({ method: 'copy', rowsCopied: 2 });
    expect(await pg.query('SELECT body FROM fast_ok ORDER BY id')).toEqual([{ body: 'a\uFFFDb' }, { body: 'plain' }]);
  });
});
