import { describe, expect, it } from 'vitest';
import { parsePgArray } from '@switchyard/core';
import { createTypeParsers, parseInt8, parseTimestampUtc, PG_OID } from './postgres-types';

describe('postgres type parsers', () => {
  it('reads int8 as a number when safe and a bigint beyond 2^53', () => {
    expect(parseInt8('42')).toBe(42);
    expect(parseInt8('-9007199254740991')).toBe(-9007199254740991);
    expect(parseInt8('9007199254740992')).toBe(9007199254740992n);
    expect(parseInt8('9007199254740993')).toBe(9007199254740993n);
    expect(parseInt8('-9223372036854775808')).toBe(-9223372036854775808n);
  });

  it('reads int8 as pg does, or always as a bigint, when asked', () => {
    const asString = createTypeParsers(undefined, 'string');
    expect(asString.getTypeParser(PG_OID.int8)('42')).toBe('42');
    expect(asString.getTypeParser(PG_OID.int8Array)('{1,9007199254740993}')).toEqual(['1', '9007199254740993']);
    const asBigint = createTypeParsers(undefined, 'bigint');
    expect(asBigint.getTypeParser(PG_OID.int8)('42')).toBe(42n);
    expect(createTypeParsers().getTypeParser(PG_OID.int8)('42')).toBe(42);
  });

  it('reads timestamp without time zone as UTC, whatever the process time zone', () => {
    expect((parseTimestampUtc('2024-05-01 12:34:56.789123') as Date).toISOString()).toBe('2024-05-01T12:34:56.789Z');
    expect((parseTimestampUtc('2024-05-01 00:00:00') as Date).toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect((parseTimestampUtc('0050-01-01 00:00:00') as Date).getUTCFullYear()).toBe(50);
    expect((parseTimestampUtc('0001-01-01 00:00:00 BC') as Date).getUTCFullYear()).toBe(0);
    expect(parseTimestampUtc('infinity')).toBe(Infinity);
    expect(parseTimestampUtc('-infinity')).toBe(-Infinity);
  });

  it('parses array literals, quoted elements and NULL', () => {
    expect(parsePgArray('{1,NULL,3}', Number)).toEqual([1, null, 3]);
    expect(parsePgArray('{"a b","c\\"d",e}', String)).toEqual(['a b', 'c"d', 'e']);
    expect(parsePgArray('{{1,2},{3,4}}', Number)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parsePgArray('{}', Number)).toEqual([]);
    expect(parsePgArray('[0:1]={7,8}', Number)).toEqual([7, 8]);
  });

  it('keeps numeric and date as exact strings and leaves other types to the fallback', () => {
    const fallback = { getTypeParser: () => (v: string) => `fallback:${v}` };
    const types = createTypeParsers(fallback);
    expect(types.getTypeParser(PG_OID.numeric)('12345678901234567890.123456789')).toBe('12345678901234567890.123456789');
    expect(types.getTypeParser(PG_OID.date)('2024-02-29')).toBe('2024-02-29');
    expect(types.getTypeParser(PG_OID.numericArray)('{1.10,2.20}')).toEqual(['1.10', '2.20']);
    expect(types.getTypeParser(PG_OID.int8Array)('{1,9223372036854775807}')).toEqual([1, 9223372036854775807n]);
    expect(types.getTypeParser(16)('t')).toBe('fallback:t');
  });
});
