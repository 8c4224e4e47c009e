import { describe, expect, it } from 'vitest';
import { logicalTypeOf } from './logical-type';
import { PostgresArray } from './param-encode';
import type { ColumnInfo, DialectName } from './types';
import { converterFor } from './value-convert';

const column = (declaredType: string, dialect: DialectName): ColumnInfo => ({
  name: 'c',
  declaredType,
  logicalType: logicalTypeOf(declaredType, dialect),
  nullable: true,
  defaultValue: null,
  autoIncrement: false,
});

describe('converterFor', () => {
  it('binds a list for a Postgres array column as an ARRAY, from Postgres or from SQLite JSON text', () => {
    const toArray = converterFor(column('integer[]', 'postgres'), 'postgres', column('integer[]', 'postgres'), 'postgres')!;
    for (const list of [
      [],
      [1, null, 3],
      [
        [1, 2],
        [3, 4],
      ],
    ]) {
      const out = toArray(list);
      expect(out).toBeInstanceOf(PostgresArray);
      expect([...(out as unknown[])]).toEqual(list);
    }
    const fromSqlite = converterFor(column('TEXT', 'sqlite'), 'sqlite', column('text[]', 'postgres'), 'postgres')!;
    expect(fromSqlite('["a",null]')).toBeInstanceOf(PostgresArray);
    // Array literal text and NULL go as they are.
    expect(fromSqlite('{a,b}')).toBe('{a,b}');
    expect(fromSqlite(null)).toBe(null);
  });

  it('leaves a jsonb column holding a list as JSON text', () => {
    const toJson = converterFor(column('jsonb', 'postgres'), 'postgres', column('jsonb', 'postgres'), 'postgres')!;
    expect(toJson([1, 2])).toBe('[1,2]');
  });
});
