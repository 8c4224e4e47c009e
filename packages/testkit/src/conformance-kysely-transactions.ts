import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { normalizeValue, type DatabaseAdapter } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectError } from './_internal/expect-error';
import { ddl } from './schema-ddl';

const LEVELS = ['read uncommitted', 'read committed', 'repeatable read', 'serializable', 'snapshot'] as const;

/**
 * Conformance checks: Kysely transactions behave as on Kysely's own dialects. Settings
 * (isolation level, access mode) are honoured or refused with an UnsupportedError, never
 * ignored; savepoints work; every database the adapter writes to ends in the same state.
 *
 * @example
 * ```ts
 * kyselyTransactionsConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function kyselyTransactionsConformance(ctx: ConformanceContext): void {
  describe('kysely transactions', () => {
    const { adapter } = ctx;
    const table = ctx.table('kysely_tx');
    const db = () => adapter.db;
    const idsOn = async (side: DatabaseAdapter) =>
      (await side.query<{ id: unknown }>(`SELECT id FROM ${table} ORDER BY id`)).map((r) => normalizeValue(r.id, 'integer'));
    const expectIdsEverywhere = async (ids: string[]) => {
      for (const side of ctx.sides()) expect(await idsOn(side), side.name).toEqual(ids);
    };
    const clear = () => adapter.execute(`DELETE FROM ${table}`);

    beforeAll(async () => {
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text})`));
    });

    it.runIf(adapter.capabilities.transactions)('refuses writes in a read-only transaction', async () => {
      await clear();
      await expect(
        db()
          .transaction()
          .setAccessMode('read only')
          .execute((trx) => trx.insertInto(table).values({ id: 1 }).execute()),
      ).rejects.toThrow();
      await expect(
        adapter.transaction((tx) => tx.execute(`INSERT INTO ${table} (id) VALUES (2)`), { accessMode: 'read only' }),
      ).rejects.toThrow();
      const read = await db()
        .transaction()
        .setAccessMode('read only')
        .execute((trx) => trx.selectFrom(table).selectAll().execute());
      expect(read).toEqual([]);
      // The next transaction writes again.
      await db()
        .transaction()
        .execute((trx) => trx.insertInto(table).values({ id: 3 }).execute());
      await expectIdsEverywhere(['3']);
    });

    it.runIf(adapter.capabilities.transactions)('runs each isolation level or refuses it, never ignores it', async () => {
      for (const level of LEVELS) {
        const run = db()
          .transaction()
          .setIsolationLevel(level)
          .execute(async (trx) =>
            adapter.dialect === 'postgres'
              ? (await sql<{ level: string }>`SELECT current_setting('transaction_isolation') AS level`.execute(trx)).rows[0]!.level
              : level,
          );
        const outcome = await run.then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ('error' in outcome) expect((outcome.error as { code?: string }).code, level).toBe('UNSUPPORTED');
        else expect(outcome.value, level).toBe(level);
      }
    });

    it.runIf(adapter.capabilities.transactions)('rejects unknown settings and settings on a nested transaction', async () => {
      await expect(adapter.transaction(async () => 1, { isolationLevel: 'chaos' as never })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expectError(
        adapter.transaction((tx) => tx.transaction(async () => 1, { isolationLevel: 'serializable' })),
        'UnsupportedError',
      );
    });

    it.runIf(!adapter.capabilities.transactions)('refuses transaction settings with an UnsupportedError', async () => {
      await expectError(
        db()
          .transaction()
          .setIsolationLevel('serializable')
          .execute(async () => 1),
        'UnsupportedError',
      );
    });

    it.runIf(adapter.capabilities.transactions)('rolls back to and releases savepoints', async () => {
      await clear();
      const trx = await db().startTransaction().execute();
      await trx.insertInto(table).values({ id: 1 }).execute();
      const sp1 = await trx.savepoint('sp1').execute();
      await sp1.insertInto(table).values({ id: 2 }).execute();
      const sp2 = await sp1.savepoint('sp2').execute();
      await sp2.insertInto(table).values({ id: 3 }).execute();
      // Back to sp1 undoes sp2's work too; sp1 stays usable.
      const back = await sp2.rollbackToSavepoint('sp1').execute();
      await back.insertInto(table).values({ id: 4 }).execute();
      const again = await back.savepoint('sp3').execute();
      await again.insertInto(table).values({ id: 5 }).execute();
      const released = await again.releaseSavepoint('sp3').execute();
      await released.rollbackToSavepoint('sp1').execute();
      await released.insertInto(table).values({ id: 6 }).execute();
      await released.commit().execute();
      await expectIdsEverywhere(['1', '6']);
    });

    it.runIf(adapter.capabilities.transactions)('rolls a controlled transaction back with its savepoints', async () => {
      await clear();
      const trx = await db().startTransaction().execute();
      await trx.insertInto(table).values({ id: 7 }).execute();
      const sp = await trx.savepoint('sp').execute();
      await sp.insertInto(table).values({ id: 8 }).execute();
      await sp.rollback().execute();
      await expectIdsEverywhere([]);
      // Nothing was left open: the next statement runs.
      await db().insertInto(table).values({ id: 9 }).execute();
      await expectIdsEverywhere(['9']);
    });
  });
}
