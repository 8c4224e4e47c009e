import { afterEach, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { startFaultProxy } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { replayUntilEmpty } from './replay-until-empty';
import { twoTestDatabases } from './two-databases';

// A replay that loses the secondary halfway used to go on entry by entry, each try costing
// a timeout against a side that was away: with a few hundred entries it held the adapter's
// gate (and so close() and switchPrimary()) for many seconds. It now stops at the first
// lost connection or timeout and leaves the rest, untouched, for the next replay.

const dbs = twoTestDatabases();
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

const ENTRIES = 20;
const QUERY_TIMEOUT_MS = 400;

it('a replay that meets a hung secondary stops at the first timeout, and the next replay applies every entry', async () => {
  const target = new URL(dbs.other.url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  const primary = createSQLiteAdapter(':memory:');
  const direct = createPostgresAdapter(dbs.other.url, { max: 1 });
  const secondary = createPostgresAdapter(proxy.url(dbs.other.url), {
    max: 2,
    queryTimeoutMs: QUERY_TIMEOUT_MS,
    connectTimeoutMs: QUERY_TIMEOUT_MS,
  });
  // No background replay: the probe waits longer than the test.
  const dual = createDualWriteAdapter(primary, secondary, {
    continueOnSecondaryFailure: true,
    secondaryTimeoutMs: 200,
    probeIntervalMs: 60_000,
  });
  cleanup.push(
    () => proxy.close(),
    () => direct.close(),
    () => dual.close(),
  );
  await direct.execute('DROP TABLE IF EXISTS t');
  for (const side of [primary, direct]) await side.execute('CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL)');

  proxy.setMode('refuse');
  for (let id = 1; id <= ENTRIES; id++) await dual.execute('INSERT INTO t (id, n) VALUES (?, ?)', [id, id]);
  expect(dual.getMetrics().journalDepth).toBe(ENTRIES);

  proxy.setMode('hang');
  const started = performance.now();
  const stopped = await dual.replayJournal();
  const elapsed = performance.now() - started;
  expect(stopped.applied).toBe(0);
  expect(stopped.remaining).toBe(ENTRIES);
  expect(stopped.error?.message).toBeDefined();
  // Entry by entry, the replay took a timeout per entry (ENTRIES x QUERY_TIMEOUT_MS = 8 s).
  expect(elapsed).toBeLessThan((ENTRIES * QUERY_TIMEOUT_MS) / 4);

  proxy.setMode('pass');
  proxy.killConnections();
  await replayUntilEmpty(dual, 10_000);
  const report = await validateDatabases(primary, direct, { tables: ['t'], validateAllRows: true });
  expect(report.ok, report.summary).toBe(true);
});
