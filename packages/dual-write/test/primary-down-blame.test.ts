import { afterEach, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { startFaultProxy, type FaultProxy } from '@switchyard/testkit';
import { SecondaryWriteError, type DualWriteEventOf } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { dualWithJournalInPrimary } from './journal-in-primary';
import { replayUntilEmpty } from './replay-until-empty';
import { holdTables, sleep } from './table-locks';
import { twoTestDatabases } from './two-databases';

// A primary that stops answering while a committed write's rows are on their way to the
// secondary (read again after the commit, or settled by a journal replay) must not be
// taken for a secondary that stopped: the secondary's circuit would open, its probe find
// it answering, the replay fail on the primary again, and the circuit flap for as long as
// the primary is down, each time reporting the secondary as the side at fault.

const dbs = twoTestDatabases();
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function proxied(url: string): Promise<FaultProxy> {
  const target = new URL(url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  cleanup.push(() => proxy.close());
  return proxy;
}

async function tables(...sides: DatabaseAdapter[]): Promise<void> {
  for (const side of sides) await side.execute('DROP TABLE IF EXISTS t; CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL)');
}

it('a replay that cannot read the primary leaves the secondary circuit closed, and tries again once the primary answers', async () => {
  const [pa, pb] = [await proxied(dbs.database.url), await proxied(dbs.other.url)];
  const primary = createPostgresAdapter(pa.url(dbs.database.url), { name: 'pg-a', max: 4, connectTimeoutMs: 500 });
  const secondary = createPostgresAdapter(pb.url(dbs.other.url), { name: 'pg-b', max: 4, connectTimeoutMs: 500 });
  await tables(primary, secondary);
  const circuit: DualWriteEventOf<'circuit'>[] = [];
  const dual = createDualWriteAdapter(primary, secondary, {
    continueOnSecondaryFailure: true,
    secondaryTimeoutMs: 500,
    probeIntervalMs: 100,
    onEvent: (e) => e.type === 'circuit' && circuit.push(e),
  });
  cleanup.push(() => dual.close());
  await dual.execute('INSERT INTO t (id, v) VALUES (1, 1)');

  // The secondary goes away: the write is journaled, and its circuit opens (rightly).
  pb.setMode('refuse');
  await dual.execute('UPDATE t SET v = 2 WHERE id = 1');
  expect(circuit.map((e) => `${e.target} ${e.state}`)).toEqual(['pg-b open']);

  // It comes back as the primary goes away: the probe closes the circuit and the replay
  // fails reading the primary, which is not the secondary's doing.
  pa.setMode('refuse');
  pb.setMode('pass');
  await sleep(1_500);
  expect(circuit.map((e) => `${e.target} ${e.state}`)).toEqual(['pg-b open', 'pg-b closed']);
  expect(dual.getMetrics()).toMatchObject({ journalDepth: 1, secondaryFailures: 1 });

  // Once the primary answers, the replay is tried again without the app asking.
  pa.setMode('pass');
  await expect.poll(() => dual.getMetrics().journalDepth, { timeout: 5_000 }).toBe(0);
  expect(await secondary.first('SELECT v FROM t WHERE id = 1')).toEqual({ v: 2 });
  expect(circuit).toHaveLength(2);
});

/** A pair whose primary gives up on a read after 300 ms, and a session of the primary to lock its tables with. */
async function lockablePair() {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 4, queryTimeoutMs: 300 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-b', max: 4 });
  const locker = createPostgresAdapter(dbs.database.url, { name: 'locker', max: 1 });
  cleanup.push(() => locker.close());
  await tables(primary, secondary);
  // Connected first: on a busy machine a new connection could ask for the lock too late.
  await locker.query('SELECT 1');
  return { primary, secondary, locker };
}

it('a transaction whose rows cannot be read after its commit succeeds, its rows journaled, the secondary not blamed', async () => {
  const { primary, secondary, locker } = await lockablePair();
  const events: string[] = [];
  const dual = createDualWriteAdapter(primary, secondary, { probeIntervalMs: 100, onEvent: (e) => events.push(e.type) });
  cleanup.push(() => dual.close());
  await dual.execute('INSERT INTO t (id, v) VALUES (1, 1)');

  let locked: Promise<unknown> | undefined;
  // Another session asks for the whole table while the transaction holds a row: it gets it
  // the moment the transaction commits and keeps it for a second, so the primary answers
  // no read of the table meanwhile (each gives up after queryTimeoutMs).
  await dual.transaction(async (tx) => {
    await tx.execute('UPDATE t SET v = 9 WHERE id = 1');
    locked = holdTables(locker, 't', 1_000);
    await sleep(100);
  });
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, journalDepth: 1 });
  expect(events).not.toContain('circuit');
  expect(events).not.toContain('secondary-failure');
  await locked;
  expect(await primary.first('SELECT v FROM t WHERE id = 1')).toEqual({ v: 9 });
  await replayUntilEmpty(dual);
  expect(await secondary.first('SELECT v FROM t WHERE id = 1')).toEqual({ v: 9 });
  expect(events).not.toContain('circuit');
});

it('verifyWrites that cannot read the primary counts no difference and journals the rows to be settled', async () => {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 4, queryTimeoutMs: 300 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-b', max: 4 });
  const lockers = [dbs.database.url, dbs.other.url].map((url) => createPostgresAdapter(url, { name: 'locker', max: 1 }));
  cleanup.push(() => Promise.all(lockers.map((l) => l.close())));
  await tables(primary, secondary);
  const events: string[] = [];
  const dual = createDualWriteAdapter(primary, secondary, {
    verifyWrites: true,
    secondaryTimeoutMs: 5_000,
    onEvent: (e) => events.push(e.type),
  });
  cleanup.push(() => dual.close());
  await dual.execute('INSERT INTO t (id, v) VALUES (1, 1)');
  // Connected first: on a busy machine a new connection could take the lock too late.
  for (const l of lockers) await l.query('SELECT 1');

  // The secondary's table is held while the write lands on the primary; the primary's is
  // taken next and held past the secondary's, so the check after the write cannot read it.
  const held = [holdTables(lockers[1]!, 't', 800)];
  await sleep(50);
  const write = dual.execute('UPDATE t SET v = 3 WHERE id = 1');
  await sleep(150);
  held.push(holdTables(lockers[0]!, 't', 1_500));
  await write;
  expect(dual.getMetrics()).toMatchObject({ verificationFailures: 0, secondaryFailures: 0, journalDepth: 1 });
  expect(events).not.toContain('verification-failed');
  await Promise.all(held);
  await replayUntilEmpty(dual);
  expect(await secondary.first('SELECT v FROM t WHERE id = 1')).toEqual({ v: 3 });
});

it('a committed transaction whose rows neither the primary nor its journal table can take is reported, not dropped', async () => {
  const { primary, secondary, locker } = await lockablePair();
  const { dual, failures } = await dualWithJournalInPrimary(primary, secondary);
  cleanup.push(() => dual.close());
  await dual.execute('INSERT INTO t (id, v) VALUES (1, 1)');

  let locked: Promise<unknown> | undefined;
  // As above, and the journal's table is held too: the write's rows have nowhere to go.
  const done = dual.transaction(async (tx) => {
    await tx.execute('UPDATE t SET v = 9 WHERE id = 1');
    locked = holdTables(locker, 't, _switchyard_journal', 1_500);
    await sleep(100);
  });
  await expect(done).rejects.toThrow(SecondaryWriteError);
  await expect(done).rejects.toThrow(/could not store it either/);
  expect(failures).toHaveLength(1);
  expect(failures[0]!.entry).toBeUndefined();
  await locked;
});
