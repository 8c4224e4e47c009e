import { afterEach, describe, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startFaultProxy, type FaultMode, type FaultProxy } from '@switchyard/testkit';
import { createDualWriteAdapter } from './patient-dual-write';
import { chaosSeed, seededRandom } from './chaos-random';
import { create, expectSameRows, writeAtOnce } from './cascade-workload';
import { replayUntilEmpty } from './replay-until-empty';

// The generated workload over tables whose foreign keys act on delete and on update, from
// six writers, onto a Postgres secondary with the same foreign keys (as the runbook advises
// for such tables) behind a proxy that refuses, hangs and drops replies at random. Once the
// faults end and the journal is replayed (it must empty: nothing may jam it), both sides
// hold the same rows. The seed is in the failure; the interleaving is the machine's.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
});

const MODES: FaultMode[] = ['refuse', 'hang', 'drop-replies', 'pass', 'pass', 'pass'];

/** Switches the proxy among `MODES` every 50-300 ms until `stop` resolves, then passes traffic again. */
async function faultsUntil(proxy: FaultProxy, seed: number, stop: Promise<unknown>): Promise<void> {
  const r = seededRandom(seed * 7);
  let done = false;
  void stop.finally(() => (done = true));
  while (!done) {
    proxy.setMode(r.pick(MODES));
    await new Promise((resolve) => setTimeout(resolve, 50 + r.int(250)));
  }
  proxy.setMode('pass');
}

async function sides(from: 'sqlite' | 'postgres') {
  const db = await createTestDatabase();
  open.push({ close: () => db.drop() });
  const target = new URL(db.url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) }, dropDelayMs: 100 });
  open.push(proxy);
  const secondary = createPostgresAdapter(proxy.url(db.url), { name: 'pg-b', max: 4, queryTimeoutMs: 1_500, connectTimeoutMs: 500 });
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
      const writes = writeAtOnce(dual, primary, seed, 6);
      await Promise.all([writes, faultsUntil(proxy, seed, writes)]);
      await replayUntilEmpty(dual, 20_000);
      await expectSameRows(primary, secondary, seed);
    }, 90_000);
  }
});
