import { describe, expect, it } from 'vitest';
import { copyTables, introspectSchemaObjects, translateSchema } from '../src/index';
import { assertTablesEqual, withMemorySqlite, usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// SQLite keeps VARCHAR(5) or NUMERIC(5,2) as words: its rows may hold anything. Postgres
// enforces them, and Postgres's varchar(n) is what SQLite never checks. Each target is
// made to accept exactly what its source accepted, so neither the copy nor a write
// replicated during dual write (either way round) is refused by one side only.
describe('declared sizes', () => {
  const postgres = usePostgresDatabase();

  it('SQLite -> Postgres: sizes SQLite never enforced are dropped, with a warning, and every row copies unchanged', async () => {
    await withMemorySqlite(async (source) => {
      await source.execute('CREATE TABLE codes (id INTEGER PRIMARY KEY, code VARCHAR(5), c CHAR(2), n NUMERIC(5,2), note TEXT)');
      await source.execute("INSERT INTO codes VALUES (1, 'abcde', 'ab', 1.5, 'x'), (2, 'abcdefghij', 'abc', 12345.678, 'y')");
      await source.execute("INSERT INTO codes VALUES (3, 'é', 'a', 1.005, NULL)");
      const schema = translateSchema(await source.introspect(), 'postgres', { from: 'sqlite' });
      const sized = schema.warnings.filter((w) => /does not enforce/.test(w.message));
      expect(sized.map((w) => [w.column, w.kind, w.untranslated])).toEqual([
        ['code', 'type', false],
        ['c', 'type', false],
        ['n', 'type', false],
      ]);
      for (const sql of schema.statements) await postgres.adapter.execute(sql);
      await copyTables(source, postgres.adapter);
      expect(await assertTablesEqual(source, postgres.adapter, 'codes')).toBe(3);
      const types = await postgres.adapter.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'codes' ORDER BY ordinal_position",
      );
      expect(types.map((t) => t.data_type)).toEqual(['bigint', 'text', 'text', 'numeric', 'text']);
      // What the app may write on the SQLite primary lands on Postgres too.
      await postgres.adapter.execute("INSERT INTO codes (id, code, n) VALUES (4, 'longer than five', 0.001)");
      expect(await postgres.adapter.first('SELECT c, n FROM codes WHERE id = 3')).toEqual({ c: 'a', n: '1.005' });
    });
  });

  it('Postgres -> SQLite and D1: varchar(n), char(n) and char_length CHECKs refuse what Postgres refused, counted in characters', async () => {
    await postgres.adapter.execute(`CREATE TABLE handles (
      id int PRIMARY KEY,
      handle varchar(5) NOT NULL,
      country char(2),
      bio text CHECK (char_length(bio) <= 4),
      motto text CHECK (motto <> 'char_length(x)'),
      fee numeric(6,2)
    )`);
    await postgres.adapter.execute("INSERT INTO handles VALUES (1, 'ann', 'fr', 'hi', 'ok'), (2, 'ééééé', NULL, 'éééé', NULL)");
    const schema = translateSchema(await postgres.adapter.introspect(), 'sqlite', {
      from: 'postgres',
      objects: await introspectSchemaObjects(postgres.adapter),
    });
    expect(schema.untranslated.filter((w) => w.table === 'handles')).toEqual([]);
    // A scale SQLite does not round to is said, not enforced: a CHECK would refuse what Postgres rounds.
    expect(schema.warnings.filter((w) => w.table === 'handles').map((w) => [w.column, w.kind])).toEqual([['fee', 'type']]);
    expect(schema.warnings.find((w) => w.column === 'fee')!.message).toMatch(/neither rounds to the scale of "numeric\(6,2\)"/);
    expect(schema.statements.join('\n')).toContain("<> 'char_length(x)'");
    await withSqliteAndD1(async ({ sqlite, d1 }) => {
      for (const target of [sqlite, d1]) {
        for (const sql of schema.statements) await target.execute(sql);
        await copyTables(postgres.adapter, target, { tables: ['handles'] });
        expect(await assertTablesEqual(postgres.adapter, target, 'handles')).toBe(2);
        await expect(target.execute("INSERT INTO handles (id, handle) VALUES (3, 'abcdef')")).rejects.toThrow(/CHECK/i);
        await expect(target.execute("INSERT INTO handles (id, handle, country) VALUES (3, 'a', 'fra')")).rejects.toThrow(/CHECK/i);
        await expect(target.execute("INSERT INTO handles (id, handle, bio) VALUES (3, 'a', 'hello')")).rejects.toThrow(/CHECK/i);
        await target.execute("INSERT INTO handles (id, handle, country, bio) VALUES (3, 'ëëëëë', 'de', 'ëëëë')");
        expect(await target.first('SELECT count(*) AS n FROM handles')).toEqual({ n: 3 });
      }
    });
  });
});
