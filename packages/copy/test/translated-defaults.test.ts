import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { copyTables, translateSchema } from '../src/index';
import { usePostgresDatabase } from './fixtures';

// A row the target's default fills must look like the rows the copy wrote: after the switch
// the app inserts into the same columns, and reads, sorts and compares them together.
describe('defaults translated from Postgres to SQLite fill rows as the copy writes them', () => {
  const postgres = usePostgresDatabase();

  it('array defaults become JSON arrays, and now() the copy’s ISO 8601 text', async () => {
    const pg = postgres.adapter;
    await pg.execute(`CREATE TABLE items (
      id int PRIMARY KEY,
      tags text[] NOT NULL DEFAULT '{}',
      labels text[] DEFAULT '{a,"b c","it''s",NULL}',
      counts bigint[] DEFAULT '{1,9007199254740993}',
      prices numeric(6,2)[] DEFAULT '{1.5,-2}',
      flags boolean[] DEFAULT '{t,f}',
      grid int[] DEFAULT '{{1,2},{3,4}}',
      created_at timestamptz NOT NULL DEFAULT now(),
      opened date DEFAULT CURRENT_DATE,
      at_time time DEFAULT now()
    )`);
    await pg.execute('INSERT INTO items (id) VALUES (1)');
    const schema = translateSchema(await pg.introspect(), 'sqlite', { from: 'postgres' });
    expect(schema.untranslated).toEqual([]);
    const sqlite = createSQLiteAdapter(':memory:');
    try {
      for (const sql of schema.tables) await sqlite.execute(sql);
      await copyTables(pg, sqlite);
      await sqlite.execute('INSERT INTO items (id) VALUES (2)');

      const [copied, filled] = await sqlite.query<Record<string, unknown>>('SELECT * FROM items ORDER BY id');
      for (const column of ['tags', 'labels', 'counts', 'prices', 'flags', 'grid'])
        expect([column, filled![column]]).toEqual([column, copied![column]]);
      expect(filled!.tags).toBe('[]');
      expect(filled!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // Microseconds when now() had any below its millisecond (999 times in 1000), else milliseconds.
      expect(copied!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(\d{3})?Z$/);
      // The newer row sorts last, as it does on Postgres.
      expect(await sqlite.query('SELECT id FROM items ORDER BY created_at DESC LIMIT 1')).toEqual([{ id: 2 }]);
      expect(filled!.opened).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(filled!.at_time).toMatch(/^\d\d:\d\d:\d\d$/);
    } finally {
      await sqlite.close();
    }
  });

  it('SQLite -> Postgres reads that ISO default back as now()', () => {
    const column = {
      name: 'at',
      declaredType: 'DATETIME',
      logicalType: 'timestamp',
      nullable: true,
      defaultValue: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
      autoIncrement: false,
    } as const;
    const schema = translateSchema([{ name: 't', columns: [column], primaryKey: [], indexes: [], foreignKeys: [] }], 'postgres', {
      from: 'sqlite',
    });
    expect(schema.statements.join('\n')).toContain('"at" timestamptz DEFAULT now()');
  });

  it("SQLite -> Postgres: an integer column's TRUE or FALSE default (Drizzle's boolean mode) as 1 or 0", async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    try {
      await sqlite.execute(
        'CREATE TABLE flags (id integer PRIMARY KEY, admin integer DEFAULT false NOT NULL, live integer DEFAULT TRUE, on_off boolean DEFAULT false)',
      );
      await sqlite.execute('INSERT INTO flags (id) VALUES (1)');
      const schema = translateSchema(await sqlite.introspect(), 'postgres');
      expect(schema.untranslated).toEqual([]);
      await postgres.adapter.execute('DROP TABLE IF EXISTS flags');
      for (const sql of schema.tables) await postgres.adapter.execute(sql);
      await copyTables(sqlite, postgres.adapter);
      await postgres.adapter.execute('INSERT INTO flags (id) VALUES (2)');
      expect(await postgres.adapter.query('SELECT id, admin, live, on_off FROM flags ORDER BY id')).toEqual([
        { id: 1, admin: 0, live: 1, on_off: false },
        { id: 2, admin: 0, live: 1, on_off: false },
      ]);
    } finally {
      await sqlite.close();
    }
  });

  it('SQLite -> Postgres: a clock default of a text column writes the text SQLite writes, in UTC', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    try {
      await sqlite.execute(`CREATE TABLE clocks (
        id integer PRIMARY KEY,
        stamped text DEFAULT CURRENT_TIMESTAMP,
        iso text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        spaced text DEFAULT (datetime('now')),
        day text DEFAULT (date('now')),
        clock text DEFAULT CURRENT_TIME,
        epoch integer DEFAULT (unixepoch()),
        at DATETIME DEFAULT CURRENT_TIMESTAMP
      )`);
      await sqlite.execute('INSERT INTO clocks (id) VALUES (1)');
      const schema = translateSchema(await sqlite.introspect(), 'postgres');
      expect(schema.untranslated).toEqual([]);
      await postgres.adapter.execute('DROP TABLE IF EXISTS clocks');
      for (const sql of schema.tables) await postgres.adapter.execute(sql);
      await postgres.adapter.execute('INSERT INTO clocks (id) VALUES (2)');
      const [source] = await sqlite.query<Record<string, unknown>>('SELECT * FROM clocks');
      const [target] = await postgres.adapter.query<Record<string, unknown>>('SELECT * FROM clocks');
      // Same text, digit for digit in form: the digits differ only by the seconds between the inserts.
      const shape = (v: unknown) => String(v).replace(/\d/g, '9');
      for (const column of ['stamped', 'iso', 'spaced', 'day', 'clock'])
        expect([column, shape(target![column])]).toEqual([column, shape(source![column])]);
      expect(Math.abs(Number(target!.epoch) - Number(source!.epoch))).toBeLessThan(60);
      expect(Math.abs(Date.parse(String(target!.iso)) - Date.parse(String(source!.iso)))).toBeLessThan(60_000);
      expect(target!.at).toBeInstanceOf(Date);
    } finally {
      await sqlite.close();
    }
  });
});
