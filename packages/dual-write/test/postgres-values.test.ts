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
