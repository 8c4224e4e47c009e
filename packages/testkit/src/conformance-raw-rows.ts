import { beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { VALUE_COLUMN, createValuesTable, valueCases } from './_internal/value-cases';
import { ddl } from './schema-ddl';

const MB = 1024 * 1024;

/**
 * Conformance checks: rows as arrays in column order (`queryRaw`, and `raw()` on prepared
 * statements), where a join's columns that share a name are all kept, as Drizzle's
 * joins need. Registers a `describe` block; {@link runAdapterConformance} calls it with
 * the suite's context.
 *
 * @example
 * ```ts
 * rawRowsConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function rawRowsConformance(ctx: ConformanceContext): void {
  describe('rows as arrays', () => {
    const { adapter } = ctx;
    const users = ctx.table('raw_users');
    const posts = ctx.table('raw_posts');
    const values = ctx.table('raw_values');
    const join = `SELECT ${users}.id, ${posts}.id, ${posts}.title FROM ${users} JOIN ${posts} ON ${posts}.user_id = ${users}.id WHERE ${users}.id = ? ORDER BY ${posts}.id`;
    const hasQueryRaw = typeof adapter.queryRaw === 'function';

    beforeAll(async () => {
      await adapter.execute(ddl(adapter, `CREATE TABLE ${users} (id {integer} PRIMARY KEY, name {text})`));
      await adapter.execute(ddl(adapter, `CREATE TABLE ${posts} (id {integer} PRIMARY KEY, user_id {integer}, title {text})`));
      await adapter.batch([
        { sql: `INSERT INTO ${users} (id, name) VALUES (?, ?), (?, ?)`, params: [1, 'ada', 2, 'bob'] },
        { sql: `INSERT INTO ${posts} (id, user_id, title) VALUES (?, ?, ?), (?, ?, ?)`, params: [10, 1, 'first', 11, 1, 'second'] },
      ]);
      await createValuesTable(adapter, values);
    });

    it.runIf(hasQueryRaw)('queryRaw() keeps every column of a join whose names repeat, in order', async () => {
      expect(await adapter.queryRaw!(join, [1])).toEqual({
        columns: ['id', 'id', 'title'],
        rows: [
          [1, 10, 'first'],
          [1, 11, 'second'],
        ],
      });
    });

    it.runIf(hasQueryRaw)('queryRaw() names the columns of an empty result, and none for a write', async () => {
      expect(await adapter.queryRaw!(join, [99])).toEqual({ columns: ['id', 'id', 'title'], rows: [] });
      expect(await adapter.queryRaw!(`UPDATE ${users} SET name = ? WHERE id = ?`, ['ada', 1])).toEqual({ columns: [], rows: [] });
    });

    it.runIf(hasQueryRaw)('raw() on a prepared join keeps every column, with names on request', async () => {
      const select = adapter.prepare(join).bind(1);
      expect(await select.raw()).toEqual([
        [1, 10, 'first'],
        [1, 11, 'second'],
      ]);
      expect(await select.raw({ columnNames: true })).toEqual([
        ['id', 'id', 'title'],
        [1, 10, 'first'],
        [1, 11, 'second'],
      ]);
    });

    it.runIf(hasQueryRaw)('queryRaw() reads every value exactly as query() does', async () => {
      // The megabyte values are left to the values suite: they add time, not coverage here.
      const large = (v: unknown) => (typeof v === 'string' || v instanceof Uint8Array) && v.length >= MB;
      const cases = valueCases(ctx).filter((c) => (c.when ?? true) && !large(c.value));
      for (const [i, c] of cases.entries()) {
        await adapter.execute(`INSERT INTO ${values} (id, ${VALUE_COLUMN[c.type]}) VALUES (?, ?)`, [i + 1, c.value]);
      }
      const sql = `SELECT * FROM ${values} ORDER BY id`;
      const raw = await adapter.queryRaw!(sql);
      const rows = await adapter.query<Row>(sql);
      expect(raw.columns).toEqual(Object.keys(rows[0]!));
      expect(raw.rows).toEqual(rows.map((row) => raw.columns.map((c) => row[c])));
    });
  });
}
