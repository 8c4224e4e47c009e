import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { expect, it } from 'vitest';
import { cleanupAfterEach, openEmbeddedPrimary } from './open-side';
import { createDualWriteAdapter } from './patient-dual-write';
import { usePostgresPair } from './postgres-kinds';

// Postgres pads a character(n) value with spaces: 'ab' written by a SQLite or D1 primary reads
// back 'ab   ' there, and verifyWrites counted every such write as a divergence and wrote the
// row again, for nothing. Postgres itself compares the two as equal.
const pg = usePostgresPair(false);
const cleanup = cleanupAfterEach();
const PG_TABLE = 'DROP TABLE IF EXISTS codes; CREATE TABLE codes (id int PRIMARY KEY, code character(5), note text)';

it.each(['sqlite', 'd1'] as const)(
  '%s -> Postgres character(5): short values verify equal, a tab in the padding does not',
  async (kind) => {
    await pg.secondary.execute(PG_TABLE);
    const primary = await openEmbeddedPrimary(kind, cleanup);
    cleanup(() => primary.close());
    await primary.execute('CREATE TABLE codes (id INTEGER PRIMARY KEY, code CHAR(5), note TEXT)');
    const dual = createDualWriteAdapter(primary, pg.secondary, { verifyWrites: true });
    await dual.execute(`INSERT INTO codes VALUES (1, 'ab', 'x'), (2, 'abcde', 'y'), (3, '', 'z'), (4, NULL, 'w')`);
    await dual.execute(`UPDATE codes SET note = 'x2' WHERE id = 1`);
    expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0, divergencesSettled: 0 });
    expect(await pg.secondary.query('SELECT code FROM codes ORDER BY id')).toEqual([
      { code: 'ab   ' },
      { code: 'abcde' },
      { code: '     ' },
      { code: null },
    ]);
    // A real difference still counts: a trigger of the secondary's own puts a tab where a space pads.
    await pg.secondary.execute(`CREATE FUNCTION tab_code() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.note = 'x3' THEN NEW.code := 'ab' || chr(9); END IF; RETURN NEW; END $$;
    CREATE TRIGGER tab_code BEFORE UPDATE ON codes FOR EACH ROW EXECUTE FUNCTION tab_code()`);
    await dual.execute(`UPDATE codes SET note = 'x3' WHERE id = 1`).catch(() => undefined);
    expect(dual.getMetrics().verificationFailures).toBeGreaterThan(0);
    await pg.secondary.execute('DROP TRIGGER tab_code ON codes; DROP FUNCTION tab_code()');
    await dual.execute(`UPDATE codes SET note = 'x4' WHERE id = 1`);
    expect((await validateDatabases(primary, pg.secondary, { validateAllRows: true, tables: ['codes'] })).ok).toBe(true);
  },
);

// The other way, a character(n) value reaches SQLite without its padding, as Postgres's own
// cast to text gives it: stored padded, the app's WHERE code = 'ab' found nothing after a switch back.
it('Postgres character(5) -> SQLite: values arrive unpadded, and after a switch back the app finds them', async () => {
  await pg.primary.execute(PG_TABLE);
  const sqlite = createSQLiteAdapter(':memory:');
  cleanup(() => sqlite.close());
  await sqlite.execute('CREATE TABLE codes (id INTEGER PRIMARY KEY, code CHAR(5), note TEXT)');
  const dual = createDualWriteAdapter(pg.primary, sqlite, { verifyWrites: true });
  await dual.execute(`INSERT INTO codes VALUES (1, 'ab', 'x'), (2, 'a b  ', 'y'), (3, '', 'z')`);
  expect(await sqlite.query('SELECT code FROM codes ORDER BY id')).toEqual([{ code: 'ab' }, { code: 'a b' }, { code: '' }]);
  await dual.switchPrimary();
  expect(await dual.query('SELECT id FROM codes WHERE code = ?', ['ab'])).toEqual([{ id: 1 }]);
  await dual.execute(`INSERT INTO codes VALUES (4, 'cd', 'w')`);
  await dual.execute(`UPDATE codes SET note = 'x2' WHERE code = 'ab'`);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0, divergencesSettled: 0 });
  expect((await validateDatabases(sqlite, pg.primary, { validateAllRows: true, tables: ['codes'] })).ok).toBe(true);
});

it('Postgres character(5) key -> SQLite: upserts, deletes and settles find the unpadded rows', async () => {
  await pg.primary.execute('DROP TABLE IF EXISTS coded; CREATE TABLE coded (code character(5) PRIMARY KEY, n int)');
  const sqlite = createSQLiteAdapter(':memory:');
  cleanup(() => sqlite.close());
  await sqlite.execute('CREATE TABLE coded (code CHAR(5) PRIMARY KEY, n INTEGER)');
  const dual = createDualWriteAdapter(pg.primary, sqlite, { verifyWrites: true });
  await dual.execute(`INSERT INTO coded VALUES ('ab', 1), ('cd', 2), ('ef', 3)`);
  await dual.execute(`UPDATE coded SET n = n + 10 WHERE code = 'ab'`);
  await dual.execute(`DELETE FROM coded WHERE code = 'cd'`);
  await dual.execute(`INSERT INTO coded VALUES ('ef', 4) ON CONFLICT (code) DO UPDATE SET n = excluded.n`);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0, divergencesSettled: 0 });
  expect(await sqlite.query('SELECT code, n FROM coded ORDER BY code')).toEqual([
    { code: 'ab', n: 11 },
    { code: 'ef', n: 4 },
  ]);
  expect((await validateDatabases(pg.primary, sqlite, { validateAllRows: true, tables: ['coded'] })).ok).toBe(true);
});
