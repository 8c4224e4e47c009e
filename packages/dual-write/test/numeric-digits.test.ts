import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { expect, it } from 'vitest';
import { cleanupAfterEach } from './open-side';
import { createDualWriteAdapter } from './patient-dual-write';
import { usePostgresPair } from './postgres-kinds';
import { drainOutbox, outboxMirror } from '../src/mirror/index';

// A Postgres numeric with more digits than SQLite keeps (a numeric(78,0) token amount, Prisma's
// Decimal(65,30)) reached a SQLite or D1 NUMERIC column as a rounded double: only verifyWrites
// or a later validation saw it. It is the secondary's failure now, journaled and named.
const pg = usePostgresPair(false);
const cleanup = cleanupAfterEach();

async function secondaryOf(kind: 'sqlite' | 'd1', declared: string): Promise<DatabaseAdapter> {
  const d1 = kind === 'd1' ? await createTestD1() : undefined;
  const side = d1 ? createD1Adapter(d1.binding, { name: 'd1' }) : createSQLiteAdapter(':memory:', { name: 'sqlite' });
  cleanup(async () => {
    await side.close();
    await d1?.dispose();
  });
  await side.execute(`CREATE TABLE amounts (id INTEGER PRIMARY KEY, n ${declared})`);
  return side;
}

const BIG = '12345678901234567890.123';

it.each(['sqlite', 'd1'] as const)('Postgres -> %s NUMERIC: a numeric it would round is journaled, naming the fix', async (kind) => {
  await pg.primary.execute('DROP TABLE IF EXISTS amounts; CREATE TABLE amounts (id int PRIMARY KEY, n numeric)');
  const secondary = await secondaryOf(kind, 'NUMERIC');
  const dual = createDualWriteAdapter(pg.primary, secondary, { verifyWrites: true });
  await dual.execute(`INSERT INTO amounts VALUES (1, 1.50), (2, 123456789012345), (3, 'NaN')`);
  await expect(dual.execute(`INSERT INTO amounts VALUES (4, ${BIG})`)).rejects.toThrow(
    /failed on .*: .*the numeric 12345678901234567890\.123 has more than 15 significant digits.*Declare the column TEXT/,
  );
  await expect(dual.execute(`UPDATE amounts SET n = n + 9223372036854775807 WHERE id = 2`)).rejects.toThrow(/more than 15 significant/);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 2, verificationFailures: 0, journalDepth: 2 });
  // Nothing rounded landed: the secondary holds what it could hold exactly.
  expect(await secondary.query('SELECT id, n FROM amounts ORDER BY id')).toEqual([
    { id: 1, n: 1.5 },
    { id: 2, n: 123456789012345 },
    { id: 3, n: 'NaN' },
  ]);
});

it.each(['sqlite', 'd1'] as const)('Postgres -> %s TEXT: the same numerics arrive exactly and validate equal', async (kind) => {
  await pg.primary.execute('DROP TABLE IF EXISTS amounts; CREATE TABLE amounts (id int PRIMARY KEY, n numeric)');
  const secondary = await secondaryOf(kind, 'TEXT');
  const dual = createDualWriteAdapter(pg.primary, secondary, { verifyWrites: true });
  await dual.execute(`INSERT INTO amounts VALUES (1, 1.50), (4, ${BIG})`);
  await dual.execute(`UPDATE amounts SET n = n + 9223372036854775807 WHERE id = 1`);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  expect(await secondary.query('SELECT id, n FROM amounts ORDER BY id')).toEqual([
    { id: 1, n: '9223372036854775808.50' },
    { id: 4, n: BIG },
  ]);
  expect((await validateDatabases(pg.primary, secondary, { validateAllRows: true, tables: ['amounts'] })).ok).toBe(true);
});

it('Postgres -> SQLite through an outbox: the drain stops at such a numeric, naming it, and applies none of it', async () => {
  await pg.primary.execute('DROP TABLE IF EXISTS amounts; CREATE TABLE amounts (id int PRIMARY KEY, n numeric)');
  const secondary = await secondaryOf('sqlite', 'NUMERIC');
  const mirror = outboxMirror(pg.primary);
  const dual = createDualWriteAdapter(pg.primary, secondary, { secondaryWrites: 'async', mirror });
  await dual.execute(`INSERT INTO amounts VALUES (1, 1.50)`);
  await dual.execute(`INSERT INTO amounts VALUES (4, ${BIG})`);
  await expect(drainOutbox(secondary, { mirror })).rejects.toThrow(
    expect.objectContaining({
      name: 'MirrorApplyError',
      cause: expect.objectContaining({ message: expect.stringMatching(/the numeric 12345678901234567890\.123 has more than 15/) }),
    }),
  );
  expect(await secondary.query('SELECT id, n FROM amounts')).toEqual([{ id: 1, n: 1.5 }]);
});
