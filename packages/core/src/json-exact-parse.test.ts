import { describe, expect, it } from 'vitest';
import { exactJsonText, JsonNumber, parseJsonKeepingSource } from './json-exact';
import { parseJsonExact } from './json-exact-parse';
import { PreciseDate } from './precise-date';
import { valuesEqual } from './value-normalize';
import { listFromJsonText } from './value-convert';

describe('parseJsonExact', () => {
  it('reads every number a double would round as a JsonNumber, wherever it is', () => {
    const doc = parseJsonExact('{"ids": [9007199254740993, 1, null], "n": {"x": 0.1000000000000000055511}, "s": "12345678901234567890"}');
    expect(doc).toEqual({
      ids: [new JsonNumber('9007199254740993'), 1, null],
      n: { x: new JsonNumber('0.1000000000000000055511') },
      s: '12345678901234567890',
    });
    expect(parseJsonExact('[1.5, -0, 1e2, true, false, "a\\"b", [], {}]')).toEqual([1.5, -0, 100, true, false, 'a"b', [], {}]);
    expect(parseJsonExact('{"__proto__": {"x": 12345678901234567890}}')).toHaveProperty('__proto__');
    expect(() => parseJsonExact('[9007199254740993,')).toThrow(SyntaxError);
  });

  it('a JSON array of big integers becomes a list whose items keep their digits', () => {
    const list = listFromJsonText('[9007199254740993, -9223372036854775808]') as unknown[];
    expect(list.map(String)).toEqual(['9007199254740993', '-9223372036854775808']);
    expect(valuesEqual(list, '[9007199254740993,-9223372036854775808]', 'json')).toBe(true);
    expect(valuesEqual(list, '[9007199254740992,-9223372036854775808]', 'json')).toBe(false);
  });
});

describe('exactJsonText', () => {
  it('writes bigints, JsonNumbers and kept documents inside a value with every digit, and Dates with their microseconds', () => {
    const value = {
      big: [9007199254740993n, null],
      kept: parseJsonKeepingSource('{"z": 12345678901234567890.5}'),
      n: new JsonNumber('0.1000000000000000055511'),
      at: PreciseDate.fromEpochMicros(1_704_067_200_000_001n),
    };
    expect(exactJsonText(value)).toBe(
      '{"big":[9007199254740993,null],"kept":{"z": 12345678901234567890.5},"n":0.1000000000000000055511,"at":"2024-01-01T00:00:00.000001Z"}',
    );
    expect(exactJsonText(-1n)).toBe('-1');
    expect(exactJsonText([new Date(NaN)])).toBe('[null]');
  });

  it('leaves strings that look like its marks alone', () => {
    const tricky = ['\u0000', '\u00000\u0000', '"\\u0000"'];
    expect(JSON.parse(exactJsonText([...tricky, 1n]))).toEqual([...tricky, 1]);
  });
});
