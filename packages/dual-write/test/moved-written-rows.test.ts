import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '../src/mirror';
import { openSide } from './open-side';
import { recreateTables, twoTestDatabases } from './two-databases';

// A transaction writes a row, then moves its key: the write is captured as the row under
// its old key, the move replayed as its statement. The secondary replays the statement
// first and then settles the rows the transaction wrote; the row under its new key must
// hold what the transaction wrote, though no foreign key references the table.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const DDL = ['CREATE TABLE ticket (id int PRIMARY KEY, state text NOT NULL)'];

describe('a row written and then moved under a new key', () => {
  for (const [from, to, mode] of [
    ['sqlite', 'postgres', 'sync'],
    ['postgres', 'sqlite', 'sync'],
    ['sqlite', 'postgres', 'outbox'],
    ['postgres', 'sqlite', 'outbox'],
  ] as const) {
    it(`${from} -> ${to}, ${mode}: the secondary holds the written values under the new key`, async () => {
      const primary = await recreateTables(openSide(dbs, from, 'a', opened), ['ticket'], DDL);
      const secondary = await recreateTables(openSide(dbs, to, 'b', opened), ['ticket'], DDL);
      const mirror = outboxMirror(primary);
      const dual = createDualWriteAdapter(
        primary,
        secondary,
        mode === 'sync' ? { verifyWrites: true } : { secondaryWrites: 'async', mirror },
      );
      await dual.execute("INSERT INTO ticket (id, state) VALUES (5, 'open'), (7, 'open')");
      await dual.transaction(async (tx) => {
        await tx.execute('UPDATE ticket SET state = ? WHERE id = ?', ['closed', 5]);
        await tx.execute('UPDATE ticket SET id = ? WHERE id = ?', [6, 5]);
      });
      // Alone, too: the statement's own values, and the rows it left after it.
      const moved = await dual.execute('UPDATE ticket SET id = id + 10 WHERE id = ?', [7]);
      expect(moved).toMatchObject({ rowsAffected: 1, rows: [] });
      if (mode === 'outbox') await drainOutbox(secondary, { mirror });
      expect(await secondary.query('SELECT id, state FROM ticket ORDER BY id')).toEqual([
        { id: 6, state: 'closed' },
        { id: 17, state: 'open' },
      ]);
      const report = await validateDatabases(primary, secondary, { tables: ['ticket'], validateAllRows: true });
      if (!report.ok) throw new Error(report.summary);
      if (mode === 'sync') expect(dual.getMetrics().verificationFailures).toBe(0);
    });
  }
});
