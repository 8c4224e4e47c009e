import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectError, type SwitchyardErrorShape } from './_internal/expect-error';
import { ddl } from './schema-ddl';

/**
 * Conformance checks: execute() results, RETURNING, and typed errors from the engine. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * writesConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function writesConformance(ctx: ConformanceContext): void {
  describe('writes', () => {
    const { adapter } = ctx;
    const table = ctx.table('writes');

    beforeAll(async () => {
      await adapter.execute(
        ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, grp {text} NOT NULL, email {text} UNIQUE, n {integer})`),
      );
    });

    it('reports rowsAffected for INSERT, UPDATE and DELETE', async () => {
      for (let id = 1; id <= 5; id++) {
        const inserted = await adapter.execute(`INSERT INTO ${table} (id, grp, n) VALUES (?, ?, ?)`, [id, id <= 3 ? 'a' : 'b', id]);
        expect(inserted.rowsAffected).toBe(1);
      }
      expect((await adapter.execute(`UPDATE ${table} SET n = n + 10 WHERE grp = ?`, ['a'])).rowsAffected).toBe(3);
      expect((await adapter.execute(`UPDATE ${table} SET n = 0 WHERE grp = ?`, ['none'])).rowsAffected).toBe(0);
      expect((await adapter.execute(`DELETE FROM ${table} WHERE grp = ?`, ['b'])).rowsAffected).toBe(2);
      const rows = await adapter.query<{ id: unknown; n: unknown }>(`SELECT id, n FROM ${table} ORDER BY id`);
      expect(rows.map((r) => [normalizeValue(r.id, 'integer'), normalizeValue(r.n, 'integer')])).toEqual([
        ['1', '11'],
        ['2', '12'],
        ['3', '13'],
      ]);
    });

    it('reports rowsAffected 0 for a SELECT run through execute(), with its rows', async () => {
      const result = await adapter.execute(`SELECT id FROM ${table} WHERE id <= ? ORDER BY id`, [2]);
      expect(result.rowsAffected).toBe(0);
      expect(result.rows).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('reports rowsAffected of upserts, and 0 for ON CONFLICT DO NOTHING', async () => {
      const upsert = `INSERT INTO ${table} (id, grp) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET grp = excluded.grp`;
      expect((await adapter.execute(upsert, [50, 'first'])).rowsAffected).toBe(1);
      expect((await adapter.execute(upsert, [50, 'second'])).rowsAffected).toBe(1);
      const ignore = `INSERT INTO ${table} (id, grp) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`;
      expect((await adapter.execute(ignore, [50, 'third'])).rowsAffected).toBe(0);
      expect(await adapter.first(`SELECT grp FROM ${table} WHERE id = ?`, [50])).toEqual({ grp: 'second' });
    });

    it.runIf(adapter.capabilities.returning)('counts RETURNING rows behind a leading comment or a WITH clause', async () => {
      const commented = await adapter.execute(`/* audit */ INSERT INTO ${table} (id, grp) VALUES (?, ?) RETURNING id`, [60, 'c']);
      expect(commented).toMatchObject({ rowsAffected: 1, rows: [{ id: 60 }] });
      const cte = await adapter.execute(
        `WITH src (id, grp) AS (VALUES (61, 'w'), (62, 'w')) INSERT INTO ${table} (id, grp) SELECT id, grp FROM src RETURNING id`,
      );
      expect(cte.rowsAffected).toBe(2);
      expect(cte.rows?.map((r) => normalizeValue(r.id, 'integer')).sort()).toEqual(['61', '62']);
    });

    it('returns undefined from first() and [] from query() when no row matches', async () => {
      expect(await adapter.first(`SELECT id FROM ${table} WHERE id = ?`, [-1])).toBeUndefined();
      expect(await adapter.query(`SELECT id FROM ${table} WHERE id = ?`, [-1])).toEqual([]);
    });

    it.runIf(adapter.dialect !== 'postgres')('reports the rowid of an INSERT as lastInsertId (SQLite, D1)', async () => {
      const rowid = ctx.table('rowid');
      await adapter.execute(`CREATE TABLE ${rowid} (id INTEGER PRIMARY KEY, name TEXT)`);
      await adapter.execute(`INSERT INTO ${rowid} (id, name) VALUES (?, ?)`, [41, 'first']);
      const result = await adapter.execute(`INSERT INTO ${rowid} (name) VALUES (?)`, ['second']);
      expect(result.rowsAffected).toBe(1);
      expect(normalizeValue(result.lastInsertId, 'integer')).toBe('42');
    });

    it.runIf(adapter.capabilities.returning)('returns RETURNING rows from execute() and query()', async () => {
      const inserted = await adapter.execute(`INSERT INTO ${table} (id, grp) VALUES (?, ?) RETURNING id, grp`, [100, 'r']);
      expect(inserted.rowsAffected).toBe(1);
      expect(inserted.rows).toEqual([{ id: 100, grp: 'r' }]);
      const updated = await adapter.query<{ id: unknown }>(`UPDATE ${table} SET grp = ? WHERE id >= ? RETURNING id`, ['r2', 100]);
      expect(updated).toEqual([{ id: 100 }]);
      const deleted = await adapter.execute(`DELETE FROM ${table} WHERE id = ? RETURNING grp`, [100]);
      expect(deleted.rowsAffected).toBe(1);
      expect(deleted.rows).toEqual([{ grp: 'r2' }]);
    });

    it('raises a ConstraintError on a unique violation, with dialect, sql and cause', async () => {
      const sql = `INSERT INTO ${table} (id, grp, email) VALUES (?, ?, ?)`;
      await adapter.execute(sql, [200, 'u', 'dup@example.com']);
      const error = await expectError<SwitchyardErrorShape>(adapter.execute(sql, [201, 'u', 'dup@example.com']), 'ConstraintError');
      expect(error.dialect).toBe(adapter.dialect);
      expect(error.sql).toBe(sql);
      expect(error.cause).toBeDefined();
      expect(await adapter.first(`SELECT id FROM ${table} WHERE id = ?`, [201])).toBeUndefined();
    });

    it('raises a ConstraintError on a duplicate primary key and on a NOT NULL violation', async () => {
      await adapter.execute(`INSERT INTO ${table} (id, grp) VALUES (?, ?)`, [300, 'p']);
      await expectError(adapter.execute(`INSERT INTO ${table} (id, grp) VALUES (?, ?)`, [300, 'p']), 'ConstraintError');
      await expectError(adapter.execute(`INSERT INTO ${table} (id, grp) VALUES (?, ?)`, [301, null]), 'ConstraintError');
    });

    it('raises a QueryError on invalid SQL, with dialect, sql and the driver error as cause', async () => {
      const sql = `SELEC id FROM ${table}`;
      const error = await expectError<SwitchyardErrorShape>(adapter.query(sql), 'QueryError');
      expect(error.dialect).toBe(adapter.dialect);
      expect(error.sql).toBe(sql);
      expect(error.cause).toBeDefined();
    });

    it('raises a QueryError on a missing table, and the adapter keeps working', async () => {
      await expectError(adapter.query(`SELECT * FROM ${ctx.table('missing')}`), 'QueryError');
      expect(await adapter.first<{ one: unknown }>('SELECT 1 AS one')).toEqual({ one: 1 });
    });
  });
}
