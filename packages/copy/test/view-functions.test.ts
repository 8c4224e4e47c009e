import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import { copyTables, introspectSchemaObjects, translateSchema } from '../src/index';
import { usePostgresDatabase } from './fixtures';

/**
 * Views, CHECKs and partial indexes that call a function the other engine names
 * differently (SQLite's ifnull, instr, group_concat; Postgres's strpos, string_agg) are
 * translated, created there, and read the same rows on both engines.
 */
const SQLITE_SCHEMA = `
  CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE member (
    id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES team(id), name TEXT NOT NULL,
    nick TEXT CHECK (ifnull(length(nick), 0) < 12), score INTEGER
  );
  CREATE INDEX member_nicked ON member (team_id) WHERE ifnull(nick, '') <> '';
  CREATE VIEW team_members AS
    SELECT team_id, group_concat(name, '; ') AS names, group_concat(DISTINCT ifnull(nick, 'none')) AS nicks, group_concat(score) AS scores
    FROM member GROUP BY team_id;
  CREATE VIEW member_labels AS SELECT id, ifnull(nick, name) AS label, instr(name, 'a') AS first_a, 'group_concat(x)' AS note FROM member;
  CREATE VIEW ordered_names AS SELECT team_id, group_concat(name ORDER BY name) AS names FROM member GROUP BY team_id;
`;

const POSTGRES_SCHEMA = [
  'CREATE TABLE team (id integer PRIMARY KEY, name text NOT NULL)',
  'CREATE TABLE member (id integer PRIMARY KEY, team_id integer NOT NULL REFERENCES team(id), name text NOT NULL, nick text, score integer)',
  `CREATE VIEW team_members AS
    SELECT team_id, string_agg(name, '; ') AS names, string_agg(DISTINCT coalesce(nick, 'none'), ',') AS nicks FROM member GROUP BY team_id`,
  "CREATE VIEW member_labels AS SELECT id, coalesce(nick, name) AS label, strpos(name, 'a') AS first_a FROM member",
  "CREATE VIEW ordered_names AS SELECT team_id, string_agg(name, ',' ORDER BY name) AS names FROM member GROUP BY team_id",
];

const MEMBERS: [number, number, string, string | null, number | null][] = [
  [1, 1, 'ada', 'countess', 36],
  [2, 1, 'grace', null, 85],
  [3, 1, 'linus', 'countess', null],
  [4, 2, 'barbara', 'bl', 7],
  [5, 2, 'ken', null, 12],
  [6, 3, 'dennis', 'dmr', 70],
];

async function seed(db: DatabaseAdapter): Promise<void> {
  for (const t of [1, 2, 3]) await db.execute('INSERT INTO team (id, name) VALUES (?, ?)', [t, `team ${t}`]);
  for (const m of MEMBERS) await db.execute('INSERT INTO member (id, team_id, name, nick, score) VALUES (?, ?, ?, ?, ?)', m);
}

async function run(db: DatabaseAdapter, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await db.execute(sql).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${sql}`)));
}

/** Translated, created, copied; the post-data phase (indexes, views) last, as the runbook orders it. */
async function migrate(source: DatabaseAdapter, target: DatabaseAdapter) {
  const schema = translateSchema(await source.introspect(), target.dialect, { objects: await introspectSchemaObjects(source) });
  await run(target, schema.tables);
  await copyTables(source, target);
  await run(target, schema.postData);
  return schema;
}

/** A view's rows in id order, each aggregated list as its sorted items (neither engine orders an aggregate's input). */
async function viewRows(db: DatabaseAdapter, view: string, key: string): Promise<unknown[]> {
  const rows = await db.query<Record<string, unknown>>(`SELECT * FROM ${view} ORDER BY ${key}`);
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        typeof v === 'string' && /[;,]/.test(v) ? v.split(/[;,] ?/).sort() : v === null ? null : String(v),
      ]),
    ),
  );
}

/** Both views read the same rows on both sides. */
async function expectSameViews(a: DatabaseAdapter, b: DatabaseAdapter): Promise<void> {
  for (const [view, key] of [
    ['team_members', 'team_id'],
    ['member_labels', 'id'],
  ] as const)
    expect(await viewRows(a, view, key), `${a.dialect} ${view}`).toEqual(await viewRows(b, view, key));
}

describe('functions the engines name differently, in views, CHECKs and partial indexes', () => {
  const postgres = usePostgresDatabase();
  it('SQLite -> Postgres: ifnull, instr and group_concat become coalesce, strpos and string_agg; an aggregate ORDER BY is left to the app', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    sqlite.database.exec(SQLITE_SCHEMA);
    await seed(sqlite);
    const pg = postgres.adapter;
    const schema = await migrate(sqlite, pg);
    const text = [...schema.tables, ...schema.postData].join('\n');
    expect(text).toContain('CHECK (coalesce(length(nick), 0) < 12)');
    expect(text).toMatch(/WHERE coalesce\(nick, ''\) <> ''/);
    expect(text).toContain("string_agg(CAST(name AS text), '; ') AS names");
    expect(text).toContain("string_agg(DISTINCT CAST(coalesce(nick, 'none') AS text), ',') AS nicks");
    // A string that spells a call is left as it is.
    expect(text).toContain("strpos(name, 'a') AS first_a, 'group_concat(x)' AS note");
    expect(schema.warnings.find((w) => w.kind === 'view')).toMatchObject({ table: 'ordered_names', untranslated: true });
    await expectSameViews(pg, sqlite);
    // The translated CHECK holds on Postgres as it does on SQLite.
    for (const side of [sqlite, pg])
      await expect(side.execute('UPDATE member SET nick = ? WHERE id = 1', ['a nick far too long'])).rejects.toThrow(/check/i);
    await sqlite.close();
  });

  it('Postgres -> SQLite and D1: strpos and string_agg become instr and group_concat', async () => {
    const pg = postgres.adapter;
    await pg.execute('DROP VIEW team_members, member_labels');
    await pg.execute('DROP INDEX member_nicked');
    await pg.execute('DROP TABLE member, team');
    await run(pg, POSTGRES_SCHEMA);
    await seed(pg);
    const d1 = await createTestD1();
    try {
      for (const target of [createSQLiteAdapter(':memory:'), createD1Adapter(d1.binding)]) {
        const schema = await migrate(pg, target);
        const text = schema.postData.join('\n');
        // Postgres 15 prints the column names qualified (`member.name`), later versions do not.
        expect(text).toMatch(/group_concat\((?:member\.)?name, '; '\) AS names/);
        expect(text).toMatch(/group_concat\(DISTINCT COALESCE\((?:member\.)?nick, 'none'\)\) AS nicks/);
        expect(text).toMatch(/instr\((?:member\.)?name, 'a'\) AS first_a/);
        expect(schema.warnings.find((w) => w.kind === 'view')).toMatchObject({ table: 'ordered_names', untranslated: true });
        await expectSameViews(target, pg);
        await target.close();
      }
    } finally {
      await d1.dispose();
    }
  });
});
