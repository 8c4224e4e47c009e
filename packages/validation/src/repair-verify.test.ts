import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repair, validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

let sqlite: TestEngine;
let postgres: TestEngine;

beforeAll(async () => {
  [sqlite, postgres] = await Promise.all([openEngine('sqlite'), openEngine('postgres')]);
});
afterAll(async () => {
  await Promise.all([sqlite?.dispose(), postgres?.dispose()]);
});

describe('repair reads back what it wrote', () => {
  it('an upper-case UUID copied into a uuid column stays different, and repair says why', async () => {
    const upper = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
    await sqlite.adapter.execute('CREATE TABLE refs (id INTEGER PRIMARY KEY, ref TEXT)');
    await sqlite.adapter.execute('INSERT INTO refs VALUES (1, ?), (2, ?)', [upper, upper.toLowerCase()]);
    await postgres.adapter.execute('CREATE TABLE refs (id int PRIMARY KEY, ref uuid)');
    await postgres.adapter.execute('INSERT INTO refs VALUES (1, ?), (2, ?)', [upper, upper.toLowerCase()]);
    const report = await validateDatabases(sqlite.adapter, postgres.adapter, { tables: ['refs'], validateAllRows: true });
    expect(report.tables[0]!.differentRowsCount).toBe(1);
    const result = await repair(report, sqlite.adapter, postgres.adapter);
    expect(result.upserted).toBe(1);
    expect(result.stillDifferent).toBe(1);
    const [mismatch] = result.tables[0]!.stillDifferent;
    expect(mismatch!.key).toEqual({ id: 1 });
    expect(mismatch!.reasons[0]).toMatch(/^ref: the target holds "a0eebc99.*cannot hold the source value/);
  });

  it('a Postgres domain over integer compares as the integer it is built on, against SQLite TEXT too, and repair fixes what differs', async () => {
    await postgres.adapter.execute('CREATE DOMAIN year_d AS integer');
    await postgres.adapter.execute('CREATE TABLE years (id int PRIMARY KEY, y year_d)');
    await postgres.adapter.execute('INSERT INTO years VALUES (1, 2006), (2, 2007)');
    await sqlite.adapter.execute('CREATE TABLE years (id INTEGER PRIMARY KEY, y TEXT)');
    await sqlite.adapter.execute("INSERT INTO years VALUES (1, '2006.0'), (2, '2008')");
    const report = await validateDatabases(postgres.adapter, sqlite.adapter, { tables: ['years'], validateAllRows: true });
    // '2006.0' is the integer 2006, as against a Postgres integer column; 2008 is not 2007.
    expect(report.tables[0]!.differentRows.map((r) => r.key)).toEqual([{ id: 2 }]);
    const result = await repair(report, postgres.adapter, sqlite.adapter);
    expect(result).toMatchObject({ upserted: 1, stillDifferent: 0 });
    expect((await validateDatabases(postgres.adapter, sqlite.adapter, { tables: ['years'], validateAllRows: true })).ok).toBe(true);
  });

  it("a SQLite row holding the word 'now' in a timestamp is not written as the repair's time, and is reported", async () => {
    await sqlite.adapter.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, at DATETIME DEFAULT 'now')");
    await sqlite.adapter.execute("INSERT INTO visits (id, at) VALUES (1, '2024-05-06 07:08:09'), (2, 'now')");
    await postgres.adapter.execute('CREATE TABLE visits (id int PRIMARY KEY, at timestamptz)');
    const report = await validateDatabases(sqlite.adapter, postgres.adapter, { tables: ['visits'], validateAllRows: true });
    expect(report.tables[0]!.missingInTargetCount).toBe(2);
    const result = await repair(report, sqlite.adapter, postgres.adapter);
    expect(result).toMatchObject({ upserted: 1, stillDifferent: 1 });
    expect(result.tables[0]!.stillDifferent).toEqual([
      { key: { id: 2 }, reasons: [expect.stringMatching(/^at: not written: the text "now" is the word 'now', which Postgres reads/)] },
    ]);
    expect(await postgres.adapter.query('SELECT id FROM visits')).toEqual([{ id: 1 }]);
  });

  it('a repair that fixes every row reports nothing still different', async () => {
    await sqlite.adapter.execute('UPDATE refs SET ref = lower(ref) WHERE id = 1');
    await postgres.adapter.execute("UPDATE refs SET ref = '00000000-0000-0000-0000-000000000000' WHERE id = 2");
    const report = await validateDatabases(sqlite.adapter, postgres.adapter, { tables: ['refs'], validateAllRows: true });
    const result = await repair(report, sqlite.adapter, postgres.adapter);
    expect(result.upserted).toBe(1);
    expect(result.stillDifferent).toBe(0);
  });

  it('a table keyed by the columns of a partial unique index is repaired without ON CONFLICT, which that index cannot serve', async () => {
    const onSqlite = [
      'CREATE TABLE handles (email TEXT NOT NULL, deleted_at TEXT, n INTEGER)',
      "INSERT INTO handles VALUES ('a@x', NULL, 1), ('b@x', NULL, 2)",
    ];
    const onPostgres = [
      'CREATE TABLE handles (email text NOT NULL, deleted_at text, n integer)',
      'CREATE UNIQUE INDEX handles_live ON handles (email) WHERE deleted_at IS NULL',
      "INSERT INTO handles VALUES ('a@x', NULL, 9)",
    ];
    for (const sql of onSqlite) await sqlite.adapter.execute(sql);
    for (const sql of onPostgres) await postgres.adapter.execute(sql);
    const options = { tables: ['handles'], validateAllRows: true, keyColumns: { handles: ['email'] } };
    const report = await validateDatabases(sqlite.adapter, postgres.adapter, options);
    expect(report.tables[0]).toMatchObject({ missingInTargetCount: 1, differentRowsCount: 1 });
    const result = await repair(report, sqlite.adapter, postgres.adapter);
    expect(result).toMatchObject({ upserted: 2, stillDifferent: 0 });
    expect((await validateDatabases(sqlite.adapter, postgres.adapter, options)).ok).toBe(true);
  });
});
