import { afterAll, expect } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { runAdapterConformance } from '@switchyard/testkit';
import { createTestD1, type TestD1 } from '@switchyard/testkit/d1';
import { type DualWriteAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

// SQLite -> D1: one engine family, so the suite's DDL runs on both; the suite sees D1's
// limits (100 parameters, no interactive transactions) through the weaker capabilities.
const d1s: TestD1[] = [];
afterAll(async () => {
  await Promise.all(d1s.map((d) => d.dispose()));
});

runAdapterConformance({
  name: 'dual-write sqlite -> d1',
  async create(): Promise<DatabaseAdapter> {
    const d1 = await createTestD1();
    d1s.push(d1);
    return createDualWriteAdapter(createSQLiteAdapter(':memory:'), createD1Adapter(d1.binding), {
      verifyWrites: true,
      secondaryTimeoutMs: 30_000,
    });
  },
  // Writes must reach both sides: tests read each one back.
  sides: (adapter) => [(adapter as DualWriteAdapter).primary, (adapter as DualWriteAdapter).secondary],
  async teardown(adapter) {
    const dual = adapter as DualWriteAdapter;
    expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
    await dual.close();
  },
});
