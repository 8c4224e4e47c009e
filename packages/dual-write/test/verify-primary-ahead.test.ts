import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import type { DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { holdAnswerOfNextWrite } from './held-write';
import { openSide } from './open-side';
import { twoTestDatabases } from './two-databases';

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

// A transaction writes on the primary without the in-process row locks (a long one must not
// block unrelated writes) and settles its rows after its commit, under them. A write verifying
// one of those rows in between found the primary ahead of the secondary and counted a
// divergence, in one process without a fault: under concurrent transactions on hot rows,
// verificationFailures rose with nothing wrong. Nor is a row another instance wrote on both
// sides meanwhile: the difference is counted only if it is still there under the primary's
// row lock. A change another instance made on the primary alone stays counted.
describe('verifyWrites and a transaction of this process committing the same row', () => {
  const dbs = twoTestDatabases();
  const opened: DatabaseAdapter[] = [];
  afterEach(async () => {
    for (const a of opened.splice(0)) await a.close();
  });

  for (const [from, to] of [
    ['postgres', 'sqlite'],
    ['sqlite', 'postgres'],
  ] as const) {
    it(`${from} -> ${to}: left to the transaction's settle, not counted; another instance's change counted and settled unless it landed on both sides`, async () => {
      const primary = openSide(dbs, from, 'a', opened);
      const secondary = openSide(dbs, to, 'b', opened);
      for (const side of [primary, secondary]) {
        await side.execute('DROP TABLE IF EXISTS hot');
        await side.execute('CREATE TABLE hot (id int PRIMARY KEY, n int)');
      }
      const held = holdAnswerOfNextWrite(secondary);
      const events: DualWriteEvent[] = [];
      const dual = createDualWriteAdapter(primary, held.adapter, { verifyWrites: true, onEvent: (e) => events.push(e) });
      await dual.execute('INSERT INTO hot (id, n) VALUES (1, 0)');
      const n = async (side: DatabaseAdapter) => (await side.query<{ n: number }>('SELECT n FROM hot WHERE id = 1'))[0]!.n;

      held.arm();
      const write = dual.execute('UPDATE hot SET n = 1 WHERE id = 1');
      await held.written;
      const transaction = dual.transaction((tx) => tx.execute('UPDATE hot SET n = 2 WHERE id = 1'));
      await until(async () => (await n(primary)) === 2);
      held.resume();
      await Promise.all([write, transaction]);
      expect(events.filter((e) => e.type === 'verification-failed')).toEqual([]);
      expect(dual.getMetrics().verificationFailures).toBe(0);
      expect([await n(primary), await n(secondary)]).toEqual([2, 2]);

      // An instance's write whose secondary answer is held while `meanwhile` runs; the instance after it.
      const writeWhileHeld = async (sql: string, meanwhile: () => Promise<unknown>) => {
        const holder = holdAnswerOfNextWrite(secondary);
        const instance = createDualWriteAdapter(primary, holder.adapter, { verifyWrites: true, onEvent: (e) => events.push(e) });
        holder.arm();
        const written = instance.execute(sql);
        await holder.written;
        await meanwhile();
        holder.resume();
        await written;
        return instance;
      };

      // The same moment, with the row changed by another instance (straight on the primary).
      const other = await writeWhileHeld('UPDATE hot SET n = 3 WHERE id = 1', () => primary.execute('UPDATE hot SET n = 4 WHERE id = 1'));
      expect(events.filter((e) => e.type === 'verification-failed')).toHaveLength(1);
      expect(other.getMetrics()).toMatchObject({ verificationFailures: 1, divergencesSettled: 1 });
      expect([await n(primary), await n(secondary)]).toEqual([4, 4]);

      // Another instance's whole write (its primary, then its secondary) landing in that moment:
      // the secondary holds the primary's row by the time it is compared again under the lock.
      const late = await writeWhileHeld('UPDATE hot SET n = 5 WHERE id = 1', async () => {
        for (const side of [primary, secondary]) await side.execute('UPDATE hot SET n = 6 WHERE id = 1');
      });
      expect(events.filter((e) => e.type === 'verification-failed')).toHaveLength(1);
      expect(late.getMetrics()).toMatchObject({ verificationFailures: 0, divergencesSettled: 0 });
      expect([await n(primary), await n(secondary)]).toEqual([6, 6]);
      await late.close();
      await other.close();
      await dual.close();
    });
  }
});
