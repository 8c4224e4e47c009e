import { describe, expect, it } from 'vitest';
import { canonicalEqual, formatCanonical, normalizeRow, normalizeValue, stableStringify, valuesEqual } from './value-normalize';
import { PreciseDate } from './precise-date';
import { seededRandom } from '../test/seeded-random';

describe('normalizeValue: equal data across engines compares equal', () => {
  it('integers: number, bigint and int8 text are the same exact decimal', () => {
    expect(normalizeValue(42, 'integer')).toBe('42');
    expect(normalizeValue(42n, 'integer')).toBe('42');
    expect(normalizeValue('42', 'integer')).toBe('42');
    expect(normalizeValue('9223372036854775807', 'integer')).toBe('9223372036854775807');
    expect(valuesEqual(9007199254740993n, '9007199254740993', 'integer')).toBe(true);
    expect(valuesEqual('7.000', 7, 'integer')).toBe(true);
  });

  it('booleans: true/false, 1/0, and t/f text', () => {
    expect(valuesEqual(true, 1, 'boolean')).toBe(true);
    expect(valuesEqual(false, 0, 'boolean')).toBe(true);
    expect(valuesEqual(true, 1n, 'boolean')).toBe(true);
    expect(valuesEqual('t', true, 'boolean')).toBe(true);
  });

  it('timestamps: Date, ISO text, SQLite text and epoch seconds or milliseconds are one instant', () => {
    const date = new Date('2024-01-01T10:00:00Z');
    const canonical = '2024-01-01T10:00:00.000Z';
    expect(normalizeValue(date, 'timestamp')).toBe(canonical);
    expect(normalizeValue('2024-01-01 10:00:00', 'timestamp')).toBe(canonical);
    expect(normalizeValue('2024-01-01T12:00:00+02:00', 'timestamp')).toBe(canonical);
    expect(normalizeValue('2024-01-01 10:00:00+00', 'timestamp')).toBe(canonical);
    expect(normalizeValue(1704103200, 'timestamp')).toBe(canonical);
    expect(normalizeValue(1704103200000, 'timestamp')).toBe(canonical);
    expect(normalizeValue('1704103200', 'timestamp')).toBe(canonical);
  });

  it('timestamps: precision decides what is kept', () => {
    expect(normalizeValue('2024-01-01 10:00:00.123456', 'timestamp', { timestampPrecision: 'us' })).toBe('2024-01-01T10:00:00.123456Z');
    expect(normalizeValue('2024-01-01 10:00:00.123456', 'timestamp')).toBe('2024-01-01T10:00:00.123Z');
    expect(normalizeValue('2024-01-01 10:00:00.999', 'timestamp', { timestampPrecision: 's' })).toBe('2024-01-01T10:00:00Z');
    expect(valuesEqual(new Date('2024-01-01T10:00:00.400Z'), '2024-01-01 10:00:00', 'timestamp', { timestampPrecision: 's' })).toBe(true);
    expect(valuesEqual(new Date('2024-01-01T10:00:00.400Z'), '2024-01-01 10:00:00', 'timestamp')).toBe(false);
  });

  it('JSON: an object and JSON text with keys in another order', () => {
    expect(valuesEqual({ a: 1, b: { d: [1, 2], c: null } }, '{"b": {"c": null, "d": [1, 2]}, "a": 1}', 'json')).toBe(true);
    expect(normalizeValue('[3, {"b": 1, "a": 2}]', 'json')).toEqual({ json: '[3,{"a":2,"b":1}]' });
  });

  it('blobs: Buffer, Uint8Array, ArrayBuffer and number arrays are the same bytes', () => {
    const bytes = [0, 1, 254, 255];
    expect(normalizeValue(Buffer.from(bytes), 'blob')).toBe('0001feff');
    expect(normalizeValue(Uint8Array.from(bytes), 'blob')).toBe('0001feff');
    expect(normalizeValue(Uint8Array.from(bytes).buffer, 'blob')).toBe('0001feff');
    expect(normalizeValue(bytes, 'blob')).toBe('0001feff');
  });

  it('numerics: exact decimal text whatever the trailing zeros or exponent', () => {
    expect(normalizeValue('12.500', 'numeric')).toBe('12.5');
    expect(normalizeValue(12.5, 'numeric')).toBe('12.5');
    expect(normalizeValue('0012', 'numeric')).toBe('12');
    expect(normalizeValue('-0.0', 'numeric')).toBe('0');
    expect(normalizeValue('1e3', 'numeric')).toBe('1000');
    expect(valuesEqual('123456789012345678901234.5', '123456789012345678901234.50', 'numeric')).toBe(true);
  });

  it('reals: the same double by default, or within a relative tolerance when one is given', () => {
    expect(valuesEqual(0.1 + 0.2, 0.3, 'real')).toBe(false);
    expect(valuesEqual(0.1 + 0.2, 0.3, 'real', { realTolerance: 1e-12 })).toBe(true);
    expect(valuesEqual('1.5', 1.5, 'real')).toBe(true);
    expect(valuesEqual(1.5, 1.5000001, 'real')).toBe(false);
  });

  it('NULL and undefined are NULL in every type', () => {
    expect(normalizeValue(null, 'json')).toBeNull();
    expect(normalizeValue(undefined, 'integer')).toBeNull();
    expect(valuesEqual(null, null, 'text')).toBe(true);
  });
});

describe('normalizeValue: real differences stay different', () => {
  it('a timestamp one second off', () => {
    expect(valuesEqual(new Date('2024-01-01T10:00:01Z'), '2024-01-01 10:00:00', 'timestamp')).toBe(false);
  });

  it('an int64 beyond 2^53 changed in its last digit', () => {
    expect(valuesEqual(9007199254740993n, 9007199254740992n, 'integer')).toBe(false);
    expect(valuesEqual('9223372036854775807', '9223372036854775806', 'integer')).toBe(false);
  });

  it('NULL versus the empty string, and trailing whitespace', () => {
    expect(valuesEqual(null, '', 'text')).toBe(false);
    expect(valuesEqual('abc', 'abc ', 'text')).toBe(false);
  });

  it('changed JSON, and JSON that differs only in array order', () => {
    expect(valuesEqual({ a: 1 }, '{"a": 2}', 'json')).toBe(false);
    expect(valuesEqual([1, 2], '[2, 1]', 'json')).toBe(false);
  });

  it('a timestamp inside an array (a Postgres timestamptz[]) one microsecond off', () => {
    const at = PreciseDate.fromEpochMicros(1_704_067_200_000_001n);
    expect(valuesEqual([at], [PreciseDate.fromEpochMicros(1_704_067_200_000_002n)], 'json')).toBe(false);
    expect(valuesEqual([at], '["2024-01-01T00:00:00.000Z"]', 'json')).toBe(false);
    expect(valuesEqual([at], '["2024-01-01T00:00:00.000001Z"]', 'json')).toBe(true);
    expect(stableStringify({ at })).toBe('{"at":"2024-01-01T00:00:00.000001Z"}');
  });

  it('values that do not fit their type never equal a real value of it', () => {
    // D1 stores a boolean bound to a TEXT column as '1.0'.
    expect(valuesEqual('1.0', true, 'boolean')).toBe(false);
    expect(valuesEqual('not json', { a: 1 }, 'json')).toBe(false);
    expect(valuesEqual('yesterday', new Date(0), 'timestamp')).toBe(false);
    expect(valuesEqual('12abc', 12, 'integer')).toBe(false);
    // ...but two identical invalid values are still equal to each other.
    expect(valuesEqual('1.0', '1.0', 'boolean')).toBe(true);
  });

  it('a different blob byte', () => {
    expect(valuesEqual(Buffer.from([1, 2]), [1, 3], 'blob')).toBe(false);
  });
});

describe('helpers', () => {
  it('normalizeRow normalizes by column, text for unknown columns', () => {
    expect(normalizeRow({ id: 1n, on: 1, extra: 5 }, { id: 'integer', on: 'boolean' })).toEqual({ id: '1', on: true, extra: '5' });
  });

  it('stableStringify sorts keys at every depth and drops undefined', () => {
    expect(stableStringify({ b: [{ d: 1, c: undefined, a: 2 }], a: 10n })).toBe('{"a":10,"b":[{"a":2,"d":1}]}');
  });

  it('canonicalEqual compares JSON by text and NaN as equal', () => {
    expect(canonicalEqual({ json: '[1]' }, { json: '[1]' })).toBe(true);
    expect(canonicalEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(canonicalEqual(null, '')).toBe(false);
  });

  it('formatCanonical prints values for reports', () => {
    expect(formatCanonical(null)).toBe('NULL');
    expect(formatCanonical('a')).toBe('"a"');
    expect(formatCanonical(true)).toBe('true');
    expect(formatCanonical({ json: '{"a":1}' })).toBe('{"a":1}');
  });
});

describe('normalizeValue: timestamps read as Date take a path without bigint arithmetic', () => {
  it('gives what the general path gives for the same instant, and tells apart instants 1 µs or 1 ms apart', () => {
    const seed = Number(process.env.TIMESTAMP_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`timestamp fast path: seed ${seed} (rerun with TIMESTAMP_SEED=${seed})`);
    const next = seededRandom(seed);
    for (let n = 0; n < 5000; n++) {
      // Whole Date range, years before 1 and past 9999 included.
      const ms = Math.round((next() - 0.5) * 2 * 8.64e15) + (n < 4 ? [0, -1, 1, 8.64e15][n]! : 0);
      const safe = Math.max(-8.64e15 + 1, Math.min(8.64e15, ms));
      const us = Math.floor(next() * 1000);
      const date = new PreciseDate(safe, us);
      // The same instant with its microseconds past 999: only the general path takes it.
      const general = new PreciseDate(safe - 1, us + 1000);
      for (const timestampPrecision of ['ms', 'us'] as const) {
        expect(normalizeValue(date, 'timestamp', { timestampPrecision }), `seed ${seed}, ${safe} ms + ${us} µs`).toBe(
          normalizeValue(general, 'timestamp', { timestampPrecision }),
        );
      }
      if (safe < 8.64e15 - 1) {
        expect(valuesEqual(date, new PreciseDate(safe, us === 999 ? 998 : us + 1), 'timestamp', { timestampPrecision: 'us' })).toBe(false);
        expect(valuesEqual(date, new PreciseDate(safe + 1, us), 'timestamp', { timestampPrecision: 'ms' })).toBe(false);
      }
      expect(normalizeValue(new Date(safe), 'timestamp')).toBe(normalizeValue(new PreciseDate(safe - 1, 1000), 'timestamp'));
    }
  });
});

describe('normalizeValue: text in toISOString form and safe integers take a short path', () => {
  it('gives what the general path gives, and tells apart values one unit apart', () => {
    const seed = Number(process.env.TIMESTAMP_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`ISO text and integer fast paths: seed ${seed} (rerun with TIMESTAMP_SEED=${seed})`);
    const next = seededRandom(seed);
    for (let n = 0; n < 5000; n++) {
      // Years 0000-9999: the years toISOString writes with four digits.
      const ms = Math.floor(next() * 253402300800000) - 62167219200000;
      const iso = new Date(ms).toISOString();
      // The same instant with an offset instead of Z: only the general path reads it.
      const general = iso.slice(0, -1) + '+00:00';
      for (const timestampPrecision of ['s', 'ms', 'us'] as const) {
        expect(normalizeValue(iso, 'timestamp', { timestampPrecision }), `seed ${seed}, ${iso}`).toBe(
          normalizeValue(general, 'timestamp', { timestampPrecision }),
        );
      }
      expect(valuesEqual(iso, new Date(ms + 1).toISOString(), 'timestamp'), `seed ${seed}, ${iso}`).toBe(false);
      const int = Math.floor((next() - 0.5) * 2 * Number.MAX_SAFE_INTEGER);
      expect(normalizeValue(int, 'integer'), `seed ${seed}, ${int}`).toBe(BigInt(int).toString());
      expect(valuesEqual(int, int + (int < 0 ? 1 : -1), 'integer')).toBe(false);
    }
  });

  it('text shaped like toISOString that names no real instant goes the general way', () => {
    expect(normalizeValue('2023-02-30T00:00:00.000Z', 'timestamp')).toMatch(/^\u0000invalid/);
    expect(normalizeValue('2024-13-01T00:00:00.000Z', 'timestamp')).toMatch(/^\u0000invalid/);
    expect(normalizeValue('2024-01-01T24:00:00.000Z', 'timestamp')).toBe('2024-01-02T00:00:00.000Z');
    expect(normalizeValue('2024-01-01T23:59:60.000Z', 'timestamp')).toBe('2024-01-02T00:00:00.000Z');
    // Postgres reads 24:00:00 and a 60th second as the next day's first instant.
    expect(valuesEqual('2024-01-01 24:00:00', '2024-01-02 00:00:00', 'timestamp')).toBe(true);
    expect(valuesEqual('2024-01-01 24:00:00', '2024-01-01 00:00:00', 'timestamp')).toBe(false);
    expect(valuesEqual('2024-12-31 23:59:60', '2025-01-01 00:00:00', 'timestamp')).toBe(true);
    expect(valuesEqual('0050-03-01 24:00:00', '0050-03-01 00:00:00', 'timestamp')).toBe(false);
    expect(normalizeValue(-0, 'integer')).toBe('0');
    expect(normalizeValue(2 ** 53, 'integer')).toBe('9007199254740992');
    expect(normalizeValue(1e21, 'integer')).toBe('1000000000000000000000');
  });
});

describe('normalizeValue: a Postgres infinite timestamp', () => {
  it("is the driver's ±Infinity on Postgres and the word on SQLite and D1; any other value is different", () => {
    expect(valuesEqual(Infinity, 'infinity', 'timestamp')).toBe(true);
    expect(valuesEqual(-Infinity, ' -Infinity', 'timestamp')).toBe(true);
    expect(valuesEqual(Infinity, '-infinity', 'timestamp')).toBe(false);
    expect(valuesEqual(-Infinity, 'infinity', 'timestamp')).toBe(false);
    expect(valuesEqual(Infinity, 'infinit', 'timestamp')).toBe(false);
    expect(valuesEqual(Infinity, '+275760-09-13T00:00:00.000Z', 'timestamp')).toBe(false);
    expect(valuesEqual('infinity', new Date(8.64e15), 'timestamp')).toBe(false);
    expect(valuesEqual(Infinity, Number.MAX_VALUE, 'timestamp')).toBe(false);
    // Epoch numbers too large to scale are no instant: different from anything, not a RangeError.
    expect(valuesEqual(Number.MAX_VALUE, -Number.MAX_VALUE, 'timestamp')).toBe(false);
    expect(valuesEqual('9'.repeat(400), Infinity, 'timestamp')).toBe(false);
    expect(valuesEqual('9'.repeat(400), '8' + '9'.repeat(399), 'timestamp')).toBe(false);
  });
});

describe('a blob compared as JSON', () => {
  it('is the document its UTF-8 text spells; one byte changed, or bytes that are no UTF-8, differ', () => {
    const doc = { theme: 'dark', n: [1, 2] };
    expect(valuesEqual(Buffer.from('{"n":[1,2],"theme":"dark"}'), doc, 'json')).toBe(true);
    expect(valuesEqual(new Uint8Array(Buffer.from('"s"')), 's', 'json')).toBe(false);
    expect(valuesEqual(new Uint8Array(Buffer.from('"s"')), '"s"', 'json')).toBe(true);
    expect(valuesEqual(Buffer.from('{"n":[1,3],"theme":"dark"}'), doc, 'json')).toBe(false);
    expect(valuesEqual(Buffer.from([0xff, 0x7b, 0x7d]), {}, 'json')).toBe(false);
    expect(valuesEqual(Buffer.from('not json'), 'not json', 'json')).toBe(false);
  });
});
