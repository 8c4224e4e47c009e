import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { MirrorApplyError } from '../../src/mirror/mirror-errors';
import { appSchema, expectSameRows, mirroredWrite, workload } from './mirror-test-kit';
import { applyOps } from '../../src/mirror/op-apply';
import { drainOutbox } from '../../src/mirror/outbox-drain';
import { outboxMirror, type OutboxMirror } from '../../src/mirror/outbox-mirror';
import {
  APPLIED_OPS_TABLE,
  MIRROR_ERRORS_TABLE,
  ROW_VERSIONS_TABLE,
  outboxTableDdl,
  secondaryTablesDdl,
} from '../../src/mirror/mirror-schema';

/** `blockDeletes` / `unblockDeletes` for a SQLite or D1 primary. */
export const sqliteDeleteBlock = {
  blockDeletes: (table: string): string[] => [
    `CREATE TRIGGER block_outbox_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, 'outbox deletes blocked'); END`,
  ],
  unblockDeletes: (): string[] => ['DROP TRIGGER block_outbox_delete'],
};

/** A fresh primary and secondary, and engine-specific SQL the scenarios need. */
export interface OutboxPair {
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  /** SQL that makes every DELETE on `table` in the primary fail (a crash between apply and removal). */
  blockDeletes(table: string): string[];
  /** SQL that undoes {@link blockDeletes}. */
  unblockDeletes(table: string): string[];
  dispose(): Promise<void>;
}

/**
 * The outbox scenarios of issue 7, run against a real primary and secondary: the
 * drain failing mid-batch on a real statement, failing after applying but before
 * removing entries, aborted, and restarted; no entry lost and none applied twice.
 */
export function outboxScenarios(title: string, open: () => Promise<OutboxPair>, batch = 50): void {
  // Every count derives from the batch size, so slow engines (D1 on Miniflare) run smaller.
  const B = batch;
  const poisonAt = Math.floor(1.8 * B);
  const half = Math.max(1, Math.floor(B / 2));
  describe(title, () => {
    let pair: OutboxPair;
    let mirror: OutboxMirror;
    const tables = ['accounts', 'counters'];

    // One pair per suite (engines are slow to start); each test starts from empty tables.
    beforeAll(async () => {
      pair = await open();
    });
    beforeEach(async () => {
      // One batch per side: on Miniflare every round trip counts.
      mirror = outboxMirror(pair.primary);
      const drops = [...tables, 'audit'].map((t) => ({ sql: `DROP TABLE IF EXISTS ${t}` }));
      const seeds = [1, 2, 3, 4, 5].map((id) => ({ sql: 'INSERT INTO counters (id, n) VALUES (?, 0)', params: [id] }));
      await pair.primary.batch([
        ...drops,
        ...appSchema(pair.primary.dialect).map((sql) => ({ sql })),
        ...seeds,
        { sql: outboxTableDdl(pair.primary.dialect, mirror.table) },
        { sql: `DELETE FROM ${mirror.table}` },
      ]);
      await pair.secondary.batch([
        ...drops,
        ...appSchema(pair.secondary.dialect).map((sql) => ({ sql })),
        ...seeds,
        ...secondaryTablesDdl(pair.secondary.dialect).map((sql) => ({ sql })),
        ...[APPLIED_OPS_TABLE, ROW_VERSIONS_TABLE, MIRROR_ERRORS_TABLE].map((t) => ({ sql: `DELETE FROM ${t}` })),
      ]);
    });
    afterAll(async () => {
      await pair?.dispose();
    });

    const write = async (count: number, poisonAt?: number) => {
      for (const w of workload(count, poisonAt)) await mirroredWrite(pair.primary, mirror, w);
    };
    const outboxDepth = async () => (await mirror.sampleMetrics()).depth;

    it('writes the outbox entry atomically with the write: a failed write leaves no entry', async () => {
      await write(3);
      const before = await outboxDepth();
      // A duplicate key fails the primary batch, so its outbox row must not exist either.
      const prepared = await mirror.prepare(workload(1)[0]!);
      await expect(pair.primary.batch(prepared.statements)).rejects.toThrow();
      expect(await outboxDepth()).toBe(before);
      // The same for a single statement (on Postgres the write and its entry are one statement).
      const single = await mirror.prepare([{ sql: 'INSERT INTO counters (id, n) VALUES (?, ?)', params: [1, 0] }]);
      await expect(pair.primary.batch(single.statements)).rejects.toThrow();
      expect(await outboxDepth()).toBe(before);
      const { applied } = await drainOutbox(pair.secondary, { mirror });
      expect(applied).toBe(3);
      await expectSameRows(pair.primary, pair.secondary, tables);
    });

    it('stops at an entry that fails on the secondary mid-batch, then resumes: nothing lost, nothing twice', async () => {
      await pair.primary.execute('CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT)');
      await write(3 * B, poisonAt);
      // The secondary lacks the audit table: the poisoned entry fails for real, inside the second batch.
      const error = await drainOutbox(pair.secondary, { mirror, batchSize: B }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MirrorApplyError);
      expect((error as MirrorApplyError).message).toMatch(/audit/);
      expect(await outboxDepth()).toBe(3 * B - poisonAt + 1);
      const count = await pair.secondary.first<{ n: unknown }>('SELECT COUNT(*) AS n FROM accounts');
      expect(Number(count!.n)).toBe(poisonAt - 1);
      await pair.secondary.execute('CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT)');
      const resumed = await drainOutbox(pair.secondary, { mirror, batchSize: B });
      expect(resumed).toMatchObject({ applied: 3 * B - poisonAt + 1, duplicates: 0 });
      expect(await outboxDepth()).toBe(0);
      await expectSameRows(pair.primary, pair.secondary, [...tables, 'audit']);
    });

    it('survives a stop between applying a batch and removing it: the restart only removes it', async () => {
      await write(2 * B + 20);
      for (const sql of pair.blockDeletes(mirror.table)) await pair.primary.execute(sql);
      await expect(drainOutbox(pair.secondary, { mirror, batchSize: B })).rejects.toThrow(/blocked/);
      expect(await outboxDepth()).toBe(2 * B + 20);
      for (const sql of pair.unblockDeletes(mirror.table)) await pair.primary.execute(sql);
      const resumed = await drainOutbox(pair.secondary, { mirror, batchSize: B });
      expect(resumed).toMatchObject({ applied: B + 20, duplicates: B });
      await expectSameRows(pair.primary, pair.secondary, tables);
      expect(mirror.getMetrics()).toMatchObject({ applied: 2 * B + 20, duplicates: B, depth: 0, lagMs: 0 });
    });

    it('stops on an AbortSignal between batches and resumes where it stopped', async () => {
      await write(8 * half);
      const controller = new AbortController();
      const first = await drainOutbox(pair.secondary, {
        mirror,
        batchSize: half,
        signal: controller.signal,
        onBatch: (p) => p.batches === 3 && controller.abort(),
      });
      expect(first).toMatchObject({ applied: 3 * half, aborted: true });
      const metrics = await mirror.sampleMetrics();
      expect(metrics.depth).toBe(5 * half);
      expect(metrics.lagMs).toBeGreaterThan(0);
      const rest = await drainOutbox(pair.secondary, { mirror, batchSize: half });
      expect(rest).toMatchObject({ applied: 5 * half, duplicates: 0, aborted: false });
      await expectSameRows(pair.primary, pair.secondary, tables);
      const ids = await pair.secondary.first<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${APPLIED_OPS_TABLE}`);
      expect(Number(ids!.n)).toBe(8 * half);
    });

    it('applies each entry once when two drains run at the same time', async () => {
      await write(2 * B);
      const [one, two] = await Promise.all([
        drainOutbox(pair.secondary, { mirror, batchSize: half }),
        drainOutbox(pair.secondary, { mirror, batchSize: half }),
      ]);
      expect(one.applied + two.applied).toBe(2 * B);
      expect(await outboxDepth()).toBe(0);
      await expectSameRows(pair.primary, pair.secondary, tables);
    });

    it('applies a redelivered operation once, and repairs operations that arrive after a newer one', async () => {
      const insert = 'INSERT INTO accounts (id, name, balance, active) VALUES (?, ?, ?, ?)';
      await mirroredWrite(pair.primary, mirror, [{ sql: insert, params: [1, 'a', 10, true] }]);
      await mirroredWrite(pair.primary, mirror, [{ sql: 'UPDATE accounts SET name = ? WHERE id = ?', params: ['b', 1] }]);
      await mirroredWrite(pair.primary, mirror, [{ sql: 'UPDATE accounts SET balance = balance + 5 WHERE id = ?', params: [1] }]);
      const [op1, op2, op3] = await mirror.peek(10);
      const outcomes = (results: Awaited<ReturnType<typeof applyOps>>) => results.map((r) => ('outcome' in r ? r.outcome : r.error));

      // The update arrives first, then the insert it depends on, then the update again.
      expect(outcomes(await applyOps(pair.secondary, [op2!, op1!, op2!]))).toEqual(['applied', 'stale', 'duplicate']);
      // Without the primary to re-read from, the older operation is skipped and recorded, never applied.
      const recorded = await pair.secondary.query<{ kind: string; op_id: string }>(`SELECT kind, op_id FROM ${MIRROR_ERRORS_TABLE}`);
      expect(recorded).toEqual([{ kind: 'stale', op_id: op1!.opId }]);
      expect(await pair.secondary.query('SELECT * FROM accounts')).toEqual([]);

      // Redelivered with the primary at hand, the row is re-read; the watermark (the outbox's
      // newest entry) marks op3 as already included, so its increment is not applied twice.
      await pair.secondary.execute(`DELETE FROM ${APPLIED_OPS_TABLE} WHERE id = ?`, [op1!.opId]);
      const repair = { repairFrom: pair.primary, watermark: () => op3!.seq };
      expect(outcomes(await applyOps(pair.secondary, [op1!], repair))).toEqual(['repaired']);
      expect(outcomes(await applyOps(pair.secondary, [op3!], repair))).toEqual(['repaired']);
      await expectSameRows(pair.primary, pair.secondary, ['accounts']);
      const row = await pair.secondary.first<{ balance: unknown }>('SELECT balance FROM accounts WHERE id = 1');
      expect(Number(row!.balance)).toBe(15);
    });
  });
}
