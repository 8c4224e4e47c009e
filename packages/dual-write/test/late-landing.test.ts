import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createD1Adapter } from '@switchyard/d1';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startFaultProxy } from '@switchyard/testkit';
import { startD1RestServer } from '@switchyard/testkit/d1';
import { createDualWriteAdapter } from './patient-dual-write';
import { holdNextWrite } from './held-write';
import type { DatabaseAdapter } from '@switchyard/core';

/** Dual write that gives up on the secondary after 150 ms and probes it every 50 ms, events as text, row 1 written. */
async function impatientPair(primary: DatabaseAdapter, secondary: DatabaseAdapter, events: string[]) {
  const dual = createDualWriteAdapter(primary, secondary, {
    continueOnSecondaryFailure: true,
    secondaryTimeoutMs: 150,
    probeIntervalMs: 50,
    onEvent: (e) => events.push(e.type === 'circuit' ? `circuit ${e.state}` : e.type),
  });
  await dual.execute('INSERT INTO t (id, n) VALUES (1, 0)');
  return dual;
}

describe('a write that lands on the secondary after its timeout', () => {
  it('does not leave the secondary with its older row when the journal was replayed before it landed', async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const real = createSQLiteAdapter(':memory:', { name: 'b' });
    for (const side of [primary, real]) await side.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    const slow = holdNextWrite(real);
    const events: string[] = [];
    const dual = createDualWriteAdapter(primary, slow.adapter, {
      continueOnSecondaryFailure: true,
      secondaryTimeoutMs: 100,
      probeIntervalMs: 50,
      onEvent: (e) => events.push(e.type === 'circuit' ? `circuit ${e.state}` : e.type),
    });
    await dual.execute('INSERT INTO t (id, n) VALUES (1, 0)');
    slow.arm(800);
    // Times out, is journaled, opens the circuit; its batch is still on its way.
    await dual.execute('UPDATE t SET n = ? WHERE id = ?', [1, 1]);
    // The probe closes the circuit and the replay settles row 1 from the primary (n = 1).
    await expect.poll(() => events.includes('journal-replayed'), { timeout: 2_000 }).toBe(true);
    await dual.execute('UPDATE t SET n = ? WHERE id = ?', [2, 1]);
    expect(await real.query('SELECT n FROM t')).toEqual([{ n: 2 }]);
    // Then the first write lands, with n = 1.
    await slow.landed;
    await expect
      .poll(async () => (await real.query('SELECT n FROM t'))[0], { timeout: 2_000, message: events.join(', ') })
      .toEqual({ n: 2 });
    await dual.close();
  });
});

describe('a write stranded on a stuck Postgres connection', () => {
  it('cannot land after the replay that settled its row: the replay fences the session first', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.url);
    const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const secondary = createPostgresAdapter(proxy.url(database.url), { name: 'b', max: 2, queryTimeoutMs: 400 });
    const reader = createPostgresAdapter(database.url, { name: 'reader', max: 1 });
    try {
      await primary.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
      await reader.execute('CREATE TABLE t (id bigint PRIMARY KEY, n integer NOT NULL)');
      const events: string[] = [];
      const dual = await impatientPair(primary, secondary, events);
      // The pooled connection's flow gets stuck; new connections pass.
      const release = proxy.stallOpenConnections();
      await dual.execute('UPDATE t SET n = ? WHERE id = ?', [1, 1]);
      await dual.execute('UPDATE t SET n = ? WHERE id = ?', [2, 1]);
      await expect.poll(async () => (await reader.first<{ n: number }>('SELECT n FROM t'))?.n, { timeout: 3_000 }).toBe(2);
      // The adapter gives up on the stuck connection (queryTimeoutMs 400): the write's rows are
      // journaled again, and the replay that settles them fences that session first.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await expect.poll(() => dual.getMetrics().journalDepth, { timeout: 3_000 }).toBe(0);
      // Now the stuck bytes (n = 1) move again: their session is gone, so they never run.
      release();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await reader.query('SELECT id, n FROM t'), events.join(', ')).toEqual([{ id: 1, n: 2 }]);
      await dual.close();
    } finally {
      await reader.close();
      await proxy.close();
      await database.drop();
    }
  });
});

describe('a write to a D1 REST secondary that lands after its timeout', () => {
  it('lands before the replay settles its row: the replay waits for the requests on their way', async () => {
    const server = await startD1RestServer();
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const secondary = createD1Adapter({ ...server, baseUrl: server.url }, { name: 'b' });
    for (const side of [primary, secondary]) await side.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    const seen: number[] = [];
    let sampling = true;
    // The secondary's row as it changes, read straight from D1 every few ms.
    const sampler = (async () => {
      while (sampling) {
        const row = await server.binding.prepare('SELECT n FROM t WHERE id = 1').first<{ n: number }>();
        if (row && row.n !== seen[seen.length - 1]) seen.push(row.n);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      const events: string[] = [];
      const dual = await impatientPair(primary, secondary, events);
      server.delayNext(1, 1_000);
      const sent = performance.now();
      // Times out and opens the circuit; D1 runs it a second later all the same.
      await dual.execute('UPDATE t SET n = ? WHERE id = ?', [1, 1]);
      await dual.execute('UPDATE t SET n = ? WHERE id = ?', [2, 1]);
      await expect.poll(() => events.includes('journal-replayed'), { timeout: 5_000 }).toBe(true);
      // Past the late write's landing, and whatever the replays did after it.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_400 - (performance.now() - sent))));
      await expect.poll(() => dual.getMetrics().journalDepth, { timeout: 3_000 }).toBe(0);
      // Without the fence the replay settles n = 2 first, and the late write then puts n = 1 back.
      // Polled: on a loaded machine the sampler's last read may still be on its way.
      // n = 1 may come and go between two samples; n = 2 must be last, and nothing after it.
      await expect.poll(() => seen.at(-1), { timeout: 3_000, message: events.join(', ') }).toBe(2);
      expect(seen.slice(seen.indexOf(2)), events.join(', ')).toEqual([2]);
      expect(await server.binding.prepare('SELECT n FROM t WHERE id = 1').first<{ n: number }>()).toEqual({ n: 2 });
      await dual.close();
    } finally {
      sampling = false;
      await sampler;
      await server.close();
    }
  });
});
