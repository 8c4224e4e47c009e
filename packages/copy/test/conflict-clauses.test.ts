import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { copyTables, translateSchema } from '../src/index';
import { withMemorySqlite, withSqliteAndD1 } from './fixtures';

// A SQLite constraint may say what a plain INSERT does when it meets it: REPLACE deletes the
// row holding the value, IGNORE skips the write. Apps rely on it (an upsert written as a
// plain INSERT), so a SQLite or D1 target that drops it fails writes the source took.
const HANDLES = `CREATE TABLE handles (
  id INTEGER PRIMARY KEY ON CONFLICT REPLACE,
  email TEXT NOT NULL UNIQUE ON CONFLICT REPLACE,
  nick TEXT NOT NULL ON CONFLICT IGNORE,
  a INTEGER, b INTEGER,
  UNIQUE (a, b) ON CONFLICT IGNORE
)`;

async function expectSameConflicts(db: DatabaseAdapter): Promise<void> {
  // The email of row 1 under a new key: row 1 is replaced.
  await db.execute("INSERT INTO handles (id, email, nick) VALUES (3, 'ann@x.io', 'ann2')");
  // A NULL nick, and a pair row 2 holds: both skipped, without an error.
  await db.execute("INSERT INTO handles (id, email, nick) VALUES (4, 'dee@x.io', NULL)");
  await db.execute("INSERT INTO handles (id, email, nick, a, b) VALUES (5, 'eve@x.io', 'eve', 1, 2)");
  // An id that exists: its row is replaced.
  await db.execute("INSERT INTO handles (id, email, nick) VALUES (2, 'bob@x.io', 'bobby')");
  expect(await db.query('SELECT id, email, nick FROM handles ORDER BY id')).toEqual([
    { id: 2, email: 'bob@x.io', nick: 'bobby' },
    { id: 3, email: 'ann@x.io', nick: 'ann2' },
  ]);
}

describe('SQLite conflict clauses', () => {
  it('SQLite -> SQLite and D1 keep ON CONFLICT REPLACE and IGNORE on keys, unique constraints and NOT NULL', async () => {
    await withSqliteAndD1(async ({ sqlite: source, other, d1 }) => {
      await source.execute(HANDLES);
      await source.execute("INSERT INTO handles VALUES (1, 'ann@x.io', 'ann', NULL, NULL), (2, 'bob@x.io', 'bob', 1, 2)");
      const tables = await source.introspect();
      expect(tables[0]!.conflictClauses).toEqual([
        { constraint: 'primaryKey', columns: ['id'], action: 'REPLACE' },
        { constraint: 'unique', columns: ['email'], action: 'REPLACE' },
        { constraint: 'notNull', columns: ['nick'], action: 'IGNORE' },
        { constraint: 'unique', columns: ['a', 'b'], action: 'IGNORE' },
      ]);
      for (const target of [other, d1]) {
        const schema = translateSchema(tables, target.dialect, { from: 'sqlite' });
        expect(schema.warnings).toEqual([]);
        for (const sql of schema.statements) await target.execute(sql);
        await copyTables(source, target);
        const kept = (await target.introspect()).find((t) => t.name === 'handles')!.conflictClauses;
        expect(kept).toHaveLength(4);
        expect(kept).toEqual(expect.arrayContaining(tables[0]!.conflictClauses!));
        await expectSameConflicts(target);
      }
    });
  });

  it('SQLite -> Postgres reports each clause as untranslated, with the statement to write instead', async () => {
    await withMemorySqlite(async (source) => {
      await source.execute(HANDLES);
      const schema = translateSchema(await source.introspect(), 'postgres', { from: 'sqlite' });
      const lost = schema.untranslated.filter((w) => w.kind === 'conflict');
      expect(lost.map((w) => w.sql)).toEqual([
        'PRIMARY KEY (id) ON CONFLICT REPLACE',
        'UNIQUE (email) ON CONFLICT REPLACE',
        'NOT NULL (nick) ON CONFLICT IGNORE',
        'UNIQUE (a, b) ON CONFLICT IGNORE',
      ]);
      expect(lost[1]!.message).toMatch(/deletes that row on SQLite; on Postgres it fails\. Write INSERT … ON CONFLICT \(email\) DO UPDATE/);
      expect(lost[3]!.message).toMatch(/ON CONFLICT \(a, b\) DO NOTHING/);
    });
  });
});
