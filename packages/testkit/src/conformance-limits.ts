import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectError, type SwitchyardErrorShape } from './_internal/expect-error';
import { rowCount } from './_internal/conformance-probes';
import { ddl } from './schema-ddl';

/**
 * Conformance checks: engine limits are enforced before the round trip, with typed errors. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * limitsConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function limitsConformance(ctx: ConformanceContext): void {
  describe('limits', () => {
    const { adapter } = ctx;
    const { maxBoundParameters, maxStatementBytes } = adapter.capabilities;
    const table = ctx.table('limits');
    const count = (): Promise<string> => rowCount(adapter, table);

    beforeAll(async () => {
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, body {text})`));
    });

    it('accepts exactly maxBoundParameters parameters', async () => {
      const params = Array.from({ length: maxBoundParameters }, (_, i) => i + 1);
      const sql = `SELECT COUNT(*) AS n FROM ${table} WHERE id IN (${params.map(() => '?').join(',')})`;
      const row = await adapter.first<{ n: unknown }>(sql, params);
      expect(normalizeValue(row?.n, 'integer')).toBe('0');
    });

    it('rejects maxBoundParameters + 1 parameters with a LimitExceededError, writing nothing', async () => {
      const params = Array.from({ length: maxBoundParameters + 1 }, (_, i) => i + 1);
      const sql = `INSERT INTO ${table} (id) VALUES ${params.map(() => '(?)').join(',')}`;
      const error = await expectError<SwitchyardErrorShape>(adapter.execute(sql, params), 'LimitExceededError');
      expect(error).toMatchObject({ limit: 'parameters', max: maxBoundParameters, actual: maxBoundParameters + 1 });
      expect(error.message).toContain(String(maxBoundParameters));
      expect(await count()).toBe('0');
    });

    it('rejects a batch with one statement over maxBoundParameters, writing nothing', async () => {
      const params = Array.from({ length: maxBoundParameters + 1 }, (_, i) => i + 1);
      await expectError(
        adapter.batch([
          { sql: `INSERT INTO ${table} (id) VALUES (?)`, params: [0] },
          { sql: `INSERT INTO ${table} (id) VALUES ${params.map(() => '(?)').join(',')}`, params },
        ]),
        'LimitExceededError',
      );
      expect(await count()).toBe('0');
    });

    it.runIf(maxStatementBytes !== undefined)(
      'rejects a statement over maxStatementBytes with a LimitExceededError, writing nothing',
      async () => {
        const max = maxStatementBytes!;
        const sql = `INSERT INTO ${table} (id, body) VALUES (1, '${'x'.repeat(max)}')`;
        const error = await expectError<SwitchyardErrorShape>(adapter.execute(sql), 'LimitExceededError');
        expect(error).toMatchObject({ limit: 'statementBytes', max });
        expect(error.actual).toBeGreaterThan(max);
        expect(await count()).toBe('0');
      },
    );

    it.runIf(maxStatementBytes !== undefined)('counts statement size in UTF-8 bytes, not characters', async () => {
      const max = maxStatementBytes!;
      // Each emoji is 2 UTF-16 units but 4 bytes: the text is under the limit in characters only.
      const sql = `SELECT '${'😀'.repeat(Math.ceil(max / 4) + 1)}' AS s`;
      expect(sql.length).toBeLessThan(max);
      await expectError(adapter.query(sql), 'LimitExceededError');
    });

    it.runIf(maxStatementBytes !== undefined)('accepts a statement just under maxStatementBytes', async () => {
      const max = maxStatementBytes!;
      const prefix = "SELECT '";
      const suffix = "' AS s";
      const sql = prefix + 'y'.repeat(max - prefix.length - suffix.length - 64) + suffix;
      const row = await adapter.first<{ s: string }>(sql);
      expect(row?.s.length).toBe(max - prefix.length - suffix.length - 64);
    });
  });
}
