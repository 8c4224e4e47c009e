import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectError } from './_internal/expect-error';
import { ddl } from './schema-ddl';

/**
 * Conformance checks: `adapter.db`, the Kysely instance running on the adapter. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * kyselyConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function kyselyConformance(ctx: ConformanceContext): void {
  describe('kysely', () => {
    const { adapter } = ctx;
    const table = ctx.table('kysely');
    // The suite cannot know the user's schema type; an untyped view of the table is enough.
    const db = () => adapter.db;

    beforeAll(async () => {
      await adapter.execute(
        ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text} NOT NULL, active {boolean}, doc {json})`),
      );
    });

    it('inserts and selects through the query builder', async () => {
      await db()
        .insertInto(table)
        .values({ id: 1, name: 'ada', active: true, doc: JSON.stringify({ a: [1] }) })
        .execute();
      const row = await db().selectFrom(table).selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
      expect(normalizeValue(row.id, 'integer')).toBe('1');
      expect(row.name).toBe('ada');
      expect(normalizeValue(row.active, 'boolean')).toBe(true);
      expect(normalizeValue(row.doc, 'json')).toEqual(normalizeValue({ a: [1] }, 'json'));
    });

    it('encodes builder values as raw SQL parameters are encoded', async () => {
      const at = new Date('2022-02-02T02:02:02.202Z');
      await db()
        .insertInto(table)
        .values({ id: 5, name: 'enc', active: false, doc: { nested: { a: [1, 'b'] } } })
        .execute();
      const row = await db().selectFrom(table).selectAll().where('id', '=', 5).where('active', '=', false).executeTakeFirstOrThrow();
      expect(normalizeValue(row.active, 'boolean')).toBe(false);
      expect(normalizeValue(row.doc, 'json')).toEqual(normalizeValue({ nested: { a: [1, 'b'] } }, 'json'));
      const echoed = await adapter.first<{ at: unknown }>('SELECT ? AS at', [at]);
      expect(normalizeValue(echoed?.at, 'timestamp')).toBe(at.toISOString());
      await db().deleteFrom(table).where('id', '=', 5).execute();
    });

    it('reports affected rows of builder updates and deletes', async () => {
      await db()
        .insertInto(table)
        .values([
          { id: 2, name: 'b' },
          { id: 3, name: 'c' },
        ])
        .execute();
      const updated = await db().updateTable(table).set({ name: 'z' }).where('id', '>=', 2).executeTakeFirst();
      expect(Number(updated.numUpdatedRows)).toBe(2);
      const deleted = await db().deleteFrom(table).where('id', '=', 3).executeTakeFirst();
      expect(Number(deleted.numDeletedRows)).toBe(1);
    });

    it('maps builder errors to typed errors', async () => {
      await expectError(db().insertInto(table).values({ id: 1, name: 'again' }).execute(), 'ConstraintError');
    });

    it.runIf(adapter.capabilities.transactions)('commits and rolls back db.transaction()', async () => {
      await db()
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto(table).values({ id: 10, name: 'kept' }).execute();
        });
      await expect(
        db()
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto(table).values({ id: 11, name: 'dropped' }).execute();
            throw new Error('roll back');
          }),
      ).rejects.toThrow('roll back');
      const rows = await db().selectFrom(table).select('id').where('id', '>=', 10).orderBy('id').execute();
      expect(rows.map((r) => normalizeValue(r.id, 'integer'))).toEqual(['10']);
    });

    it.runIf(!adapter.capabilities.transactions)('rejects db.transaction() with an UnsupportedError', async () => {
      await expectError(
        db()
          .transaction()
          .execute(async () => undefined),
        'UnsupportedError',
      );
    });
  });
}
