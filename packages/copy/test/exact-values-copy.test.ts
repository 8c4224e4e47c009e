import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createD1Adapter } from '@switchyard/d1';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';

const PG_DDL = 'CREATE TABLE docs (id int PRIMARY KEY, doc jsonb, j json, at timestamptz, ts timestamp)';
const SQLITE_DDL = 'CREATE TABLE docs (id INTEGER PRIMARY KEY, doc JSON, j JSON, at DATETIME, ts DATETIME)';
// Documents that are bare numbers, one a double holds and one it does not.
const ddl = (json: string, jsonb: string) => `CREATE TABLE bare (id int PRIMARY KEY, doc ${jsonb}, j ${json})`;
let databases: TestDatabase[] = [];
let source: PostgresAdapter;
let target: PostgresAdapter;

beforeAll(async () => {
  databases = await Promise.all([createTestDatabase(), createTestDatabase()]);
  source = createPostgresAdapter(databases[0]!.url, { max: 2 });
  target = createPostgresAdapter(databases[1]!.url, { max: 2 });
  await source.execute(PG_DDL);
  await source.execute(`INSERT INTO docs VALUES
    (1, '{"id":9007199254740993,"amount":12345678901234567.89}', '[9007199254740993]', '2024-01-01 10:00:00.123456+00', '2024-01-01 10:00:00.123456'),
    (2, '{"small":1.5}', '{}', '2024-01-01 10:00:00.000001+00', '2024-01-01 10:00:00')`);
  await source.execute(ddl('json', 'jsonb'));
  await source.execute(`INSERT INTO bare VALUES (1, '12345678901234567890.5', '9007199254740993'), (2, '1.5', '-0.1')`);
});
afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
  await Promise.all(databases.map((d) => d.drop()));
});

describe('copies out of Postgres are exact', () => {
  it('a json/jsonb document that is a bare big number: exact to Postgres and to SQLite, and a last-digit change is found', async () => {
    await target.execute(ddl('json', 'jsonb'));
    await copyTables(source, target, { tables: ['bare'], checkpoint: false });
    expect(await target.first('SELECT doc::text, j::text FROM bare WHERE id = 1')).toEqual({
      doc: '12345678901234567890.5',
      j: '9007199254740993',
    });
    const sqlite = createSQLiteAdapter(':memory:');
    // Declared TEXT: a column declared JSON has NUMERIC affinity, and SQLite itself would
    // store the bare number as a double.
    await sqlite.execute(ddl('TEXT', 'TEXT'));
    await copyTables(source, sqlite, { tables: ['bare'], checkpoint: false });
    expect(await sqlite.first('SELECT doc, j FROM bare WHERE id = 1')).toEqual({ doc: '12345678901234567890.5', j: '9007199254740993' });
    for (const copy of [target, sqlite]) {
      const report = await validateDatabases(source, copy, { tables: ['bare'], validateAllRows: true });
      expect(report.ok, report.summary).toBe(true);
    }
    await target.execute(`UPDATE bare SET j = '9007199254740992' WHERE id = 1`);
    await sqlite.execute(`UPDATE bare SET doc = '12345678901234567890.4' WHERE id = 1`);
    for (const copy of [target, sqlite]) {
      const report = await validateDatabases(source, copy, { tables: ['bare'], validateAllRows: true });
      expect(report.ok).toBe(false);
    }
    await sqlite.close();
  });

  it('a bare big JSON number into a SQLite column declared JSON (NUMERIC affinity) is refused, never rounded', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    await sqlite.execute(ddl('JSON', 'JSON'));
    const error = await copyTables(source, sqlite, { tables: ['bare'], checkpoint: false, retries: 0 }).catch((e: unknown) => e as Error);
    expect(String((error as Error).message)).toMatch(
      /Table "bare", key \(1\), column "doc": the JSON document is the bare number 12345678901234567890\.5/,
    );
    expect(await sqlite.query('SELECT id FROM bare')).toEqual([]);
    await sqlite.close();
  });

  it('a json/jsonb document that is a bare big number: exact to D1 (Miniflare) as JSON text', async () => {
    const d1 = await createTestD1();
    try {
      const adapter = createD1Adapter(d1.binding);
      await adapter.execute('CREATE TABLE bare (id INTEGER PRIMARY KEY, doc TEXT, j TEXT)');
      await copyTables(source, adapter, { tables: ['bare'], checkpoint: false });
      expect(await adapter.first('SELECT doc, j FROM bare WHERE id = 1')).toEqual({ doc: '12345678901234567890.5', j: '9007199254740993' });
      expect((await validateDatabases(source, adapter, { tables: ['bare'], validateAllRows: true })).ok).toBe(true);
    } finally {
      await d1.dispose();
    }
  });

  it('Postgres -> Postgres keeps 9007199254740993 and .123456', async () => {
    await target.execute(PG_DDL);
    await copyTables(source, target, { tables: ['docs'], checkpoint: false });
    const row = await target.first<{ doc: string; j: string; at: string; ts: string }>(
      'SELECT doc::text, j::text, at::text, ts::text FROM docs WHERE id = 1',
    );
    expect(row).toEqual({
      doc: '{"id": 9007199254740993, "amount": 12345678901234567.89}',
      j: '[9007199254740993]',
      at: '2024-01-01 10:00:00.123456+00',
      ts: '2024-01-01 10:00:00.123456',
    });
    const report = await validateDatabases(source, target, { tables: ['docs'], validateAllRows: true, timestampPrecision: 'us' });
    expect(report.ok, report.summary).toBe(true);
  });

  it('Postgres -> SQLite keeps 9007199254740993 and .123456', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    await sqlite.execute(SQLITE_DDL);
    await copyTables(source, sqlite, { tables: ['docs'], checkpoint: false });
    const row = await sqlite.first<{ doc: string; at: string }>('SELECT doc, at FROM docs WHERE id = 1');
    expect(row!.doc).toContain('9007199254740993');
    expect(row!.doc).toContain('12345678901234567.89');
    expect(row!.at).toBe('2024-01-01T10:00:00.123456Z');
    const report = await validateDatabases(source, sqlite, { tables: ['docs'], validateAllRows: true, timestampPrecision: 'us' });
    expect(report.ok, report.summary).toBe(true);
    await sqlite.close();
  });

  it('timestamps inside arrays keep their microseconds and BC years, to Postgres and to SQLite; one microsecond off is found', async () => {
    await source.execute('CREATE TABLE stamps (id int PRIMARY KEY, ats timestamptz[], tss timestamp[])');
    await source.execute(`INSERT INTO stamps VALUES (1, '{"2024-01-01 10:00:00.123456+00",NULL}', '{"0044-03-15 12:00:00.000001 BC"}')`);
    await target.execute('CREATE TABLE stamps (id int PRIMARY KEY, ats timestamptz[], tss timestamp[])');
    await copyTables(source, target, { tables: ['stamps'], checkpoint: false });
    expect(await target.first('SELECT ats::text, tss::text FROM stamps')).toEqual(
      await source.first('SELECT ats::text, tss::text FROM stamps'),
    );
    const sqlite = createSQLiteAdapter(':memory:');
    await sqlite.execute('CREATE TABLE stamps (id INTEGER PRIMARY KEY, ats TEXT, tss TEXT)');
    await copyTables(source, sqlite, { tables: ['stamps'], checkpoint: false });
    expect(await sqlite.first('SELECT ats FROM stamps')).toEqual({ ats: '["2024-01-01T10:00:00.123456Z",null]' });
    for (const copy of [target, sqlite])
      expect((await validateDatabases(source, copy, { tables: ['stamps'], validateAllRows: true })).ok).toBe(true);
    await target.execute(`UPDATE stamps SET ats = '{"2024-01-01 10:00:00.123457+00",NULL}'`);
    await sqlite.execute(`UPDATE stamps SET ats = '["2024-01-01T10:00:00.123457Z",null]'`);
    for (const copy of [target, sqlite])
      expect((await validateDatabases(source, copy, { tables: ['stamps'], validateAllRows: true })).ok).toBe(false);
    await sqlite.close();
  });

  it('bigint[] items past 2^53 keep every digit, Postgres -> SQLite -> Postgres', async () => {
    await source.execute('CREATE TABLE bigs (id int PRIMARY KEY, ns bigint[])');
    await source.execute("INSERT INTO bigs VALUES (1, '{9007199254740993,NULL,-9223372036854775808}')");
    const sqlite = createSQLiteAdapter(':memory:');
    await sqlite.execute('CREATE TABLE bigs (id INTEGER PRIMARY KEY, ns TEXT)');
    await copyTables(source, sqlite, { tables: ['bigs'], checkpoint: false });
    expect(await sqlite.first('SELECT ns FROM bigs')).toEqual({ ns: '[9007199254740993,null,-9223372036854775808]' });
    await target.execute('CREATE TABLE bigs (id int PRIMARY KEY, ns bigint[])');
    await copyTables(sqlite, target, { tables: ['bigs'], checkpoint: false });
    expect(await target.first('SELECT ns::text FROM bigs')).toEqual({ ns: '{9007199254740993,NULL,-9223372036854775808}' });
    for (const [a, b] of [
      [source, sqlite],
      [sqlite, target],
    ] as const)
      expect((await validateDatabases(a, b, { tables: ['bigs'], validateAllRows: true })).ok).toBe(true);
    await sqlite.close();
  });

  it('Postgres 44 BC and year 10000: copied exactly to Postgres, refused by SQLite before anything is written', async () => {
    await source.execute(`CREATE TABLE edges (id int PRIMARY KEY, at timestamptz)`);
    await source.execute(
      `INSERT INTO edges VALUES (1, '2024-01-01 00:00:00+00'), (2, '0044-03-15 12:00:00.5+00 BC'), (3, '10000-01-01 00:00:00.000001+00')`,
    );
    await target.execute(`CREATE TABLE edges (id int PRIMARY KEY, at timestamptz)`);
    await copyTables(source, target, { tables: ['edges'], checkpoint: false });
    const report = await validateDatabases(source, target, { tables: ['edges'], validateAllRows: true, timestampPrecision: 'us' });
    expect(report.ok, report.summary).toBe(true);

    const sqlite = createSQLiteAdapter(':memory:');
    await sqlite.execute('CREATE TABLE edges (id INTEGER PRIMARY KEY, at DATETIME)');
    const error = await copyTables(source, sqlite, { tables: ['edges'], checkpoint: false, retries: 0 }).catch((e: unknown) => e as Error);
    expect(String((error as Error).message) + String((error as Error).cause)).toMatch(/year -43, outside 0001-9999/);
    expect(await sqlite.query('SELECT id FROM edges')).toEqual([]);
    await sqlite.close();
  });

  it("SQLite text '+010000-01-01T00:00:00.000Z' (a year-10000 Date stored as ISO text) copies to Postgres exactly", async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    await sqlite.execute('CREATE TABLE far (id INTEGER PRIMARY KEY, at DATETIME)');
    await sqlite.execute(
      "INSERT INTO far VALUES (1, '+010000-01-01T00:00:00.000Z'), (2, '-000043-03-15T12:00:00.500Z'), (3, '2024-01-01T00:00:00Z')",
    );
    await target.execute('CREATE TABLE far (id int PRIMARY KEY, at timestamptz)');
    await copyTables(sqlite, target, { tables: ['far'], checkpoint: false });
    expect(await target.query('SELECT at::text AS at FROM far ORDER BY id')).toEqual([
      { at: '10000-01-01 00:00:00+00' },
      { at: '0044-03-15 12:00:00.5+00 BC' },
      { at: '2024-01-01 00:00:00+00' },
    ]);
    const report = await validateDatabases(sqlite, target, { tables: ['far'], validateAllRows: true, timestampPrecision: 'us' });
    expect(report.ok, report.summary).toBe(true);
    await sqlite.close();
  });
});
