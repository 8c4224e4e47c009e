import { expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, translateSchema } from '../src/index';

// Read without ONLY, a Postgres table others inherit (INHERITS) lists their rows as its
// own: the copy wrote special's rows into items too (a key both hold failed the copy).
it('Postgres -> SQLite and -> Postgres: a table others inherit is copied with its own rows only, and the translation says so', async () => {
  const database = await createTestDatabase();
  const other = await createTestDatabase();
  const source = createPostgresAdapter(database.url, { name: 'source' });
  const pgTarget = createPostgresAdapter(other.url, { name: 'pg' });
  const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
  try {
    await source.execute('CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)');
    await source.execute('CREATE TABLE special (id int PRIMARY KEY, extra text) INHERITS (items)');
    await source.execute('INSERT INTO items (id, n) VALUES (1, 1), (2, 2)');
    await source.execute("INSERT INTO special (id, n, extra) VALUES (2, 20, 'x'), (3, 30, 'y')");
    const tables = await source.introspect();
    const toSqlite = translateSchema(tables, 'sqlite');
    expect(toSqlite.warnings.find((w) => w.kind === 'inheritance')).toMatchObject({ table: 'items', untranslated: false });
    for (const sql of toSqlite.tables) await sqlite.execute(sql);
    // The target made beforehand with the inheritance kept: the copy leaves it as it is.
    await pgTarget.execute('CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)');
    await pgTarget.execute('CREATE TABLE special (id int PRIMARY KEY, extra text) INHERITS (items)');
    const toPg = translateSchema(tables, 'postgres');
    expect(toPg.untranslated.map((w) => w.kind)).toEqual(['inheritance']);
    for (const sql of toPg.tables) await pgTarget.execute(sql);

    for (const target of [sqlite, pgTarget]) {
      const result = await copyTables(source, target, { batchSize: 1 });
      expect(result.tables.map((t) => [t.table, t.status, t.rowsCopied])).toEqual([
        ['items', 'done', 2],
        ['special', 'done', 2],
      ]);
      const only = target.dialect === 'postgres' ? 'ONLY ' : '';
      expect(await target.query(`SELECT id, n FROM ${only}items ORDER BY id`)).toEqual([
        { id: 1, n: 1 },
        { id: 2, n: 2 },
      ]);
      expect((await validateDatabases(source, target, { validateAllRows: true })).ok).toBe(true);
    }
  } finally {
    await Promise.all([source.close(), pgTarget.close(), sqlite.close()]);
    await database.drop();
    await other.drop();
  }
});
