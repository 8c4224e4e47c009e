import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { markTranslations, translationOf } from './translated-definitions';
import { tokenize } from './sql-tokens';

const of = (sql: string) => translationOf(tokenize(sql));
const made = (what: string, table: string, name = table, ifNotExists = false) => ({ what, table, name, ifNotExists });

describe('translationOf', () => {
  it('names the table, index or added column a SQLite definition makes', () => {
    expect(of('CREATE TABLE `notes` (`id` integer PRIMARY KEY AUTOINCREMENT)')).toEqual(made('table', 'notes', 'notes', false));
    expect(of('CREATE TABLE IF NOT EXISTS main."Mixed" (a, b AS (a + 1))')).toEqual(made('table', 'Mixed', 'Mixed', true));
    expect(of('CREATE UNIQUE INDEX IF NOT EXISTS [by email] ON users (email)')).toEqual(made('index', 'users', 'by email', true));
    expect(of("ALTER TABLE `users` ADD `nick` text DEFAULT 'x'")).toEqual(made('column', 'users', 'nick', false));
    expect(of('alter table users add column "as" integer')).toEqual(made('column', 'users', 'as', false));
    for (const sql of [
      'CREATE TRIGGER t AFTER INSERT ON notes BEGIN SELECT 1; END',
      'CREATE TEMP TRIGGER t BEFORE DELETE ON notes BEGIN SELECT 1; END',
      'DROP TRIGGER IF EXISTS t',
    ])
      expect(of(sql)?.what, sql).toBe('trigger');
  });

  it('leaves what it cannot read from the table the primary made: a query-filled or temporary table, a constraint, anything else', () => {
    for (const sql of [
      'CREATE TABLE t AS SELECT * FROM u',
      'CREATE TEMP TABLE t (a)',
      'CREATE VIRTUAL TABLE t USING fts5(a)',
      'CREATE UNIQUE TABLE t (a)',
      'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)',
      'ALTER TABLE t RENAME TO u',
      'CREATE VIEW v AS SELECT 1',
      'DROP TABLE t',
    ])
      expect(of(sql), sql).toBeUndefined();
  });
});

describe('markTranslations', () => {
  const side = (dialect: string) => ({ dialect }) as DatabaseAdapter;

  it("marks definitions and double quotes other statements' names, from SQLite or D1 to Postgres only", () => {
    const statements = [
      { sql: 'CREATE INDEX `i` ON `t` (`a`)' },
      { sql: "DROP TABLE `odd``name` -- 'not `a` name'" },
      { sql: 'ALTER TABLE [t] RENAME COLUMN `a` TO b /* `x` */' },
      { sql: "INSERT INTO `t` (a) VALUES ('`')" },
    ];
    const marked = markTranslations(side('d1'), side('postgres'), statements);
    expect(marked[0]!.translation).toEqual(made('index', 't', 'i'));
    expect(marked[1]!.sql).toBe(`DROP TABLE "odd\`name" -- 'not \`a\` name'`);
    expect(marked[2]!.sql).toBe('ALTER TABLE "t" RENAME COLUMN "a" TO b /* `x` */');
    expect(marked[3]!.sql).toBe('INSERT INTO "t" (a) VALUES (\'`\')');
    expect(markTranslations(side('postgres'), side('postgres'), statements)).toBe(statements);
    expect(markTranslations(side('sqlite'), side('d1'), statements)).toBe(statements);
  });

  it('marks a table rebuilt within the statements: the new table takes its final definition, the drop and the rename their keys', () => {
    const marked = markTranslations(side('d1'), side('postgres'), [
      { sql: 'PRAGMA defer_foreign_keys=ON', idle: 'the primary session' },
      { sql: 'CREATE TABLE `__new_users` (`id` integer PRIMARY KEY, `name` text)' },
      { sql: 'INSERT INTO `__new_users`("id", "name") SELECT "id", "name" FROM `users`' },
      { sql: 'DROP TABLE `users`' },
      { sql: 'ALTER TABLE `__new_users` RENAME TO `users`' },
      { sql: 'DROP TABLE IF EXISTS `old_logs`' },
    ]);
    expect(marked[1]!.translation).toEqual({ ...made('table', '__new_users'), final: 'users' });
    expect(marked[2]).toEqual({ sql: 'INSERT INTO "__new_users"("id", "name") SELECT "id", "name" FROM "users"' });
    expect(marked[3]).toEqual({ sql: 'DROP TABLE "users"', translation: made('drop', 'users') });
    expect(marked[4]).toEqual({ sql: 'ALTER TABLE "__new_users" RENAME TO "users"', translation: made('rename', 'users', '__new_users') });
    expect(marked[5]).toEqual({ sql: 'DROP TABLE IF EXISTS "old_logs"' });
  });

  it('from a Postgres primary to SQLite or D1: tables, indexes, columns, types and the ALTERs SQLite makes the table again for', () => {
    const marked = markTranslations(side('postgres'), side('d1'), [
      { sql: 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz DEFAULT now())' },
      { sql: 'ALTER TABLE users ADD COLUMN bio text' },
      { sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_bio ON users (bio)' },
      { sql: "CREATE TYPE mood AS ENUM ('ok')" },
      { sql: "ALTER TABLE ONLY users ALTER COLUMN bio SET DEFAULT '', ADD CONSTRAINT u UNIQUE (bio)" },
      { sql: 'ALTER TABLE users ALTER COLUMN bio SET NOT NULL, ADD COLUMN n int' },
      { sql: 'ALTER TABLE users RENAME COLUMN bio TO about' },
      { sql: 'INSERT INTO users DEFAULT VALUES' },
    ]);
    const to = 'd1';
    expect(marked.map((s) => s.translation)).toEqual([
      { ...made('table', 'users'), to },
      { ...made('column', 'users', 'bio'), to, covered: true },
      { ...made('index', 'users', 'users_bio', true), to },
      { ...made('type', '', ''), to },
      { ...made('rebuild', 'users'), to },
      undefined,
      undefined,
      undefined,
    ]);
  });
});
