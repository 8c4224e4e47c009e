import { describe, expect, it } from 'vitest';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { createDualWriteAdapter as createAsync } from '../src/index';
import { createMirrorConsumer, drainOutbox, outboxMirror, queueMirror } from '../src/mirror/index';
import { collectingQueue } from './queue-delivery';
import { cleanupAfterEach, primaryAndFreshPostgres } from './open-side';

// A SQLite DATETIME column with DEFAULT 'now' stores the word. Written to a Postgres
// timestamptz, Postgres read it as the moment of the write: the secondary held a time,
// the primary the word, and nothing was counted. Now the secondary refuses the value: the
// write is journaled with the reason, and settles once the primary's row holds a time.
const cleanup = cleanupAfterEach();

async function primaryAndPostgres(kind: 'sqlite' | 'd1') {
  const { primary, secondary } = await primaryAndFreshPostgres(kind, cleanup);
  await primary.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME DEFAULT 'now', note TEXT)");
  await secondary.execute('CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, note text)');
  return { primary, secondary };
}

const rows = 'SELECT id, note FROM events ORDER BY id';

describe("the word 'now' in a SQLite timestamp", () => {
  it.each(['sqlite', 'd1'] as const)('%s -> Postgres: sync dual write journals it with the reason, then settles', async (kind) => {
    const { primary, secondary } = await primaryAndPostgres(kind);
    const app = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true });
    cleanup(() => app.close());
    await app.execute("INSERT INTO events (id, at, note) VALUES (1, '2024-05-06 07:08:09', 'now')");
    const failures: string[] = [];
    app.on('secondary-failure', (e) => void failures.push(e.error.message));
    await app.execute('INSERT INTO events (id, note) VALUES (2, ?)', ['by default']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/the text "now" is the word 'now', which Postgres reads .* as the moment it is written/);
    expect(app.getMetrics()).toMatchObject({ secondaryFailures: 1, journalDepth: 1 });
    expect(await secondary.query(rows)).toEqual([{ id: 1, note: 'now' }]);
    // The row fixed on the primary: the journaled write settles from it.
    await app.execute("UPDATE events SET at = '2024-05-06 07:08:10' WHERE id = 2");
    await app.replayJournal();
    expect(app.getMetrics().journalDepth).toBe(0);
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['events'] })).ok).toBe(true);
  });

  it('SQLite -> Postgres: the drain stops at the entry with the reason, keeps it, and writes no time', async () => {
    const { primary, secondary } = await primaryAndPostgres('sqlite');
    const mirror = outboxMirror(primary);
    const app = createAsync(primary, secondary, { secondaryWrites: 'async', mirror });
    cleanup(() => app.close());
    await app.execute('INSERT INTO events (id, note) VALUES (1, ?)', ['by default']);
    await expect(drainOutbox(secondary, { mirror })).rejects.toThrow(/kept for another attempt/);
    await expect(drainOutbox(secondary, { mirror })).rejects.toThrow(/Parameter 2: the text "now" is the word 'now'/);
    expect(await secondary.query(rows)).toEqual([]);
    expect(await primary.query<{ n: number }>('SELECT count(*) AS n FROM _switchyard_outbox')).toEqual([{ n: 1 }]);
  });

  it('SQLite -> Postgres: a queue message carries the held-back value, and the consumer retries it rather than write a time', async () => {
    const { primary, secondary } = await primaryAndPostgres('sqlite');
    const { producer, deliver } = collectingQueue();
    const app = createAsync(primary, secondary, { secondaryWrites: 'async', mirror: queueMirror(producer) });
    cleanup(() => app.close());
    await app.execute('INSERT INTO events (id, note) VALUES (1, ?)', ['by default']);
    expect(await deliver(createMirrorConsumer(secondary))).toEqual(['m0']);
    expect(await secondary.query(rows)).toEqual([]);
  });

  it('Postgres -> SQLite and D1: an infinite timestamp is the word on the secondary, verified equal', async () => {
    for (const kind of ['sqlite', 'd1'] as const) {
      const { primary: side, secondary: pg } = await primaryAndFreshPostgres(kind, cleanup);
      await pg.execute('CREATE TABLE plans (id int PRIMARY KEY, until timestamptz)');
      await side.execute('CREATE TABLE plans (id INTEGER PRIMARY KEY, until DATETIME)');
      const app = createDualWriteAdapter(pg, side, { verifyWrites: true });
      cleanup(() => app.close());
      await app.execute("INSERT INTO plans VALUES (1, 'infinity'), (2, '-infinity'), (3, '2024-01-01')");
      expect(await side.query('SELECT id, until FROM plans ORDER BY until')).toEqual([
        { id: 2, until: '-infinity' },
        { id: 3, until: '2024-01-01T00:00:00.000Z' },
        { id: 1, until: 'infinity' },
      ]);
      expect(app.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
      expect((await validateDatabases(pg, side, { validateAllRows: true, tables: ['plans'] })).ok).toBe(true);
    }
  });
});
