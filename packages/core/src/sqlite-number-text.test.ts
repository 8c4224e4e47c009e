import { expect, it } from 'vitest';
import { logicalTypeOf } from './logical-type';
import type { ColumnInfo, DialectName } from './types';
import { converterFor } from './value-convert';
import { UnholdableValue } from './unholdable-value';

const column = (declaredType: string, dialect: DialectName): ColumnInfo => ({
  name: 'n',
  declaredType,
  logicalType: logicalTypeOf(declaredType, dialect),
  nullable: true,
  defaultValue: null,
  autoIncrement: false,
});

// SQLite keeps 15 significant digits of number-looking text in a column of NUMERIC affinity,
// and an integer as itself within 64 bits: one digit past either edge is held back.
it.each(['sqlite', 'd1'] as const)('holds back a Postgres numeric a %s NUMERIC column would round, at the edges', (dialect) => {
  const convert = converterFor(column('numeric(78,0)', 'postgres'), 'postgres', column('NUMERIC', dialect), dialect)!;
  for (const kept of [
    '1.50',
    '123456789012345',
    '0.123456789012345',
    '-12345678901234.5',
    '9223372036854775807',
    '-9223372036854775808',
    'NaN',
    '0.000000000000000001',
  ])
    expect(convert(kept)).toBe(kept);
  for (const rounded of [
    '1234567890123456.7',
    '0.1234567890123456',
    '9223372036854775808',
    '-9223372036854775809',
    '12345678901234567890.123',
  ])
    expect(convert(rounded)).toBeInstanceOf(UnholdableValue);
  // A column SQLite keeps text in, and a Postgres target, take every numeric as it is.
  expect(converterFor(column('numeric', 'postgres'), 'postgres', column('TEXT', dialect), dialect)).toBeUndefined();
  expect(converterFor(column('numeric', 'postgres'), 'postgres', column('numeric', 'postgres'), 'postgres')).toBeUndefined();
});
