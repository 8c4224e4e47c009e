import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectError, type SwitchyardErrorShape } from './_internal/expect-error';
import { createValuesTable } from './_internal/value-cases';
import { ddl } from './schema-ddl';

/**
 * Conformance checks: the JavaScript shapes values are read in, lookups by written values,
 * values the engine fills in, and numbers an engine cannot hold. Registers a `describe`
 * block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * valueShapesConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function valueShapesConformance(ctx: ConformanceContext): void {
  describe('value shapes', () => {
    const { adapter } = ctx;
    const table = ctx.table('shapes');
    let nextId = 0;

    beforeAll(async () => {
      await createValuesTable(adapter, table);
    });

    it('reads small integers as number', async () => {
      const id = ++nextId;
      await adapter.execute(`INSERT INTO ${table} (id, v_int) VALUES (?, ?)`, [id, 123456]);
      const row = await adapter.first<{ id: unknown; v_int: unknown }>(`SELECT id, v_int FROM ${table} WHERE id = ?`, [id]);
      expect(row).toEqual({ id, v_int: 123456 });
    });

    it.runIf(adapter.capabilities.exactInt64)('reads integers beyond 2^53 as exact bigint', async () => {
      const id = ++nextId;
      const big = 2n ** 62n + 3n;
      await adapter.execute(`INSERT INTO ${table} (id, v_int) VALUES (?, ?)`, [id, big]);
      const row = await adapter.first<{ v_int: unknown }>(`SELECT v_int FROM ${table} WHERE id = ?`, [id]);
      expect(row?.v_int).toBe(big);
    });

    it.runIf(!adapter.capabilities.exactInt64)('rejects a bigint beyond 2^53 with a ParameterError naming its position', async () => {
      const id = ++nextId;
      const error = await expectError<SwitchyardErrorShape>(
        adapter.execute(`INSERT INTO ${table} (id, v_int) VALUES (?, ?)`, [id, 2n ** 53n + 1n]),
        'ParameterError',
      );
      expect(error.position).toBe(2);
      expect(error.message).toContain('2');
      expect(await adapter.first(`SELECT id FROM ${table} WHERE id = ?`, [id])).toBeUndefined();
    });

    it('reads values in the shapes every adapter agrees on', async () => {
      const id = ++nextId;
      await adapter.execute(`INSERT INTO ${table} (id, v_int, v_bool, v_blob, v_real, v_text) VALUES (?, ?, ?, ?, ?, ?)`, [
        id,
        5,
        true,
        Buffer.from([1, 2]),
        1.25,
        'x',
      ]);
      const row = await adapter.first<Record<string, unknown>>(`SELECT v_int, v_bool, v_blob, v_real, v_text FROM ${table} WHERE id = ?`, [
        id,
      ]);
      expect(row?.v_int).toBe(5);
      // Postgres has a boolean type; SQLite and D1 store booleans as 1/0.
      expect(row?.v_bool).toBe(adapter.dialect === 'postgres' ? true : 1);
      expect(row?.v_blob).toBeInstanceOf(Uint8Array);
      expect(Array.from(row?.v_blob as Uint8Array)).toEqual([1, 2]);
      expect(row?.v_real).toBe(1.25);
      expect(row?.v_text).toBe('x');
    });

    it.runIf(adapter.dialect === 'postgres')(
      'reads numeric as an exact string, timestamps as Date and JSON parsed (Postgres)',
      async () => {
        const id = ++nextId;
        await adapter.execute(`INSERT INTO ${table} (id, v_num, v_ts, v_json) VALUES (?, ?, ?, ?)`, [
          id,
          '0.10000000000000000001',
          new Date('2020-01-02T03:04:05.006Z'),
          { a: [1] },
        ]);
        const row = await adapter.first<Record<string, unknown>>(`SELECT v_num, v_ts, v_json FROM ${table} WHERE id = ?`, [id]);
        expect(row?.v_num).toBe('0.10000000000000000001');
        expect(row?.v_ts).toEqual(new Date('2020-01-02T03:04:05.006Z'));
        expect(row?.v_json).toEqual({ a: [1] });
      },
    );

    it('finds rows by the values they were written with', async () => {
      const id = ++nextId;
      const values = {
        v_int: 77,
        v_bool: true,
        v_ts: new Date('2023-03-04T05:06:07.089Z'),
        v_blob: Buffer.from([9, 8, 7]),
        v_text: 'needle',
      };
      const columns = Object.keys(values);
      await adapter.execute(`INSERT INTO ${table} (id, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`, [
        id,
        ...Object.values(values),
      ]);
      for (const [column, value] of Object.entries(values)) {
        const rows = await adapter.query<{ id: unknown }>(`SELECT id FROM ${table} WHERE ${column} = ? AND id = ?`, [value, id]);
        expect(rows, `a WHERE ${column} = ? lookup`).toEqual([{ id }]);
      }
    });

    it.runIf(adapter.dialect === 'postgres')('reads TIMESTAMP without time zone as UTC (Postgres)', async () => {
      const local = ctx.table('ts_local');
      await adapter.execute(`CREATE TABLE ${local} (id BIGINT PRIMARY KEY, at TIMESTAMP)`);
      await adapter.execute(`INSERT INTO ${local} (id, at) VALUES (1, '2024-05-06 07:08:09.123')`);
      const row = await adapter.first<{ at: unknown }>(`SELECT at FROM ${local} WHERE id = 1`);
      expect(row?.at).toBeInstanceOf(Date);
      expect((row?.at as Date).toISOString()).toBe('2024-05-06T07:08:09.123Z');
    });

    it('stores NaN and ±Infinity exactly, or refuses them with a ParameterError, never as NULL', async () => {
      for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const id = ++nextId;
        let refused = false;
        try {
          await adapter.execute(`INSERT INTO ${table} (id, v_real) VALUES (?, ?)`, [id, value]);
        } catch (error) {
          expect((error as { name?: string }).name, `binding ${value}`).toBe('ParameterError');
          refused = true;
        }
        const row = await adapter.first<{ v_real: unknown }>(`SELECT v_real FROM ${table} WHERE id = ?`, [id]);
        if (refused) expect(row, `a refused ${value} must write nothing`).toBeUndefined();
        else expect(normalizeValue(row?.v_real, 'real'), `${value} read back`).toBe(value);
      }
    });

    it('normalizes values the engine fills in from column defaults', async () => {
      const defaults = ctx.table('defaults');
      await adapter.execute(
        ddl(
          adapter,
          `CREATE TABLE ${defaults} (id {integer} PRIMARY KEY, at {timestamp} DEFAULT CURRENT_TIMESTAMP,
           flag {boolean} NOT NULL DEFAULT FALSE, n {integer} DEFAULT 7, s {text} DEFAULT 'x')`,
        ),
      );
      const before = Date.now();
      await adapter.execute(`INSERT INTO ${defaults} (id) VALUES (?)`, [1]);
      const row = await adapter.first<Record<string, unknown>>(`SELECT at, flag, n, s FROM ${defaults} WHERE id = ?`, [1]);
      const at = normalizeValue(row?.at, 'timestamp');
      expect(at, `CURRENT_TIMESTAMP read as ${String(row?.at)}`).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      // CURRENT_TIMESTAMP has whole seconds on SQLite: allow for truncation and a slow machine.
      expect(Math.abs(Date.parse(at as string) - before)).toBeLessThan(60_000);
      expect(normalizeValue(row?.flag, 'boolean')).toBe(false);
      expect(normalizeValue(row?.n, 'integer')).toBe('7');
      expect(row?.s).toBe('x');
    });
  });
}
