import { expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createMirrorConsumer, drainOutbox, outboxMirror, queueMirror } from '../src/mirror/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases, type TwoDatabases } from './two-databases';
import { cleanupAfterEach, openSide } from './open-side';
import { collectingQueue } from './queue-delivery';

/**
 * `CREATE INDEX CONCURRENTLY` on a Postgres primary through a mirror: Postgres refuses it in a
 * transaction block, where the outbox entry commits with the write, so the app's migration
 * failed on the primary. It now runs alone and its entry follows; the secondary, which only
 * the drain writes to, builds the index without `CONCURRENTLY`, in the drain's transaction.
 */
const dbs: TwoDatabases = twoTestDatabases();
const cleanup = cleanupAfterEach();

for (const mode of ['outbox', 'queue'] as const) {
  it(`postgres -> postgres (${mode}): an index built concurrently on the primary reaches the secondary`, async () => {
    const opened: DatabaseAdapter[] = [];
    const primary = openSide(dbs, 'postgres', 'a', opened);
    const secondary = openSide(dbs, 'postgres', 'b', opened);
    for (const side of opened)
      await side.execute('DROP TABLE IF EXISTS notes, _switchyard_outbox, _switchyard_applied_ops, _switchyard_row_versions');
    const { producer, deliver } = collectingQueue();
    const outbox = outboxMirror(primary);
    const app = createDualWriteAdapter(primary, secondary, {
      secondaryWrites: 'async',
      mirror: mode === 'outbox' ? outbox : queueMirror(producer),
    });
    cleanup(() => app.close());
    await app.execute('CREATE TABLE notes (id int PRIMARY KEY, body text)');
    await app.execute('CREATE INDEX CONCURRENTLY notes_body ON notes (body)');
    await app.execute("INSERT INTO notes VALUES (1, 'a')");
    await app.execute('DROP INDEX CONCURRENTLY notes_body');
    await app.execute('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS notes_body_unique ON notes (body)');
    if (mode === 'outbox') await drainOutbox(secondary, { mirror: outbox });
    else expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]);
    const indexes = await secondary.query<{ name: string }>(
      "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'notes' ORDER BY 1",
    );
    expect(indexes.map((i) => i.name)).toEqual(['notes_body_unique', 'notes_pkey']);
    expect(await secondary.query('SELECT id, body FROM notes')).toEqual([{ id: 1, body: 'a' }]);
  });
}
