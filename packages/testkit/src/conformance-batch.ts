import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { expectError } from './_internal/expect-error';
import { rowCount } from './_internal/conformance-probes';
import { ddl } from './schema-ddl';

/**
 * Conformance checks: batch() applies all its statements or none, on every engine. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * batchConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function batchConformance(ctx: ConformanceContext): void {
  describe('batch', () => {
    const { adapter } = ctx;
    let table = '';
    const count = (): Promise<string> => rowCount(adapter, table);
    const insert = (id: number, name: string | null = 'x') => ({
      sql: `INSERT INTO ${table} (id, name) VALUES (?, ?)`,
      params: [id, name],
    });

    // A fresh table per test keeps each count independent of the others.
    const fresh = async (): Promise<void> => {
      table = ctx.table('batch');
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text} NOT NULL)`));
    };

    it('returns [] for an empty batch', async () => {
      expect(await adapter.batch([])).toEqual([]);
    });

    it('applies every statement and reports each result in order', async () => {
      await fresh();
      const results = await adapter.batch([insert(1), insert(2), { sql: `UPDATE ${table} SET name = ? WHERE id >= ?`, params: ['y', 1] }]);
      expect(results.map((r) => r.rowsAffected)).toEqual([1, 1, 2]);
      expect(await count()).toBe('2');
    });

    it('returns the rows of a SELECT inside the batch', async () => {
      await fresh();
      const results = await adapter.batch([insert(1), { sql: `SELECT id, name FROM ${table} WHERE id = ?`, params: [1] }]);
      expect(results[1]?.rows).toEqual([{ id: 1, name: 'x' }]);
    });

    it.runIf(adapter.capabilities.returning)('returns RETURNING rows of statements inside the batch', async () => {
      await fresh();
      const results = await adapter.batch([
        { sql: `INSERT INTO ${table} (id, name) VALUES (?, ?) RETURNING id`, params: [5, 'r'] },
        { sql: `UPDATE ${table} SET name = ? WHERE id = ? RETURNING name`, params: ['s', 5] },
      ]);
      expect(results[0]).toMatchObject({ rowsAffected: 1, rows: [{ id: 5 }] });
      expect(results[1]).toMatchObject({ rowsAffected: 1, rows: [{ name: 's' }] });
    });

    it('leaves the first statement unapplied when the second violates a constraint', async () => {
      await fresh();
      await expectError(adapter.batch([insert(1), insert(1)]), 'ConstraintError');
      expect(await count()).toBe('0');
    });

    it('leaves earlier statements unapplied when a later one fails in the engine', async () => {
      await fresh();
      await expectError(
        adapter.batch([insert(1), insert(2), { sql: `INSERT INTO ${ctx.table('missing')} (id) VALUES (?)`, params: [3] }]),
        'QueryError',
      );
      expect(await count()).toBe('0');
    });

    it('checks every statement before running any', async () => {
      await fresh();
      await expectError(
        adapter.batch([insert(1), { sql: `INSERT INTO ${table} (id, name) VALUES (?, ?)`, params: [2, undefined] }]),
        'ParameterError',
      );
      expect(await count()).toBe('0');
    });

    it('applies a batch of 100 statements, and rolls all of them back when the last fails', async () => {
      await fresh();
      const many = Array.from({ length: 100 }, (_, i) => insert(i + 1));
      const results = await adapter.batch(many);
      expect(results).toHaveLength(100);
      expect(await count()).toBe('100');
      await expectError(adapter.batch([...Array.from({ length: 99 }, (_, i) => insert(1000 + i)), insert(1)]), 'ConstraintError');
      expect(await count()).toBe('100');
    });

    it('inserts 500 rows in multi-row statements sized by maxBoundParameters, in one batch', async () => {
      await fresh();
      const rowsPerStatement = Math.min(250, Math.floor(adapter.capabilities.maxBoundParameters / 2));
      const statements = [];
      for (let start = 0; start < 500; start += rowsPerStatement) {
        const ids = Array.from({ length: Math.min(rowsPerStatement, 500 - start) }, (_, i) => start + i + 1);
        statements.push({
          sql: `INSERT INTO ${table} (id, name) VALUES ${ids.map(() => '(?, ?)').join(', ')}`,
          params: ids.flatMap((id) => [id, `row ${id}`]),
        });
      }
      const results = await adapter.batch(statements);
      expect(results.reduce((n, r) => n + r.rowsAffected, 0)).toBe(500);
      const rows = await adapter.query<{ id: unknown; name: unknown }>(`SELECT id, name FROM ${table} ORDER BY id`);
      expect(rows).toHaveLength(500);
      expect(rows[499]).toEqual({ id: 500, name: 'row 500' });
      expect(rows.every((r, i) => r.id === i + 1)).toBe(true);
    });

    it('keeps working after a failed batch', async () => {
      await fresh();
      await expectError(adapter.batch([insert(1), insert(1, null)]), 'ConstraintError');
      await adapter.batch([insert(1), insert(2)]);
      expect(await count()).toBe('2');
    });
  });
}
