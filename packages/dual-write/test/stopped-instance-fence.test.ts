import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startFaultProxy } from '@switchyard/testkit';
import { tableJournal } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

/**
 * Two app instances share one pair and one journal table. The first stops while its write
 * is stranded on a stuck connection to the secondary (its bytes still in the network); the
 * second replays the journal. The stranded write must not land after that replay and put
 * an older row back: the first instance left its session in the journal entry, and the
 * replay ends that session before it settles the row.
 */
/** Two instances on one SQLite file and one Postgres secondary, the first one's secondary through a proxy. */
async function twoInstances() {
  const dir = mkdtempSync(join(tmpdir(), 'sy-stopped-'));
  const database = await createTestDatabase();
  const target = new URL(database.url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  const reader = createPostgresAdapter(database.url, { name: 'reader', max: 1 });
  // One SQLite file, a connection for each instance; both name their sides alike, as instances of one app do.
  const [primaryA, primaryB] = [0, 1].map(() => createSQLiteAdapter(join(dir, 'primary.db'), { name: 'a' })) as [
    SQLiteAdapter,
    SQLiteAdapter,
  ];
  // Long enough that even a loaded machine sends the write before it times out: the test needs it stranded in the network.
  const options = { continueOnSecondaryFailure: true, secondaryTimeoutMs: 1_000, probeIntervalMs: 50 };
  // The first instance's adapter waits long for a reply: it stops (or is killed) before it gives up on the connection.
  const a = createDualWriteAdapter(
    primaryA,
    createPostgresAdapter(proxy.url(database.url), { name: 'b', max: 2, queryTimeoutMs: 30_000 }),
    // It never probes its way back during the test: it stops, or is killed, instead.
    { ...options, probeIntervalMs: 60_000, journal: tableJournal(primaryA) },
  );
  const b = createDualWriteAdapter(primaryB, createPostgresAdapter(database.url, { name: 'b', max: 2 }), {
    ...options,
    journal: tableJournal(primaryB),
  });
  await primaryA.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  await reader.execute('CREATE TABLE t (id bigint PRIMARY KEY, n integer NOT NULL)');
  await a.execute('INSERT INTO t (id, n) VALUES (1, 0)');
  const row = () => reader.query('SELECT id, n FROM t');
  const dispose = async () => {
    await b.close();
    await reader.close();
    await proxy.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { a, b, proxy, row, journal: tableJournal(primaryB), dispose };
}

describe('a write stranded by an instance that stopped', () => {
  it("cannot land after another instance's replay: the entry names its session, and the replay fences it", async () => {
    const { a, b, proxy, row, journal, dispose } = await twoInstances();
    try {
      const release = proxy.stallOpenConnections();
      // Times out and is journaled; its upsert (n = 1) waits in the network.
      await a.execute('UPDATE t SET n = ? WHERE id = ?', [1, 1]);
      const closing = a.close().catch((e: unknown) => e);
      // Stopping, it journals the write's rows again, naming the session still running it.
      await expect.poll(async () => (await journal.entries()).filter((e) => (e.fence?.length ?? 0) > 0).length, { timeout: 5_000 }).toBe(2);
      await b.execute('UPDATE t SET n = ? WHERE id = ?', [2, 1]);
      await b.replayJournal();
      expect(b.getMetrics().journalDepth).toBe(0);
      expect(await row()).toEqual([{ id: 1, n: 2 }]);
      // The stranded bytes move again: their session is gone, so n = 1 never lands.
      release();
      await closing;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await row()).toEqual([{ id: 1, n: 2 }]);
    } finally {
      await dispose();
    }
  });

  it('killed right after the timeout, before anything else: the entry the timeout wrote names the session', async () => {
    const { a, b, proxy, row, journal, dispose } = await twoInstances();
    try {
      const release = proxy.stallOpenConnections();
      await a.execute('UPDATE t SET n = ? WHERE id = ?', [1, 1]);
      // The first instance is gone from here on (as after SIGKILL): it runs nothing more.
      const [entry] = await journal.entries();
      expect(entry?.fence?.length).toBeGreaterThanOrEqual(1);
      await b.execute('UPDATE t SET n = ? WHERE id = ?', [2, 1]);
      await b.replayJournal();
      expect(await row()).toEqual([{ id: 1, n: 2 }]);
      release();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await row()).toEqual([{ id: 1, n: 2 }]);
      await a.close().catch(() => {});
    } finally {
      await dispose();
    }
  });
});
