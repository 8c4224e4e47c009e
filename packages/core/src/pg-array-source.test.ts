import { describe, expect, it } from 'vitest';
import { jsonArrayKind } from './logical-type';
import { parsePgArray } from './pg-array-literal';
import { arrayLiteralOf, jsonArrayElementTexts, jsonArrayItems, keepArrayLiteral } from './pg-array-source';
import { PostgresArray } from './param-encode';
import { converterFor } from './value-convert';
import type { ColumnInfo } from './types';

const column = (declaredType: string, logicalType: ColumnInfo['logicalType'] = 'text'): ColumnInfo =>
  ({ name: 'c', declaredType, logicalType, nullable: true }) as ColumnInfo;

describe('arrays of JSON documents', () => {
  it('keeps the literal an array was read from until the array changes', () => {
    const literal = '{"{\\"a\\": 1.50}","\\"s\\"",NULL}';
    const list = keepArrayLiteral(parsePgArray(literal, JSON.parse), literal, JSON.parse);
    expect(list).toEqual([{ a: 1.5 }, 's', null]);
    expect(Object.keys(list)).toEqual(['0', '1', '2']);
    expect(arrayLiteralOf(list)).toBe(literal);
    (list[0] as { a: number }).a = 2;
    expect(arrayLiteralOf(list)).toBeUndefined();
    expect(arrayLiteralOf([1])).toBeUndefined();
    expect(arrayLiteralOf('{1}')).toBeUndefined();
  });

  it('writes each element of any other list as its JSON text', () => {
    expect(jsonArrayItems(['s', '{"a":1}', { a: 1 }, [1, 'x'], 2.5, true, null, 9007199254740993n])).toEqual([
      '"s"',
      '"{\\"a\\":1}"',
      '{"a":1}',
      '[1,"x"]',
      '2.5',
      'true',
      null,
      '9007199254740993',
    ]);
  });

  it('tells a json[] or jsonb[] column (a domain over one too) from a document and other arrays', () => {
    expect(jsonArrayKind(column('jsonb[]'))).toBe('jsonb');
    expect(jsonArrayKind(column('JSON[]'))).toBe('json');
    expect(jsonArrayKind(column('json[][]'))).toBe('json');
    expect(jsonArrayKind({ declaredType: 'docs_d', baseType: 'jsonb[]' })).toBe('jsonb');
    expect(jsonArrayKind(column('jsonb'))).toBeUndefined();
    expect(jsonArrayKind(column('text[]'))).toBeUndefined();
  });

  it('converts for a jsonb[] column: the kept literal as it is, JSON array text element by element as written', () => {
    const convert = converterFor(column('JSON', 'json'), 'sqlite', column('jsonb[]', 'json'), 'postgres')!;
    const converted = convert('["s", {"a": 1}, null]');
    expect(converted).toBeInstanceOf(PostgresArray);
    // Each element as SQLite's text writes it.
    expect([...(converted as unknown[])]).toEqual(['"s"', '{"a": 1}', null]);
    const literal = '{"\\"s\\""}';
    const read = keepArrayLiteral(parsePgArray(literal, JSON.parse), literal, JSON.parse);
    expect(converterFor(column('jsonb[]', 'json'), 'postgres', column('jsonb[]', 'json'), 'postgres')!(read)).toBe(literal);
  });
});

describe('jsonArrayElementTexts', () => {
  it('gives each element of JSON array text as written, null as NULL', () => {
    expect(jsonArrayElementTexts(' [ {"a": 1.50} , "s",null,[1.0, {"b":1,  "a":2}],-0e0 ] ')).toEqual([
      '{"a": 1.50}',
      '"s"',
      null,
      '[1.0, {"b":1,  "a":2}]',
      '-0e0',
    ]);
    expect(jsonArrayElementTexts('[]')).toEqual([]);
    expect(jsonArrayElementTexts('["null", "a,b]"]')).toEqual(['"null"', '"a,b]"']);
  });

  it('gives nothing for text that is no JSON array', () => {
    for (const text of ['', '{}', '"[1]"', '[1,]', '[1 2]', '[1]x', '[', '[01]', '{"a":[1]}'])
      expect(jsonArrayElementTexts(text)).toBeUndefined();
  });
});
