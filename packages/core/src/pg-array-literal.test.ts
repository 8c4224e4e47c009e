import { describe, expect, it } from 'vitest';
import { arrayFromLiteral, parsePgArray, postgresArrayList, timestampArrayItems } from './pg-array-literal';
import { postgresTimestampText } from './precise-date';
import { converterFor } from './value-convert';
import type { ColumnInfo } from './types';

describe('Postgres array literals', () => {
  it('parses quoted, NULL, nested and dimensioned literals', () => {
    expect(parsePgArray('{1,NULL,"a b","q\\"x"}', (s) => s)).toEqual(['1', null, 'a b', 'q"x']);
    expect(parsePgArray('{{1,2},{3,4}}', Number)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parsePgArray('[0:1]={7,8}', Number)).toEqual([7, 8]);
  });

  it('reads a literal pg did not parse as the array of its elements’ text, and leaves anything else', () => {
    expect(arrayFromLiteral('{happy,"very sad",NULL}')).toEqual(['happy', 'very sad', null]);
    expect(arrayFromLiteral('{}')).toEqual([]);
    expect(arrayFromLiteral('{"[1,3)",empty}')).toEqual(['[1,3)', 'empty']);
    expect(arrayFromLiteral(['a'])).toEqual(['a']);
    expect(arrayFromLiteral(null)).toBe(null);
    expect(arrayFromLiteral('["a"]')).toBe('["a"]');
  });

  it('gives items JSON has no value for as the text Postgres reads back', () => {
    expect(postgresArrayList([Buffer.from([1, 255]), null, NaN, Infinity, -Infinity, 1.5, 'NaN'])).toEqual([
      '\\x01ff',
      null,
      'NaN',
      'infinity',
      '-infinity',
      1.5,
      'NaN',
    ]);
    expect(postgresArrayList([[new Uint8Array([0])], [1]])).toEqual([['\\x00'], [1]]);
    const plain = ['a', 1];
    expect(postgresArrayList(plain)).toBe(plain);
    expect(postgresArrayList('{a,b}')).toEqual(['a', 'b']);
  });

  it('reads six-digit ISO years in a list bound for timestamp[] as dates, which Postgres takes in its own form', () => {
    const [bc, plain, word] = timestampArrayItems(['-000043-03-15T10:00:00.500Z', '2024-01-01T00:00:00Z', 'infinity']);
    expect(postgresTimestampText(bc as Date)).toBe('0044-03-15 10:00:00.500000+00 BC');
    expect([plain, word]).toEqual(['2024-01-01T00:00:00Z', 'infinity']);
    const column = (declaredType: string, logicalType: ColumnInfo['logicalType']) =>
      ({ name: 't', declaredType, logicalType, nullable: true }) as ColumnInfo;
    const convert = converterFor(column('JSON', 'json'), 'sqlite', column('timestamp with time zone[]', 'text'), 'postgres')!;
    const [item] = convert('["+010000-01-01T00:00:00.000Z"]') as unknown[];
    expect(postgresTimestampText(item as Date)).toBe('10000-01-01 00:00:00.000000+00');
  });
});
