import { describe, expect, it } from 'vitest';
import { UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { translateSchema } from '../src/index';
import { usePostgresDatabase } from './fixtures';
import { createDualWriteAdapter } from './patient-dual-write';

/**
 * A view a live migration creates, with dual write and `translateSchema`: written in the
 * secondary's words when its SQL translates (SQLite's `group_concat` and `ifnull` as
 * Postgres's `string_agg` and `coalesce`, and back), refused before it runs when it does not.
 */
const TABLE = 'CREATE TABLE member (id INTEGER PRIMARY KEY, team INTEGER NOT NULL, name TEXT NOT NULL, nick TEXT)';
const SQLITE_VIEW =
  "CREATE VIEW team_names AS SELECT team, group_concat(name, '; ') AS names, count(ifnull(nick, name)) AS n FROM member GROUP BY team";
const MEMBERS = [
  [1, 1, 'ada', 'countess'],
  [2, 1, 'grace', null],
  [3, 2, 'ken', 'k'],
];

/** The view's rows by team, each list of names sorted (neither engine orders an aggregate's input). */
async function teams(db: DatabaseAdapter): Promise<unknown[]> {
  const rows = await db.query<{ team: unknown; names: string; n: unknown }>('SELECT team, names, n FROM team_names ORDER BY team');
  return rows.map((r) => ({ team: Number(r.team), names: r.names.split('; ').sort(), n: Number(r.n) }));
}

describe("dual write with translateSchema: views in the secondary's words", () => {
  const postgres = usePostgresDatabase();
  const freshPostgres = async () => {
    await postgres.adapter.execute('DROP VIEW IF EXISTS team_names; DROP TABLE IF EXISTS member CASCADE');
    return createPostgresAdapter(postgres.url, { name: 'postgres' });
  };

  for (const how of ['batch', 'transaction', 'd1 batch'] as const) {
    it(`SQLite -> Postgres (${how}): a view with group_concat and ifnull reads the same rows on Postgres`, async () => {
      const testD1 = how === 'd1 batch' ? await createTestD1() : undefined;
      const primary = testD1 ? createD1Adapter(testD1.binding, { name: 'd1' }) : createSQLiteAdapter(':memory:', { name: 'sqlite' });
      const app = createDualWriteAdapter(primary, await freshPostgres(), { translateSchema });
      try {
        if (how === 'transaction')
          await app.transaction(async (tx) => {
            await tx.execute(TABLE);
            await tx.execute(SQLITE_VIEW);
          });
        else await app.batch([{ sql: TABLE }, { sql: SQLITE_VIEW }]);
        for (const m of MEMBERS) await app.execute('INSERT INTO member (id, team, name, nick) VALUES (?, ?, ?, ?)', m);
        expect(await teams(postgres.adapter)).toEqual(await teams(primary));
        expect(await teams(postgres.adapter)).toEqual([
          { team: 1, names: ['ada', 'grace'], n: 2 },
          { team: 2, names: ['ken'], n: 1 },
        ]);
        // A view whose SQL does not translate is refused before it runs, as before.
        const refused = await app
          .execute("CREATE VIEW nicknames AS SELECT json_extract(nick, '$.a') AS a FROM member")
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(UnsupportedError);
        expect(await primary.query("SELECT name FROM sqlite_master WHERE name = 'nicknames'")).toEqual([]);
      } finally {
        await app.close();
        await testD1?.dispose();
      }
    });
  }

  it('Postgres -> SQLite: a view with string_agg and coalesce reads the same rows on SQLite', async () => {
    const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
    const app = createDualWriteAdapter(await freshPostgres(), sqlite, { translateSchema });
    try {
      await app.batch([
        { sql: 'CREATE TABLE member (id integer PRIMARY KEY, team integer NOT NULL, name text NOT NULL, nick text)' },
        {
          sql: "CREATE VIEW team_names AS SELECT team, string_agg(name, '; ') AS names, count(coalesce(nick, name)) AS n FROM member GROUP BY team",
        },
      ]);
      for (const m of MEMBERS) await app.execute('INSERT INTO member (id, team, name, nick) VALUES (?, ?, ?, ?)', m);
      expect(await teams(sqlite)).toEqual(await teams(postgres.adapter));
      expect((await sqlite.query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'team_names'"))[0]!.sql).toMatch(
        /group_concat\(name, '; '\)/,
      );
    } finally {
      await app.close();
    }
  });
});
