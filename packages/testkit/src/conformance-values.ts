import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeValue, type LogicalType } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { expectCanonicalEqual } from './_internal/expect-canonical';
import { VALUE_COLUMN, createValuesTable, valueCases } from './_internal/value-cases';

/**
 * Conformance checks: every value kind of the normalization table survives a round trip. Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * valuesConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function valuesConformance(ctx: ConformanceContext): void {
  describe('values', () => {
    const { adapter } = ctx;
    const table = ctx.table('values');
    let types: Record<string, LogicalType> = {};
    let nextId = 0;

    beforeAll(async () => {
      await createValuesTable(adapter, table);
      const info = (await adapter.introspect()).find((t) => t.name === table);
      types = Object.fromEntries((info?.columns ?? []).map((c) => [c.name, c.logicalType]));
    });

    it('introspect() reports the logical type of each portable column', () => {
      expect(types).toEqual({
        id: 'integer',
        v_int: 'integer',
        v_bool: 'boolean',
        v_ts: 'timestamp',
        v_json: 'json',
        v_blob: 'blob',
        v_num: 'numeric',
        v_real: 'real',
        v_text: 'text',
      });
    });

    for (const c of valueCases(ctx)) {
      it.runIf(c.when ?? true)(`round-trips ${c.type}: ${c.label}`, async () => {
        const id = ++nextId;
        const column = VALUE_COLUMN[c.type];
        await adapter.execute(`INSERT INTO ${table} (id, ${column}) VALUES (?, ?)`, [id, c.value]);
        const row = await adapter.first<Record<string, unknown>>(`SELECT ${column} FROM ${table} WHERE id = ?`, [id]);
        expect(row).toBeDefined();
        expectCanonicalEqual(row![column], c.value, types[column] ?? c.type, `${c.type} ${c.label}`);
      });
    }

    it('round-trips NULL in every column', async () => {
      const id = ++nextId;
      const columns = Object.values(VALUE_COLUMN);
      await adapter.execute(`INSERT INTO ${table} (id, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`, [
        id,
        ...columns.map(() => null),
      ]);
      const row = await adapter.first<Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${table} WHERE id = ?`, [id]);
      expect(row).toEqual(Object.fromEntries(columns.map((c) => [c, null])));
    });

    it('compares JSON by value, whatever the key order it was written in', async () => {
      const id = ++nextId;
      await adapter.execute(`INSERT INTO ${table} (id, v_json) VALUES (?, ?)`, [id, { b: [1, { d: 2, c: 3 }], a: 'x' }]);
      const row = await adapter.first<{ v_json: unknown }>(`SELECT v_json FROM ${table} WHERE id = ?`, [id]);
      expect(normalizeValue(row?.v_json, 'json')).toEqual(normalizeValue({ a: 'x', b: [1, { c: 3, d: 2 }] }, 'json'));
    });
  });
}
