import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startFaultProxy } from '@switchyard/testkit';
import { createDualWriteAdapter } from './patient-dual-write';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
});

/** SQLite -> Postgres through a fault proxy, with the circuit's changes and replays recorded. */
async function setup(onCircuit: (state: string, proxy: Awaited<ReturnType<typeof startFaultProxy>>) => void) {
  const db = await createTestDatabase();
  open.push({ close: () => db.drop() });
  const target = new URL(db.url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  open.push(proxy);
  const pg = createPostgresAdapter(proxy.url(db.url), { name: 'pg', max: 2, queryTimeoutMs: 1_000, connectTimeoutMs: 500 });
  open.push(pg);
  const sqlite = createSQLiteAdapter(':memory:');
  await sqlite.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)');
  await pg.execute('CREATE TABLE t (id bigint PRIMARY KEY, n bigint)');
  const states: string[] = [];
  const dual = createDualWriteAdapter(sqlite, pg, {
    continueOnSecondaryFailure: true,
    secondaryTimeoutMs: 300,
    probeIntervalMs: 100,
    onEvent: (e) => {
      if (e.type === 'circuit') {
        states.push(e.state);
        onCircuit(e.state, proxy);
      }
      if (e.type === 'journal-replayed') states.push(`replayed, ${e.result.remaining} left`);
    },
  });
  return { dual, proxy, states };
}

describe('the journal drains by itself once the secondary answers again', () => {
  it('after a write journaled because the secondary could not be asked for its schema', async () => {
    const { dual, proxy, states } = await setup(() => {});
    proxy.setMode('refuse');
    await dual.execute('INSERT INTO t (id, n) VALUES (1, 1)');
    expect(dual.getMetrics().journalDepth).toBe(1);
    proxy.setMode('pass');
    // Nothing else writes and nothing calls replayJournal().
    await expect.poll(() => dual.getMetrics().journalDepth, { timeout: 3_000, message: JSON.stringify(states) }).toBe(0);
  });

  it('after a background replay that the secondary cut off by going away again', async () => {
    let closes = 0;
    const { dual, proxy, states } = await setup((state, p) => {
      // The probe saw the secondary answer; it goes away again before the replay runs.
      if (state === 'closed' && ++closes === 1) p.setMode('refuse');
    });
    await dual.execute('INSERT INTO t (id, n) VALUES (1, 1)');
    proxy.setMode('refuse');
    await dual.execute('INSERT INTO t (id, n) VALUES (2, 2)');
    expect(dual.getMetrics().journalDepth).toBe(1);
    proxy.setMode('pass');
    await expect.poll(() => closes, { timeout: 3_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    proxy.setMode('pass');
    await expect.poll(() => dual.getMetrics().journalDepth, { timeout: 3_000, message: JSON.stringify(states) }).toBe(0);
    expect(states).toContain('replayed, 1 left');
  });
});
