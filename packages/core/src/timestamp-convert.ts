import { storedTypeOf } from './logical-type';
import { epochMicros, PreciseDate } from './precise-date';
import { parseTimestampText } from './timestamp-text';
import { holdTimeWord, UnholdableValue } from './unholdable-value';
import type { ColumnInfo } from './types';
import type { Converter } from './value-convert';

/** What values bound for a Postgres timestamp or date column become, from SQLite and D1 (see `converterFor`). */

const SQL_DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DAY_MICROS = 86_400_000_000n;

/**
 * A Postgres infinite timestamp (the driver's ±Infinity) as the word, which Postgres reads
 * back as the same infinity and which sorts among SQLite's ISO text as the infinity does
 * ('-infinity' before every year, 'infinity' after); a REAL ±Inf would sort before all text.
 */
export function toInfinityText(value: unknown): unknown {
  return value === Infinity ? 'infinity' : value === -Infinity ? '-infinity' : value;
}

/**
 * Epoch seconds or milliseconds become a Date. Text is handed to Postgres as text, which
 * parses it exactly (microseconds included): text with a zone as it is, SQLite's zoneless
 * `YYYY-MM-DD HH:MM:SS` (UTC, as datetime('now') writes it) with `Z` appended so the
 * server's TimeZone setting cannot shift it.
 */
export function toDate(value: unknown): unknown {
  if (typeof value === 'string') {
    // ISO's signed six-digit years ('+010000-…', what a Date past 9999 became as text):
    // Postgres does not read them, so they go as a Date it is sent in its own form.
    if (/^[+-]\d{6}-/.test(value)) {
      const micros = parseTimestampText(value.trim());
      if (micros !== undefined) return PreciseDate.fromEpochMicros(micros);
    }
    const m = SQL_DATETIME.exec(value);
    if (m) return m[3] ? value : m[2] ? value + 'Z' : value + ' 00:00:00Z';
    const s = value.trim();
    return /^[+-]?\d+(\.\d+)?$/.test(s) ? epochToDate(Number(s)) : (holdTimeWord(value) ?? value);
  }
  if (typeof value === 'number' || typeof value === 'bigint') return epochToDate(Number(value));
  return value;
}

/**
 * Into a `timestamp` without time zone, as a Date goes (its UTC wall time): text with an
 * offset as the instant it names, where Postgres would keep its wall time and drop the
 * offset ('10:00+02:00' stored as 10:00, not 08:00).
 */
export function toUtcWallTime(value: unknown): unknown {
  const converted = toDate(value);
  // toDate leaves text it reads with a zone (zoneless datetime gets `Z`); the parser reads that zone.
  const micros = typeof converted === 'string' ? parseTimestampText(converted.trim()) : undefined;
  return micros === undefined ? converted : PreciseDate.fromEpochMicros(micros);
}

function epochToDate(n: number): unknown {
  // A Postgres infinity, as SQLite holds one it was given (a REAL ±Inf).
  if (n === Infinity || n === -Infinity) return toInfinityText(n);
  // Same rule as core's normalization: below 1e11 is seconds (up to year 5138), above is milliseconds.
  const date = new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
  if (!Number.isNaN(date.getTime())) return date;
  return new UnholdableValue(
    n,
    `the number ${n}, read as epoch ${Math.abs(n) < 1e11 ? 'seconds' : 'milliseconds'}, is no instant a timestamp holds. Fix it at the source, or give the column a numeric type on the target.`,
  );
}

/**
 * Into a Postgres `date`: a date alone as it is; datetime text at midnight UTC as its date;
 * datetime text with a time of day held back, since Postgres would keep its date and drop the
 * time (and the offset) without a word. Other text goes as it is, for Postgres to read or refuse.
 */
export function toDateText(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return value;
  const held = holdTimeWord(value);
  if (held) return held;
  const text = value.trim();
  const micros = /^\d{4}-\d\d-\d\d[ T]/.test(text) ? parseTimestampText(text) : undefined;
  if (micros === undefined) return value;
  if (micros % DAY_MICROS === 0n) return new Date(Number(micros / 1000n)).toISOString().slice(0, 10);
  return new UnholdableValue(
    value,
    `the text '${value}' holds a time of day, which a Postgres date column drops. ` +
      "Give the column a timestamp type on the target (translateSchema's columnTypes), or keep dates alone in it at the source.",
  );
}

/**
 * The fractional-second digits a Postgres `timestamp(p)` or `timestamptz(p)` column keeps,
 * when fewer than the six of one declared without a precision; else `undefined`.
 *
 * @example
 * ```ts
 * timestampPrecisionOf({ declaredType: 'timestamp(3) without time zone' }) // 3
 * timestampPrecisionOf({ declaredType: 'timestamp with time zone' })       // undefined
 * ```
 */
export function timestampPrecisionOf(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): number | undefined {
  const m = /^timestamp(?:tz)?\s*\((\d)\)/i.exec(storedTypeOf(column));
  return m && Number(m[1]) < 6 ? Number(m[1]) : undefined;
}

/**
 * `convert`, holding back a time with more fractional-second digits than a `timestamp(p)`
 * keeps: Postgres would round it without a word (10:00:00.5 into `timestamptz(0)` is stored
 * as 10:00:01), and validation, which compares to the microsecond, would report a row no
 * repair can settle.
 */
export function holdOverPrecision(precision: number, convert: Converter): Converter {
  const unit = 10n ** BigInt(6 - precision);
  return (value) => {
    const out = convert(value);
    const micros = out instanceof Date ? epochMicros(out) : typeof out === 'string' ? parseTimestampText(out.trim()) : undefined;
    if (micros === undefined || micros % unit === 0n) return out;
    return new UnholdableValue(
      value,
      `the time ${JSON.stringify(String(value instanceof Date ? value.toISOString() : value).slice(0, 40))} has more fractional-second digits ` +
        `than the column's timestamp(${precision}) keeps, and Postgres would round it. Truncate it at the source, or give the column ` +
        'more precision on the target (timestamptz keeps six digits; columnTypes).',
    );
  };
}
