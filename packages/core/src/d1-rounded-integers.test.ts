import { expect, it } from 'vitest';
import { holdRoundedInteger, isPossiblyRoundedInteger, mayHoldRoundedIntegers } from './d1-rounded-integers';
import type { ColumnInfo } from './types';
import { UnholdableValue } from './unholdable-value';

const column = (declaredType: string): ColumnInfo => ({
  name: 'n',
  declaredType,
  logicalType: 'integer',
  nullable: true,
  defaultValue: null,
  autoIncrement: false,
});

it('knows the D1 columns that keep integers as integers', () => {
  for (const t of ['INTEGER', 'BIGINT', 'int8', 'NUMERIC', 'DECIMAL(20,0)', 'BOOLEAN', 'DATETIME', '', 'BLOB'])
    expect(mayHoldRoundedIntegers(column(t), 'd1')).toBe(true);
  for (const t of ['TEXT', 'VARCHAR(20)', 'REAL', 'DOUBLE', 'FLOAT']) expect(mayHoldRoundedIntegers(column(t), 'd1')).toBe(false);
  expect(mayHoldRoundedIntegers(column('INTEGER'), 'sqlite')).toBe(false);
});

it('suspects integer-valued doubles past 2^53 and within 64 bits, and nothing else', () => {
  const max = Number.MAX_SAFE_INTEGER;
  for (const n of [max + 1, -(max + 1), 1163570189412548600, 2 ** 63, -(2 ** 63)]) expect(isPossiblyRoundedInteger(n)).toBe(true);
  for (const n of [max, -max, 0, 2 ** 64, 1e300, 1.5, NaN, Infinity, '9007199254740993', 9007199254740993n])
    expect(isPossiblyRoundedInteger(n)).toBe(false);
  expect(holdRoundedInteger(max + 1)).toBeInstanceOf(UnholdableValue);
  expect(holdRoundedInteger(max)).toBe(max);
});
