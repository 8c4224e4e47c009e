import { expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { closing, proxiedSecondary, testDatabase } from './chaos-pairs';

/**
 * A secondary that hangs (no reset) before the dual write has read its tables: an app that
 * starts during such an outage, or a table first written during one. The first write waits
 * `secondaryTimeoutMs` for the secondary to say what the table is, as it would for the write
 * itself, then is journaled and opens the circuit; the writes after it are journaled at once.
 * Once the secondary answers, the replay makes the two sides equal.
 */
it.each(['hang', 'refuse'] as const)('SQLite -> Postgres, secondary in %s before its tables were read', async (mode) => {
  const db = await testDatabase();
  const { secondary, secondaryDirect, proxy } = await proxiedSecondary(db.url, 'postgres');
  const primary = closing(createSQLiteAdapter(':memory:', { name: 'sqlite' }));
  for (const side of [primary, secondaryDirect]) await side.execute('CREATE TABLE t (id bigint PRIMARY KEY, n bigint NOT NULL)');
  // The pool holds a connection, which the hang leaves open and silent.
  await secondary.execute('SELECT 1');
  const dual = closing(createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true, secondaryTimeoutMs: 200 }));
  proxy.setMode(mode);

  const started = performance.now();
  const first = await dual.execute('INSERT INTO t (id, n) VALUES (1, 1)');
  const firstMs = performance.now() - started;
  for (let id = 2; id <= 50; id++) await dual.execute('INSERT INTO t (id, n) VALUES (?, ?)', [id, id]);
  await dual.execute('UPDATE t SET n = n + 100 WHERE id <= 10');
  const allMs = performance.now() - started;

  expect(first.rowsAffected).toBe(1);
  // The bound the write waits for is the timeout's (with room for a loaded machine), not TCP's.
  expect(firstMs).toBeLessThan(2_000);
  expect(allMs).toBeLessThan(3_000);
  expect(dual.getMetrics()).toMatchObject({ secondaryCircuit: 'open', journalDepth: 51 });
  if (mode === 'hang') expect(dual.getMetrics().secondaryTimeouts).toBe(1);

  proxy.setMode('pass');
  await expect.poll(() => dual.getMetrics().secondaryCircuit, { timeout: 10_000 }).toBe('closed');
  await dual.replayJournal();
  expect(dual.getMetrics().journalDepth).toBe(0);
  expect((await validateDatabases(primary, secondaryDirect, { validateAllRows: true, tables: ['t'] })).ok).toBe(true);
});

it('SQLite -> Postgres, a schema change while the secondary hangs: asked whether it parses for secondaryTimeoutMs at most, then journaled', async () => {
  const db = await testDatabase();
  const { secondary, secondaryDirect, proxy } = await proxiedSecondary(db.url, 'postgres');
  const primary = closing(createSQLiteAdapter(':memory:', { name: 'sqlite' }));
  await secondary.execute('SELECT 1');
  const dual = closing(createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true, secondaryTimeoutMs: 200 }));
  proxy.setMode('hang');
  const started = performance.now();
  await dual.execute('CREATE TABLE u (id bigint PRIMARY KEY, n bigint NOT NULL)');
  expect(performance.now() - started).toBeLessThan(2_000);
  expect(dual.getMetrics()).toMatchObject({ secondaryCircuit: 'open', journalDepth: 1 });
  proxy.setMode('pass');
  await expect.poll(() => dual.getMetrics().secondaryCircuit, { timeout: 10_000 }).toBe('closed');
  await dual.replayJournal();
  expect(await secondaryDirect.query("SELECT to_regclass('u') IS NOT NULL AS found")).toEqual([{ found: true }]);
});
