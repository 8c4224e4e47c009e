import { describe, expect, it } from 'vitest';
import { ParameterError, LimitExceededError, SwitchyardError } from './errors';
import { canonicalJsonText, exactJsonText, JsonNumber, jsonSourceOf, parseJsonKeepingSource } from './json-exact';
import { encodeValue } from './param-encode';
import { PreciseDate } from './precise-date';
import { registerSecret } from './secret-redact';
import { normalizeValue, valuesEqual } from './value-normalize';

const caps = { exactInt64: true };

describe('reals: ±Infinity, NaN and -0', () => {
  it('valuesEqual(Infinity, 1, real) is false', () => {
    expect(valuesEqual(Infinity, 1, 'real')).toBe(false);
    expect(valuesEqual(Infinity, 1.5, 'real', { realTolerance: 1e-12 })).toBe(false);
  });
  it('Infinity vs -Infinity is different; each equals itself', () => {
    expect(valuesEqual(Infinity, -Infinity, 'real')).toBe(false);
    expect(valuesEqual(Infinity, 'Infinity', 'real')).toBe(true);
    expect(valuesEqual(-Infinity, -Infinity, 'real')).toBe(true);
  });
  it('NaN equals NaN only', () => {
    expect(valuesEqual(NaN, NaN, 'real')).toBe(true);
    expect(valuesEqual(NaN, 0, 'real')).toBe(false);
  });
  it('-0 equals 0 (IEEE), and one ulp apart is different', () => {
    expect(valuesEqual(-0, 0, 'real')).toBe(true);
    expect(valuesEqual(0.1, 0.1 + Number.EPSILON / 8, 'real')).toBe(false);
  });
  it('Postgres numeric Infinity and NaN equal the same double and nothing finite', () => {
    expect(valuesEqual('Infinity', Infinity, 'numeric')).toBe(true);
    expect(valuesEqual('-Infinity', Infinity, 'numeric')).toBe(false);
    expect(valuesEqual('NaN', NaN, 'numeric')).toBe(true);
    expect(valuesEqual('Infinity', '42', 'numeric')).toBe(false);
  });
});

describe('JSON numbers by their decimal text', () => {
  it('{"id":9007199254740993} vs ...992 is different', () => {
    expect(valuesEqual('{"id":9007199254740993}', '{"id":9007199254740992}', 'json')).toBe(false);
  });
  it('{"amount":12345678901234567.89} vs ...568 is different', () => {
    expect(valuesEqual('{"amount":12345678901234567.89}', '{"amount":12345678901234568}', 'json')).toBe(false);
  });
  it('one number in several spellings is one value', () => {
    expect(canonicalJsonText('{"b": 1.50, "a": [1E2, -0, 0.000000001]}')).toBe('{"a":[100,0,1e-9],"b":1.5}');
    expect(valuesEqual('{"a":1.0}', { a: 1 }, 'json')).toBe(true);
  });
  it('a parsed document compares through the source text it kept', () => {
    const doc = parseJsonKeepingSource('{"id": 9007199254740993}');
    expect(valuesEqual(doc, '{"id":9007199254740993}', 'json')).toBe(true);
    expect(valuesEqual(doc, '{"id":9007199254740992}', 'json')).toBe(false);
  });
  it('a bare top-level number a double rounds is a JsonNumber that keeps its text', () => {
    const n = parseJsonKeepingSource('9007199254740993');
    expect(n).toBeInstanceOf(JsonNumber);
    expect(String(n)).toBe('9007199254740993');
    expect(Number(n)).toBe(9007199254740992);
    expect(jsonSourceOf(n)).toBe('9007199254740993');
    expect(exactJsonText(parseJsonKeepingSource(' 12345678901234567890.5 '))).toBe('12345678901234567890.5');
    expect(valuesEqual(n, '9007199254740993', 'json')).toBe(true);
    expect(valuesEqual(n, '9007199254740992', 'json')).toBe(false);
    expect(valuesEqual(n, 9007199254740992, 'json')).toBe(false);
    expect(valuesEqual(parseJsonKeepingSource('12345678901234567890.5'), '12345678901234567890.4', 'json')).toBe(false);
    // Numbers a double holds stay plain numbers, however they are spelled.
    expect(parseJsonKeepingSource('1.5')).toBe(1.5);
    expect(parseJsonKeepingSource('0.10000000000000000')).toBe(0.1);
    expect(() => new JsonNumber('1x')).toThrow(TypeError);
  });
});

describe('timestamps: microseconds and years outside 0001-9999', () => {
  it('a PreciseDate keeps its microseconds through normalization', () => {
    const d = PreciseDate.fromEpochMicros(1_704_103_200_123_456n);
    const us = { timestampPrecision: 'us' } as const;
    expect(normalizeValue(d, 'timestamp', us)).toBe('2024-01-01T10:00:00.123456Z');
    expect(valuesEqual(d, '2024-01-01 10:00:00.123456+00', 'timestamp', us)).toBe(true);
    expect(valuesEqual(d, '2024-01-01T10:00:00.123999Z', 'timestamp', us)).toBe(false);
  });
  it('Postgres 44 BC and year-10000 text equal the same instant as a Date', () => {
    const bc = new Date(Date.UTC(2000, 2, 15, 12));
    bc.setUTCFullYear(-43);
    expect(valuesEqual('0044-03-15 12:00:00+00 BC', bc, 'timestamp')).toBe(true);
    expect(valuesEqual('-000043-03-15T12:00:00.000Z', bc, 'timestamp')).toBe(true);
    expect(valuesEqual('10000-01-01 00:00:00', new Date('+010000-01-01T00:00:00Z'), 'timestamp')).toBe(true);
  });
  it('a year-10000 Date bound on SQLite or D1 is refused before anything is written', () => {
    expect(() => encodeValue(new Date('+010000-01-01T00:00:00Z'), 1, 'sqlite', caps)).toThrow(ParameterError);
    expect(encodeValue(PreciseDate.fromEpochMicros(1_000_001n), 1, 'sqlite', caps)).toBe('1970-01-01T00:00:01.000001Z');
  });
});

describe('text that is not well-formed', () => {
  it('invalid UTF-8 bytes are compared by bytes, not through U+FFFD', () => {
    expect(valuesEqual(Buffer.from([0x61, 0xff, 0x62]), Buffer.from([0x61, 0xfc, 0x62]), 'text')).toBe(false);
    expect(valuesEqual(Buffer.from([0x61, 0xff, 0x62]), 'a\uFFFDb', 'text')).toBe(false);
  });
  it('a NUL character is refused when bound on Postgres, and kept on SQLite and D1', () => {
    expect(() => encodeValue('a\u0000b', 3, 'postgres', caps)).toThrow(/Parameter 3 is text with a NUL character/);
    expect(() => encodeValue('a\u0000b', 3, 'postgres', caps)).toThrow(ParameterError);
    expect(encodeValue('a\u0000b', 3, 'sqlite', caps)).toBe('a\u0000b');
    expect(encodeValue('a\u0000b', 3, 'd1', caps)).toBe('a\u0000b');
    // One code unit away is text like any other.
    expect(encodeValue('a\u0001b', 3, 'postgres', caps)).toBe('a\u0001b');
  });
  it('a lone surrogate is refused when bound, on every engine', () => {
    for (const dialect of ['sqlite', 'd1', 'postgres'] as const) {
      expect(() => encodeValue('a\uD800b', 2, dialect, caps)).toThrow(/Parameter 2 .*lone UTF-16 surrogate/);
    }
  });
});

describe('D1 value size and secrets in errors', () => {
  it("D1's 2,000,000-byte value limit is checked before the round trip", () => {
    expect(() => encodeValue('x'.repeat(2_000_001), 1, 'd1', caps)).toThrow(LimitExceededError);
    expect(() => encodeValue(new Uint8Array(2_000_001), 1, 'd1', caps)).toThrow(/2000000 bytes in one value/);
    expect(encodeValue('x'.repeat(2_000_001), 1, 'sqlite', caps)).toHaveLength(2_000_001);
  });
  it('tokens, Authorization headers and passwords are redacted from message, cause and toJSON', () => {
    registerSecret('tok_abcdefghijklmnop');
    const error = new SwitchyardError('QUERY_FAILED', 'echo: Authorization: Bearer tok_abcdefghijklmnop; postgres://u:hunter22@h/db', {
      cause: { headers: { authorization: 'Bearer tok_abcdefghijklmnop' }, note: 'password=hunter22' },
    });
    const all = error.message + JSON.stringify(error.cause) + JSON.stringify(error) + error.stack;
    expect(all).not.toContain('tok_abcdefghijklmnop');
    expect(all).not.toContain('hunter22');
    expect(error.message).toContain('[redacted]');
  });
});
