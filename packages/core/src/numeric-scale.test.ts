import { describe, expect, it } from 'vitest';
import { holdOverScale, numericScaleOf } from './numeric-scale';
import { UnholdableValue } from './unholdable-value';
import { converterFor } from './value-convert';
import type { ColumnInfo } from './types';

const column = (declaredType: string, logicalType: ColumnInfo['logicalType']): ColumnInfo =>
  ({ name: 'v', declaredType, logicalType, nullable: true, defaultValue: null }) as ColumnInfo;

describe('numeric scale', () => {
  it('reads the scale of numeric(p, s), numeric(p) and a negative one; none for plain numeric', () => {
    expect(numericScaleOf({ declaredType: 'numeric(10,2)' })).toBe(2);
    expect(numericScaleOf({ declaredType: 'DECIMAL( 10 , 4 )' })).toBe(4);
    expect(numericScaleOf({ declaredType: 'numeric(5)' })).toBe(0);
    expect(numericScaleOf({ declaredType: 'numeric(5,-2)' })).toBe(-2);
    expect(numericScaleOf({ declaredType: 'numeric' })).toBeUndefined();
    expect(numericScaleOf({ declaredType: 'numeric[]' })).toBeUndefined();
  });

  it('passes a number that fits, holds back one Postgres would round by its last digit', () => {
    const two = holdOverScale(2);
    for (const v of [59.97, 0.1, 1200, 1e21, 0, -0.5, '12.50', ' 3.10 ', '1.5e1', 12n, 'NaN', 'abc']) expect(two(v)).toBe(v);
    for (const v of [1.005, 0.30000000000000004, 1e-7, '0.001', '-12.345', '1.2345e1']) expect(two(v)).toBeInstanceOf(UnholdableValue);
    expect(holdOverScale(0)(3)).toBe(3);
    expect(holdOverScale(0)(2.5)).toBeInstanceOf(UnholdableValue);
    expect(holdOverScale(-2)(1200)).toBe(1200);
    expect(holdOverScale(-2)(1250)).toBeInstanceOf(UnholdableValue);
  });

  it('is the converter from SQLite into a Postgres numeric(p, s), and none for plain numeric', () => {
    const convert = converterFor(column('DECIMAL(10,2)', 'numeric'), 'sqlite', column('numeric(10,2)', 'numeric'), 'postgres')!;
    expect(convert(19.99)).toBe(19.99);
    expect((convert(19.999) as UnholdableValue).reason).toMatch(/19\.999 has more fraction digits than the column's numeric scale \(2\)/);
    const plain = converterFor(column('NUMERIC', 'numeric'), 'sqlite', column('numeric', 'numeric'), 'postgres')!;
    expect(plain(19.999)).toBe(19.999);
  });

  it('holds back a non-boolean bound for a Postgres boolean, passes what validation reads as one', () => {
    const convert = converterFor(column('BOOLEAN', 'boolean'), 'sqlite', column('boolean', 'boolean'), 'postgres')!;
    expect([1, 0, 1.0, 't', ' TRUE ', 'f', '0', null, true].map(convert)).toEqual([
      true,
      false,
      true,
      true,
      true,
      false,
      false,
      null,
      true,
    ]);
    for (const v of [2, -1, 0.5, 'yes', 'on', '1.0', Buffer.from([1])]) expect(convert(v)).toBeInstanceOf(UnholdableValue);
  });
});
