import { describe, expect, it } from 'vitest';
import { arrayFromLiteral, parsePgArray, postgresArrayList } from './pg-array-literal';

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
});
