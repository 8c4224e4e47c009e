import { afterEach, describe, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '../src/mirror';
import { chaosSeed, seededRandom } from './chaos-random';
import { create, expectSameRows, OPS, step, writeAtOnce } from './cascade-workload';
import { openSide, withD1Primary } from './open-side';
import { replayUntilEmpty } from './replay-until-empty';
import { twoTestDatabases } from './two-databases';

// Generated workloads over tables whose foreign keys act on delete and on update (a
// referenced unique column renamed, a key moved, a child keyed by its parent's column,
// a row below that one), written through dual write onto a secondary without those
// foreign keys. Without verifyWrites, which would settle what the replication missed:
// after each workload the two sides must hold the same rows. The seed is in the failure.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

describe('generated writes over foreign keys that act on delete and on update', () => {
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`${from} -> ${to} without foreign keys: both sides equal after each workload`, async () => {
      for (let round = 0; round < 2; round++) {
        const seed = chaosSeed();
        const primary = await create(openSide(dbs, from, 'a', opened), true);
        const secondary = await create(openSide(dbs, to, 'b', opened), false);
        const dual = createDualWriteAdapter(primary, secondary);
        await writeAtOnce(dual, primary, seed, 1);
        await expectSameRows(primary, secondary, seed);
        await dual.close();
      }
    });
  }

  // Six writers at once, transactions that rename and move keys among them: a transaction
  // is settled from the primary's rows as they are after its commit, which a later one may
  // have renamed again. The interleaving is the machine's, so a seed repeats the writes,
  // not always their order.
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'postgres'],
  ] as const) {
    it(`${from} -> ${to} without foreign keys, six concurrent writers: both sides equal after each workload`, async () => {
      for (let round = 0; round < 3; round++) {
        const seed = chaosSeed();
        const primary = await create(openSide(dbs, from, 'a', opened), true);
        const secondary = await create(openSide(dbs, to, 'b', opened), false);
        // What the secondary refused goes to the journal, and the writes behind it wait there:
        // a settle that lost a deadlock on the primary, or a key move whose new key a
        // concurrent settle put on the secondary first. Once replayed, nothing may be left.
        const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true });
        const refusals: string[] = [];
        dual.on('secondary-failure', (e) => void (e.deferred || refusals.push(e.error.message)));
        await writeAtOnce(dual, primary, seed, 6);
        await replayUntilEmpty(dual);
        if (refusals.length > 0) console.log(`seed ${seed}: the secondary refused ${refusals.length} write(s): ${refusals[0]}`);
        await expectSameRows(primary, secondary, seed);
        await dual.close();
      }
    });
  }

  // An outbox follows ON DELETE actions, changed referenced values and moved keys. Its drains
  // come at random, far behind the writes at times: a row an action changed that a later
  // write removed must still lead that write's entry to the rows below it.
  it('sqlite outbox -> postgres without foreign keys, drained every few writes: both sides equal after each workload', async () => {
    for (let round = 0; round < 2; round++) {
      const primary = await create(openSide(dbs, 'sqlite', 'a', opened), true);
      await outboxWorkload(primary, await create(openSide(dbs, 'postgres', 'b', opened), false));
    }
  });

  // A D1 outbox entry is written in the write's own batch: it names a key move's new keys by rowid.
  it('D1 outbox -> postgres without foreign keys, drained every few writes: both sides equal after the workload', async () => {
    await withD1Primary(async (primary) => {
      await create(primary, true);
      await outboxWorkload(primary, await create(openSide(dbs, 'postgres', 'b', opened), false));
    });
  });
});

/** A generated workload through an outbox on `primary`, drained at random and at the end; then the sides must match. */
async function outboxWorkload(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  const seed = chaosSeed();
  const r = seededRandom(seed);
  const mirror = outboxMirror(primary);
  const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
  let ids = 0;
  for (let i = 0; i < OPS; i++) {
    await step(dual, primary, r, () => ++ids);
    if (r.int(8) === 0) await drainOutbox(secondary, { mirror });
  }
  await drainOutbox(secondary, { mirror });
  await expectSameRows(primary, secondary, seed);
  await dual.close();
}
