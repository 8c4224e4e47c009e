import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { ddl } from './schema-ddl';

const ROWS = 250;

/**
 * Conformance checks: what Kysely receives from the adapter matches Kysely's own
 * dialects: streamed rows, no affected-row count on a read, the caller's frames in
 * error stacks, no deprecated result fields, and on Postgres jsonb's `?` operators and
 * arrays bound as Postgres arrays.
 *
 * @example
 * ```ts
 * kyselyResultsConformance(createConformanceContext(adapter, { name: 'postgres', create }));
 * ```
 */
export function kyselyResultsConformance(ctx: ConformanceContext): void {
  describe('kysely results', () => {
    const { adapter } = ctx;
    const table = ctx.table('kysely_results');
    const db = () => adapter.db;

    beforeAll(async () => {
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text})`));
      const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, name: `n${i + 1}` }));
      // Chunks of 40 rows (80 parameters) stay within D1's 100-parameter limit.
      for (let i = 0; i < rows.length; i += 40)
        await db()
          .insertInto(table)
          .values(rows.slice(i, i + 40))
          .execute();
    });

    it('streams rows in chunks, in order', async () => {
      const ids: string[] = [];
      const query = db().selectFrom(table).selectAll().orderBy('id');
      for await (const row of query.stream(100)) {
        ids.push(normalizeValue(row.id, 'integer') as string);
      }
      expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => String(i + 1)));
    });

    it('closes the stream when the loop ends early', async () => {
      let seen = 0;
      for await (const _row of db().selectFrom(table).selectAll().orderBy('id').stream(10)) {
        if (++seen === 5) break;
      }
      expect(seen).toBe(5);
      // The connection (and, on SQLite, the database) is free again.
      const { n } = await db()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(normalizeValue(n, 'integer')).toBe(String(ROWS));
      await db().updateTable(table).set({ name: 'after-stream' }).where('id', '=', 1).execute();
    });

    it('reports no affected-row count for a read, and one for a write', async () => {
      const raw = await sql`SELECT id FROM ${sql.table(table)} WHERE id = ${1}`.execute(db());
      expect(raw.numAffectedRows).toBeUndefined();
      const built = await db().executeQuery(db().selectFrom(table).select('id').where('id', '=', 1).compile());
      expect(built.numAffectedRows).toBeUndefined();
      const update = await db().executeQuery(db().updateTable(table).set({ name: 'x' }).where('id', '=', 1).compile());
      expect(update.numAffectedRows).toBe(1n);
      expect('numUpdatedOrDeletedRows' in update).toBe(false);
    });

    it("keeps the caller's frames in error stacks", async () => {
      async function callerFrameMarker() {
        await db().selectFrom(`${table}_missing`).selectAll().execute();
      }
      const error = await callerFrameMarker().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.stack).toContain('callerFrameMarker');
    });

    it.runIf(adapter.dialect === 'postgres')("runs jsonb's ?, ?| and ?& operators next to $n parameters", async () => {
      const { rows } = await sql<{ has: boolean; some: boolean; every: boolean; one: number }>`
        SELECT '{"a":1}'::jsonb ? 'a' AS has, '{"a":1}'::jsonb ?| array['a','b'] AS some,
               '{"a":1}'::jsonb ?& array['a','b'] AS every, ${41}::int + 1 AS one, '?' AS q`.execute(db());
      expect(rows[0]).toMatchObject({ has: true, some: true, every: false, one: 42, q: '?' });
      const none = await sql<{ has: boolean }>`SELECT '{"a":1}'::jsonb ? 'b' AS has`.execute(db());
      expect(none.rows[0]!.has).toBe(false);
    });

    it.runIf(adapter.dialect === 'postgres')('binds JS arrays as Postgres arrays', async () => {
      const rows = await db()
        .selectFrom(table)
        .select('id')
        .where(sql<boolean>`id = any(${[2, 4, 6]})`)
        .orderBy('id')
        .execute();
      expect(rows.map((r) => normalizeValue(r.id, 'integer'))).toEqual(['2', '4', '6']);
      const { rows: lengths } = await sql<{ n: number }>`SELECT array_length(${['a', 'b', 'c']}::text[], 1) AS n`.execute(db());
      expect(lengths[0]!.n).toBe(3);
    });

    it.runIf(adapter.dialect !== 'postgres')('binds JS arrays as JSON text on SQLite and D1', async () => {
      const { rows } = await sql<{ v: string }>`SELECT ${[1, 'two', null]} AS v`.execute(db());
      expect(rows[0]!.v).toBe('[1,"two",null]');
    });
  });
}
