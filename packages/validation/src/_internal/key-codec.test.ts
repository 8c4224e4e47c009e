import { describe, expect, it } from 'vitest';
import { compareCodePoints, compareKeys, KeyCodec, keyId } from './key-codec';
import { fastEqual } from './fast-equal';

describe('key ordering', () => {
  it('orders text by code point (UTF-8 byte order), astral characters last', () => {
    const words = ['😀', '\uFFFD', 'b', 'B', '', 'é', 'a b', 'a'];
    expect([...words].sort(compareCodePoints)).toEqual(['', 'B', 'a', 'a b', 'b', 'é', '\uFFFD', '😀']);
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    expect([...words].sort(compareCodePoints)).toEqual([...words].sort((x, y) => Buffer.compare(bytes(x), bytes(y))));
  });

  it('orders integers numerically across number and bigint', () => {
    expect(compareKeys([9007199254740993n], [9007199254740992])).toBe(1);
    expect(compareKeys([2], [10])).toBe(-1);
    expect(compareKeys(['a', 1], ['a', 2])).toBe(-1);
  });

  it('reads integer keys from any engine into one form', () => {
    const codec = new KeyCodec([{ name: 'id', type: 'integer', order: 'integer', declaredType: 'bigint', nullable: false }], {});
    expect(keyId(codec.parts({ id: 5 }))).toBe(keyId(codec.parts({ id: 5n })));
    expect(keyId(codec.parts({ id: '5' }))).toBe('5');
    expect(codec.parts({ id: '9223372036854775807' })).toEqual([9223372036854775807n]);
    expect(() => codec.parts({ id: null })).toThrow(/NULL/);
  });
});

describe('fastEqual only proves equality the normalization agrees with', () => {
  const date = new Date('2024-02-29T10:00:00Z');
  it('dates against text', () => {
    expect(fastEqual(date, '2024-02-29 10:00:00', 'timestamp')).toBe(true);
    expect(fastEqual(date, '2024-02-29T10:00:00.000Z', 'timestamp')).toBe(true);
    expect(fastEqual(date, '2024-02-29T10:00:00Z', 'timestamp')).toBe(true);
    expect(fastEqual(date, '2024-02-29 10:00:01', 'timestamp')).toBe(false);
    expect(fastEqual(new Date('2024-03-01T00:00:00Z'), '2023-02-29 00:00:00', 'timestamp')).toBe(false);
    expect(fastEqual(new Date('2024-03-02T00:00:00Z'), '2024-02-31 00:00:00', 'timestamp')).toBe(false);
  });

  it('JSON documents structurally', () => {
    expect(fastEqual({ a: [1, { b: 2 }] }, '{"a": [1, {"b": 2}]}', 'json')).toBe(true);
    expect(fastEqual({ a: 1 }, '{"a": 1, "b": 2}', 'json')).toBe(false);
    expect(fastEqual('not json', 'not json', 'json')).toBe(false);
  });

  it('booleans and integers across representations', () => {
    expect(fastEqual(true, 1, 'boolean')).toBe(true);
    expect(fastEqual(false, 1, 'boolean')).toBe(false);
    expect(fastEqual(5n, 5, 'integer')).toBe(true);
    expect(fastEqual(5n, 6, 'integer')).toBe(false);
  });
});
