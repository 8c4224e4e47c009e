import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
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
describe('a write stranded by an instance that stopped', () => {
  it("cannot land after another instance's replay: the entry names its session, and the replay fences it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-stopped-'));
    const database = await createTestDatabase();
    const target = new URL(database.url);
    const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
    const reader = createPostgresAdapter(database.url, { name: 'reader', max: 1 });
    // One SQLite file, a connection for each instance; both name their sides alike, as instances of one app do.
    const [primaryA, primaryB] = [0, 1].map(() => createSQLiteAdapter(join(dir, 'primary.db'), { name: 'a' }));
    const options = { continueOnSecondaryFailure: true, secondaryTimeoutMs: 150, probeIntervalMs: 50 };
    // The first instance's secondary goes through the proxy, and waits long for a reply (it stops first).
    const a = createDualWriteAdapter(
      primaryA!,
      createPostgresAdapter(proxy.url(database.url), { name: 'b', max: 2, queryTimeoutMs: 30_000 }),
      { ...options, journal: tableJournal(primaryA!) },
    );
    const b = createDualWriteAdapter(primaryB!, createPostgresAdapter(database.url, { name: 'b', max: 2 }), {
      ...options,
      journal: tableJournal(primaryB!),
    });
    try {
      await primaryA!.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
      await reader.execute('CREATE TABLE t (id bigint PRIMARY KEY, n integer NOT NULL)');
      await a.execute('INSERT INTO t (id, n) VALUES (1, 0)');
      const release = proxy.stallOpenConnections();
      // Times out and is journaled; its upsert (n = 1) waits in the network.
      await a.execute('UPDATE t SET n = ? WHERE id = ?', [1, 1]);
      const closing = a.close().catch((e: unknown) => e);
      // Stopping, it journals the write's rows again, naming the session still running it.
      const journal = tableJournal(primaryB!);
      await expect.poll(async () => (await journal.entries()).some((e) => (e.fence?.length ?? 0) > 0), { timeout: 5_000 }).toBe(true);
      await b.execute('UPDATE t SET n = ? WHERE id = ?', [2, 1]);
      await b.replayJournal();
      expect(b.getMetrics().journalDepth).toBe(0);
      expect(await reader.query('SELECT id, n FROM t')).toEqual([{ id: 1, n: 2 }]);
      // The stranded bytes move again: their session is gone, so n = 1 never lands.
      release();
      await closing;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await reader.query('SELECT id, n FROM t')).toEqual([{ id: 1, n: 2 }]);
    } finally {
      await b.close();
      await reader.close();
      await proxy.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
