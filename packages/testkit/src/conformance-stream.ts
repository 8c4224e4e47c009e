import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { ddl } from './schema-ddl';

const ROWS = 120;

/**
 * Conformance checks for `adapter.stream()`, where the adapter has one: rows in order,
 * chunks no larger than `chunkSize`, the adapter free again after an early `break`; on
 * SQLite, rows handed out as SQLite reads them rather than after the whole result.
 *
 * @example
 * ```ts
 * streamConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function streamConformance(ctx: ConformanceContext): void {
  const { adapter } = ctx;
  describe.runIf(typeof adapter.stream === 'function')('stream()', () => {
    const table = ctx.table('stream');
    const stream = (sql: string, chunkSize: number) => adapter.stream!<{ id: unknown }>(sql, [], { chunkSize });

    beforeAll(async () => {
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY)`));
      const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
      // 90 rows a statement stay within D1's 100-parameter limit.
      for (let i = 0; i < ids.length; i += 90) {
        const part = ids.slice(i, i + 90);
        await adapter.execute(`INSERT INTO ${table} (id) VALUES ${part.map(() => '(?)').join(', ')}`, part);
      }
    });

    it('yields every row in order, in chunks of at most chunkSize', async () => {
      const ids: string[] = [];
      for await (const rows of stream(`SELECT id FROM ${table} ORDER BY id`, 50)) {
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.length).toBeLessThanOrEqual(50);
        ids.push(...rows.map((r) => normalizeValue(r.id, 'integer') as string));
      }
      expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => String(i + 1)));
    });

    it('leaves the adapter usable after breaking out of the loop', async () => {
      for await (const _rows of stream(`SELECT id FROM ${table} ORDER BY id`, 10)) break;
      const [row] = await adapter.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`);
      expect(normalizeValue(row!.n, 'integer')).toBe(String(ROWS));
    });

    // SQLite's iterator holds the database while a loop is open, as Kysely's SqliteDialect
    // does: a statement sent meanwhile waits for the loop. A buffered read would have
    // released the database before handing out the first row.
    it.runIf(adapter.dialect === 'sqlite')('hands out the first row while SQLite is still reading (Kysely stream)', async () => {
      let answered = false;
      let pending: Promise<unknown> | undefined;
      for await (const _row of adapter.db.selectFrom(table).selectAll().orderBy('id').stream(50)) {
        pending = adapter.query('SELECT 1 AS one').then(() => (answered = true));
        await new Promise((resolve) => setTimeout(resolve, 20));
        break;
      }
      expect(answered).toBe(false);
      await pending;
      expect(answered).toBe(true);
    });

    it.runIf(adapter.dialect === 'sqlite')('yields the first row alone on SQLite, before reading further', async () => {
      const sizes: number[] = [];
      for await (const rows of stream(`SELECT id FROM ${table} ORDER BY id`, 50)) sizes.push(rows.length);
      expect(sizes[0]).toBe(1);
    });
  });
}
