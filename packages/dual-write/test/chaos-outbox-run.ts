import { expect, onTestFailed, onTestFinished } from 'vitest';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror, type OutboxMirror } from '../src/mirror/index';
import { chaosSeed, seededRandom, type Random } from './chaos-random';
import { chaosSize, createWorkloadTables, expectSidesEqualModel, startFaults, type ChaosPair, type ChaosSize } from './chaos-run';
import { ChaosWriter } from './chaos-workload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The randomized workload in async mode: 16 writers through an outbox in the primary,
 * while a drain applies its entries to the secondary in batches of random size, with
 * faults between the drain and the secondary (when the pair has a proxy). Once the faults
 * end and the outbox is drained to empty, both sides must pass validation of every row
 * and equal the model: every acknowledged write arrived, in its row's order, once.
 */
export async function runOutboxChaos(pair: ChaosPair, size: ChaosSize = chaosSize(30), seed = chaosSeed()): Promise<void> {
  const rnd = seededRandom(seed);
  const notes: string[] = [`seed ${seed} (rerun with DW_CHAOS_SEED=${seed}), outbox`];
  onTestFailed(() => console.error(`[outbox chaos] ${notes.join('\n  ')}`));
  if (process.env.DW_CHAOS_VERBOSE) onTestFinished(() => console.log(`[outbox chaos] ${notes.join('\n  ')}`));
  await createWorkloadTables(pair);
  const mirror = outboxMirror(pair.primary);
  const dual = createDualWriteAdapter(pair.primary, pair.secondary, { secondaryWrites: 'async', mirror });
  const writers = Array.from({ length: size.writers }, (_, w) => new ChaosWriter(w + 1, seededRandom(seed * 31 + w + 1)));
  const faults = pair.proxy ? startFaults(pair.proxy, seededRandom(seed ^ 0x5bd1e995)) : undefined;
  let writing = true;
  const drainErrors: string[] = [];
  const drainer = (async () => {
    while (writing) {
      await drainOnce(pair, mirror, rnd).catch((error: Error) => drainErrors.push(`${error.name}: ${error.message}`.slice(0, 200)));
      await sleep(rnd.int(20));
    }
  })();
  await Promise.all(writers.map((w) => w.run(dual, size.writesPerWriter, pair.transactions, () => faults?.done === false)));
  writing = false;
  await drainer;
  const injected = (await faults?.stop()) ?? [];
  notes.push(
    `faults ${injected.join(',') || 'none'}; drain errors during the run ${drainErrors.length}: ${drainErrors.slice(0, 5).join(' | ')}`,
  );
  // Connections a hang left with bytes in flight are cut, so nothing late lands after the last drain.
  pair.proxy?.killConnections();
  await sleep(100);
  let left = await mirror.peek(1);
  for (let tries = 0; left.length > 0 && tries < 60; tries++) {
    await drainOnce(pair, mirror, rnd).catch((error: Error) => notes.push(`final drain: ${error.message}`));
    left = await mirror.peek(1);
  }
  const { replicatedByRow, replicatedByStatement } = dual.getMetrics();
  notes.push(
    `outbox left ${left.length}; by row ${replicatedByRow}, by statement ${replicatedByStatement}; ${JSON.stringify(mirror.stats.snapshot())}`,
  );
  if (left.length > 0) throw new Error(`the outbox did not drain: ${notes.join('; ')}`);
  await expectSidesEqualModel(pair, writers, notes);
  // Every table has a key and no schema changes: every write's entry carried rows.
  expect(replicatedByStatement).toBe(0);
  await dual.close();
}

/** One drain of what the outbox holds now, in batches of a random size. */
function drainOnce(pair: ChaosPair, mirror: OutboxMirror, rnd: Random): Promise<unknown> {
  return drainOutbox(pair.secondary, { mirror, batchSize: 1 + rnd.int(40) });
}
