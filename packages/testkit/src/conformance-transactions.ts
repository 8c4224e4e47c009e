import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue, type DatabaseAdapter } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectError } from './_internal/expect-error';
import { rejectionOf } from './_internal/conformance-probes';
import { ddl } from './schema-ddl';

class CallbackFailure extends Error {}

/**
 * Conformance checks: interactive transactions where supported, a clear error where not. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * transactionsConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function transactionsConformance(ctx: ConformanceContext): void {
  describe('transactions', () => {
    const { adapter } = ctx;
    const supported = adapter.capabilities.transactions;
    const table = ctx.table('tx');
    let nextId = 0;
    const ids = async (from: number): Promise<string[]> => {
      const rows = await adapter.query<{ id: unknown }>(`SELECT id FROM ${table} WHERE id >= ? ORDER BY id`, [from]);
      return rows.map((r) => normalizeValue(r.id, 'integer') as string);
    };
    const insertSql = () => `INSERT INTO ${table} (id, name) VALUES (?, ?)`;

    beforeAll(async () => {
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text} NOT NULL)`));
    });

    it.runIf(supported)('commits when the callback resolves, and returns its value', async () => {
      const first = (nextId += 10);
      const value = await adapter.transaction(async (tx) => {
        await tx.execute(insertSql(), [first, 'a']);
        await tx.execute(insertSql(), [first + 1, 'b']);
        const seen = await tx.query(`SELECT id FROM ${table} WHERE id >= ?`, [first]);
        expect(seen).toHaveLength(2);
        return 'done';
      });
      expect(value).toBe('done');
      expect(await ids(first)).toEqual([String(first), String(first + 1)]);
    });

    it.runIf(supported)('rolls back when the callback throws, and rethrows the same error', async () => {
      const first = (nextId += 10);
      const thrown = new CallbackFailure('stop here');
      const caught = await rejectionOf(
        adapter.transaction(async (tx) => {
          await tx.execute(insertSql(), [first, 'a']);
          await tx.batch([{ sql: insertSql(), params: [first + 1, 'b'] }]);
          throw thrown;
        }),
      );
      expect(caught).toBe(thrown);
      expect(await ids(first)).toEqual([]);
    });

    it.runIf(supported)('rethrows a thrown non-Error value unchanged', async () => {
      const first = (nextId += 10);
      const thrown = { reason: 'not an Error' };
      const caught = await rejectionOf(
        adapter.transaction(async (tx) => {
          await tx.execute(insertSql(), [first, 'a']);
          throw thrown;
        }),
      );
      expect(caught).toBe(thrown);
      expect(await ids(first)).toEqual([]);
    });

    it.runIf(supported)('rolls back when a statement inside fails, and the adapter keeps working', async () => {
      const first = (nextId += 10);
      await expectError(
        adapter.transaction(async (tx) => {
          await tx.execute(insertSql(), [first, 'a']);
          await tx.execute(insertSql(), [first, 'duplicate']);
        }),
        'ConstraintError',
      );
      expect(await ids(first)).toEqual([]);
      await adapter.execute(insertSql(), [first, 'after']);
      expect(await ids(first)).toEqual([String(first)]);
    });

    it.runIf(supported)('nests through savepoints: an inner failure rolls back only the inner work', async () => {
      const first = (nextId += 10);
      await adapter.transaction(async (tx) => {
        await tx.execute(insertSql(), [first, 'outer']);
        await expect(
          tx.transaction(async (inner) => {
            await inner.execute(insertSql(), [first + 1, 'inner']);
            throw new CallbackFailure('inner');
          }),
        ).rejects.toBeInstanceOf(CallbackFailure);
        await tx.transaction(async (inner) => {
          await inner.execute(insertSql(), [first + 2, 'inner kept']);
        });
      });
      expect(await ids(first)).toEqual([String(first), String(first + 2)]);
    });

    it.runIf(supported)('nests through savepoints: an outer failure rolls back committed inner work', async () => {
      const first = (nextId += 10);
      await expect(
        adapter.transaction(async (tx) => {
          await tx.transaction(async (inner) => {
            await inner.execute(insertSql(), [first, 'inner']);
          });
          throw new CallbackFailure('outer');
        }),
      ).rejects.toBeInstanceOf(CallbackFailure);
      expect(await ids(first)).toEqual([]);
    });

    it.runIf(supported)('keeps statements from outside a transaction out of its rollback', async () => {
      const first = (nextId += 10);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const tx = adapter.transaction(async (t) => {
        await t.execute(insertSql(), [first, 'inside']);
        await gate;
        throw new CallbackFailure('rollback');
      });
      const outside = adapter.execute(insertSql(), [first + 1, 'outside']);
      // The outside write may wait for the transaction (one connection) or not (a pool).
      setTimeout(release, 20);
      await expect(tx).rejects.toBeInstanceOf(CallbackFailure);
      await outside;
      expect(await ids(first)).toEqual([String(first + 1)]);
    });

    it.runIf(supported)('runs prepared statements and Kysely on the transaction adapter', async () => {
      const first = (nextId += 10);
      await expect(
        adapter.transaction(async (tx) => {
          await tx.prepare(insertSql()).bind(first, 'prepared').run();
          await tx.db
            .insertInto(table)
            .values({ id: first + 1, name: 'kysely' })
            .execute();
          const n = await tx.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE id >= ?`).bind(first).first('n');
          expect(normalizeValue(n, 'integer')).toBe('2');
          throw new CallbackFailure('undo both');
        }),
      ).rejects.toBeInstanceOf(CallbackFailure);
      expect(await ids(first)).toEqual([]);
    });

    it.runIf(supported)('runs concurrent transactions without mixing their statements', async () => {
      const first = (nextId += 100);
      const run = (offset: number, fail: boolean) =>
        adapter.transaction(async (tx) => {
          for (let i = 0; i < 5; i++) {
            await tx.execute(insertSql(), [first + offset + i, `t${offset}`]);
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          if (fail) throw new CallbackFailure('this one rolls back');
        });
      const results = await Promise.allSettled([run(0, false), run(10, true), run(20, false)]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const expected = [0, 1, 2, 3, 4, 20, 21, 22, 23, 24].map((i) => String(first + i));
      expect(await ids(first)).toEqual(expected);
    });

    it.runIf(supported)('refuses the transaction adapter once its transaction has ended', async () => {
      let escaped: DatabaseAdapter | undefined;
      await adapter.transaction(async (tx) => {
        escaped = tx;
      });
      await expectError(escaped!.query('SELECT 1 AS one'), 'SwitchyardError');
      expect(await adapter.first<{ one: unknown }>('SELECT 1 AS one')).toEqual({ one: 1 });
    });

    it.runIf(!supported)('throws an UnsupportedError that points to batch()', async () => {
      let called = false;
      const error = await expectError(
        adapter.transaction(async () => {
          called = true;
        }),
        'UnsupportedError',
      );
      expect((error as Error).message).toMatch(/\bbatch\(/);
      expect(called).toBe(false);
    });
  });
}
