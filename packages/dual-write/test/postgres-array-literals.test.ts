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
