import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, introspectSchemaObjects, translateSchema } from '../src/index';
import { usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// A unique index on lower(email) is how an app keeps one account per address regardless of
// case. Left out of a translation, the new database takes a second account for one address.
const keys = async (db: DatabaseAdapter, table: string) =>
  (await db.introspect())
    .find((t) => t.name === table)!
    .indexes.map((i) => [i.name, i.columns.map((c) => c.replace(/\s|"|::text/g, '')), i.unique])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('indexes on expressions', () => {
  const postgres = usePostgresDatabase();

  it('SQLite -> Postgres -> SQLite and D1 carry portable expression keys, enforce them, and leave out what does not translate', async () => {
    await withSqliteAndD1(async ({ sqlite, other, d1 }) => {
      await sqlite.execute('CREATE TABLE "Users" (id INTEGER PRIMARY KEY, email TEXT NOT NULL, org INT, "Nick" TEXT, data TEXT)');
      await sqlite.execute('CREATE UNIQUE INDEX users_email_ci ON "Users" (lower(email))');
      await sqlite.execute('CREATE UNIQUE INDEX users_org_nick ON "Users" (org, upper(trim("Nick")) DESC) WHERE org IS NOT NULL');
      await sqlite.execute('CREATE INDEX users_data_kind ON "Users" (json_extract(data, \'$.kind\'))');
      // SQLite's ->> reads a path from text; on Postgres the column is text, which has no ->>.
      await sqlite.execute('CREATE INDEX users_data_tag ON "Users" (data ->> \'$.tag\')');
      await sqlite.execute("INSERT INTO \"Users\" VALUES (1, 'Ann@x.io', 1, ' ann', '{\"kind\":\"a\"}'), (2, 'bob@x.io', 1, 'Bob', NULL)");
      // The introspection names an expression key by its SQL, as Postgres reports one.
      expect(await keys(sqlite, 'Users')).toEqual([
        ['users_data_kind', ["json_extract(data,'$.kind')"], false],
        ['users_data_tag', ["data->>'$.tag'"], false],
        ['users_email_ci', ['lower(email)'], true],
        ['users_org_nick', ['org', 'upper(trim(Nick))'], true],
      ]);

      const toPg = translateSchema(await sqlite.introspect(), 'postgres', { from: 'sqlite' });
      expect(toPg.untranslated.map((w) => w.message)).toEqual([
        expect.stringMatching(
          /index "users_data_kind" on expression\(s\) json_extract\(data, '\$\.kind'\) uses SQL that does not translate/,
        ),
        expect.stringMatching(/index "users_data_tag" on expression\(s\) data ->> '\$\.tag' uses SQL that does not translate/),
      ]);
      // SQLite's lower() folds ASCII letters only: the note says what that means for a unique index.
      expect(toPg.warnings.filter((w) => /fold ASCII/.test(w.message)).map((w) => w.message)).toEqual([
        expect.stringContaining('unique index "users_email_ci" on lower(email)'),
        expect.stringContaining('unique index "users_org_nick" on upper(trim("Nick"))'),
      ]);
      for (const sql of toPg.statements) await postgres.adapter.execute(sql);
      await copyTables(sqlite, postgres.adapter);
      expect(await keys(postgres.adapter, 'Users')).toEqual([
        ['users_email_ci', ['lower(email)'], true],
        // Postgres prints trim(x) as TRIM(BOTH FROM x), which SQLite does not read: it goes back as trim(x).
        ['users_org_nick', ['org', 'upper(TRIM(BOTHFROMNick))'], true],
      ]);
      await expect(postgres.adapter.execute('INSERT INTO "Users" (id, email) VALUES (3, \'ANN@X.IO\')')).rejects.toThrow(/unique/i);
      await expect(
        postgres.adapter.execute('INSERT INTO "Users" (id, email, org, "Nick") VALUES (3, \'c@x\', 1, \'ANN \')'),
      ).rejects.toThrow(/unique/i);
      // Outside the partial index's rows the same nickname is taken.
      await postgres.adapter.execute('INSERT INTO "Users" (id, email, "Nick") VALUES (3, \'c@x\', \'ANN\')');

      // Back from Postgres's own text (btrim, casts) to SQLite and D1: the same indexes, enforced.
      const back = translateSchema(await postgres.adapter.introspect(), 'sqlite', { from: 'postgres' });
      expect(back.untranslated.filter((w) => w.kind === 'index')).toEqual([]);
      for (const target of [other, d1]) {
        for (const sql of back.statements) await target.execute(sql);
        await copyTables(postgres.adapter, target);
        expect((await validateDatabases(postgres.adapter, target, { validateAllRows: true, tables: ['Users'] })).ok).toBe(true);
        await expect(target.execute('INSERT INTO "Users" (id, email) VALUES (4, \'BOB@x.io\')')).rejects.toThrow(/unique/i);
        await expect(target.execute('INSERT INTO "Users" (id, email, org, "Nick") VALUES (4, \'d@x\', 1, \' bob \')')).rejects.toThrow(
          /unique/i,
        );
        await target.execute('INSERT INTO "Users" (id, email, org, "Nick") VALUES (4, \'d@x\', 2, \'bob\')');
      }
    });
  });

  it('SQLite -> SQLite keeps every expression key as written, and Postgres -> SQLite leaves out what SQLite cannot read', async () => {
    await withSqliteAndD1(async ({ sqlite, other }) => {
      await sqlite.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, data TEXT)');
      await sqlite.execute("CREATE UNIQUE INDEX docs_slug ON docs (json_extract(data, '$.slug') COLLATE NOCASE)");
      const same = translateSchema(await sqlite.introspect(), 'sqlite', { from: 'sqlite' });
      expect(same.warnings).toEqual([]);
      for (const sql of same.statements) await other.execute(sql);
      await other.execute(`INSERT INTO docs VALUES (1, '{"slug":"a"}')`);
      await expect(other.execute(`INSERT INTO docs VALUES (2, '{"slug":"A"}')`)).rejects.toThrow(/unique/i);
    });
    await postgres.adapter.execute(
      "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb, at timestamptz, name text CHECK (trim(name) <> ''), code text CHECK (trim(both 'x' from code) <> ''))",
    );
    await postgres.adapter.execute("CREATE UNIQUE INDEX events_ref ON events ((payload->>'ref'))");
    await postgres.adapter.execute("CREATE INDEX events_day ON events (date_trunc('day', at AT TIME ZONE 'UTC'))");
    const tables = (await postgres.adapter.introspect()).filter((t) => t.name === 'events');
    const toSqlite = translateSchema(tables, 'sqlite', { from: 'postgres', objects: await introspectSchemaObjects(postgres.adapter) });
    expect(toSqlite.untranslated.map((w) => w.message)).toEqual([
      'CHECK events_code_check uses SQL that does not translate; add it by hand',
      expect.stringMatching(
        /index "events_day" on expression\(s\) date_trunc\('day'::text, .* uses SQL that does not translate; it was left out/,
      ),
    ]);
    // ->> reads a key of a JSON object on both engines.
    await withSqliteAndD1(async ({ sqlite }) => {
      for (const sql of toSqlite.statements) await sqlite.execute(sql);
      await sqlite.execute(`INSERT INTO events (id, payload) VALUES (1, '{"ref":"r1"}')`);
      await expect(sqlite.execute(`INSERT INTO events (id, payload) VALUES (2, '{"ref":"r1","n":2}')`)).rejects.toThrow(/unique/i);
      // Postgres prints the CHECK's trim(name) as TRIM(BOTH FROM name): it is read back as trim(name).
      await expect(sqlite.execute(`INSERT INTO events (id, name) VALUES (3, '  ')`)).rejects.toThrow(/CHECK/);
    });
  });
});
