import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createDualWriteAdapter } from './patient-dual-write';
import { createMirrorConsumer, queueMirror } from '../src/mirror';
import { createCascadeTables, expectCascaded } from './cascade-tables';
import { openSide } from './open-side';
import { collectingQueue, withQueuePair } from './queue-delivery';
import { twoTestDatabases } from './two-databases';

// A queue message of a delete holds the deleted rows' keys; the primary's ON DELETE CASCADE
// and SET NULL changed more rows. A consumer given the primary finds the rows on the
// secondary that reference the deleted ones and applies them as the primary holds them.
// The producer keeps what it is sent and one batch hands it over in order; the databases are real.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

/** Writes through a queue mirror, delivers every message in one batch, and returns what was not acknowledged. */
async function writeAndConsume(primary: DatabaseAdapter, secondary: DatabaseAdapter, withPrimary: boolean): Promise<string[]> {
  const { producer, deliver } = collectingQueue();
  const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror: queueMirror(producer) });
  await dual.execute("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
  await dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (10, 1, 2), (11, 2, 1), (12, 2, 2)');
  await dual.execute('INSERT INTO grandchild (id, child_id) VALUES (100, 10), (101, 11)');
  // In a transaction where the primary has them (SQLite), as one statement on D1.
  const remove = (db: DatabaseAdapter) => db.execute('DELETE FROM parent WHERE id = ?', [1]);
  await (primary.capabilities.transactions ? dual.transaction(remove) : remove(dual));
  // A row the cascade removed comes back before the consumer runs.
  await dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (10, 2, NULL)');
  return deliver(createMirrorConsumer(secondary, withPrimary ? { primary } : {}));
}

describe('a queue consumer given the primary brings the rows its ON DELETE actions changed', () => {
  it('D1 (Miniflare) -> Postgres without foreign keys, two levels deep', async () => {
    const d1 = await createTestD1();
    const primary = createD1Adapter(d1.binding, { name: 'd1' });
    try {
      await createCascadeTables(primary, true);
      const secondary = await createCascadeTables(openSide(dbs, 'postgres', 'b', opened), false);
      expect(await writeAndConsume(primary, secondary, true)).toEqual([]);
      await expectCascaded(primary, secondary);
    } finally {
      await primary.close();
      await d1.dispose();
    }
  });

  it('SQLite -> Postgres; without the primary the consumer leaves the referencing rows as they were', async () => {
    const primary = await createCascadeTables(openSide(dbs, 'sqlite', 'a', opened), true);
    const secondary = await createCascadeTables(openSide(dbs, 'postgres', 'b', opened), false);
    expect(await writeAndConsume(primary, secondary, true)).toEqual([]);
    await expectCascaded(primary, secondary);

    const alone = await createCascadeTables(openSide(dbs, 'sqlite', 'a', opened), true);
    await secondary.execute('DROP TABLE grandchild, child, parent');
    await createCascadeTables(secondary, false);
    expect(await writeAndConsume(alone, secondary, false)).toEqual([]);
    expect(await secondary.query('SELECT id FROM grandchild ORDER BY id')).toEqual([{ id: 100 }, { id: 101 }]);
  });
});

describe('a queue consumer given the primary follows the delete an INSERT OR REPLACE runs first', () => {
  it.each(['sqlite', 'd1'] as const)('%s -> Postgres: the replaced parent keeps its key, its children follow its actions', async (from) => {
    await withQueuePair(from, dbs, opened, createCascadeTables, async ({ primary, secondary, dual, deliver }) => {
      if (from === 'sqlite') await primary.execute('PRAGMA foreign_keys = ON');
      await dual.execute("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
      await dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (10, 1, 2), (11, 2, 1)');
      await dual.execute('INSERT INTO grandchild (id, child_id) VALUES (100, 10), (101, 11)');
      const replace = (db: DatabaseAdapter) => db.execute("INSERT OR REPLACE INTO parent (id, name) VALUES (1, 'A')");
      await (primary.capabilities.transactions ? dual.transaction(replace) : replace(dual));
      expect(await deliver(createMirrorConsumer(secondary, { primary }))).toEqual([]);
      expect(await secondary.query('SELECT id, parent_id, other_id FROM child ORDER BY id')).toEqual([
        { id: 11, parent_id: 2, other_id: null },
      ]);
      expect(await secondary.query('SELECT id FROM grandchild ORDER BY id')).toEqual([{ id: 101 }]);
      expect(await secondary.query('SELECT id, name FROM parent ORDER BY id')).toEqual([
        { id: 1, name: 'A' },
        { id: 2, name: 'b' },
      ]);
    });
  });
});
