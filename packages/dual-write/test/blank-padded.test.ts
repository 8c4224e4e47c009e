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

it('Postgres character(5) -> SQLite after a switch back: the padded values verify equal both ways', async () => {
  await pg.primary.execute(PG_TABLE);
  const sqlite = createSQLiteAdapter(':memory:');
  cleanup(() => sqlite.close());
  await sqlite.execute('CREATE TABLE codes (id INTEGER PRIMARY KEY, code CHAR(5), note TEXT)');
  const dual = createDualWriteAdapter(pg.primary, sqlite, { verifyWrites: true });
  await dual.execute(`INSERT INTO codes VALUES (1, 'ab', 'x')`);
  await dual.switchPrimary();
  await dual.execute(`INSERT INTO codes VALUES (2, 'cd', 'y')`);
  await dual.execute(`UPDATE codes SET note = 'x2' WHERE id = 1`);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0, divergencesSettled: 0 });
  expect((await validateDatabases(sqlite, pg.primary, { validateAllRows: true, tables: ['codes'] })).ok).toBe(true);
});
