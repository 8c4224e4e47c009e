import { expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createMirrorConsumer, queueMirror, type MirrorDeliveryError } from '../src/mirror';
import { closing, d1ToProxiedPostgres, proxiedSecondary, testDatabase } from './chaos-pairs';
import { collectingQueue } from './queue-delivery';

/**
 * An app (or a Worker isolate) that starts writing through a queue mirror while the
 * secondary is down or hung, before it has read the secondary's tables. Its writes must not
 * fail or wait on the secondary: their messages carry the rows with the primary's columns,
 * and a consumer given the primary turns them into statements once the secondary is back.
 * A consumer without the primary says what it needs and acknowledges nothing it could not apply.
 */
async function openPair(from: 'sqlite' | 'd1') {
  if (from === 'd1') {
    const { primary, secondary, secondaryDirect, proxy } = await d1ToProxiedPostgres();
    return { primary, secondary, secondaryDirect: secondaryDirect!, proxy: proxy! };
  }
  const db = await testDatabase();
  return { primary: closing(createSQLiteAdapter(':memory:', { name: 'sqlite' })), ...(await proxiedSecondary(db.url, 'postgres')) };
}

async function createTables(side: DatabaseAdapter): Promise<void> {
  const id = side.dialect === 'postgres' ? 'bigint PRIMARY KEY' : 'INTEGER PRIMARY KEY';
  await side.execute(`CREATE TABLE early (id ${id}, n bigint NOT NULL)`);
  await side.execute(`CREATE TABLE t (id ${id}, n bigint NOT NULL, note text DEFAULT 'made by the primary')`);
}

for (const from of ['sqlite', 'd1'] as const) {
  it.each(['hang', 'refuse'] as const)(`${from} -> Postgres through a queue, secondary in %s before its tables were read`, async (mode) => {
    const { primary, secondary, secondaryDirect, proxy } = await openPair(from);
    for (const side of [primary, secondaryDirect]) await createTables(side);
    // The pool holds a connection, which the hang leaves open and silent.
    await secondary.execute('SELECT 1');
    const { producer, deliver } = collectingQueue();
    const options = { secondaryWrites: 'async', mirror: queueMirror(producer), secondaryTimeoutMs: 200 } as const;
    await primary.execute('INSERT INTO early (id, n) VALUES (1, 1)');
    await secondaryDirect.execute('INSERT INTO early (id, n) VALUES (1, 1)');
    const dual = closing(createDualWriteAdapter(primary, secondary, options));
    proxy.setMode(mode);

    const started = performance.now();
    const first = await dual.execute('INSERT INTO t (n) VALUES (1)');
    const firstMs = performance.now() - started;
    for (let n = 2; n <= 30; n++) await dual.execute('INSERT INTO t (n) VALUES (?)', [n]);
    await dual.execute('UPDATE t SET n = n + 100 WHERE n <= 10');
    await dual.batch([
      { sql: 'DELETE FROM t WHERE n = ?', params: [20] },
      { sql: 'UPDATE early SET n = n + 1 WHERE id = ?', params: [1] },
    ]);
    const allMs = performance.now() - started;

    expect(first.rowsAffected).toBe(1);
    // The wait is the timeout's once, with room for a loaded machine; not a TCP timeout, nor one
    // per write (the client's 1.5 s queryTimeoutMs each: 48 s for the 32 writes).
    expect(firstMs).toBeLessThan(2_000);
    expect(allMs).toBeLessThan(10_000);
    if (mode === 'hang') expect(dual.getMetrics().secondaryTimeouts).toBe(1);

    proxy.setMode('pass');
    const failures: MirrorDeliveryError[] = [];
    const unapplied = await deliver(createMirrorConsumer(secondaryDirect, { onError: (f) => failures.push(f) }), true);
    expect(unapplied.length).toBe(32);
    expect(failures[0]!.error.message).toMatch(/Give createMirrorConsumer the primary/);
    expect(await secondaryDirect.query('SELECT count(*)::int AS c FROM t')).toEqual([{ c: 0 }]);

    expect(await deliver(createMirrorConsumer(secondaryDirect, { primary }))).toEqual([]);
    const report = await validateDatabases(primary, secondaryDirect, { validateAllRows: true, tables: ['early', 't'] });
    expect(report.ok).toBe(true);
    expect(await secondaryDirect.query('SELECT count(*)::int AS c FROM t')).toEqual([{ c: 29 }]);
    expect(await secondaryDirect.query('SELECT n FROM early')).toEqual([{ n: 2 }]);
  });
}
