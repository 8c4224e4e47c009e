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
    expect(String((error as Error).message) + String((error as Error).cause ?? '')).toMatch(/Table "notes", key \{"id":3\}, column "body": the text is not well-formed UTF-8 \(bytes 61ff62\)/);
    expect(await pg.query('SELECT id FROM notes WHERE id = 3')).toEqual([]);
  });

  it('SQLite -> SQLite: refused the same way', async () => {
    const target = createSQLiteAdapter(':memory:');
    await target.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    const error = await copyTables(source, target, { tables: ['notes'], checkpoint: false, retries: 0 }).catch((e: unknown) => e as Error);
    expect(String((error as Error).message) + String((error as Error).cause ?? '')).toContain('column "body"');
    await target.close();
  });
});
