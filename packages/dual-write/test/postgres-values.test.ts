import { repair, validateDatabases } from '@switchyard/validation';
import { expect, it } from 'vitest';
import { createDualWriteAdapter } from './patient-dual-write';
import { expectSameRows } from './mirror/mirror-test-kit';
import { INSERT, VALUES, usePostgresPair } from './postgres-kinds';

// Postgres -> Postgres, synchronously: every value the primary stored reaches the secondary
// as it is. Intervals, arrays (empty, with NULLs, two-dimensional) and -0 once failed or changed.

const pg = usePostgresPair(true);

it('replicates every edge value exactly, and verification finds nothing to settle', async () => {
  const dual = createDualWriteAdapter(pg.primary, pg.secondary, { verifyWrites: true });
  for (const params of VALUES) await dual.execute(INSERT, params);
  await dual.execute('UPDATE kinds SET ia = ia || ?::int[], ta = ?::text[] WHERE id = ?', ['{7}', '{}', 1]);
  await dual.transaction(async (tx) => {
    await tx.execute('UPDATE kinds SET iv = iv + ?::interval, f = -f WHERE id = ?', ['1 microsecond', 3]);
  });
  const metrics = dual.getMetrics();
  expect(metrics.secondaryFailures).toBe(0);
  expect(metrics.verificationFailures).toBe(0);
  await expectSameRows(pg.primary, pg.secondary, ['kinds']);
});

it('a JSON null document reaches the secondary as the document; made SQL NULL there behind its back, validation reports it and repair writes it again', async () => {
  for (const side of [pg.primary, pg.secondary])
    await side.execute('DROP TABLE IF EXISTS docs; CREATE TABLE docs (id int PRIMARY KEY, j jsonb, s json)');
  const dual = createDualWriteAdapter(pg.primary, pg.secondary, { verifyWrites: true });
  await dual.execute(`INSERT INTO docs VALUES (1, 'null', '"{\\"a\\": 1}"'), (2, NULL, '"null"')`);
  const read = 'SELECT id, j IS NULL AS missing, s::text AS s FROM docs ORDER BY id';
  expect(await pg.secondary.query(read)).toEqual(await pg.primary.query(read));
  expect((await validateDatabases(pg.primary, pg.secondary, { validateAllRows: true, tables: ['docs'] })).ok).toBe(true);
  await pg.secondary.execute('UPDATE docs SET j = NULL WHERE id = 1');
  const report = await validateDatabases(pg.primary, pg.secondary, { validateAllRows: true, tables: ['docs'] });
  expect(report.tables[0]!.differentRows.map((d) => [d.key, d.columns.map((c) => c.column)])).toEqual([[{ id: 1 }, ['j']]]);
  await repair(report, pg.primary, pg.secondary);
  await expectSameRows(pg.primary, pg.secondary, ['docs']);
  expect(await pg.secondary.query(read)).toEqual(await pg.primary.query(read));
});
