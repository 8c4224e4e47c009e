import { describe, expect, it } from 'vitest';
import { logicalTypeOf } from './logical-type';
import { PostgresArray } from './param-encode';
import type { ColumnInfo, DialectName } from './types';
import { converterFor } from './value-convert';
import { encodeParams } from './param-encode';
import { ParameterError } from './errors';
import { fromStoredValue, toStoredValue } from './stored-value-codec';
import { timeWordOf } from './timestamp-text';
import { UnholdableValue } from './unholdable-value';

const column = (declaredType: string, dialect: DialectName): ColumnInfo => ({
  name: 'c',
  declaredType,
  logicalType: logicalTypeOf(declaredType, dialect),
  nullable: true,
  defaultValue: null,
  autoIncrement: false,
});

describe('converterFor', () => {
  it('keeps text in a BLOB column as text between SQLite and D1, and makes Postgres text bytes for one', () => {
    for (const [from, to] of [
      ['sqlite', 'd1'],
      ['d1', 'sqlite'],
      ['sqlite', 'sqlite'],
    ] as const) {
      // From D1 a converter holds back only an integer its API may have rounded (see d1-rounded-integers).
      const convert = converterFor(column('BLOB', from), from, column('BLOB', to), to);
      if (from === 'd1') expect([convert!('abc'), convert!(7)]).toEqual(['abc', 7]);
      else expect(convert).toBeUndefined();
    }
    const fromPostgres = converterFor(column('text', 'postgres'), 'postgres', column('BLOB', 'sqlite'), 'sqlite')!;
    expect(fromPostgres('abc')).toEqual(new TextEncoder().encode('abc'));
  });

  it('a blob bound for Postgres text from any SQLite or D1 column is its UTF-8 text; other bytes are held back, never decoded with U+FFFD', () => {
    for (const from of ['sqlite', 'd1'] as const)
      for (const declared of ['', 'TEXT', 'BLOB']) {
        const convert = converterFor(column(declared, from), from, column('text', 'postgres'), 'postgres')!;
        expect(convert(Uint8Array.of(0x68, 0x69))).toBe('hi');
        expect(convert('text')).toBe('text');
        const held = convert(Uint8Array.of(0x41, 0xff));
        expect(held).toBeInstanceOf(UnholdableValue);
        expect((held as UnholdableValue).reason).toMatch(/blob \(X'41ff'\) whose bytes are not UTF-8 text.*bytea/);
        expect(() => encodeParams([held], 'postgres', { exactInt64: true })).toThrow(ParameterError);
      }
  });

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

  // SQLite stores DEFAULT 'now' as the word; Postgres would read it as the moment it is written.
  it('holds back the words Postgres reads as a moment of its own, for a date or time column; binding one is refused', () => {
    expect(['now', ' Now', 'TODAY 10:00', 'tomorrow', 'yesterday', 'epoch'].map(timeWordOf)).toEqual([
      'now',
      'now',
      'today',
      'tomorrow',
      'yesterday',
      'epoch',
    ]);
    expect(['nowhere', 'now()', 'snow', '2024-01-01', 'infinity', ''].map(timeWordOf)).toEqual(Array(6).fill(undefined));
    for (const [declared, target] of [
      ['DATETIME', 'timestamp with time zone'],
      ['DATE', 'date'],
    ]) {
      const convert = converterFor(column(declared!, 'sqlite'), 'sqlite', column(target!, 'postgres'), 'postgres')!;
      const held = convert(' today');
      expect(held).toBeInstanceOf(UnholdableValue);
      expect((held as UnholdableValue).reason).toMatch(/the word 'today'.*CURRENT_TIMESTAMP/);
      expect(() => encodeParams([1, held], 'postgres', { exactInt64: true })).toThrow(ParameterError);
      expect(() => encodeParams([1, held], 'postgres', { exactInt64: true })).toThrow(/Parameter 2: the text " today" is the word/);
      // It travels (an outbox row, a queue message) as what it is.
      expect(fromStoredValue(JSON.parse(JSON.stringify(toStoredValue(held))))).toEqual(held);
      expect(convert('2024-01-02')).not.toBeInstanceOf(UnholdableValue);
      expect(convert('nowhere')).toBe('nowhere');
    }
  });

  it('an epoch number: ±Inf (a Postgres infinity SQLite holds) is the infinity; one no timestamp holds is held back', () => {
    const convert = converterFor(column('DATETIME', 'sqlite'), 'sqlite', column('timestamp with time zone', 'postgres'), 'postgres')!;
    expect([Infinity, -Infinity].map(convert)).toEqual(['infinity', '-infinity']);
    expect(convert(1700000000)).toEqual(new Date(1700000000 * 1000));
    const held = convert(1e20);
    expect(held).toBeInstanceOf(UnholdableValue);
    expect((held as UnholdableValue).reason).toMatch(/^the number 100000000000000000000, read as epoch milliseconds, is no instant/);
    expect(convert('1e400')).toBe('1e400');
  });
  it('into a Postgres date: a date alone and midnight UTC as the date, any other time of day held back', () => {
    const convert = converterFor(column('DATE', 'sqlite'), 'sqlite', column('date', 'postgres'), 'postgres')!;
    expect(['2024-01-01', ' 2024-01-02 00:00:00', '2024-01-03T00:00:00.000000Z', '2024-01-04T02:00:00+02:00'].map(convert)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
    ]);
    // One microsecond past midnight, and midnight at another offset, are times of day.
    for (const text of ['2024-01-05 00:00:00.000001', '2024-01-06T00:00:00+01:00', '2024-01-07T10:00Z']) {
      const held = convert(text);
      expect(held).toBeInstanceOf(UnholdableValue);
      expect((held as UnholdableValue).reason).toContain(`the text '${text}' holds a time of day`);
    }
    // Text Postgres reads otherwise, or refuses naming the row, goes as it is.
    expect(['infinity', 'Jan 8 2024', '2024-02-30 10:00'].map(convert)).toEqual(['infinity', 'Jan 8 2024', '2024-02-30 10:00']);
  });

  it('into a Postgres timestamp without time zone: text with an offset as its UTC wall time', () => {
    const convert = converterFor(column('DATETIME', 'sqlite'), 'sqlite', column('timestamp(3) without time zone', 'postgres'), 'postgres')!;
    expect(String((convert('2024-01-01T10:00:00.5+02:00') as Date).toISOString())).toBe('2024-01-01T08:00:00.500Z');
    expect((convert('2024-01-01 10:00:00') as Date).toISOString()).toBe('2024-01-01T10:00:00.000Z');
    const withZone = converterFor(column('DATETIME', 'sqlite'), 'sqlite', column('timestamp with time zone', 'postgres'), 'postgres')!;
    expect(withZone('2024-01-01T10:00:00+02:00')).toBe('2024-01-01T10:00:00+02:00');
  });
});
