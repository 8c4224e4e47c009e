import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { expect, it } from 'vitest';
import { createDualWriteAdapter } from './patient-dual-write';
import { usePostgresPair } from './postgres-kinds';

// pg parses the arrays of the types it knows and hands back the others (an enum's, a range's)
// as their literal, `{happy,sad}`: a SQLite secondary got the literal as a JSON string (or
// `{}` as an empty object), and verifyWrites counted every such write, though the rows were
// what the primary holds.
const pg = usePostgresPair(false);

const TABLE = `DO $$ BEGIN CREATE TYPE mood AS ENUM ('happy', 'sad'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
  DROP TABLE IF EXISTS moods; CREATE TABLE moods (id serial PRIMARY KEY, m mood[], r int4range[], t text[])`;

it.each(['sqlite', 'postgres'] as const)('Postgres -> %s: an enum array arrives as its array, and verifyWrites agrees', async (dialect) => {
  await pg.primary.execute(TABLE);
  const sqlite = createSQLiteAdapter(':memory:');
  const secondary = dialect === 'sqlite' ? sqlite : pg.secondary;
  if (dialect === 'sqlite') await sqlite.execute('CREATE TABLE moods (id INTEGER PRIMARY KEY, m JSON, r JSON, t JSON)');
  else await pg.secondary.execute(TABLE);
  const dual = createDualWriteAdapter(pg.primary, secondary, { verifyWrites: true });
  await dual.execute(
    `INSERT INTO moods (m, r, t) VALUES ('{happy,sad}', '{"[1,3)"}', '{a,"b c"}'), ('{}', '{}', '{}'), (NULL, NULL, NULL)`,
  );
  await dual.execute(`UPDATE moods SET m = array_append(m, 'happy') WHERE id = ?`, [2]);
  await dual.execute('INSERT INTO moods (m) VALUES (?) RETURNING m', ['{sad,NULL}']);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  if (dialect === 'sqlite')
    expect(await sqlite.query('SELECT m, r FROM moods ORDER BY id')).toEqual([
      { m: '["happy","sad"]', r: '["[1,3)"]' },
      { m: '["happy"]', r: '[]' },
      { m: null, r: null },
      { m: '["sad",null]', r: null },
    ]);
  const report = await validateDatabases(pg.primary, secondary, { validateAllRows: true, tables: ['moods'] });
  expect(report.ok).toBe(true);
  // The least change: one element of one array.
  await (dialect === 'sqlite'
    ? sqlite.execute(`UPDATE moods SET m = '["happy","happy"]' WHERE id = 1`)
    : pg.secondary.execute(`UPDATE moods SET m = '{happy,happy}' WHERE id = 1`));
  const changed = await validateDatabases(pg.primary, secondary, { validateAllRows: true, tables: ['moods'] });
  expect(changed.tables[0]!.differentRows.map((r) => r.key)).toEqual([{ id: 1 }]);
  await sqlite.close();
});

// Items JSON has no value for: a bytea[] item went to SQLite as its Buffer's JSON, NaN and
// the infinities as null (read back into Postgres as NULL after a switch).
it('Postgres -> SQLite: bytea[] items as hex, NaN and infinities as their words, and verifyWrites agrees', async () => {
  await pg.primary.execute('DROP TABLE IF EXISTS items; CREATE TABLE items (id int PRIMARY KEY, b bytea[], f float8[], t timestamptz[])');
  const sqlite = createSQLiteAdapter(':memory:');
  await sqlite.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, b JSON, f JSON, t JSON)');
  const dual = createDualWriteAdapter(pg.primary, sqlite, { verifyWrites: true });
  await dual.execute(`INSERT INTO items VALUES (1, '{"\\\\x0102",NULL}', '{NaN,-Infinity,2.5}', '{infinity,"2024-01-01 00:00:00+00"}')`);
  await dual.execute(`UPDATE items SET f = array_append(f, 'Infinity') WHERE id = 1`);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  expect(await sqlite.query('SELECT b, f, t FROM items')).toEqual([
    { b: '["\\\\x0102",null]', f: '["NaN","-infinity",2.5,"infinity"]', t: '["infinity","2024-01-01T00:00:00.000Z"]' },
  ]);
  expect((await validateDatabases(pg.primary, sqlite, { validateAllRows: true, tables: ['items'] })).ok).toBe(true);
  await sqlite.close();
});
