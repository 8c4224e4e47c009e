import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from './capabilities';
import { ParameterError } from './errors';
import { encodeParams, PostgresArray } from './param-encode';
import { PreciseDate } from './precise-date';

const sqlite = DEFAULT_CAPABILITIES.sqlite;
const d1 = DEFAULT_CAPABILITIES.d1;
const postgres = DEFAULT_CAPABILITIES.postgres;

describe('encodeParams', () => {
  it('encodes booleans and dates as SQLite and D1 store them', () => {
    const at = new Date('2024-01-01T10:00:00.123Z');
    expect(encodeParams([true, false, at], 'sqlite', sqlite)).toEqual([1, 0, '2024-01-01T10:00:00.123Z']);
    expect(encodeParams([true, at], 'd1', d1)).toEqual([1, '2024-01-01T10:00:00.123Z']);
  });

  it('keeps the sign of -0 on Postgres, where pg would send String(-0), which is "0"', () => {
    expect(Object.is(encodeParams([-0], 'postgres', postgres)[0], '-0')).toBe(true);
    expect(encodeParams([0, -1.5], 'postgres', postgres)).toEqual([0, -1.5]);
  });

  it('leaves booleans and dates to pg on Postgres', () => {
    const at = new Date(0);
    expect(encodeParams([true, at], 'postgres', postgres)).toEqual([true, at]);
  });

  it('sends objects and arrays as JSON text on every engine, never as Postgres arrays', () => {
    for (const [dialect, caps] of [
      ['sqlite', sqlite],
      ['d1', d1],
      ['postgres', postgres],
    ] as const) {
      expect(encodeParams([{ b: [1, { c: 2 }] }, [1, 2]], dialect, caps)).toEqual(['{"b":[1,{"c":2}]}', '[1,2]']);
    }
  });

  it('keeps the microseconds of dates in arrays: as Postgres array items, and in JSON text', () => {
    const at = PreciseDate.fromEpochMicros(1_704_067_200_000_001n);
    const bc = new Date(Date.UTC(0, 0, 1));
    bc.setUTCFullYear(0);
    expect(encodeParams([PostgresArray.from([at, null, bc])], 'postgres', postgres)).toEqual([
      ['2024-01-01 00:00:00.000001+00', null, '0001-01-01 00:00:00.000+00 BC'],
    ]);
    expect(encodeParams([[at], { at }], 'sqlite', sqlite)).toEqual([
      '["2024-01-01T00:00:00.000001Z"]',
      '{"at":"2024-01-01T00:00:00.000001Z"}',
    ]);
    expect(encodeParams([[new Date(NaN)]], 'd1', d1)).toEqual(['[null]']);
  });

  it('keeps bytes as bytes', () => {
    const bytes = new Uint8Array([0, 255]);
    const [onSqlite] = encodeParams([bytes], 'sqlite', sqlite);
    expect(Buffer.isBuffer(onSqlite)).toBe(true);
    expect([...(onSqlite as Buffer)]).toEqual([0, 255]);
    expect(encodeParams([bytes], 'd1', d1)[0]).toBe(bytes);
  });

  it('keeps int64 exact where the engine can and refuses to round where it cannot', () => {
    const max = 2n ** 63n - 1n;
    expect(encodeParams([max], 'sqlite', sqlite)).toEqual([max]);
    expect(encodeParams([max], 'postgres', postgres)).toEqual(['9223372036854775807']);
    expect(encodeParams([42n], 'd1', d1)).toEqual([42]);
    expect(() => encodeParams([1n, 2n ** 53n + 1n], 'd1', d1)).toThrow(/Parameter 2 is 9007199254740993n/);
  });

  it('names the position of an undefined parameter', () => {
    const attempt = () => encodeParams([1, undefined], 'sqlite', sqlite, 'SELECT ?, ?');
    expect(attempt).toThrow(ParameterError);
    expect(attempt).toThrow(/Parameter 2 is undefined/);
    try {
      attempt();
    } catch (error) {
      expect((error as ParameterError).position).toBe(2);
      expect((error as ParameterError).sql).toBe('SELECT ?, ?');
    }
  });

  it('rejects an invalid Date', () => {
    expect(() => encodeParams([new Date('nope')], 'postgres', postgres)).toThrow(/invalid Date/);
  });
});
