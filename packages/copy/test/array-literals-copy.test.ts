import { expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables, translateSchema } from '../src/index';

// pg hands back an array of a type it has no parser for (an enum's, a range's) as its
// literal: a copy to SQLite wrote `{happy,sad}` as a JSON string and `{}` as an empty
// object, where SQLite holds arrays as JSON arrays. Each now arrives as its array.
it('Postgres enum and range arrays reach SQLite as JSON arrays, validate equal, and come back', async () => {
  const [source, back] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  const from = createPostgresAdapter(source.url);
  const again = createPostgresAdapter(back.url);
  const sqlite = createSQLiteAdapter(':memory:');
  try {
    const ddl = `CREATE TYPE mood AS ENUM ('happy', 'sad');
      CREATE TABLE moods (id int PRIMARY KEY, m mood[], r int4range[], u uuid[])`;
    await from.execute(ddl);
    await from.execute(`INSERT INTO moods VALUES (1, '{happy,sad}', '{"[1,3)"}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'),
      (2, '{}', '{}', '{}'), (3, '{NULL,"sad"}', NULL, NULL)`);
    for (const sql of translateSchema(await from.introspect(), 'sqlite').statements) await sqlite.execute(sql);
    expect((await copyTables(from, sqlite, { checkpoint: false })).tables[0]).toMatchObject({ status: 'done', rowsCopied: 3 });
    expect(await sqlite.query('SELECT m, r FROM moods ORDER BY id')).toEqual([
      { m: '["happy","sad"]', r: '["[1,3)"]' },
      { m: '[]', r: '[]' },
      { m: '[null,"sad"]', r: null },
    ]);
    expect((await validateDatabases(from, sqlite, { validateAllRows: true })).ok).toBe(true);
    // And back into Postgres's own types, as after a switch back.
    await again.execute(ddl);
    await copyTables(sqlite, again, { checkpoint: false });
    const read = 'SELECT id, m::text, r::text FROM moods ORDER BY id';
    expect(await again.query(read)).toEqual(await from.query(read));
  } finally {
    await Promise.all([from.close(), again.close(), sqlite.close()]);
    await Promise.all([source.drop(), back.drop()]);
  }
});
