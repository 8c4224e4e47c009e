import { expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { usePostgresDatabase } from './fixtures';

// Postgres pads a character(n) value with spaces. Copied to SQLite padded ('ab   '), it was
// no longer what the app's WHERE code = 'ab' finds there after a switch back, and validation
// reported every short value different. It goes without its padding, as Postgres's cast to text.
const db = usePostgresDatabase();

it('Postgres character(n) -> SQLite -> Postgres: unpadded on SQLite, padded again on Postgres, equal each way', async () => {
  await db.adapter.execute(`CREATE TABLE codes (code character(5) PRIMARY KEY, label character(3), note text)`);
  await db.adapter.execute(
    `INSERT INTO codes VALUES ('ab', 'x', 'n1'), ('abcde', NULL, 'n2'), ('a b', '', 'n3'), ('z' || chr(9), 'y', 'n4')`,
  );
  const sqlite = createSQLiteAdapter(':memory:');
  await sqlite.execute('CREATE TABLE codes (code CHAR(5) PRIMARY KEY, label CHAR(3), note TEXT)');
  await copyTables(db.adapter, sqlite, { tables: ['codes'], checkpoint: false });
  expect(await sqlite.query('SELECT code, label FROM codes ORDER BY code')).toEqual([
    { code: 'a b', label: '' },
    { code: 'ab', label: 'x' },
    { code: 'abcde', label: null },
    { code: 'z\t', label: 'y' },
  ]);
  expect(await sqlite.query(`SELECT note FROM codes WHERE code = 'ab'`)).toEqual([{ note: 'n1' }]);
  expect((await validateDatabases(db.adapter, sqlite, { validateAllRows: true, tables: ['codes'] })).ok).toBe(true);

  const back = await createTestDatabase();
  const postgres = createPostgresAdapter(back.url);
  try {
    await postgres.execute(`CREATE TABLE codes (code character(5) PRIMARY KEY, label character(3), note text)`);
    await copyTables(sqlite, postgres, { tables: ['codes'], checkpoint: false });
    const texts = (a: typeof postgres) => a.query('SELECT code, label, note FROM codes ORDER BY code');
    expect(await texts(postgres)).toEqual(await texts(db.adapter));
    expect((await validateDatabases(sqlite, postgres, { validateAllRows: true, tables: ['codes'] })).ok).toBe(true);
  } finally {
    await postgres.close();
    await back.drop();
    await sqlite.close();
  }
});
