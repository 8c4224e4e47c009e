import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { ddl } from './schema-ddl';

/**
 * Conformance checks: D1-style prepared statements on every adapter. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * preparedConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function preparedConformance(ctx: ConformanceContext): void {
  describe('prepared statements', () => {
    const { adapter } = ctx;
    const table = ctx.table('prepared');

    beforeAll(async () => {
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text}, score {real})`));
      const insert = adapter.prepare(`INSERT INTO ${table} (id, name, score) VALUES (?, ?, ?)`);
      for (const [id, name, score] of [
        [1, 'ada', 1.5],
        [2, 'bob', 2.5],
        [3, 'cy', 3.5],
      ] as const) {
        const result = await insert.bind(id, name, score).run();
        expect(result.success).toBe(true);
        expect(result.meta.changes).toBe(1);
      }
    });

    it('binds immutably: bind() returns a new statement', () => {
      const base = adapter.prepare(`SELECT name FROM ${table} WHERE id = ?`);
      const bound = base.bind(1);
      expect(bound).not.toBe(base);
      expect(base.params).toEqual([]);
      expect(bound.params).toEqual([1]);
      expect(bound.sql).toBe(base.sql);
    });

    it('all() returns { results, success, meta }', async () => {
      const result = await adapter.prepare(`SELECT id, name FROM ${table} WHERE id <= ? ORDER BY id`).bind(2).all();
      expect(result.success).toBe(true);
      expect(result.results).toEqual([
        { id: 1, name: 'ada' },
        { id: 2, name: 'bob' },
      ]);
      expect(typeof result.meta.duration).toBe('number');
    });

    it('first() returns the first row, or null', async () => {
      const select = adapter.prepare(`SELECT id, name FROM ${table} WHERE id = ?`);
      expect(await select.bind(3).first()).toEqual({ id: 3, name: 'cy' });
      expect(await select.bind(99).first()).toBeNull();
    });

    it("first('col') returns one column of the first row, or null", async () => {
      const select = adapter.prepare(`SELECT id, name FROM ${table} WHERE id = ?`);
      expect(await select.bind(2).first('name')).toBe('bob');
      expect(await select.bind(99).first('name')).toBeNull();
    });

    it('raw() returns arrays of values in column order, with names on request', async () => {
      const select = adapter.prepare(`SELECT name, id FROM ${table} WHERE id <= ? ORDER BY id`).bind(2);
      expect(await select.raw()).toEqual([
        ['ada', 1],
        ['bob', 2],
      ]);
      expect(await select.raw({ columnNames: true })).toEqual([
        ['name', 'id'],
        ['ada', 1],
        ['bob', 2],
      ]);
    });

    it('run() reports changes of an UPDATE', async () => {
      const result = await adapter.prepare(`UPDATE ${table} SET score = score * 2 WHERE id >= ?`).bind(2).run();
      expect(result.meta.changes).toBe(2);
      const row = await adapter.first<{ score: unknown }>(`SELECT score FROM ${table} WHERE id = ?`, [3]);
      expect(normalizeValue(row?.score, 'real')).toBe(7);
    });

    it('bound statements run in batch()', async () => {
      const insert = adapter.prepare(`INSERT INTO ${table} (id, name, score) VALUES (?, ?, ?)`);
      const results = await adapter.batch([insert.bind(10, 'dee', 0), insert.bind(11, 'eve', 0)]);
      expect(results.map((r) => r.rowsAffected)).toEqual([1, 1]);
      const names = await adapter.prepare(`SELECT name FROM ${table} WHERE id >= ? ORDER BY id`).bind(10).raw();
      expect(names).toEqual([['dee'], ['eve']]);
    });
  });
}
