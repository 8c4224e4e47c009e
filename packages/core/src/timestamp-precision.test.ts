import { describe, expect, it } from 'vitest';
import { PreciseDate } from './precise-date';
import { timestampPrecisionOf } from './timestamp-convert';
import { UnholdableValue } from './unholdable-value';
import { converterFor } from './value-convert';
import type { ColumnInfo } from './types';

const column = (declaredType: string): ColumnInfo =>
  ({ name: 'at', declaredType, logicalType: 'timestamp', nullable: true, defaultValue: null }) as ColumnInfo;
const into = (declaredType: string) => converterFor(column('DATETIME'), 'sqlite', column(declaredType), 'postgres')!;

describe('timestamp precision', () => {
  it('reads p of timestamp(p) and timestamptz(p) below six, nothing otherwise', () => {
    expect(timestampPrecisionOf({ declaredType: 'timestamp(3) without time zone' })).toBe(3);
    expect(timestampPrecisionOf({ declaredType: 'timestamp(0) with time zone' })).toBe(0);
    expect(timestampPrecisionOf({ declaredType: 'timestamptz(2)' })).toBe(2);
    expect(timestampPrecisionOf({ declaredType: 'timestamp(6) with time zone' })).toBeUndefined();
    expect(timestampPrecisionOf({ declaredType: 'timestamp with time zone' })).toBeUndefined();
    expect(timestampPrecisionOf({ declaredType: 'date' })).toBeUndefined();
  });

  it('holds back a time Postgres would round, by its last digit, in every form; passes what it keeps', () => {
    const seconds = into('timestamp(0) with time zone');
    for (const v of ['2024-01-01 10:00:00', '2024-01-01T10:00:00.000Z', '2024-01-01T12:00:00+02:00', 1704103200, 1704103200000, 'infinity'])
      expect(seconds(v)).not.toBeInstanceOf(UnholdableValue);
    for (const v of ['2024-01-01T10:00:00.5Z', '2024-01-01 10:00:00.000001', 1704103200.5, 1704103200001, new Date(1704103200001)])
      expect(seconds(v)).toBeInstanceOf(UnholdableValue);
    const millis = into('timestamp(3) without time zone');
    expect(millis('2024-01-01T10:00:00.123Z')).not.toBeInstanceOf(UnholdableValue);
    expect(millis(new Date(1704103200123))).not.toBeInstanceOf(UnholdableValue);
    expect(millis('2024-01-01T10:00:00.1234Z')).toBeInstanceOf(UnholdableValue);
    expect(millis(PreciseDate.fromEpochMicros(1704103200123400n))).toBeInstanceOf(UnholdableValue);
    expect(into('timestamp with time zone')('2024-01-01T10:00:00.123456Z')).toBe('2024-01-01T10:00:00.123456Z');
  });
});
