import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors';
import { JSON_NULL, JSON_SOURCE, JsonNumber, asJsonText, jsonSourceOf, parseJsonKeepingSource } from './json-exact';
import { PostgresArray } from './param-encode';
import { PreciseDate, epochMicros } from './precise-date';
import { decodeStoredValue, decodeStoredValues, encodeStoredValue, encodeStoredValues, fromStoredValue } from './stored-value-codec';
import { seededRandom } from '../test/seeded-random';

// Values the same, class and all: a Date stays a Date (micros counted), bytes stay bytes,
// NaN and -0 are themselves.
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date)
    return epochMicros(a) === epochMicros(b as Date) || (Number.isNaN(a.getTime()) && Number.isNaN((b as Date).getTime()));
  if (a instanceof JsonNumber) return a.text === (b as JsonNumber).text;
  if (jsonSourceOf(a) !== jsonSourceOf(b)) return false;
  if (a instanceof ArrayBuffer) return same(new Uint8Array(a), new Uint8Array(b as ArrayBuffer));
  if (a instanceof Uint8Array) return a.length === (b as Uint8Array).length && a.every((x, i) => x === (b as Uint8Array)[i]);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function arbitrary(next: () => number, depth = 0): unknown {
  const int = (n: number) => Math.floor(next() * n);
  const text = () => Array.from({ length: int(6) }, () => String.fromCharCode(int(3) === 0 ? 0xd800 + int(0x800) : int(0x3000))).join('');
  const kinds: (() => unknown)[] = [
    () => null,
    () => next() < 0.5,
    () => [0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE][int(7)],
    () => (next() - 0.5) * 10 ** int(30),
    () => BigInt(int(2 ** 31)) ** BigInt(1 + int(3)) * (next() < 0.5 ? -1n : 1n),
    text,
    () => Uint8Array.from({ length: int(8) }, () => int(256)),
    () => Uint8Array.from({ length: int(8) }, () => int(256)).buffer,
    () => new Date(Math.round((next() - 0.5) * 2 * 8.64e15)),
    // Adapters read a PreciseDate only when its microseconds are not zero; a whole millisecond is a Date.
    () => PreciseDate.fromEpochMicros(BigInt(Math.round((next() - 0.5) * 2e17)) * 10n + BigInt(1 + int(9))),
    () => new Date(Number.NaN),
    () => new JsonNumber(String(2n ** 60n + BigInt(int(1000)))),
    () => parseJsonKeepingSource(`{"n":${2n ** 62n + BigInt(int(1000))},"s":"x"}`),
    () => (depth < 2 ? Array.from({ length: int(4) }, () => arbitrary(next, depth + 1)) : 1),
    () => (depth < 2 ? PostgresArray.from({ length: int(3) }, () => arbitrary(next, depth + 1)) : 2),
    () => (depth < 2 ? Object.fromEntries(Array.from({ length: int(4) }, () => [text(), arbitrary(next, depth + 1)])) : 3),
    () => undefined,
  ];
  return kinds[int(kinds.length)]!();
}

describe('stored value codec', () => {
  it('round-trips random values exactly', () => {
    const seed = Number(process.env.STORED_VALUE_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`stored value round trip: seed ${seed} (rerun with STORED_VALUE_SEED=${seed})`);
    const next = seededRandom(seed);
    for (let n = 0; n < 2000; n++) {
      const values = Array.from({ length: 1 + Math.floor(next() * 4) }, () => arbitrary(next));
      const text = encodeStoredValues(values);
      const back = decodeStoredValues(JSON.parse(JSON.stringify(text)) as string);
      if (!same(values, back)) throw new Error(`seed ${seed}, case ${n}: ${text} did not round-trip`);
    }
  });

  it('writes the tags it documents', () => {
    expect(encodeStoredValues([null, true, 1.5, 'a', -0, NaN, 5n])).toBe(
      '[null,true,1.5,"a",{"$number":"-0"},{"$number":"NaN"},{"$int":"5"}]',
    );
    expect(encodeStoredValue(PreciseDate.fromEpochMicros(1_704_103_200_123_456n))).toBe('{"$time":"2024-01-01T10:00:00.123456Z"}');
    expect(encodeStoredValue(new Uint8Array([0, 255]))).toBe('{"$bytes":"00ff"}');
    expect(encodeStoredValue(new JsonNumber('9007199254740993'))).toBe('{"$jsonNumber":"9007199254740993"}');
    expect(encodeStoredValue({ a: [1n] })).toBe('{"$object":{"a":{"$array":[{"$int":"1"}]}}}');
  });

  it('keeps microseconds and a document’s exact text', () => {
    const at = decodeStoredValue('{"$time":"2024-01-01T10:00:00.123456Z"}') as PreciseDate;
    expect(at).toBeInstanceOf(PreciseDate);
    expect(at.toPreciseISOString()).toBe('2024-01-01T10:00:00.123456Z');
    const doc = decodeStoredValue('{"$json":"{\\"id\\":9007199254740993}"}') as Record<symbol, unknown>;
    expect(doc[JSON_SOURCE]).toBe('{"id":9007199254740993}');
  });

  it('the JSON null document is stored as such and comes back as JSON_NULL, not SQL NULL', () => {
    expect(encodeStoredValue(JSON_NULL)).toBe('{"$json":"null"}');
    expect(decodeStoredValue(encodeStoredValue(JSON_NULL))).toBe(JSON_NULL);
    expect(decodeStoredValue(encodeStoredValue(null))).toBeNull();
    expect(JSON.stringify({ a: JSON_NULL })).toBe('{"a":null}');
  });

  it('a bare document bound as its text comes back as that text, not as the value it parses to', () => {
    for (const text of [' null ', '1.50', ' false ', '"a"']) {
      const back = decodeStoredValue(encodeStoredValue(asJsonText(text)));
      expect(jsonSourceOf(back)).toBe(text);
    }
  });

  it('a kept text stops being the source once the document is changed', () => {
    const doc = parseJsonKeepingSource('{"id":9007199254740993,"tags":["a"]}') as { id: number; tags: string[] };
    expect(jsonSourceOf(doc)).toBe('{"id":9007199254740993,"tags":["a"]}');
    doc.tags.push('b');
    expect(jsonSourceOf(doc)).toBeUndefined();
    expect(encodeStoredValue(doc)).toBe('{"$object":{"id":9007199254740992,"tags":{"$array":["a","b"]}}}');
    doc.tags.pop();
    expect(jsonSourceOf(doc)).toBe('{"id":9007199254740993,"tags":["a"]}');
    const list = parseJsonKeepingSource('[9007199254740993]') as number[];
    list[0] = 1;
    expect(jsonSourceOf(list)).toBeUndefined();
  });

  it('keeps a lone surrogate as the same code unit', () => {
    expect(decodeStoredValue(encodeStoredValue('a\uD800b'))).toBe('a\uD800b');
  });

  it('refuses unknown tags and values it cannot store, saying what it expected', () => {
    expect(() => fromStoredValue({ $weird: 1 })).toThrow(InvalidArgumentError);
    expect(() => fromStoredValue({ $int: '1', extra: 2 })).toThrow(/one known tag/);
    expect(() => decodeStoredValues('{"a":1}')).toThrow(InvalidArgumentError);
    expect(() => encodeStoredValue(() => 1)).toThrow(/A function cannot be stored/);
  });
});
