import { PreciseDate, postgresTimestampText } from '@switchyard/core';

const MS_PER_DAY = 86_400_000;
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `date.toISOString()` for years 1-9999, computed from the epoch milliseconds with
 * integer arithmetic. Bulk inserts bind a timestamp per row, and V8's own
 * `toISOString` costs several times more per call than this.
 *
 * @example
 * ```ts
 * formatUtcTimestamp(new Date(0)) // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function formatUtcTimestamp(date: Date): string {
  const t = date.getTime();
  const days = Math.floor(t / MS_PER_DAY);
  let ms = t - days * MS_PER_DAY;
  const hour = Math.floor(ms / 3_600_000);
  ms -= hour * 3_600_000;
  const minute = Math.floor(ms / 60_000);
  ms -= minute * 60_000;
  const second = Math.floor(ms / 1000);
  ms -= second * 1000;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return (
    TWO[Math.floor(year / 100)]! +
    TWO[year % 100]! +
    '-' +
    TWO[month]! +
    '-' +
    TWO[day]! +
    'T' +
    TWO[hour]! +
    ':' +
    TWO[minute]! +
    ':' +
    TWO[second]! +
    '.' +
    THREE[ms]! +
    'Z'
  );
}

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z, the range ISO-8601 text covers. */
const FIRST_YEAR_1 = -62_135_596_800_000;
const LAST_YEAR_9999 = 253_402_300_799_999;

/**
 * pg sends a Date as local time with an offset, which a `timestamp without time zone`
 * column stores as local wall time. ISO UTC text stores the same instant in
 * timestamptz and the UTC wall time in timestamp, which is how the adapter reads it back.
 * A {@link PreciseDate} keeps its microseconds; years outside 1-9999 are written as
 * Postgres reads them (BC, five-digit years).
 */
export function datesAsUtcText(params: unknown[]): unknown[] {
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (v instanceof Date) {
      const t = v.getTime();
      if (v instanceof PreciseDate || t < FIRST_YEAR_1 || t > LAST_YEAR_9999) {
        if (!Number.isNaN(t)) params[i] = postgresTimestampText(v);
      } else params[i] = formatUtcTimestamp(v);
    }
  }
  return params;
}
