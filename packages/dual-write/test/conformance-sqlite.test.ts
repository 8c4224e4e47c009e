import { expect } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { runAdapterConformance } from '@switchyard/testkit';
import { type DualWriteAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

runAdapterConformance({
  name: 'dual-write sqlite -> sqlite',
  create: () =>
    createDualWriteAdapter(createSQLiteAdapter(':memory:', { name: 'sqlite-a' }), createSQLiteAdapter(':memory:', { name: 'sqlite-b' }), {
      verifyWrites: true,
      secondaryTimeoutMs: 30_000,
    }),
  // Writes must reach both sides: tests read each one back.
  sides: (adapter) => [(adapter as DualWriteAdapter).primary, (adapter as DualWriteAdapter).secondary],
  async teardown(adapter) {
    const dual = adapter as DualWriteAdapter;
    expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
    await dual.close();
  },
});
