import { afterEach, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { startFaultProxy, type FaultProxy } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { type DualWriteAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';

// A flow that goes silent without a reset (a NAT or load balancer forgetting it) leaves the
// batches sent on it waiting until TCP gives up, minutes later, while new connections answer.
// Writes must then reach the secondary on new connections, not queue behind the stuck ones.

const dbs = twoTestDatabases();
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

const HOT_ROWS = 20;

/** 8 writers for `ms`: new rows, and increments of a few hot rows (so late rows would be older ones). */
async function writeFor(dual: DatabaseAdapter, ms: number, next: { id: number }): Promise<void> {
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < end) {
        if (Math.random() < 0.5) await dual.execute('INSERT INTO t (id, n) VALUES (?, 0)', [++next.id]);
        else await dual.execute('UPDATE t SET n = n + 1 WHERE id = ?', [1 + Math.floor(Math.random() * HOT_ROWS)]);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }),
  );
}

/** What the secondary did in `ms` of writes. */
async function window(dual: DualWriteAdapter, ms: number, next: { id: number }) {
  const before = dual.getMetrics();
  await writeFor(dual, ms, next);
  const after = dual.getMetrics();
  return {
    applied: after.successfulDualWrites - before.successfulDualWrites,
    timeouts: after.secondaryTimeouts - before.secondaryTimeouts,
  };
}

it('writes to the secondary on new connections while the open ones are stuck, and settles what lands late', async () => {
  const target = new URL(dbs.other.url);
  const proxy: FaultProxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  cleanup.push(() => proxy.close());
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 10 });
  const secondary = createPostgresAdapter(proxy.url(dbs.other.url), { name: 'pg-b', max: 10 });
  for (const side of [primary, secondary]) {
    await side.execute('DROP TABLE IF EXISTS t; CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await side.execute(`INSERT INTO t (id, n) SELECT g, 0 FROM generate_series(1, ${HOT_ROWS}) g`);
  }
  const dual = createDualWriteAdapter(primary, secondary, {
    continueOnSecondaryFailure: true,
    secondaryTimeoutMs: 200,
    probeIntervalMs: 50,
  });
  cleanup.push(() => dual.close());
  const next = { id: HOT_ROWS };
  await writeFor(dual, 300, next);

  const release = proxy.stallOpenConnections();
  try {
    // The batches in flight time out, the circuit opens, and its probe (on a new connection) closes it.
    await writeFor(dual, 1_000, next);
    const settled = await window(dual, 1_000, next);
    expect(settled.timeouts).toBe(0);
    // Writes reach the secondary again (a count that a loaded two-core machine still reaches).
    expect(settled.applied).toBeGreaterThan(10);
  } finally {
    release();
  }
  // The stuck batches land now, with rows older than what came after them: each is journaled
  // again as it lands, and the replay settles it from the primary, so the sides converge.
  await expect
    .poll(
      async () => {
        await dual.replayJournal().catch(() => undefined);
        const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['t'] });
        return report.ok && dual.getMetrics().journalDepth === 0;
      },
      { timeout: 10_000, interval: 250 },
    )
    .toBe(true);
});
