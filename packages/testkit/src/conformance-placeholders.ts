import { describe, expect, it } from 'vitest';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectError, type SwitchyardErrorShape } from './_internal/expect-error';

/**
 * Conformance checks: `?` placeholders, and the parameter errors raised before the round trip. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * placeholdersConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function placeholdersConformance(ctx: ConformanceContext): void {
  describe('placeholders', () => {
    const { adapter } = ctx;

    it("leaves '?' inside a string literal alone", async () => {
      const row = await adapter.first<{ q: unknown; v: unknown }>("SELECT '?' AS q, ? AS v", [7]);
      expect(row?.q).toBe('?');
      expect(normalizeValue(row?.v, 'integer')).toBe('7');
    });

    it('leaves ? inside escaped literals, quoted identifiers and comments alone', async () => {
      const row = await adapter.first<Record<string, unknown>>(`SELECT 'it''s ?' AS q, ? AS "col?", /* ? */ ? AS v -- trailing ?\n`, [
        'a',
        'b',
      ]);
      expect(row).toEqual({ q: "it's ?", 'col?': 'a', v: 'b' });
    });

    it.runIf(adapter.dialect === 'postgres')("leaves ? inside dollar-quoted bodies and E'' strings alone (Postgres)", async () => {
      const row = await adapter.first<Record<string, unknown>>("SELECT $$ ? $$ AS q, $tag$?$tag$ AS r, E'\\'?' AS e, ? AS v", ['x']);
      expect(row).toEqual({ q: ' ? ', r: '?', e: "'?", v: 'x' });
    });

    it.runIf(adapter.dialect === 'postgres')('passes $n written by hand through (Postgres)', async () => {
      const row = await adapter.first<{ v: unknown; w: unknown }>('SELECT $1::text AS v, $2::text AS w', ['a', 'b']);
      expect(row).toEqual({ v: 'a', w: 'b' });
    });

    it('binds ?NNN numbered placeholders as SQLite and D1 number them', async () => {
      const row = await adapter.first<Record<string, unknown>>('SELECT ?2 AS b, ?1 AS a, ?2 AS c, ? AS d', ['x', 'y', 'z']);
      expect(row).toEqual({ b: 'y', a: 'x', c: 'y', d: 'z' });
      const t = ctx.table('numbered');
      await adapter.execute(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name TEXT)`);
      await adapter.execute(`INSERT INTO ${t} (id, name) VALUES (?1, ?2)`, [1, 'one']);
      expect(await adapter.query(`SELECT name FROM ${t} WHERE id = ?1 OR id = ?1`, [1])).toEqual([{ name: 'one' }]);
      await expectError(adapter.query('SELECT ?1 AS a, ?1 AS b', [1, 2]), 'ParameterError');
    });

    it('rejects fewer parameters than placeholders with a ParameterError', async () => {
      const error = await expectError<SwitchyardErrorShape>(adapter.query('SELECT ? AS a, ? AS b', [1]), 'ParameterError');
      expect(error.message).toMatch(/2/);
    });

    it('rejects more parameters than placeholders with a ParameterError', async () => {
      await expectError(adapter.query('SELECT ? AS a', [1, 2]), 'ParameterError');
    });

    it('rejects an undefined parameter with a ParameterError naming its position', async () => {
      const error = await expectError<SwitchyardErrorShape>(
        adapter.query('SELECT ? AS a, ? AS b, ? AS c', [1, undefined, 3]),
        'ParameterError',
      );
      expect(error.position).toBe(2);
      expect(error.message).toMatch(/\b2\b/);
    });

    it('rejects a function parameter with a ParameterError', async () => {
      await expectError(adapter.query('SELECT ? AS a', [() => 1]), 'ParameterError');
    });

    it('accepts null as SQL NULL', async () => {
      const row = await adapter.first<{ a: unknown }>('SELECT ? AS a', [null]);
      expect(row?.a).toBeNull();
    });
  });
}
