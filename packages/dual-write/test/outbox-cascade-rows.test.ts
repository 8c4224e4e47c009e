import { afterEach, describe, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '../src/mirror';
import { createCascadeTables, expectCascaded } from './cascade-tables';
import { openSide, withD1Primary } from './open-side';
import { twoTestDatabases } from './two-databases';

// An outbox entry of a delete holds the rows its statement deleted; the primary's ON
// DELETE CASCADE and SET NULL changed more rows, which no entry holds. A secondary without
// those foreign keys (created after the backfill) must get them from the drain, which finds
// them there and takes them from the primary as they are when it runs.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

/** Seeds through the outbox, deletes parent 1 and later re-inserts child 10 under parent 2, drains, and compares. */
async function deleteAndDrain(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  const mirror = outboxMirror(primary);
  const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
  await dual.execute("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
  await dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (10, 1, 2), (11, 2, 1), (12, 2, 2)');
  await dual.execute('INSERT INTO grandchild (id, child_id) VALUES (100, 10), (101, 11)');
  await dual.execute('DELETE FROM parent WHERE id = ?', [1]);
  // A row the cascade removed comes back before the drain runs: its own entry follows the delete's.
  await dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (10, 2, NULL)');
  await drainOutbox(secondary, { mirror });
  await expectCascaded(primary, secondary);
}

describe("an outbox drain brings the rows a primary's ON DELETE actions changed", () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind} outbox -> ${kind === 'sqlite' ? 'Postgres' : 'SQLite'} without foreign keys, two levels deep`, async () => {
      const primary = await createCascadeTables(openSide(dbs, kind, 'a', opened), true);
      const secondary = await createCascadeTables(openSide(dbs, kind === 'sqlite' ? 'postgres' : 'sqlite', 'b', opened), false);
      await deleteAndDrain(primary, secondary);
    });
  }

  it('D1 outbox -> Postgres', async () => {
    await withD1Primary(async (primary) => {
      await createCascadeTables(primary, true);
      await deleteAndDrain(primary, await createCascadeTables(openSide(dbs, 'postgres', 'b', opened), false));
    });
  });
});
