import { afterEach, describe, it, onTestFailed } from 'vitest';
import { createDualWriteAdapter } from './patient-dual-write';
import { chaosSeed, seededRandom } from './chaos-random';
import { expectSameRows, writeAtOnce } from './cascade-workload';
import { startFaults } from './chaos-run';
import { faultedCascadeSides, type Opened } from './faulted-cascade-sides';
import { replayUntilEmpty } from './replay-until-empty';

// The generated workload over tables whose foreign keys act on delete and on update, from
// six writers, onto a Postgres secondary with the same foreign keys (as the runbook advises
// for such tables) and onto one without them (created after the backfill), behind a proxy
// that refuses, hangs, drops replies and kills connections at random. Once the faults end and the journal is replayed (it must empty: nothing may
// jam it), both sides hold the same rows. The seed is in the failure; the interleaving is
// the machine's.

const open: Opened[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
});

describe('generated writes over foreign keys that act, with the secondary faulted', () => {
  const cases = [
    { from: 'sqlite', foreignKeys: true },
    { from: 'postgres', foreignKeys: true },
    { from: 'postgres', foreignKeys: false },
  ] as const;
  for (const { from, foreignKeys } of cases) {
    const on = foreignKeys ? 'the foreign keys on both sides' : 'the foreign keys on the primary only';
    it(`${from} -> postgres with ${on}: the journal empties and both sides end equal`, async () => {
      const seed = chaosSeed();
      const { primary, secondary, proxy } = await faultedCascadeSides(from, foreignKeys, open);
      const dual = createDualWriteAdapter(primary, secondary, {
        continueOnSecondaryFailure: true,
        secondaryTimeoutMs: 300,
        probeIntervalMs: 50,
      });
      open.push(dual);
      // What the secondary's failures were, printed if the sides end different.
      const trail: string[] = [];
      for (const type of ['secondary-failure', 'secondary-conflict', 'statement-replay'] as const)
        dual.on(type, (e) => trail.push(`${type} ${e.sql} ${'error' in e ? e.error.message : ''}`.slice(0, 300)));
      onTestFailed(() => console.error(`[cascade faults] seed ${seed}, last events:\n  ${trail.slice(-60).join('\n  ')}`));
      // Faults until the writers are done (far more than they take to finish).
      const faults = startFaults(proxy, seededRandom(seed * 7), 1_000);
      await writeAtOnce(dual, primary, seed, 6);
      await faults.stop();
      await replayUntilEmpty(dual, 20_000);
      await expectSameRows(primary, secondary, seed);
    }, 90_000);
  }
});
