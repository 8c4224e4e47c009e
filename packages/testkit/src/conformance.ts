import { afterAll, describe } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { batchConformance } from './conformance-batch';
import { createConformanceContext, type AdapterConformanceOptions } from './conformance-context';
import { introspectConformance } from './conformance-introspect';
import { kyselyConformance } from './conformance-kysely';
import { kyselyResultsConformance } from './conformance-kysely-results';
import { kyselySessionsConformance } from './conformance-kysely-sessions';
import { kyselyTransactionsConformance } from './conformance-kysely-transactions';
import { lifecycleConformance } from './conformance-lifecycle';
import { limitsConformance } from './conformance-limits';
import { placeholdersConformance } from './conformance-placeholders';
import { preparedConformance } from './conformance-prepared';
import { streamConformance } from './conformance-stream';
import { transactionsConformance } from './conformance-transactions';
import { valueShapesConformance } from './conformance-value-shapes';
import { valuesConformance } from './conformance-values';
import { writesConformance } from './conformance-writes';

const TEST_TIMEOUT_MS = 60_000;

/**
 * The adapter conformance suite: registers a vitest `describe` block that proves an
 * adapter keeps the {@link DatabaseAdapter} contract on a real engine. What differs
 * between engines is gated by `adapter.capabilities`, so one suite serves them all.
 *
 * The adapter is created while the suite is collected (its capabilities decide which
 * tests run), shared by the suite's tests, and disposed after them.
 *
 * @example
 * ```ts
 * import { runAdapterConformance } from '@switchyard/testkit';
 * import { createSQLiteAdapter } from '@switchyard/sqlite';
 *
 * runAdapterConformance({ name: 'sqlite (memory)', create: () => createSQLiteAdapter(':memory:') });
 * ```
 */
export function runAdapterConformance(options: AdapterConformanceOptions): void {
  // Megabyte values and remote engines (D1 over REST) outlast vitest's 5 s default, and the
  // suite should not depend on the caller's config for that.
  describe(`adapter conformance: ${options.name}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const adapter: DatabaseAdapter = await options.create();
    afterAll(async () => {
      await (options.teardown ?? ((a: DatabaseAdapter) => a.close()))(adapter);
    }, TEST_TIMEOUT_MS);
    const ctx = createConformanceContext(adapter, options);
    valuesConformance(ctx);
    valueShapesConformance(ctx);
    placeholdersConformance(ctx);
    writesConformance(ctx);
    batchConformance(ctx);
    preparedConformance(ctx);
    transactionsConformance(ctx);
    kyselyConformance(ctx);
    kyselyTransactionsConformance(ctx);
    kyselySessionsConformance(ctx);
    kyselyResultsConformance(ctx);
    streamConformance(ctx);
    introspectConformance(ctx);
    limitsConformance(ctx);
    lifecycleConformance(ctx);
  });
}
