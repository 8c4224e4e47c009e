import { afterEach, describe, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit';
import { createDualWriteAdapter } from './patient-dual-write';
import { chaosSeed, seededRandom } from './chaos-random';
import { create, expectSameRows, writeAtOnce } from './cascade-workload';
import { proxiedPostgres, startFaults } from './chaos-run';
import { replayUntilEmpty } from './replay-until-empty';

// The generated workload over tables whose foreign keys act on delete and on update, from
// six writers, onto a Postgres secondary with the same foreign keys (as the runbook advises
// for such tables) behind a proxy that refuses, hangs, drops replies and kills connections
// at random. Once the faults end and the journal is replayed (it must empty: nothing may
// jam it), both sides hold the same rows. The seed is in the failure; the interleaving is
// the machine's.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
});

async function sides(from: 'sqlite' | 'postgres') {
  const db = await createTestDatabase();
  open.push({ close: () => db.drop() });
  const { adapter: secondary, proxy } = await proxiedPostgres(db.url, 'pg-b');
  open.push(proxy);
  let primary: DatabaseAdapter;
  if (from === 'sqlite') primary = createSQLiteAdapter(':memory:', { name: 'sqlite-a' });
  else {
    const other = await createTestDatabase();
    open.push({ close: () => other.drop() });
    primary = createPostgresAdapter(other.url, { name: 'pg-a', max: 4 });
  }
  return { primary: await create(primary, true), secondary: await create(secondary, true), proxy };
}

describe('generated writes over foreign keys that act, with the secondary faulted', () => {
  for (const from of ['sqlite', 'postgres'] as const) {
    it(`${from} -> postgres with the foreign keys on both sides: the journal empties and both sides end equal`, async () => {
      const seed = chaosSeed();
      const { primary, secondary, proxy } = await sides(from);
      const dual = createDualWriteAdapter(primary, secondary, {
        continueOnSecondaryFailure: true,
        secondaryTimeoutMs: 300,
        probeIntervalMs: 50,
      });
      open.push(dual);
      // Faults until the writers are done (far more than they take to finish).
      const faults = startFaults(proxy, seededRandom(seed * 7), 1_000);
      await writeAtOnce(dual, primary, seed, 6);
      await faults.stop();
      await replayUntilEmpty(dual, 20_000);
      await expectSameRows(primary, secondary, seed);
    }, 90_000);
  }
});
