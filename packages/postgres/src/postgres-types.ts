import { keepArrayLiteral, parseJsonKeepingSource, parseJsonWithText, parsePgArray, PreciseDate } from '@switchyard/core';
import pg from 'pg';

/**
 * pg's per-query type configuration: `{ types: { getTypeParser } }` in a query config.
 *
 * @example
 * ```ts
 * const types: PostgresTypeParsers = { getTypeParser: (oid, format) => pg.types.getTypeParser(oid, format) };
 * ```
 */
export interface PostgresTypeParsers {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown;
}

/**
 * Type OIDs whose parsing Switchyard fixes, so values read the same on every adapter.
 *
 * @example
 * ```ts
 * createTypeParsers().getTypeParser(PG_OID.int8)('42') // 42
 * ```
 */
export const PG_OID = {
  int8: 20,
  int2: 21,
  int4: 23,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  json: 114,
  jsonb: 3802,
  int8Array: 1016,
  numericArray: 1231,
  dateArray: 1182,
  timestampArray: 1115,
  timestamptzArray: 1185,
  interval: 1186,
  intervalArray: 1187,
  point: 600,
  circle: 718,
  pointArray: 1017,
  circleArray: 719,
  jsonArray: 199,
  jsonbArray: 3807,
} as const;

// Postgres' ISO output: timestamp, or timestamptz with the session's offset (+05:30, or
// +hh:mm:ss for historic zones), years of four or more digits, ' BC' last.
const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/;

/**
 * int8 as a number when it fits a double exactly, otherwise a bigint: never rounded,
 * and never a string that compares wrongly as a number.
 *
 * @example
 * ```ts
 * parseInt8('42')                  // 42
 * parseInt8('9223372036854775807') // 9223372036854775807n
 * ```
 */
export function parseInt8(value: string): number | bigint {
  // Up to 15 digits always fits; longer values are checked after conversion.
  if (value.length < 16) return Number(value);
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

/**
 * `timestamp` read as UTC, so the instant does not depend on the process's time zone
 * (pg's default reads it as local time), and `timestamptz` at its offset. A value with
 * microseconds below the millisecond is a {@link PreciseDate} (a `Date` that keeps
 * them); `infinity` stays `Infinity`, as pg reports it. Years of five digits and BC are read.
 *
 * @example
 * ```ts
 * parseTimestampUtc('2024-05-01 12:00:00.123456').toISOString()        // '2024-05-01T12:00:00.123Z'
 * (parseTimestampUtc('2024-05-01 12:00:00.123456') as PreciseDate).microseconds // 456
 * ```
 */
export function parseTimestampUtc(value: string): Date | number {
  const m = TIMESTAMP.exec(value);
  if (!m) {
    if (value === 'infinity') return Infinity;
    if (value === '-infinity') return -Infinity;
    return new Date(NaN);
  }
  let year = Number(m[1]);
  if (m[12]) year = 1 - year; // 1 BC is year 0
  const frac = m[7] ? (m[7] + '00000').slice(0, 6) : '000000';
  const ms = Number(frac.slice(0, 3));
  const micros = Number(frac.slice(3));
  let offsetMs = 0;
  if (m[8]) {
    offsetMs = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000;
    if (m[8] === '-') offsetMs = -offsetMs;
  }
  const date = micros === 0 ? new Date(0) : new PreciseDate(0, micros);
  date.setTime(Date.UTC(2000, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  // Date.UTC maps years 0-99 to 1900-1999; set the year separately.
  date.setUTCFullYear(year);
  if (offsetMs !== 0) date.setTime(date.getTime() - offsetMs);
  return date;
}

const identity = (value: string): string => value;
const toBigint = (value: string): bigint => BigInt(value);

/**
 * How int8 (bigint) values are read: `'exact'` (default) a number when it fits a
 * double exactly, else a bigint; `'string'` as pg (and Kysely's PostgresDialect) reads
 * them; `'bigint'` always a bigint.
 *
 * @example
 * ```ts
 * createPostgresAdapter(url, { int8: 'string' });
 * ```
 */
export type Int8Mode = 'exact' | 'string' | 'bigint';

const INT8_PARSERS: Record<Int8Mode, (value: string) => unknown> = { exact: parseInt8, string: identity, bigint: toBigint };
const stringArray = (value: string) => parsePgArray(value, identity);
const timestampArray = (value: string) => parsePgArray(value, parseTimestampUtc);
// A json document keeps its text (key order, repeated keys and spacing are its value);
// a jsonb one when a number would be written back otherwise (see core's JSON_SOURCE).
const json = (value: string) => parseJsonWithText(value);
const jsonb = (value: string) => parseJsonKeepingSource(value);
// An array of documents: its elements as one document is read, the literal kept (see core's
// keepArrayLiteral), since the parsed elements lose what they hold as one document does.
const jsonArray = (value: string) => keepArrayLiteral(parsePgArray(value, json), value, json);
const jsonbArray = (value: string) => keepArrayLiteral(parsePgArray(value, jsonb), value, jsonb);

/**
 * The type parsers every Switchyard Postgres query uses, passed per query so a Pool
 * you hand in is never modified globally: int8 exact (number or bigint), numeric as
 * an exact string, timestamp without time zone as UTC, timestamp and timestamptz with
 * their microseconds (a {@link PreciseDate} when there are any), json parsed with its
 * text kept, jsonb with its text kept when a number would be written back otherwise, date as `'YYYY-MM-DD'`, and the arrays
 * of these alike. Everything else (bytea as Buffer, int2/int4 as numbers) falls through
 * to `fallback`, pg's global parsers by default.
 *
 * @example
 * ```ts
 * await client.query({ text: 'SELECT 1::int8 AS n', types: createTypeParsers() });
 * ```
 */
export function createTypeParsers(
  fallback: PostgresTypeParsers = pg.types as PostgresTypeParsers,
  int8: Int8Mode = 'exact',
): PostgresTypeParsers {
  const parseInt8As = INT8_PARSERS[int8];
  const int8Array = (value: string) => parsePgArray(value, parseInt8As);
  return {
    getTypeParser(oid: number, format: 'text' | 'binary' = 'text') {
      if (format === 'text') {
        switch (oid) {
          case PG_OID.int8:
            return parseInt8As;
          // numeric, date and interval as the server's own text: exact, and written back as read.
          // So are point and circle, which pg reads as objects that no statement takes back.
          case PG_OID.numeric:
          case PG_OID.date:
          case PG_OID.interval:
          case PG_OID.point:
          case PG_OID.circle:
            return identity;
          case PG_OID.timestamp:
          case PG_OID.timestamptz:
            return parseTimestampUtc;
          case PG_OID.json:
            return json;
          case PG_OID.jsonb:
            return jsonb;
          case PG_OID.int8Array:
            return int8Array;
          case PG_OID.numericArray:
          case PG_OID.dateArray:
          case PG_OID.intervalArray:
          case PG_OID.pointArray:
          case PG_OID.circleArray:
            return stringArray;
          case PG_OID.timestampArray:
          case PG_OID.timestamptzArray:
            return timestampArray;
          case PG_OID.jsonArray:
            return jsonArray;
          case PG_OID.jsonbArray:
            return jsonbArray;
        }
      }
      return fallback.getTypeParser(oid, format);
    },
  };
}
