import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { copyTables, translateSchema } from '../src/index';
import { withSqliteAndD1 } from './fixtures';

// SQLite apps often make an email unique regardless of case with COLLATE NOCASE. A target
// that drops it tells 'A@x' from 'a@x': a second account for one address, a login that
// no longer finds its user. SQLite and D1 keep it; Postgres has no such name, and is told.
const USERS = `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT COLLATE RTRIM, note TEXT)`;

async function expectCaseInsensitive(db: DatabaseAdapter): Promise<void> {
  await expect(db.execute("INSERT INTO users (id, email) VALUES (3, 'ANN@X.IO')")).rejects.toThrow(/unique/i);
  expect(await db.query("SELECT id FROM users WHERE email = 'Ann@x.io'")).toEqual([{ id: 1 }]);
  expect(await db.query("SELECT id FROM users WHERE name = 'Ann'")).toEqual([{ id: 1 }]);
}

describe('column collations', () => {
  it('SQLite -> SQLite and D1 keep COLLATE NOCASE and RTRIM', async () => {
    await withSqliteAndD1(async ({ sqlite: source, other: target, d1 }) => {
      await source.execute(USERS);
      await source.execute("INSERT INTO users (id, email, name) VALUES (1, 'ann@x.io', 'Ann  '), (2, 'bob@x.io', 'Bob')");
      const columns = (await source.introspect())[0]!.columns;
      expect(columns.map((c) => c.collation)).toEqual([undefined, 'NOCASE', 'RTRIM', undefined]);
      for (const to of [target, d1]) {
        const schema = translateSchema(await source.introspect(), to.dialect, { from: 'sqlite' });
        expect(schema.warnings.filter((w) => w.kind === 'collation')).toEqual([]);
        for (const sql of schema.statements) await to.execute(sql);
        await copyTables(source, to);
        await expectCaseInsensitive(to);
      }
    });
  });

  it('SQLite -> Postgres says which columns lose their collation, and what to do', async () => {
    const source = createSQLiteAdapter(':memory:');
    try {
      await source.execute(USERS);
      const schema = translateSchema(await source.introspect(), 'postgres', { from: 'sqlite' });
      const lost = schema.untranslated.filter((w) => w.kind === 'collation');
      expect(lost.map((w) => [w.column, w.sql])).toEqual([
        ['email', 'COLLATE NOCASE'],
        ['name', 'COLLATE RTRIM'],
      ]);
      expect(lost[0]!.message).toMatch(/case-sensitive.*citext/);
    } finally {
      await source.close();
    }
  });
});
